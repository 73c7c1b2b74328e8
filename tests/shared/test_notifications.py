"""Statutory notifications: which regulator and type, the draft, timing, and marking sent."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared import notifications as n
from shared.entities import NATIONS
from shared.incidents import KINDS, SEVERITIES
from shared.notifications import IncidentFacts, NotificationType, Regulator

T = NotificationType
times = st.datetimes(
    min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2035, 1, 1), timezones=st.just(dt.UTC)
)
facts = st.builds(
    IncidentFacts,
    kind=st.sampled_from(list(KINDS)),
    occurred_at=times,
    severity=st.one_of(st.none(), st.sampled_from(list(SEVERITIES))),
    lasting_harm=st.booleans(),
    pressure_ulcer_grade=st.one_of(st.none(), st.integers(1, 4)),
    developed_after_admission=st.one_of(st.none(), st.booleans()),
    resident_died=st.booleans(),
    abuse_alleged=st.booleans(),
    safeguarding_referral=st.booleans(),
    police_involved=st.booleans(),
    harm_caused=st.booleans(),
    other_events=st.frozensets(st.sampled_from(list(n.OTHER_EVENTS))),
)
nations = st.sampled_from(NATIONS)
QUIET = IncidentFacts(kind="near_miss", occurred_at=dt.datetime(2025, 5, 1, tzinfo=dt.UTC))


def kinds(found: tuple[n.DueNotification, ...]) -> set[NotificationType]:
    return {d.type for d in found}


def test_each_nation_has_its_regulator() -> None:
    assert {nation: n.regulator_for(nation) for nation in NATIONS} == {
        "england": Regulator.CQC,
        "scotland": Regulator.CARE_INSPECTORATE,
        "wales": Regulator.CIW,
        "northern_ireland": Regulator.RQIA,
    }
    with pytest.raises(n.NotificationError):
        n.regulator_for("france")


@given(facts, nations)
def test_every_notification_goes_to_the_nations_regulator_once(
    incident: IncidentFacts, nation: str
) -> None:
    due = n.notifications_due(incident, nation)
    assert {d.regulator for d in due} <= {n.regulator_for(nation)}
    assert len(kinds(due)) == len(due)
    assert [d.type for d in due] == [t for t in NotificationType if t in kinds(due)]
    for d in due:
        assert d.timescale == n.TIMESCALES[d.regulator] and d.reason


@given(facts, nations)
def test_a_death_is_always_notified(incident: IncidentFacts, nation: str) -> None:
    died = IncidentFacts(**{**incident.__dict__, "resident_died": True})
    assert T.DEATH in kinds(n.notifications_due(died, nation))
    if not incident.resident_died and incident.kind != "death":
        assert T.DEATH not in kinds(n.notifications_due(incident, nation))


@given(facts, nations)
def test_abuse_or_an_allegation_is_always_notified(incident: IncidentFacts, nation: str) -> None:
    alleged = IncidentFacts(**{**incident.__dict__, "abuse_alleged": True})
    assert T.ABUSE_OR_ALLEGATION in kinds(n.notifications_due(alleged, nation))


@given(facts, st.sampled_from(["england", "wales", "northern_ireland"]))
def test_serious_injury_follows_the_reference(incident: IncidentFacts, nation: str) -> None:
    grade = incident.pressure_ulcer_grade
    expected = (
        incident.severity == "serious"
        or incident.lasting_harm
        or (grade is not None and grade >= 3 and incident.developed_after_admission is not False)
    )
    assert (T.SERIOUS_INJURY in kinds(n.notifications_due(incident, nation))) == expected
    assert (T.POLICE_INCIDENT in kinds(n.notifications_due(incident, nation))) == (
        incident.police_involved
    )


@given(times, st.integers(1, 4), st.one_of(st.none(), st.booleans()))
def test_a_pressure_ulcer_is_serious_from_grade_3_unless_present_on_admission(
    at: dt.datetime, grade: int, after_admission: bool | None
) -> None:
    ulcer = IncidentFacts(
        kind="skin_damage",
        occurred_at=at,
        severity="moderate",
        pressure_ulcer_grade=grade,
        developed_after_admission=after_admission,
    )
    due = kinds(n.notifications_due(ulcer, "england"))
    assert (T.SERIOUS_INJURY in due) == (grade >= 3 and after_admission is not False)


@given(facts, nations)
def test_medication_errors_only_with_harm_or_safeguarding(
    incident: IncidentFacts, nation: str
) -> None:
    error = IncidentFacts(**{**incident.__dict__, "kind": "medication_error"})
    due = T.MEDICATION_ERROR in kinds(n.notifications_due(error, nation))
    assert due == (incident.harm_caused or incident.safeguarding_referral)


@given(facts)
def test_scotland_asks_about_its_own_list(incident: IncidentFacts) -> None:
    due = kinds(n.notifications_due(incident, "scotland"))
    assert T.SERIOUS_INJURY not in due and T.INSUFFICIENT_STAFFING not in due
    if "infectious_outbreak" in incident.other_events:
        assert T.INFECTIOUS_OUTBREAK in due
    if incident.severity in ("minor", "moderate", "serious"):
        assert T.ACCIDENT_OR_INJURY in due


def test_a_near_miss_with_no_harm_needs_no_notification() -> None:
    for nation in NATIONS:
        assert n.notifications_due(QUIET, nation) == ()


def test_dols_outcomes_go_to_cqc_but_not_to_scotland() -> None:
    (due,) = n.dols_notifications_due("england", "granted")
    assert due.regulator is Regulator.CQC and due.type is T.DOLS_OUTCOME
    assert n.dols_notifications_due("scotland", "granted") == ()
    assert n.dols_notifications_due("england", "pending") == ()


@given(st.sampled_from(list(NotificationType)), st.dictionaries(st.text(), st.text()))
def test_a_draft_lists_exactly_the_empty_required_fields(
    kind: NotificationType, known: dict[str, str]
) -> None:
    labels = n.field_labels(kind)
    filled = {name: "x" for name in list(labels)[::2]}
    result = n.draft(kind, {**known, **filled})
    assert set(result.fields) == set(labels)
    for name, label in labels.items():
        if name in filled:
            assert label not in result.missing
    full = n.draft(kind, dict.fromkeys(labels, "known"))
    assert full.missing == ()


def test_an_unexpected_death_needs_the_last_carer() -> None:
    labels = n.field_labels(T.DEATH)
    known = {name: "x" for name in labels if name != "last_carer_identifier"}
    assert n.draft(T.DEATH, {**known, "expected": "Yes"}).missing == ()
    assert n.draft(T.DEATH, {**known, "expected": "No"}).missing == (
        labels["last_carer_identifier"],
    )


@given(st.dates(min_value=dt.date(1900, 1, 1)), st.dates(min_value=dt.date(1900, 1, 1)))
def test_age_range_is_a_ten_year_band(born: dt.date, on: dt.date) -> None:
    low, high = (int(x) for x in n.age_range(born, on).split("–"))
    assert high - low == 9 and low % 10 == 0
    age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    assert low <= max(age, 0) <= high


@given(times, st.integers(0, 10_000))
def test_urgency_is_late_after_a_day(event: dt.datetime, minutes: int) -> None:
    now = event + dt.timedelta(minutes=minutes)
    result = n.urgency(event, now)
    assert result.elapsed == dt.timedelta(minutes=minutes)
    assert result.late == (minutes > 24 * 60)
    assert ("late" in result.text) == result.late
    sent = n.urgency(event, now + dt.timedelta(days=3), sent_at=now)
    assert sent.elapsed == dt.timedelta(minutes=minutes) and sent.text.startswith("Sent")


@given(st.dates(), st.integers(0, 30))
def test_working_days_skip_weekends(start: dt.date, days: int) -> None:
    if start > dt.date(9000, 1, 1):
        return
    end = n.add_working_days(start, days)
    between = [start + dt.timedelta(d) for d in range(1, (end - start).days + 1)]
    assert sum(d.weekday() < 5 for d in between) == days
    assert days == 0 or end.weekday() < 5


def test_rqia_telephone_notifications_need_writing_within_3_working_days() -> None:
    friday = dt.datetime(2025, 5, 2, 16, tzinfo=dt.UTC)
    assert n.written_confirmation_due(Regulator.RQIA, "telephone", friday) == dt.date(2025, 5, 7)
    assert n.written_confirmation_due(Regulator.RQIA, "email", friday) is None
    assert n.written_confirmation_due(Regulator.CQC, "telephone", friday) is None


@given(
    times,
    st.one_of(st.none(), times),
    st.one_of(st.none(), st.sampled_from(["", "fax", *n.SEND_METHODS])),
)
def test_marking_sent_needs_a_possible_date_and_a_method(
    event: dt.datetime, sent: dt.datetime | None, method: str | None
) -> None:
    now = event + dt.timedelta(days=2)
    ok = (
        sent is not None
        and method in n.SEND_METHODS
        and event <= sent <= now + dt.timedelta(minutes=5)
    )
    if ok:
        n.check_sent(event, sent, method, now)
    else:
        with pytest.raises(n.NotificationError) as error:
            n.check_sent(event, sent, method, now)
        assert error.value.field in ("sent_at", "sent_method")
