"""The course's late policy (submissions.md §1 `late_policy`), as a pure function.

Conventions (the spec is silent; README "Choices"): lateness is counted from the due time; within
`grace_minutes` a submission is on time; otherwise it is ceil(lateness / 24 h) days late.
`penalty_pct` is a fraction like every other `_pct` figure: days × percent_per_day / 100, and 1.0
(nothing earned) beyond `max_days_late`. Without a policy, a due date or `submitted_at`: not late.
"""
from __future__ import annotations

import math
from datetime import datetime, timezone

from grader.models.course import LatePolicy
from grader.models.results import Late


def _utc(t: datetime) -> datetime:
    return t.replace(tzinfo=timezone.utc) if t.tzinfo is None else t


def lateness(submitted_at: datetime | None, due: datetime | None, policy: LatePolicy | None) -> Late:
    if submitted_at is None or due is None or policy is None:
        return Late()
    late_seconds = (_utc(submitted_at) - _utc(due)).total_seconds()
    if late_seconds <= policy.grace_minutes * 60:
        return Late()
    days = math.ceil(late_seconds / 86400)
    if days > policy.max_days_late:
        return Late(days=days, penalty_pct=1.0)
    return Late(days=days, penalty_pct=min(1.0, days * policy.percent_per_day / 100))
