"""Store errors, each with a sentence for the person at the PC.

StoreError
 ├── WrongKey          the key does not open the file, or the file is damaged
 ├── StoreTooNew       written by a newer version of the app
 ├── KeyUnavailable    no credential store and no key file configured
 ├── DiskFull          the disk is full: nothing was saved
 └── MalformedRecord   a record to be written is not what a record holds: nothing was saved
"""

from shared.errors import WcnError


class StoreError(WcnError):
    code = "store_error"


class WrongKey(StoreError):
    code = "wrong_key"


class StoreTooNew(StoreError):
    code = "store_too_new"


class KeyUnavailable(StoreError):
    code = "key_unavailable"


class DiskFull(StoreError):
    code = "disk_full"


class MalformedRecord(StoreError):
    code = "malformed_record"
