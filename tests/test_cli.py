"""Every command and exit code of results.md §2, through click's CliRunner."""
from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader import cli, engine
from grader.reporters import REPORTERS
from tests.conftest import EXAMPLES, MANIFEST, REFERENCE, ROOT


def run(*args: str):
    return CliRunner().invoke(cli.main, [str(a) for a in args], catch_exceptions=False)


def grade_json(path: Path, *extra: str) -> tuple[int, dict]:
    result = run("grade", path, "--format", "json", *extra)
    return result.exit_code, json.loads(result.output)


def test_reference_solution_scores_100():
    code, report = grade_json(REFERENCE / "lab2")
    assert (code, report["score"], report["percent"], report["passed"]) == (0, 100.0, 1.0, True)
    assert report["figures"]["savings_pct"] >= 0.30
    assert all(a["accurate"] for a in report["figures"]["actions"].values())


def test_good_example_passes_with_feedback():
    code, report = grade_json(EXAMPLES / "lab2-good")
    assert code == 0 and report["passed"] is True
    # 30 + 20·4/6 + 10 + 15·4/5 + 10 + 5 + 5 + 5: CM-1 and the headline are claimed on the full scope
    assert report["score"] == pytest.approx(90.0 + 1 / 3, abs=1e-9)
    by_id = {c["id"]: c for c in report["criteria"]}
    assert by_id["claims_accurate"]["status"] == "partial"
    assert "CM-1: claimed $213,800, recomputed $149,462" in by_id["claims_accurate"]["feedback"]
    assert by_id["actions_accountable"]["score"] == 12.0


def test_short_example_claims_30_but_recomputes_short():
    code, report = grade_json(EXAMPLES / "lab2-short")
    assert code == 1 and report["passed"] is False
    assert report["figures"]["claimed_savings_pct"] >= 0.30
    assert report["figures"]["savings_pct"] == pytest.approx(0.2976743, abs=1e-7)
    gate = report["criteria"][0]
    assert (gate["id"], gate["status"], gate["gate"]) == ("savings_target", "partial", True)
    assert "the recomputation, not the claim, decides" in gate["feedback"]


def test_invalid_example_locates_every_problem():
    code, report = grade_json(EXAMPLES / "lab2-invalid")
    assert code == 3
    assert (report["score"], report["passed"]) == (0.0, False)
    got = [(e["file"], e["line"], e["location"]) for e in report["errors"]]
    assert got == [
        ("playbook.yaml", 1, "claimed_savings"),
        ("playbook.yaml", 5, "actions[0].lever"),
        ("playbook.yaml", 13, "actions[1].params.discount"),
        ("playbook.yaml", 13, "actions[1].params.utilization"),
        ("playbook.yaml", 15, "actions[2].title"),
        ("playbook.yaml", 17, "actions[2].scope.bu"),
        ("playbook.yaml", 18, "actions[2].params.hours_off_per_week"),
    ]
    assert all(e["message"] for e in report["errors"])
    assert all(c["status"] == "error" for c in report["criteria"])


def test_invalid_terminal_output_has_no_traceback():
    result = run("grade", EXAMPLES / "lab2-invalid")
    assert result.exit_code == 3
    assert "Traceback" not in result.output
    assert "playbook.yaml:5 (actions[0].lever)" in result.output


def test_zip_submission_grades_like_its_folder(tmp_path: Path):
    archive = tmp_path / "good.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for f in (EXAMPLES / "lab2-good").iterdir():
            z.write(f, f"lab2-good/{f.name}")
    assert run("grade", archive, "--format", "json").output == \
        run("grade", EXAMPLES / "lab2-good", "--format", "json").output


def test_scope_selecting_nothing_is_a_located_submission_error(make_submission):
    sub = make_submission({"submission.yaml": MANIFEST, "playbook.yaml": (
        "actions:\n"
        "  - id: A1\n    title: t\n    lever: scheduling\n    scope: {business_unit: serch}\n"
        "    params: {hours_off_per_week: 10}\n")})
    code, report = grade_json(sub)
    assert code == 3
    [error] = report["errors"]
    assert (error["line"], error["location"]) == (2, "actions[0].scope")
    assert "did you mean 'search'?" in error["message"]


def test_check_hides_hidden_criteria_and_figures():
    result = run("check", EXAMPLES / "lab2-good", "--format", "json")
    report = json.loads(result.output)
    assert result.exit_code == 0
    assert "headline_consistent" not in {c["id"] for c in report["criteria"]}
    assert report["hidden"] == {"criteria": 1, "points": 5.0}
    assert report["figures"] == {}
    assert report["max_score"] == 95.0
    claims = next(c for c in report["criteria"] if c["id"] == "claims_accurate")
    assert "CM-1: claimed $213,800 is too high" in claims["feedback"]
    assert "149,462" not in claims["feedback"]                     # no answer oracle
    assert claims["hint"].startswith("Compute each action on the spend that is left")
    text = run("check", EXAMPLES / "lab2-good").output
    assert "1 hidden criteria worth 5 points" in text


