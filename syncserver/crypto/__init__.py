"""Field-level encryption of personal identifiers in the server database.

Key hierarchy: a master key (a file, an environment variable, or a KMS/Vault provider) wraps
one data key per tenant and version; data keys seal personal field values with AES-256-GCM,
binding tenant, record and field as associated data. See docs/security.md.
"""

from syncserver.crypto.fields import (
    SEALED_ENTITIES,
    DecryptionFailed,
    FieldCipher,
    TenantCipher,
    is_sealed,
    sealed_names,
)
from syncserver.crypto.master import (
    LocalMasterKey,
    MasterKeyProvider,
    load_master_key,
    parse_key,
)

__all__ = [
    "SEALED_ENTITIES",
    "DecryptionFailed",
    "FieldCipher",
    "LocalMasterKey",
    "MasterKeyProvider",
    "TenantCipher",
    "is_sealed",
    "load_master_key",
    "parse_key",
    "sealed_names",
]
