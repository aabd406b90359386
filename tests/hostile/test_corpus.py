"""Hostile and broken submissions: each case is built here (zips, binaries and 200 MB files do not
belong in git), graded through the CLI, and its exact outcome asserted: the exit code, where the
problem is located, and never a traceback."""
from __future__ import annotations

import io
import json
import os
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import nbformat
import openpyxl
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_raw_cell

from tests.conftest import EXAMPLES, REFERENCE, SHIPPED_DATASET
from tests.test_cli import run

MANIFEST2 = "learner: {id: h1}\nlab: lab2\n"
GOOD_PLAYBOOK = (EXAMPLES / "lab2-good" / "playbook.yaml").read_text()


@dataclass(frozen=True)
class Case:
    name: str
    build: Callable[[Path], Path]          # writes the submission under a folder, returns its path
    exit_code: int
    expect: str                            # text the result JSON must contain (a located message)
    command: str = "grade"


def folder(files: dict[str, str | bytes]) -> Callable[[Path], Path]:
    def build(root: Path) -> Path:
        sub = root / "sub"
        sub.mkdir()
        for name, data in files.items():
            (sub / name).write_bytes(data.encode() if isinstance(data, str) else data)
        return sub
    return build


def from_example(example: Path, changes: dict[str, str | bytes | None]) -> Callable[[Path], Path]:
    def build(root: Path) -> Path:
        sub = root / "sub"
        shutil.copytree(example, sub)
        for name, data in changes.items():
            if data is None:
                (sub / name).unlink()
            else:
                (sub / name).write_bytes(data.encode() if isinstance(data, str) else data)
        return sub
    return build


def zipped(members: dict[str, bytes], *, symlink: str | None = None) -> Callable[[Path], Path]:
    def build(root: Path) -> Path:
        path = root / "sub.zip"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            for name, data in members.items():
                z.writestr(name, data)
            if symlink:
                info = zipfile.ZipInfo(symlink)
                info.external_attr = (0o120777 << 16)
                z.writestr(info, "/etc/passwd")
        return path
    return build


def notebook(*cells, raw: bytes | None = None) -> Callable[[Path], Path]:
    def build(root: Path) -> Path:
        sub = root / "sub"
        sub.mkdir()
        data = raw if raw is not None else nbformat.writes(new_notebook(cells=list(cells))).encode()
        (sub / "work.ipynb").write_bytes(data)
        return sub
    return build


def tagged(cell, name):
    cell.metadata["tags"] = [f"grader:{name}"]
    return cell


def workbook(rows: list[list], *, name: str = "lab1.xlsx", formula: str | None = None) -> Callable[[Path], Path]:
    def build(root: Path) -> Path:
        sub = root / "sub"
        shutil.copytree(REFERENCE / "lab1", sub)
        (sub / "kpis.csv").unlink()
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = "kpis"
        for row in rows:
            sheet.append(row)
        if formula:
            sheet["D2"] = formula                # never calculated: no cached value
        buf = io.BytesIO()
        book.save(buf)
        (sub / name).write_bytes(buf.getvalue())
        return sub
    return build


def sparse(name: str, size: int) -> Callable[[Path], Path]:
    def build(root: Path) -> Path:
        sub = folder({"submission.yaml": MANIFEST2})(root)
        with open(sub / name, "wb") as f:
            f.truncate(size)                     # 200 MB without writing them
        return sub
    return build


def alias_bomb() -> str:
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 12):
        prev, cur = chr(96 + i), chr(97 + i)
        lines.append(f"{cur}: &{cur} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]")
    return "\n".join(lines) + "\n"


KPIS = (REFERENCE / "lab1" / "kpis.csv").read_text()
ALLOCATION = (REFERENCE / "lab3" / "allocation.csv").read_text()

