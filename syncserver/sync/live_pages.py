"""What a live notification says after a push: the new server sequence, and (for PCs that
take them, when the push was small) the changes themselves, as the page a pull from just
before the push would return. A PC applies that page only if its cursor is exactly where the
page starts, so the pull cursor stays the source of truth; otherwise it pulls.

The payload published to the hub is the plain notification, and after a newline (never inside
either part: both are one line of JSON) the one with the page; each subscriber's stream sends
the part it asked for."""

from __future__ import annotations

import json

import sqlalchemy as sa

from shared.pull_page import ARRAY_PAGE_PROTOCOL, encode_live_page
from syncserver.crypto import TenantCipher
from syncserver.sync.context import DeviceContext
from syncserver.sync.pull import pull_json

LIVE_PAGE_CHANGES = 200  # a larger push is announced without its changes
LIVE_PAGE_LIMIT = 1000  # records in a notification's page (more: the PC pulls the rest)


def plain_notification(server_seq: int) -> str:
    return json.dumps({"server_seq": server_seq})


def notification_with_page(
    conn: sa.Connection,
    tenant_id: str,
    home_id: str,
    server_seq: int,
    *,
    from_seq: int,
    cipher: TenantCipher,
) -> str:
    """The hub payload for one home: the plain notification, a newline, and the one with the
    page of the home's records after ``from_seq`` (read in ``conn``, after the commit)."""
    scope = DeviceContext("", tenant_id, home_id, 0)
    page = pull_json(
        conn,
        scope,
        ARRAY_PAGE_PROTOCOL,
        from_seq,
        LIVE_PAGE_LIMIT,
        cipher=cipher,
        count_scope=False,
    )
    return plain_notification(server_seq) + "\n" + encode_live_page(server_seq, from_seq, page)


def for_subscriber(payload: str, *, pages: bool) -> tuple[str, bool]:
    """The notification one subscriber gets, and whether it carries records."""
    plain, _, with_page = payload.partition("\n")
    if pages and with_page:
        return with_page, True
    return plain, False
