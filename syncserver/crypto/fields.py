"""Sealing personal field values with the tenant's data key (AES-256-GCM).

A sealed value is the text ``wcn:enc:1:<key version>:<base64url(nonce || ciphertext)>``
in place of the value in the record's JSON; the plaintext is the value's JSON, so types
survive. Each value gets a fresh random 96-bit nonce, and the tenant, the record and the
field are the associated data: a value copied to another record, field or tenant does not
decrypt. Which fields are sealed comes from the entity registry (``personal=True``), plus the
competing values (and the message quoting them) of a review item about a personal field.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from shared import entities as ent
from syncserver import json_text
from syncserver.crypto.audit_keys import AuditKeys
from syncserver.crypto.data_keys import DataKey, DataKeys
from syncserver.crypto.master import NONCE_BYTES, MasterKeyProvider
from syncserver.errors import ServerError

PREFIX = "wcn:enc:1:"
RECORDS = "records"  # the binding scope of record fields (in ``records`` and ``changes``)

SEALED_ENTITIES = frozenset(
    {name for name, spec in ent.ENTITIES.items() if spec.personal_fields} | {"review_item"}
)


class DecryptionFailed(ServerError):
    status = 500
    code = "decryption_failed"


def is_sealed(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def sealed_version(value: str) -> int:
    return int(value[len(PREFIX) :].split(":", 1)[0])


def sealed_names(entity: str, fields: Mapping[str, Any]) -> frozenset[str]:
    """The fields of this record that are stored sealed."""
    spec = ent.ENTITIES.get(entity)
    names = spec.personal_fields if spec is not None else frozenset()
    if entity == "review_item":
        subject = ent.ENTITIES.get(str(fields.get("subject_entity")))
        if subject is not None and fields.get("field") in subject.personal_fields:
            names = names | {"values", "message"}  # both quote the competing values
    return names


def _aad(tenant_id: str, scope: str, record_id: str, field: str) -> bytes:
    return f"wcn-field/v1|{tenant_id}|{scope}|{record_id}|{field}".encode()


class TenantCipher:
    """Seals and opens values of one tenant inside one transaction (keys are looked up once
    per version per transaction, and unwrapped once per process)."""

    def __init__(
        self, keys: DataKeys, conn: sa.Connection, tenant_id: str, audit_keys: AuditKeys
    ) -> None:
        self._keys = keys
        self._audit_keys = audit_keys
        self._conn = conn
        self.tenant_id = tenant_id
        self._current: DataKey | None = None
        self._aeads: dict[int, AESGCM] = {}

    @property
    def current_version(self) -> int:
        return self._current_key().version

    def _current_key(self) -> DataKey:
        if self._current is None:
            self._current = self._keys.current(self._conn, self.tenant_id)
            self._aeads[self._current.version] = AESGCM(self._current.key)
        return self._current

    def _aead(self, version: int, where: str) -> AESGCM:
        aead = self._aeads.get(version)
        if aead is None:
            key = self._keys.get(self._conn, self.tenant_id, version)
            if key is None:
                raise DecryptionFailed(
                    f"{where} is sealed with a data key (version {version}) "
                    "this database does not hold."
                )
            aead = self._aeads[version] = AESGCM(key.key)
        return aead

    def seal_value(self, scope: str, record_id: str, field: str, value: Any) -> str:
        key = self._current_key()
        nonce = secrets.token_bytes(NONCE_BYTES)
        plain = json_text.compact(value).encode()
        sealed = self._aeads[key.version].encrypt(
            nonce, plain, _aad(self.tenant_id, scope, record_id, field)
        )
        body = base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")
        return f"{PREFIX}{key.version}:{body}"

    def open_value(self, scope: str, record_id: str, field: str, value: Any) -> Any:
        if not is_sealed(value):
            return value  # written before encryption was on; 'keys rotate' seals it
        where = f"The {field.replace('_', ' ')} of {scope} record {record_id}"
        try:
            version_text, _, body = value[len(PREFIX) :].partition(":")
            raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
            aead = self._aead(int(version_text), where)
            plain = aead.decrypt(
                raw[:NONCE_BYTES], raw[NONCE_BYTES:], _aad(self.tenant_id, scope, record_id, field)
            )
        except (InvalidTag, ValueError, binascii.Error):
            raise DecryptionFailed(
                f"{where} cannot be decrypted: it was altered, or copied from another record."
            ) from None
        return json.loads(plain)

    def seal(self, entity: str, record_id: str, fields: Mapping[str, Any]) -> dict[str, Any]:
        """A copy of ``fields`` with every sealed field's value (other than null) sealed."""
        names = sealed_names(entity, fields)
        out = dict(fields)
        for name in names:
            value = out.get(name)
            if value is not None and name in out:
                out[name] = self.seal_value(RECORDS, record_id, name, value)
        return out

    def open(self, entity: str, record_id: str, fields: Mapping[str, Any]) -> dict[str, Any]:
        out = dict(fields)
        for name in sealed_names(entity, fields):
            if name in out:
                out[name] = self.open_value(RECORDS, record_id, name, out[name])
        return out

    def audit_key(self, *, stored: tuple[str | None, str | None] | None = None) -> bytes:
        """The tenant's key for the audit trail's content hashes (made on first use).
        ``stored``: the tenant row's wrapped key and master key id, when the caller has
        just read them (under the tenant's lock), saving the look-up."""
        return self._audit_keys.get(self._conn, self.tenant_id, stored=stored)

    def is_current(self, value: Any) -> bool:
        """Whether a stored value is sealed with the newest key (a rotation re-seals the rest)."""
        return is_sealed(value) and sealed_version(value) == self.current_version


class FieldCipher:
    """The server's field encryption: one per process, holding the master key."""

    def __init__(self, master: MasterKeyProvider) -> None:
        self.keys = DataKeys(master)
        self.audit_keys = AuditKeys(master)

    @property
    def master_key_id(self) -> str:
        return self.keys.master.key_id

    def for_tenant(self, conn: sa.Connection, tenant_id: str) -> TenantCipher:
        return TenantCipher(self.keys, conn, tenant_id, self.audit_keys)
