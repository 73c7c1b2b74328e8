"""Enrolling a PC: redeem a one-time code with the server, then create the encrypted store.
If the server refuses, nothing is created on the PC."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from desktop.services.context import AppContext, device_name
from desktop.services.errors import InvalidInput
from desktop.store import files, meta
from desktop.store.keys import choose_key_store
from desktop.sync.errors import Offline

if TYPE_CHECKING:
    import httpx

    from desktop.sync.engine import ProgressCallback


def default_data_dir() -> Path:
    """Where this PC keeps its records unless told otherwise (``WCN_DATA_DIR`` or the
    platform's per-machine data folder)."""
    return files.default_data_dir()


def is_enrolled(data_dir: Path) -> bool:
    """True when ``data_dir`` holds a care record store (the PC was enrolled)."""
    return files.exists(data_dir)


def enrol(
    server_url: str,
    code: str,
    data_dir: Path,
    *,
    key_dir: str | None = None,
    http: httpx.Client | None = None,
    name: str | None = None,
    bootstrap: bool = True,
    progress: ProgressCallback | None = None,
) -> AppContext:
    server_url = server_url.strip().rstrip("/")
    if not server_url.startswith(("http://", "https://")):
        raise InvalidInput(
            "The server address must start with https:// (or http:// on a test network).",
            field="server",
        )
    if not code.strip():
        raise InvalidInput("Type the enrolment code IT gave you.", field="code")
    if files.exists(data_dir):
        raise InvalidInput(
            f"This PC is already enrolled (its records are in {data_dir}).", field="data_dir"
        )
    keys = choose_key_store(key_dir)  # fail before using up the code
    from desktop.sync.client import SyncClient  # loaded when enrolling, not at start

    client = SyncClient(server_url, http=http)
    try:
        reply = client.enrol(code.strip(), name or device_name())
    except Offline:
        # The sync wording ("saved on this PC, sent later") does not fit here: nothing is set up.
        raise Offline(
            f"The server at {server_url} cannot be reached. Check the address and that this PC "
            "is connected to the network, then try again. Nothing was set up on this PC."
        ) from None
    finally:
        client.close()
    store = files.create(data_dir, keys)
    try:
        with store.write() as conn:
            meta.put(conn, "device_id", reply.device_id)
            meta.put(conn, "device_secret", reply.device_secret)
            meta.put(conn, "tenant_id", reply.tenant_id)
            meta.put(conn, "tenant_name", reply.tenant_name)
            meta.put(conn, "home_id", reply.home_id)
            meta.put(conn, "home_name", reply.home_name)
            meta.put(conn, "server_url", server_url)
            meta.put(conn, "cursor", 0)
    except BaseException:
        store.close()
        files.wipe(data_dir, keys)
        raise
    context = AppContext(store, data_dir, http=http, key_dir=key_dir)
    if bootstrap:
        sync_client = context.client()
        try:
            context.sync_engine(sync_client).sync(progress)
        finally:
            sync_client.close()
    return context
