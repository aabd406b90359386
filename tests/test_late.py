"""Late policy conventions (README "Choices"), with the shipped course: grace 60 min, 10 %/day, 5 days."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from grader.late import lateness
from grader.models.course import LatePolicy

DUE = datetime(2026, 10, 16, 23, 59, tzinfo=timezone.utc)
POLICY = LatePolicy(grace_minutes=60, percent_per_day=10, max_days_late=5)


@pytest.mark.parametrize("delay,days,penalty", [
    (timedelta(minutes=-5), 0, 0.0),
    (timedelta(minutes=60), 0, 0.0),             # within grace
    (timedelta(minutes=61), 1, 0.1),
    (timedelta(hours=24), 1, 0.1),
    (timedelta(hours=24, seconds=1), 2, 0.2),
    (timedelta(days=5), 5, 0.5),
    (timedelta(days=5, minutes=1), 6, 1.0),      # beyond max_days_late: nothing earned
])
def test_lateness(delay, days, penalty):
    late = lateness(DUE + delay, DUE, POLICY)
    assert (late.days, late.penalty_pct) == (days, pytest.approx(penalty))


def test_not_late_without_policy_due_or_time_and_naive_times_are_utc():
    assert lateness(None, DUE, POLICY).days == 0
    assert lateness(DUE + timedelta(days=2), None, POLICY).days == 0
    assert lateness(DUE + timedelta(days=2), DUE, None).days == 0
    assert lateness(datetime(2026, 10, 18, 1, 0), DUE, POLICY).days == 2


def test_late_submission_is_penalised_end_to_end(make_submission):
    from tests.conftest import REFERENCE
    from tests.test_cli import grade_json

    files = {p.name: p.read_text() for p in (REFERENCE / "lab2").iterdir()}
    files["submission.yaml"] = files["submission.yaml"].replace("2026-10-10T12:00:00Z", "2026-10-18T10:00:00Z")
    code, report = grade_json(make_submission(files))
    assert report["late"] == {"days": 2, "penalty_pct": 0.2}
    assert report["score"] == pytest.approx(80.0) and report["percent"] == pytest.approx(0.8)
    assert report["passed"] is True and code == 0