def test_output_file_and_json_determinism(tmp_path: Path):
    out = tmp_path / "nested" / "r.json"
    assert run("grade", REFERENCE / "lab2", "--format", "json", "--output", out).exit_code == 0
    assert out.read_bytes() == run("grade", REFERENCE / "lab2", "--format", "json").output.encode()


def test_golden_json_of_the_reference_solution():
    golden = ROOT / "tests" / "golden" / "lab2-reference.json"
    assert run("grade", REFERENCE / "lab2", "--format", "json").output == golden.read_text()


def test_usage_and_configuration_errors_exit_2(tmp_path: Path):
    assert run("grade", tmp_path / "missing").exit_code == 2
    assert run("grade", REFERENCE / "lab2", "--format", "xml").exit_code == 2
    bad_course = tmp_path / "course.yaml"
    bad_course.write_text("course: X\ntitle: Y\nlabs: {lab2: {title: t, rubric: nope.yaml, dataset: d}}\n"
                          "datasets: {d: {path: .}}\n")
    result = run("grade", REFERENCE / "lab2", "--course", bad_course)
    assert result.exit_code == 2
    assert "rubric 'nope.yaml' of lab2" in result.output
    assert "Traceback" not in result.output
    bad_course.write_text("course: X\ntitle: Y\nlabs: {lab9: {title: t, rubric: r}}\n")
    result = run("grade", REFERENCE / "lab2", "--course", bad_course)
    assert result.exit_code == 2 and "course.yaml:3 (labs.lab9)" in result.output


def test_a_bug_exits_4_without_traceback(monkeypatch):
    def boom(*a, **k):
        raise RuntimeError("kaput")

    monkeypatch.setattr(engine, "grade_submission", boom)
    result = run("grade", REFERENCE / "lab2")
    assert result.exit_code == 4
    assert "internal error: RuntimeError: kaput" in result.output and "please report it" in result.output
    assert "Traceback" not in result.output


def test_a_crashing_check_marks_only_its_criterion(monkeypatch):
    from grader.checks import registry

    spec = registry()["lab2.lever_mix"]

    def broken(*a, **k):
        raise ZeroDivisionError

    monkeypatch.setitem(registry(), "lab2.lever_mix", type(spec)(spec.name, spec.lab, spec.params, broken))
    code, report = grade_json(REFERENCE / "lab2")
    by_id = {c["id"]: c for c in report["criteria"]}
    assert by_id["lever_mix"]["status"] == "error" and "grader bug" in by_id["lever_mix"]["feedback"]
    assert report["score"] == 95.0 and code == 0


def test_grade_against_the_real_focus_sample(sample_dataset: Path, make_submission):
    # The sample's Usage rows sum to 17.97651418586 over one month (csv + Decimal): baseline × 12.
    sub = make_submission({"submission.yaml": MANIFEST, "playbook.yaml": (
        "claimed_savings_pct: 0.5\nactions:\n"
        "  - {id: A1, title: t, lever: scheduling, scope: {}, params: {hours_off_per_week: 84},"
        " claimed_annual_savings: 107.86}\n")})
    code, report = grade_json(sub, "--dataset", str(sample_dataset))
    assert report["figures"]["baseline_annual_cost"] == pytest.approx(215.71817023032, abs=1e-9)
    assert report["figures"]["savings_pct"] == pytest.approx(0.5, abs=1e-12)
    assert report["passed"] is True and code == 0


def test_batch_grades_every_example(tmp_path: Path):
    result = run("batch", EXAMPLES, "--out", tmp_path / "out")
    assert result.exit_code == 0
    count = len(list(EXAMPLES.iterdir()))
    assert count == 15 and f"{count} of {count} submission(s) graded" in result.output
    import yaml

    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    manifests = [yaml.safe_load((p / "submission.yaml").read_text()) for p in EXAMPLES.iterdir()]
    assert written == sorted(f"{m['learner']['id']}.{m['lab']}.json" for m in manifests)   # one per learner and lab


def test_rubric_validate_and_show(tmp_path: Path):
    shipped = ROOT / "rubrics" / "lab2-optimization-playbook.yaml"
    result = run("rubric", "validate", shipped)
    assert result.exit_code == 0 and "8 criteria, 100 points" in result.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: bad\nlab: lab2\ntitle: t\nsettings: {rel_tol: -1}\ncriteria:\n"
                   "  - {id: a, title: A, points: 10, check: lab2.nope}\n"
                   "  - {id: b, title: B, points: 10, check: lab2.savings_target, params: {min_savings_pct: 2}}\n"
                   "  - {id: c, title: C, points: 10, check: lab2.lever_mix, params: {levers: 3}}\n")
    result = run("rubric", "validate", bad)
    assert result.exit_code == 2
    for text in ("bad.yaml:4 (settings.rel_tol)", "bad.yaml:6 (criteria[0].check): unknown check 'lab2.nope'",
                 "bad.yaml:7 (criteria[1].params.min_savings_pct)", "bad.yaml:8 (criteria[2].params.levers)"):
        assert text in result.output
    show = run("rubric", "show", "lab2")
    assert show.exit_code == 0
    assert "Recomputed savings reach 30% of the annual baseline (30 points)  [must pass to pass the lab]" in show.output
    assert "1 hidden criteria worth 5 points" in show.output
    assert "Headline claim" not in show.output
    assert run("rubric", "show", "lab9").exit_code == 2        # no such lab: a clear configuration error


