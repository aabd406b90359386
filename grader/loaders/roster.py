"""Read a cohort roster: a CSV file with a learner id column (`id`, `learner` or `learner_id`)."""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from grader.errors import UsageError
from grader.models.problems import Problem

ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")     # as submission.yaml's learner id
ID_COLUMNS = ("id", "learner", "learner_id")


def read_roster(path: Path) -> list[str]:
    """The roster's learner ids, in file order, each once; every bad row is reported at once."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read roster {path}: {exc}.") from None
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header = [h.strip().lower() for h in rows[0]] if rows else []
    column = next((header.index(c) for c in ID_COLUMNS if c in header), None)
    if column is None:
        raise UsageError(f"roster {path} has no learner id column.",
                         [Problem(file=path.name, line=1, message=f"the header has none of {', '.join(ID_COLUMNS)}.",
                                  fix="start the file with a header such as `id,name,email`.")])
    ids: list[str] = []
    problems: list[Problem] = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        value = row[column].strip() if column < len(row) else ""
        if not ID.fullmatch(value):
            problems.append(Problem(file=path.name, line=line, location=header[column],
                                    message=f"{value!r} is not a learner id.",
                                    fix="ids are letters, digits, '.', '_', '@' or '-', as in submission.yaml."))
        elif value not in ids:
            ids.append(value)
    if problems:
        raise UsageError(f"roster {path} has invalid learner ids.", problems)
    if not ids:
        raise UsageError(f"roster {path} lists no learners.")
    return ids
