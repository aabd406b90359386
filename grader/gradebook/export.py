"""Gradebook exports an LMS can import: one row per learner, a column per lab."""
from __future__ import annotations

import csv
import io

from grader.gradebook.store import Gradebook

LABS = ("lab1", "lab2", "lab3", "assessment")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str | None) -> str:
    """A text cell a spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets a leading
    apostrophe: OWASP's CSV-injection guidance."""
    text = text or ""
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_text(book: Gradebook, policy: str = "latest") -> str:
    """learner_id, name, email, then per lab its score and whether it passed (empty if no attempt)."""
    chosen = book.chosen(policy)
    learners = book.learners()
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["learner_id", "name", "email", *[c for lab in LABS for c in (lab, f"{lab}_passed")]])
    for learner_id, (name, email) in learners.items():
        row = [neutralise(learner_id), neutralise(name), neutralise(email)]
        for lab in LABS:
            a = chosen.get((learner_id, lab))
            row += ["", ""] if a is None else [f"{a.score:.2f}", "yes" if a.passed else "no"]
        writer.writerow(row)
    return buf.getvalue()
