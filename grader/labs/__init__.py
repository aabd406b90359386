"""Each lab's plumbing, listed explicitly. A lab without an entry here cannot be graded yet."""
from __future__ import annotations

from grader.labs import assessment, lab1, lab2, lab3
from grader.labs.base import LabSpec

LABS: dict[str, LabSpec] = {
    "lab1": lab1.SPEC,
    "lab2": lab2.SPEC,
    "lab3": lab3.SPEC,
    "assessment": assessment.SPEC,
}
