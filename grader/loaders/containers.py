"""Lab files carried inside notebooks and workbooks (submissions.md §4).

Notebooks are read with nbformat and **never executed**: a cell tagged `grader:<file name>` holds
that file (a raw cell's source; a markdown cell's first fenced code block; a code cell's saved
output: application/json, text/csv or text/plain). Workbooks are read with openpyxl from cached
values (formulas are never evaluated): a sheet named after a CSV file's stem holds that table.
"""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date, datetime

from grader.models.problems import Problem

TAG = "grader:"
CSV_STEMS = ("kpis", "alerts", "allocation")


@dataclass(frozen=True)
class Extracted:
    name: str          # the lab file it stands for, e.g. "playbook.yaml"
    data: bytes
    origin: str        # where it came from, for messages: "analysis.ipynb cell 4"


def _csv_text(header: list[str], rows: list[list[object]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue().encode()


def _records_to_csv(records: list) -> bytes | None:
    """A CSV carried as application/json: a list of records (objects with the same keys)."""
    if not records or not all(isinstance(r, dict) for r in records):
        return None
    header = list(records[0])
    return _csv_text(header, [["" if r.get(k) is None else r.get(k) for k in header] for r in records])


def _first_fence(source: str) -> str | None:
    from markdown_it import MarkdownIt

    for token in MarkdownIt("commonmark").parse(source):
        if token.type == "fence":
            return token.content
    return None


def _as_text(value: object) -> str | None:
    """A notebook text field: a string, or a list of strings (nbformat's multiline form)."""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "".join(value)
    return None


def _from_outputs(cell, name: str) -> bytes | None:
    outputs = cell.get("outputs")
    for output in outputs if isinstance(outputs, list) else []:
        if not isinstance(output, dict):
            continue
        data = output.get("data") if isinstance(output.get("data"), dict) else {}
        if "application/json" in data:
            value = data["application/json"]
            if name.endswith(".csv"):
                return _records_to_csv(value) if isinstance(value, list) else None
            try:
                return json.dumps(value, ensure_ascii=False, allow_nan=False).encode()   # JSON is YAML too
            except ValueError:
                return None
        for mime in ("text/csv", "text/plain"):
            if mime in data:
                text = _as_text(data[mime])
                return text.encode() if text is not None else None
        if output.get("output_type") == "stream" and output.get("name") == "stdout":
            text = _as_text(output.get("text", ""))
            return text.encode() if text is not None else None
    return None


def from_notebook(raw: bytes, file: str) -> tuple[list[Extracted], list[Problem]]:
    import warnings

    import nbformat

    try:
        with warnings.catch_warnings():          # nbformat's schema warnings are noise for a learner
            warnings.simplefilter("ignore")
            nb = nbformat.reads(raw.decode("utf-8-sig"), as_version=4)
    except Exception as exc:  # noqa: BLE001 - nbformat raises several kinds for a broken file
        return [], [Problem(file=file, message=f"not a readable Jupyter notebook ({type(exc).__name__}).",
                            fix="save it again from Jupyter as .ipynb.")]
    found: list[Extracted] = []
    problems: list[Problem] = []
    for number, cell in enumerate(nb.get("cells", []), start=1):
        if not isinstance(cell, dict):
            continue
        metadata = cell.get("metadata")
        tags = (metadata.get("tags") if isinstance(metadata, dict) else None) or []
        for tag in tags if isinstance(tags, list) else []:
            if not isinstance(tag, str) or not tag.startswith(TAG):
                continue
            name = tag[len(TAG):].strip()
            origin = f"{file} cell {number}"
            if not name or "/" in name or "\\" in name or name.startswith("."):
                problems.append(Problem(file=file, location=f"cell {number}",
                                        message=f"tag '{tag}' does not name a file.",
                                        fix="tag the cell grader:<file name>, e.g. grader:playbook.yaml."))
                continue
            kind = cell.get("cell_type")
            source = _as_text(cell.get("source", "")) or ""
            if kind == "raw":
                data = source.encode()
            elif kind == "markdown":
                fence = _first_fence(source)
                data = fence.encode() if fence is not None else None
            elif kind == "code":        # never run: only what the learner saved as its output counts
                data = _from_outputs(cell, name)
            else:
                data = None
            if data is None:
                how = {"markdown": "no fenced code block", "code": "no saved output carrying the file"}.get(kind, "nothing")
                problems.append(Problem(file=file, location=f"cell {number}",
                                        message=f"the cell tagged {tag} holds {how}.",
                                        fix="use a raw cell with the file's text, a markdown cell with a ```"
                                            " block, or save the notebook with the code cell's output."))
                continue
            found.append(Extracted(name=name, data=data, origin=origin))
    return found, problems


def _cell_text(value: object, column: str) -> object:
    if isinstance(value, datetime) or isinstance(value, date):
        day = value.date() if isinstance(value, datetime) else value
        return day.strftime("%Y-%m") if column in ("period", "month") else day.isoformat()
    return "" if value is None else value


def from_workbook(raw: bytes, file: str) -> tuple[list[Extracted], list[Problem]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises several kinds for a broken file
        return [], [Problem(file=file, message=f"not a readable Excel workbook ({type(exc).__name__}).",
                            fix="save it again as an .xlsx workbook.")]
    found = []
    try:
        sheets = list(book.worksheets)
    except Exception as exc:  # noqa: BLE001 - a broken workbook part
        book.close()
        return [], [Problem(file=file, message=f"not a readable Excel workbook ({type(exc).__name__}).",
                            fix="save it again as an .xlsx workbook.")]
    try:
        for sheet in sheets:
            stem = sheet.title.strip().lower()
            if stem not in CSV_STEMS:
                continue
            rows = [list(r) for r in sheet.iter_rows(values_only=True)]
            rows = [r for r in rows if any(v not in (None, "") for v in r)]
            if not rows:
                continue
            header = [str(h).strip() if h is not None else "" for h in rows[0]]
            while header and header[-1] == "":
                header.pop()
            body = [[_cell_text(v, header[i].lower() if i < len(header) else "") for i, v in enumerate(r[:len(header)])]
                    for r in rows[1:]]
            found.append(Extracted(name=f"{stem}.csv", data=_csv_text(header, body), origin=f"{file} sheet {sheet.title}"))
    except Exception as exc:  # noqa: BLE001 - a sheet whose XML openpyxl cannot read
        return [], [Problem(file=file, message=f"a sheet cannot be read ({type(exc).__name__}).",
                            fix="save the workbook again as .xlsx, with plain values in the tables.")]
    finally:
        book.close()
    return found, []
