"""What the care planning services share: one transaction for a write with its errors turned
into sentences for the form, the signed-in author, the home's nation, and times."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa

from desktop.services.context import AppContext
from desktop.services.errors import InvalidInput, NotAllowed
from desktop.services.session import SessionService
from desktop.store import records as records_repo
from desktop.sync.errors import PermissionDenied
from desktop.sync.local_changes import Author
from shared.assessments import AssessmentInputError
from shared.capacity import CapacityError
from shared.care_plans import CarePlanError
from shared.entities import FieldError
from shared.incidents import IncidentError
from shared.notifications import NotificationError

DOMAIN_ERRORS = (
    AssessmentInputError,
    CapacityError,
    CarePlanError,
    IncidentError,
    NotificationError,
)


@contextlib.contextmanager
def as_input_errors() -> Iterator[None]:
    """Turn a rule's refusal into InvalidInput naming the field, and a role's into NotAllowed."""
    try:
        yield
    except DOMAIN_ERRORS as exc:
        raise InvalidInput(str(exc), field=exc.field) from None
    except FieldError as exc:
        text = str(exc)
        raise InvalidInput(text[:1].upper() + text[1:], field=exc.field) from None
    except PermissionDenied as exc:
        raise NotAllowed(exc.message) from None


class CareServiceBase:
    """The context and session every care planning service needs."""

    def __init__(self, context: AppContext, session: SessionService) -> None:
        self._context = context
        self._session = session

    def _author(self) -> Author:
        user = self._session.require()
        return Author(user.user_id, user.role)

    @contextlib.contextmanager
    def _writing(self) -> Iterator[tuple[sa.Connection, Author]]:
        """One transaction for the records of one action, as the signed-in person."""
        author = self._author()
        with as_input_errors(), self._context.store.write() as conn:
            yield conn, author

    def _resident(self, conn: sa.Connection, resident_id: str) -> dict[str, Any]:
        record = records_repo.get(conn, resident_id)
        if record is None or record.entity != "resident":
            raise InvalidInput("That resident is not on this PC.")
        return record.fields

    def _home(self, conn: sa.Connection) -> dict[str, Any]:
        record = records_repo.get(conn, self._context.device.home_id)
        return record.fields if record is not None else {}

    def _nation(self, conn: sa.Connection) -> str:
        return str(self._home(conn).get("nation") or "england")


def resident_name(fields: dict[str, Any]) -> str:
    preferred = fields.get("preferred_name") or fields.get("first_name", "")
    return f"{preferred} {fields.get('last_name', '')}".strip()


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def iso(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="seconds")


def local_today(now: dt.datetime | None = None) -> dt.date:
    return (now or now_utc()).astimezone().date()


def parse_date(value: object, field: str, label: str) -> dt.date | None:
    """A date from a form: a date, an ISO string, or nothing."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise InvalidInput(f"The {label} must be a date like 2025-03-31.", field=field) from None


def parse_moment(value: object, field: str, label: str) -> dt.datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        moment = value
    else:
        try:
            moment = dt.datetime.fromisoformat(str(value))
        except ValueError:
            raise InvalidInput(f"The {label} must be a date and time.", field=field) from None
    if moment.tzinfo is None:
        raise InvalidInput(f"The {label} must include a time zone.", field=field)
    return moment


def check_not_future(moment: dt.datetime, field: str, label: str) -> None:
    if moment.tzinfo is None:
        raise InvalidInput(f"The {label} must include a time zone.", field=field)
    if moment > now_utc() + dt.timedelta(minutes=5):
        raise InvalidInput(f"The {label} cannot be in the future.", field=field)
