"""JSON text written on every pushed change, without ``json.dumps``' set-up per call.

``json.dumps`` (and ``JSONEncoder.encode``) build the C encoder anew for every value, which
costs more than encoding a small record. Here each style's encoder is built once and reused:
the text is exactly what ``json.dumps`` with the same options writes (the same C encoder),
only without the check for circular values, which JSON parsed from a request cannot hold.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from json import encoder as _encoder
from typing import Any

Writer = Callable[[Any], str]


def _writer(*, sort_keys: bool, separators: tuple[str, str] | None, ensure_ascii: bool) -> Writer:
    spec = json.JSONEncoder(
        sort_keys=sort_keys, separators=separators, ensure_ascii=ensure_ascii, check_circular=False
    )
    make_encoder: Any = getattr(_encoder, "c_make_encoder", None)
    if make_encoder is None:  # an interpreter without the C accelerator
        return spec.encode
    encode_text = _encoder.encode_basestring_ascii if ensure_ascii else _encoder.encode_basestring
    encode = make_encoder(
        None,
        spec.default,
        encode_text,
        None,
        spec.key_separator,
        spec.item_separator,
        sort_keys,
        spec.skipkeys,
        spec.allow_nan,
    )
    join = "".join

    def write(value: Any) -> str:
        return join(encode(value, 0))

    return write


# ``json.dumps(value)``
dumps: Writer = _writer(sort_keys=False, separators=None, ensure_ascii=True)
# ``json.dumps(value, separators=(",", ":"), ensure_ascii=False)``
compact: Writer = _writer(sort_keys=False, separators=(",", ":"), ensure_ascii=False)
# ``json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)``: the audit
# trail's canonical form (syncserver.audit_chain.canonical)
canonical: Writer = _writer(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
