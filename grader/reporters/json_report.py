"""The native result (results.md §1): sorted keys, shortest round-trip floats, never NaN."""
from __future__ import annotations

import json

from grader.models.results import GradeReport


def render(report: GradeReport, color: bool = False) -> str:
    return json.dumps(report.to_json_dict(), sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
