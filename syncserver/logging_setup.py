"""The server's logs: one JSON object per line (or plain text), each carrying the id of the
request it belongs to, and never any personal data.

What keeps personal data out: the access line names the route *template*
(``/v1/sync/push``), never the raw path, query string or client address; an exception is
logged as its type and the code locations of its traceback, never its message or the
values in it (a message can quote a resident's record). Code that logs must pass ids, not
names or clinical content.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import re
import sys
import traceback
import uuid
from types import TracebackType
from typing import Any

REQUEST_ID_HEADER = "x-request-id"
_VALID_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")
_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("wcn_request_id", default="")

# Attributes every LogRecord has; anything else was passed with ``extra=`` and is logged.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


def request_id_from(header: str | None) -> str:
    """The caller's request id when it is a sane token (a proxy's or a load balancer's),
    otherwise a new one, so a log line can always be matched to a response."""
    if header and _VALID_ID.match(header):
        return header
    return uuid.uuid4().hex


def set_request_id(value: str) -> contextvars.Token[str]:
    return _request_id.set(value)


def reset_request_id(token: contextvars.Token[str]) -> None:
    _request_id.reset(token)


def current_request_id() -> str:
    return _request_id.get()


ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def exception_summary(exc_info: ExcInfo | tuple[None, None, None]) -> dict[str, Any]:
    """The exception's type and where it was raised, without its message (see above)."""
    kind, _exc, tb = exc_info
    if kind is None:
        return {}
    frames = [f"{f.filename}:{f.lineno} in {f.name}" for f in traceback.extract_tb(tb)]
    return {"exc_type": f"{kind.__module__}.{kind.__qualname__}", "stack": frames[-15:]}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        request_id = current_request_id()
        if request_id:
            entry["request_id"] = request_id
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry.update(exception_summary(record.exc_info))
        return json.dumps(entry, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """For a person at a terminal: the same facts on one line."""

    def format(self, record: logging.LogRecord) -> str:
        extras = " ".join(
            f"{k}={v}"
            for k, v in vars(record).items()
            if k not in _STANDARD and not k.startswith("_")
        )
        request_id = current_request_id()
        head = (
            f"{dt.datetime.fromtimestamp(record.created).isoformat(timespec='seconds')} "
            f"{record.levelname} {record.name}"
        )
        line = f"{head}{f' [{request_id}]' if request_id else ''} {record.getMessage()}"
        if extras:
            line += f" {extras}"
        if record.exc_info:
            summary = exception_summary(record.exc_info)
            line += f" exc_type={summary['exc_type']} at {summary['stack'][-1:]}"
        return line


def configure_logging(*, json_lines: bool = True, level: int = logging.INFO) -> None:
    """Send every logger (uvicorn's too) to stderr in the chosen format."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if json_lines else TextFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    # uvicorn's own access line carries the raw path and the client address: ours replaces it.
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)
    # Alembic announces its dialect each time /readyz checks the schema.
    logging.getLogger("alembic").setLevel(logging.WARNING)