def test_dataset_generate(tmp_path: Path):
    result = run("dataset", "generate", "--seed", "7", "--months", "1", "--start", "2026-12", "--out", tmp_path / "d")
    assert result.exit_code == 0 and "billing rows" in result.output
    billing = (tmp_path / "d" / "billing.csv").read_text()
    assert "2026-12-31T00:00:00Z" in billing and "2027-01-01T00:00:00Z" in billing   # period end of the last day
    assert run("dataset", "generate", "--start", "2026-13", "--out", tmp_path / "e").exit_code == 2


def test_format_choices_are_the_reporters():
    assert set(cli.FORMATS) == set(REPORTERS)


def test_help_and_version():
    assert run("--help").exit_code == 0
    assert "0.1.0" in run("--version").output


def test_course_elsewhere_names_a_shipped_rubric_by_id(tmp_path: Path):
    course = tmp_path / "my-course.yaml"
    course.write_text("course: X\ntitle: Y\n"
                      f"datasets: {{fleet: {{path: {ROOT / 'grader' / 'data' / 'ai-platform'}}}}}\n"
                      "labs: {lab2: {title: Playbook, rubric: lab2-optimization-playbook, dataset: fleet}}\n")
    code, report = grade_json(REFERENCE / "lab2", "--course", str(course))
    assert (code, report["score"], report["rubric"]["id"]) == (0, 100.0, "lab2-optimization-playbook")


def test_batch_carries_on_past_an_ungradable_submission(tmp_path: Path, make_submission):
    import shutil

    shutil.copytree(EXAMPLES / "lab2-good", tmp_path / "cohort" / "a-good")
    shutil.copytree(EXAMPLES / "lab1-good", tmp_path / "cohort" / "b-lab1")
    course = tmp_path / "course.yaml"          # a course that names no rubric file for lab1
    course.write_text("course: X\ntitle: Y\n"
                      f"datasets: {{d: {{path: {ROOT / 'grader' / 'data' / 'ai-platform'}}}}}\n"
                      "labs: {lab1: {title: t, rubric: missing.yaml, dataset: d},\n"
                      "       lab2: {title: t, rubric: lab2-optimization-playbook, dataset: d}}\n")
    result = run("batch", tmp_path / "cohort", "--course", course)
    assert result.exit_code == 2
    assert "1 of 2 submission(s) graded" in result.output
    assert "not graded: rubric 'missing.yaml' of lab1" in result.output


def test_a_crashing_check_prints_no_traceback_in_a_real_process(tmp_path: Path):
    import subprocess
    import sys

    script = tmp_path / "crash.py"
    script.write_text(
        "import sys\n"
        "from grader.checks import registry\n"
        "from grader.checks.registry import CheckSpec\n"
        "spec = registry()['lab2.lever_mix']\n"
        "def broken(*a):\n    raise ZeroDivisionError('x')\n"
        "registry()['lab2.lever_mix'] = CheckSpec(spec.name, spec.lab, spec.params, broken)\n"
        "from grader import cli\n"
        f"sys.argv = ['grader', 'grade', {str(REFERENCE / 'lab2')!r}]\n"
        "cli.main()\n")
    env = {"PATH": "", "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, cwd=ROOT, env=env)
    assert out.returncode == 0
    assert "Traceback" not in out.stderr + out.stdout
    assert "grader bug" in out.stdout


def test_check_says_what_to_fix_first():
    short = json.loads(run("check", EXAMPLES / "lab2-short", "--format", "json").output)
    assert short["fix_first"].startswith("'Recomputed savings reach 30% of the annual baseline' (the lab cannot pass "
                                         "without it): Widen the scope")
    good = json.loads(run("check", EXAMPLES / "lab2-good", "--format", "json").output)
    assert good["fix_first"].startswith("'Claimed savings match the recomputation' (6.67 points to gain)")
    invalid = json.loads(run("check", EXAMPLES / "lab2-invalid", "--format", "json").output)
    assert invalid["fix_first"].startswith("7 problem(s) stop grading; start with playbook.yaml:1 (claimed_savings)")
    assert "fix_first" not in json.loads(run("grade", EXAMPLES / "lab2-good", "--format", "json").output)


@pytest.mark.parametrize("given, expected", [(None, "__all__"), ("", ""), ("logfire", "logfire")])
def test_the_command_line_turns_pydantic_plugins_off_unless_told(given, expected):
    import subprocess
    import sys

    env = {"PATH": "", "PYTHONPATH": str(ROOT)}
    if given is not None:
        env["PYDANTIC_DISABLE_PLUGINS"] = given
    code = ("import atexit, gc, os\nregistered = []\natexit.register = registered.append\n"
            "import grader.cli\nprint(repr(os.environ.get('PYDANTIC_DISABLE_PLUGINS')), registered == [gc.freeze])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env)
    assert out.stdout.split() == [repr(expected), "True"], out.stderr