CASES = [
    # ---- YAML ----------------------------------------------------------------------------------
    Case("yaml python tag", folder({"submission.yaml": MANIFEST2,
                                    "playbook.yaml": "actions: !!python/object/apply:os.system ['touch pwned']\n"}),
         3, "not valid YAML"),
    Case("yaml python tag in the manifest", folder({"submission.yaml": "learner: !!python/name:os.system\nlab: lab2\n"}),
         3, "could not determine a constructor"),
    Case("yaml alias bomb", folder({"submission.yaml": MANIFEST2, "playbook.yaml": alias_bomb()}), 3, "unknown field"),
    Case("yaml duplicate keys", folder({"submission.yaml": MANIFEST2,
                                        "playbook.yaml": "actions: []\nactions: []\n"}), 3, "appears twice"),
    Case("yaml 6 MB scalar", folder({"submission.yaml": MANIFEST2, "playbook.yaml": "x: " + "a" * 6_000_000}),
         3, "the limit is 5,242,880"),
    Case("yaml nested 5,000 deep", folder({"submission.yaml": MANIFEST2, "playbook.yaml": "[" * 5000 + "]" * 5000}),
         3, "exceeded maximum nesting depth"),
    Case("yaml impossible date", folder({"submission.yaml": "learner: {id: h1}\nlab: lab2\nsubmitted_at: 2026-02-30\n"}),
         3, "cannot be read"),
    Case("yaml 1e309", folder({"submission.yaml": MANIFEST2, "playbook.yaml": GOOD_PLAYBOOK.replace(
        "hours_off_per_week", "x").replace("current_utilization: 0.62", "current_utilization: 1e309")}),
         3, "finite number"),
    Case("yaml nan claim", folder({"submission.yaml": MANIFEST2,
                                   "playbook.yaml": GOOD_PLAYBOOK.replace("claimed_savings_pct: 0.35",
                                                                          "claimed_savings_pct: .nan")}),
         3, "finite number"),
    Case("yaml 10,000-digit number", folder({"submission.yaml": MANIFEST2, "playbook.yaml": "x: " + "9" * 10_000}),
         3, "cannot be read"),
    Case("yaml is a list", folder({"submission.yaml": MANIFEST2, "playbook.yaml": "- a\n- b\n"}), 3, "found a list"),
    Case("yaml empty", folder({"submission.yaml": MANIFEST2, "playbook.yaml": ""}), 3, "the file is empty"),
    Case("yaml binary", folder({"submission.yaml": MANIFEST2, "playbook.yaml": b"\x00\xff\xfe\x00" * 100}),
         3, "not UTF-8"),
    Case("yaml utf-16", folder({"submission.yaml": MANIFEST2, "playbook.yaml": GOOD_PLAYBOOK.encode("utf-16")}),
         3, "not UTF-8"),
    Case("yaml yes as a decision", from_example(REFERENCE / "assessment", {
        "business_case.yaml": (REFERENCE / "assessment" / "business_case.yaml").read_text().replace(
            "decision: invest", "decision: yes")}), 3, "YAML reads yes/no/on/off"),
    # ---- manifests -------------------------------------------------------------------------------
    Case("manifest missing", folder({"playbook.yaml": GOOD_PLAYBOOK}), 3, "add submission.yaml"),
    Case("manifest unknown lab", folder({"submission.yaml": "learner: {id: h1}\nlab: lab9\n"}), 3, "(got 'lab9')"),
    Case("manifest extra field", folder({"submission.yaml": MANIFEST2 + "grade: 100\n"}), 3, "unknown field 'grade'"),
    Case("learner id with path characters", folder({"submission.yaml": "learner: {id: ../../etc/x}\nlab: lab2\n"}),
         3, "learner.id"),
    Case("learner id with html", folder({"submission.yaml": "learner: {id: '<script>'}\nlab: lab2\n"}), 3, "learner.id"),
    Case("manifest names another lab than its files", from_example(EXAMPLES / "lab2-good", {
        "submission.yaml": "learner: {id: h1}\nlab: lab1\n"}), 3, "dashboard.yaml"),
    # ---- CSV ---------------------------------------------------------------------------------------
    Case("csv utf-16", from_example(REFERENCE / "lab1", {"kpis.csv": KPIS.encode("utf-16")}), 3, "not UTF-8"),
    Case("csv with a utf-8 BOM is fine", from_example(REFERENCE / "lab1", {"kpis.csv": "\ufeff" + KPIS}), 0, '"score": 100.0'),
    Case("csv latin-1", from_example(REFERENCE / "lab1", {"kpis.csv": (KPIS + "effective_cost,2026-09,café,1\n").encode(
        "latin-1")}), 3, "not UTF-8"),
    Case("csv ragged row", from_example(REFERENCE / "lab1", {"kpis.csv": KPIS + "effective_cost,2026-09,,1,2,3\n"}),
         3, "6 values for 4 columns"),
    Case("csv formula payload as a metric", from_example(REFERENCE / "lab1", {
        "kpis.csv": KPIS + '"=HYPERLINK(""http://evil"",""x"")",2026-09,,1\n'}), 0, "not a metric the course defines"),
    Case("csv command payload in an alert", from_example(REFERENCE / "lab1", {
        "alerts.csv": (REFERENCE / "lab1" / "alerts.csv").read_text() + "cost_spike,2026-09-12,+cmd|' /C calc'!A0,,\n"}),
         0, "+cmd|' /C calc'!A0"),
    Case("csv NaN", from_example(REFERENCE / "lab1", {"kpis.csv": KPIS + "effective_cost,2026-09,,NaN\n"}),
         3, "'NaN' is not a number"),
    Case("csv Infinity", from_example(REFERENCE / "lab1", {"kpis.csv": KPIS + "effective_cost,2026-09,,Infinity\n"}),
         3, "'Infinity' is not a number"),
    Case("csv 1e309", from_example(REFERENCE / "lab1", {"kpis.csv": KPIS + "effective_cost,2026-09,,1e309\n"}),
         3, "'1e309' is not a number"),
    Case("csv negative value", from_example(REFERENCE / "lab1", {"kpis.csv": KPIS.replace(
        "effective_cost,2026-09,,199850.84", "effective_cost,2026-09,,-199850.84")}), 0, "reported -199,851"),
    Case("csv comma decimal", from_example(REFERENCE / "lab1", {"kpis.csv": KPIS + 'effective_cost,2026-09,,"12,5"\n'}),
         3, "'12,5' is not a number"),
    Case("csv empty file", from_example(REFERENCE / "lab1", {"kpis.csv": ""}), 3, "the file is empty"),
    Case("csv duplicate unit", from_example(REFERENCE / "lab3", {"allocation.csv": ALLOCATION + "ads,1,1,1\n"}),
         3, "'ads' appears twice"),
    # ---- notebooks ---------------------------------------------------------------------------------
    Case("notebook code that would write a file", notebook(
        tagged(new_raw_cell(MANIFEST2), "submission.yaml"),
        tagged(new_code_cell("open('pwned', 'w').write('x')"), "playbook.yaml")), 3, "no saved output"),
    Case("notebook malformed json", notebook(raw=b'{"cells": [}'), 3, "not a readable Jupyter notebook"),
    Case("notebook nbformat 3", notebook(raw=json.dumps({"nbformat": 3, "nbformat_minor": 0, "metadata": {},
                                                       "worksheets": [{"cells": []}]}).encode()), 3,
         "add submission.yaml"),
    Case("notebook of 10,000 cells", notebook(
        tagged(new_raw_cell(MANIFEST2), "submission.yaml"), tagged(new_raw_cell(GOOD_PLAYBOOK), "playbook.yaml"),
        *[new_raw_cell(f"cell {i}") for i in range(10_000)]), 0, '"learner": "h1"'),
    Case("notebook tag that escapes", notebook(tagged(new_raw_cell("x"), "../../answers.yaml")), 3,
         "does not name a file"),
    Case("notebook output with a non-text line (found by fuzzing)", notebook(raw=json.dumps({
        "nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
            {"cell_type": "raw", "source": MANIFEST2, "metadata": {"tags": ["grader:submission.yaml"]}},
            {"cell_type": "code", "source": "", "metadata": {"tags": ["grader:playbook.yaml"]}, "execution_count": 1,
             "outputs": [{"output_type": "display_data", "data": {"text/csv": [None]}, "metadata": {}}]}]}).encode()),
         3, "no saved output"),
    Case("notebook file given twice", notebook(tagged(new_raw_cell(MANIFEST2), "submission.yaml"),
                                               tagged(new_raw_cell(MANIFEST2), "submission.yaml")),
         3, "is given twice"),
    # ---- Excel ---------------------------------------------------------------------------------------
    Case("excel with macros", from_example(REFERENCE / "lab1", {"macros.xlsm": b"PK\x03\x04"}), 3, "only .xlsx"),
    Case("excel formula without a value", workbook([["metric", "period", "business_unit", "value"],
                                                    ["effective_cost", "2026-09", None, None]],
                                                   formula="=SUM(A1:A2)"), 3, "the value is empty"),
    Case("excel external link formula", workbook([["metric", "period", "business_unit", "value"],
                                                  ["effective_cost", "2026-09", None, None]],
                                                 formula="='[other.xlsx]Sheet1'!A1"), 3, "the value is empty"),
    Case("excel corrupted", from_example(REFERENCE / "lab1", {"kpis.csv": None, "dash.xlsx": b"PK\x03\x04junk"}),
         3, "not a readable Excel workbook"),
    # ---- zips ----------------------------------------------------------------------------------------
    Case("zip with ../", zipped({"submission.yaml": MANIFEST2.encode(), "../../evil.yaml": b"x"}), 3,
         "leaves the archive"),
    Case("zip with an absolute path", zipped({"submission.yaml": MANIFEST2.encode(), "/etc/cron.d/x": b"x"}), 3,
         "leaves the archive"),
    Case("zip with a symlink", zipped({"submission.yaml": MANIFEST2.encode()}, symlink="playbook.yaml"), 3,
         "links are not accepted"),
    Case("zip bomb", zipped({"submission.yaml": MANIFEST2.encode(), "playbook.yaml": b"a" * 30_000_000}), 3,
         "expands suspiciously"),
    Case("zip with 10,000 entries", zipped({f"f{i}.txt": b"" for i in range(10_000)}), 3, "the limit is 500"),
    Case("zip inside a zip", zipped({"submission.yaml": MANIFEST2.encode(), "inner.zip": b"PK"}), 3,
         "a zip inside the zip"),
    Case("not a zip", lambda root: (root / "x.zip").write_bytes(b"MZ\x90\x00") and root / "x.zip", 3,
         "not a readable zip file"),
    Case("zip of one folder with mac junk is fine", zipped({
        "work/submission.yaml": (EXAMPLES / "lab2-good" / "submission.yaml").read_bytes(),
        "work/playbook.yaml": GOOD_PLAYBOOK.encode(), "__MACOSX/work/._playbook.yaml": b"junk"}), 0, '"g0815"'),
    # ---- folders -----------------------------------------------------------------------------------
    Case("symlink to the answer key", lambda root: _symlinked(root), 3, "links are not accepted"),
    Case("0-byte playbook", folder({"submission.yaml": MANIFEST2, "playbook.yaml": ""}), 3, "the file is empty"),
    Case("200 MB playbook", sparse("playbook.yaml", 200 * 1024 * 1024), 3, "the limit is 20,971,520"),
    Case("600 files", lambda root: _many(root, 600), 3, "more than 500 files"),
    Case("3 MB memo", from_example(REFERENCE / "assessment", {"memo.md": "# Summary\n" + "word " * 700_000}), 3,
         "the limit is 2,097,152"),
    # ---- learner text that would inject into reports --------------------------------------------------
    Case("html in an action id", folder({"submission.yaml": MANIFEST2, "playbook.yaml": (
        "actions:\n  - {id: '<img src=x onerror=alert(1)>', title: t, lever: scheduling,"
        " scope: {business_unit: serch}, params: {hours_off_per_week: 10}}\n")}), 3, "<img src=x onerror=alert(1)>"),
    Case("html in a rule name", from_example(REFERENCE / "lab3", {"chargeback.yaml": (
        REFERENCE / "lab3" / "chargeback.yaml").read_text().replace("name: security", "name: <script>x</script>")}),
         0, '"<script>x</script>"'),
    Case("a learner's own panel is ignored by the self-check", from_example(REFERENCE / "assessment", {}), 1,
         '"status": "manual"', command="check"),
]


