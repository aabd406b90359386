"""Notebooks and workbooks as containers of lab files (submissions.md §4)."""
from __future__ import annotations

import io
import json
import zipfile
from datetime import date
from pathlib import Path

import nbformat
import openpyxl
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output, new_raw_cell

from grader.errors import SubmissionError
from grader.loaders.containers import from_notebook, from_workbook
from grader.loaders.submission import open_submission
from tests.conftest import REFERENCE
from tests.test_cli import run


def tagged(cell, name: str):
    cell.metadata["tags"] = [f"grader:{name}"]
    return cell


def nb_bytes(*cells, minor: int = 5) -> bytes:
    nb = new_notebook(cells=list(cells))
    nb.nbformat_minor = minor
    return nbformat.writes(nb).encode()


def test_every_cell_form():
    raw = nb_bytes(
        tagged(new_raw_cell("lab: lab2\n"), "submission.yaml"),
        tagged(new_markdown_cell("My playbook:\n\n```yaml\nactions: []\n```\n\n```\nsecond\n```"), "playbook.yaml"),
        tagged(new_code_cell("df.to_dict('records')", outputs=[new_output(
            "execute_result", data={"application/json": [{"metric": "x", "value": 1.5}]}, execution_count=1)]),
            "kpis.csv"),
        tagged(new_code_cell("print(csv)", outputs=[new_output("stream", name="stdout", text="kind,date\n")]),
               "alerts.csv"),
        tagged(new_code_cell("x", outputs=[new_output("display_data", data={"application/json": {"a": 1}})]),
               "dashboard.yaml"),
        new_raw_cell("untagged: ignored"))
    found, problems = from_notebook(raw, "work.ipynb")
    assert problems == []
    got = {e.name: (e.data.decode(), e.origin) for e in found}
    assert got["submission.yaml"] == ("lab: lab2\n", "work.ipynb cell 1")
    assert got["playbook.yaml"][0] == "actions: []\n"                      # the first fenced block only
    assert got["kpis.csv"][0] == "metric,value\nx,1.5\n"                   # records → CSV
    assert got["alerts.csv"][0] == "kind,date\n"
    assert json.loads(got["dashboard.yaml"][0]) == {"a": 1}                # JSON is YAML


def test_code_is_never_executed(tmp_path: Path):
    marker = tmp_path / "pwned"
    raw = nb_bytes(tagged(new_code_cell(f"open({str(marker)!r}, 'w').write('x')"), "playbook.yaml"))
    found, problems = from_notebook(raw, "evil.ipynb")
    assert not marker.exists() and found == []
    assert "no saved output carrying the file" in problems[0].message


@pytest.mark.parametrize("minor", [0, 4, 5])
def test_any_nbformat_4_minor(minor):
    found, problems = from_notebook(nb_bytes(tagged(new_raw_cell("a: 1"), "x.yaml"), minor=minor), "n.ipynb")
    assert [e.name for e in found] == ["x.yaml"] and not problems


def test_broken_notebooks_and_bad_tags():
    assert "not a readable Jupyter notebook" in from_notebook(b"{not json", "b.ipynb")[1][0].message
    _, problems = from_notebook(nb_bytes(tagged(new_raw_cell("x"), "../escape.yaml"),
                                         tagged(new_markdown_cell("no fence"), "memo.md")), "n.ipynb")
    assert "does not name a file" in problems[0].message and problems[0].location == "cell 1"
    assert "no fenced code block" in problems[1].message


