"""Read a learner's small CSV table with located problems (file, line, column)."""
from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass

from grader import limits
from grader.models.problems import Problem



@dataclass
class CsvTable:
    file: str
    rows: list[tuple[int, dict[str, str]]]      # (line, {column: text})


def read_table(raw: bytes, file: str, columns: tuple[str, ...], optional: tuple[str, ...] = ()) -> tuple[CsvTable, list[Problem]]:
    """Header names are matched trimmed and case-insensitively; unknown columns are problems, so a
    misspelt column is caught rather than ignored."""
    problems: list[Problem] = []
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return CsvTable(file, []), [Problem(file=file, message=f"the file is not UTF-8 text (byte {exc.start}).",
                                            fix="export it as CSV UTF-8.")]
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        return CsvTable(file, []), [Problem(file=file, line=1, message="the file is empty.",
                                            fix=f"start with the header {','.join(columns)}.")]
    except csv.Error as exc:
        return CsvTable(file, []), [Problem(file=file, line=1, message=f"not readable as CSV: {exc}.")]
    names = [h.strip().lower() for h in header]
    known = set(columns) | set(optional)
    for name in names:
        if name not in known:
            problems.append(Problem(file=file, line=1, location=name or "(empty)",
                                    message=f"unknown column '{name}'.",
                                    fix=f"the columns are {', '.join(columns + optional)}."))
    for name in columns:
        if name not in names:
            problems.append(Problem(file=file, line=1, location=name, message=f"column '{name}' is missing.",
                                    fix=f"the header is {','.join(columns)}."))
    if problems:
        return CsvTable(file, []), problems
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        for record in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in record):
                continue
            if len(record) > len(names):
                problems.append(Problem(file=file, line=line, message=f"{len(record)} values for {len(names)} columns.",
                                        fix="quote values that contain commas."))
                continue
            rows.append((line, {n: (record[i].strip() if i < len(record) else "") for i, n in enumerate(names)}))
            if len(rows) > limits.current.max_csv_rows:
                problems.append(Problem(file=file, line=line, message=f"more than {limits.current.max_csv_rows:,} rows.",
                                        fix="hand in the dashboard's data, not raw billing."))
                break
    except csv.Error as exc:
        problems.append(Problem(file=file, line=reader.line_num, message=f"not readable as CSV: {exc}."))
    return CsvTable(file, rows), problems


def number(text: str, file: str, line: int, column: str, problems: list[Problem]) -> float | None:
    """A finite number, or None after recording a located problem."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        problems.append(Problem(file=file, line=line, location=column,
                                message=f"'{text}' is not a number." if text else "the value is empty.",
                                fix="write plain numbers with a dot for decimals (0.61, not 61% or 0,61)."))
        return None
    return value