def _symlinked(root: Path) -> Path:
    sub = folder({"submission.yaml": MANIFEST2})(root)
    os.symlink(SHIPPED_DATASET / "instructor" / "anomalies.yaml", sub / "playbook.yaml")
    return sub


def _many(root: Path, n: int) -> Path:
    sub = folder({"submission.yaml": MANIFEST2})(root)
    for i in range(n):
        (sub / f"f{i}.txt").write_text("x")
    return sub


def test_the_corpus_has_sixty_cases():
    assert len(CASES) >= 60 and len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_case(case: Case, tmp_path: Path, monkeypatch):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)                      # anything written to "." would land here
    submission = case.build(tmp_path)
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    result = run(case.command, submission, "--format", "json")
    assert "Traceback" not in result.output
    assert result.exit_code == case.exit_code, result.output[-2000:]
    report = json.loads(result.output)           # always a result, even for the worst input
    assert case.expect in json.dumps(report, ensure_ascii=False)
    if report["errors"]:
        assert report["score"] == 0.0 and report["passed"] is False
        assert all(e["file"] and e["message"] for e in report["errors"])
    after = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    assert after == before                        # nothing written anywhere, not even "pwned"


AUDIT = """
import sys
opened = []
def hook(event, args):
    if event == "open" and isinstance(args[0], str):
        opened.append(args[0])
sys.addaudithook(hook)
from grader.cli import main
sys.argv = ["grader", "grade", sys.argv[1], "--format", "json"]
try:
    main()
except SystemExit:
    pass
print("OPENED", "\\n".join(opened), sep="\\n")
"""