def workbook(sheets: dict[str, list[list]]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def test_workbook_sheets_become_csv_tables():
    raw = workbook({"KPIs": [["metric", "period", "business_unit", "value"], ["effective_cost", date(2026, 9, 1), None, 12.5]],
                    "alerts": [["kind", "date", "business_unit"], ["cost_spike", date(2026, 9, 3), "ads"], [None, None, None]],
                    "notes": [["ignored"]]})
    found, problems = from_workbook(raw, "dash.xlsx")
    got = {e.name: e.data.decode() for e in found}
    assert got == {"kpis.csv": "metric,period,business_unit,value\neffective_cost,2026-09,,12.5\n",
                   "alerts.csv": "kind,date,business_unit\ncost_spike,2026-09-03,ads\n"}
    assert not problems
    assert "not a readable Excel workbook" in from_workbook(b"PK nope", "x.xlsx")[1][0].message


def test_a_file_given_twice_names_both_places(tmp_path: Path):
    folder = tmp_path / "s"
    folder.mkdir()
    (folder / "playbook.yaml").write_text("actions: []\n")
    (folder / "work.ipynb").write_bytes(nb_bytes(tagged(new_raw_cell("actions: []"), "playbook.yaml")))
    (folder / "macro.xlsm").write_bytes(b"x")
    with pytest.raises(SubmissionError) as err:
        open_submission(folder)
    messages = [p.message for p in err.value.problems]
    assert "only .xlsx workbooks are read" in messages[0]
    assert "playbook.yaml is given twice: in the file playbook.yaml and in work.ipynb cell 1." in messages


def test_nested_zips_are_refused(tmp_path: Path):
    archive = tmp_path / "a.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("submission.yaml", "x")
        z.writestr("inner.zip", b"PK")
    with pytest.raises(SubmissionError) as err:
        open_submission(archive)
    assert "a zip inside the zip" in err.value.problems[0].message


def _notebook_twin(folder: Path, out: Path) -> Path:
    """The same submission as one notebook: YAML in raw cells, Markdown in raw cells, CSV as saved
    outputs of code cells (records for one, text/csv for the others)."""
    cells = []
    for i, f in enumerate(sorted(folder.iterdir())):
        text = f.read_text()
        if f.suffix == ".csv" and i % 2 == 0:
            import csv
            records = list(csv.DictReader(io.StringIO(text)))
            cells.append(tagged(new_code_cell("table", outputs=[new_output(
                "execute_result", data={"application/json": records}, execution_count=1)]), f.name))
        elif f.suffix == ".csv":
            cells.append(tagged(new_code_cell("table", outputs=[new_output(
                "display_data", data={"text/csv": text})]), f.name))
        elif f.suffix == ".yaml" and i % 3 == 0:
            cells.append(tagged(new_markdown_cell(f"The file:\n\n```yaml\n{text}```\n"), f.name))
        else:
            cells.append(tagged(new_raw_cell(text), f.name))
    out.mkdir(parents=True)
    (out / "submission.ipynb").write_bytes(nb_bytes(*cells))
    return out


@pytest.mark.parametrize("lab", ["lab1", "lab2", "lab3", "assessment"])
def test_notebook_only_submission_grades_like_its_folder(lab: str, tmp_path: Path):
    twin = _notebook_twin(REFERENCE / lab, tmp_path / "nb")
    assert [p.name for p in twin.iterdir()] == ["submission.ipynb"]
    assert run("grade", twin, "--format", "json").output == run("grade", REFERENCE / lab, "--format", "json").output


def _typed(text: str):
    import re

    if re.fullmatch(r"-?\d+(\.\d+)?", text):
        return float(text)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return date.fromisoformat(text)
    return text


@pytest.mark.parametrize("lab,tables", [("lab1", ["kpis", "alerts"]), ("lab3", ["allocation"])])
def test_excel_based_submission_grades_like_its_folder(lab: str, tables: list[str], tmp_path: Path):
    import csv
    import shutil

    twin = tmp_path / "xl"
    shutil.copytree(REFERENCE / lab, twin)
    sheets = {}
    for stem in tables:
        rows = list(csv.reader(io.StringIO((twin / f"{stem}.csv").read_text())))
        (twin / f"{stem}.csv").unlink()
        typed = [rows[0]]
        for r in rows[1:]:   # numbers as numbers and days as dates, as a spreadsheet holds them
            typed.append([_typed(v) for v in r])
        sheets[stem] = typed
    (twin / f"{lab}.xlsx").write_bytes(workbook(sheets))
    assert run("grade", twin, "--format", "json").output == run("grade", REFERENCE / lab, "--format", "json").output


def test_problems_inside_a_notebook_say_which_cell(tmp_path: Path):
    folder = tmp_path / "s"
    folder.mkdir()
    (folder / "work.ipynb").write_bytes(nb_bytes(
        tagged(new_raw_cell("learner: {id: n1}\nlab: lab2\n"), "submission.yaml"),
        tagged(new_raw_cell("actions:\n  - {id: A, title: t, lever: rightsize, params: {}}\n"), "playbook.yaml")))
    report = json.loads(run("grade", folder, "--format", "json").output)
    error = report["errors"][0]
    assert (error["file"], error["line"], error["container"]) == ("playbook.yaml", 2, "work.ipynb cell 2")


def test_a_workbook_whose_sheet_cannot_be_read_is_a_located_problem():
    # a numeric cell holding text: openpyxl raises ValueError while reading the rows (was exit 4)
    raw = workbook({"kpis": [["metric", "value"], ["effective_cost", 1]]})
    source, broken = zipfile.ZipFile(io.BytesIO(raw)), io.BytesIO()
    with zipfile.ZipFile(broken, "w") as z:
        for item in source.infolist():
            data = source.read(item)
            z.writestr(item, data.replace(b"<v>1</v>", b"<v>not-a-number</v>") if "sheet" in item.filename else data)
    found, problems = from_workbook(broken.getvalue(), "bad.xlsx")
    assert found == [] and problems[0].file == "bad.xlsx" and "a sheet cannot be read" in problems[0].message