@pytest.mark.parametrize("build", [
    lambda root: _symlinked(root),
    zipped({"submission.yaml": MANIFEST2.encode(), "../instructor/anomalies.yaml": b"x"}),
    lambda root: Path(shutil.copytree(EXAMPLES / "lab2-good", root / "sub")),
], ids=["symlink to the answer key", "zip escaping towards it", "a normal submission"])
def test_nothing_is_read_outside_the_submission_course_and_dataset(build, tmp_path: Path):
    import subprocess
    import sys

    from tests.conftest import ROOT

    submission = build(tmp_path)
    out = subprocess.run([sys.executable, "-c", AUDIT, str(submission)], capture_output=True, text=True, cwd=tmp_path,
                         env={"PATH": "", "PYTHONPATH": str(ROOT)})
    opened = [Path(p).resolve() for p in out.stdout.split("OPENED\n", 1)[1].splitlines() if p]
    allowed = [submission.resolve(), ROOT / "rubrics", ROOT / "grader", Path(sys.prefix).resolve(),
               Path(sys.base_prefix).resolve(), Path("/usr"), Path("/etc"), Path("/dev"), Path("/proc"),
               *ROOT.glob("*.egg-info")]                # the grader's own install metadata (editable install)
    assert ROOT / "rubrics" / "course.yaml" in opened, "the audit hook must see the grader's own reads"
    outside = [p for p in opened if not any(p == a or a in p.parents for a in allowed)
               and not p.name.startswith("__editable__")]   # an import hook's name, not a file
    assert outside == []
    assert not any("instructor" in p.parts for p in opened)          # the answer key is never read


def test_a_course_can_change_the_limits(tmp_path: Path):
    from grader import limits
    from tests.conftest import ROOT

    course = tmp_path / "course.yaml"
    course.write_text("course: X\ntitle: Y\n"
                      f"datasets: {{d: {{path: {ROOT / 'grader' / 'data' / 'ai-platform'}}}}}\n"
                      "labs: {lab2: {title: t, rubric: lab2-optimization-playbook, dataset: d}}\n"
                      "limits: {max_yaml_mb: 0.001}\n")                        # about 1 KB of YAML
    try:
        result = run("grade", EXAMPLES / "lab2-good", "--course", course, "--format", "json")
        assert result.exit_code == 3 and "the limit is 1,048" in result.output
    finally:
        limits.configure(limits.Limits())                                     # other tests use the defaults
    assert run("grade", EXAMPLES / "lab2-good", "--format", "json").exit_code == 0
