"""Per-learner dataset variants (issue 10): deterministic, different for every learner, equally
hard, and a submission made on another learner's variant fails and says why."""
from __future__ import annotations

import hashlib
import json
import re
import shutil
import tempfile
from pathlib import Path

import pytest
import yaml

from grader import variants
from grader.datagen import ai_platform
from grader.datagen.variation import variant_id, variation
from grader.labs import lab1, lab2, lab3
from grader.loaders.course import load_course
from grader.loaders.dataset import load_dataset
from grader.loaders.submission import open_submission
from tests.conftest import REFERENCE, SHIPPED_DATASET
from tests.test_cli import run
from tests.variants.solutions import solve

SEED = 2026
ROSTER = ("a1", "b2", "c3")


def write_course(folder: Path, cache: str | None = "variants", seed: int | None = SEED) -> Path:
    course = {
        "course": "MOD-304", "title": "Cost Optimization & FinOps",
        "datasets": {"ai-platform": {"path": str(SHIPPED_DATASET)}},
        "labs": {"lab1": {"title": "KPI dashboard", "rubric": "lab1-kpi-dashboard", "dataset": "ai-platform"},
                 "lab2": {"title": "Playbook", "rubric": "lab2-optimization-playbook", "dataset": "ai-platform"},
                 "lab3": {"title": "Chargeback", "rubric": "lab3-chargeback-pack", "dataset": "ai-platform"},
                 "assessment": {"title": "Business case", "rubric": "assessment-business-case"}},
        "variants": "per_learner",
        **({"variant_seed": seed} if seed is not None else {}),
        **({"variant_cache": cache} if cache else {}),
    }
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "course.yaml"
    path.write_text(yaml.safe_dump(course, sort_keys=False))
    return path


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    """A course with per-learner variants and their cache for a three-learner roster."""
    folder = tmp_path_factory.mktemp("course")
    path = write_course(folder)
    (folder / "roster.csv").write_text("id,name\n" + "".join(f"{x},Learner {x}\n" for x in ROSTER))
    result = run("dataset", "variants", "--course", path, "--roster", folder / "roster.csv", "--out",
                 folder / "variants", "--jobs", "2")
    assert result.exit_code == 0, result.output
    assert "wrote 3 variant(s) of ai-platform" in result.output
    return path


def own(course: Path, learner: str):
    return load_dataset(course.parent / "variants" / learner)


def digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


# ---- generation -----------------------------------------------------------------------------------

def test_the_same_id_gives_the_same_bytes_and_another_id_other_bytes(course: Path, tmp_path: Path):
    assert variation(SEED, "a1") == variation(SEED, "a1")
    ai_platform.generate(tmp_path / "again", start="2026-07", months=3, variation=variation(SEED, "a1"))
    assert digest(tmp_path / "again") == digest(course.parent / "variants" / "a1")
    cached = {x: digest(course.parent / "variants" / x)["billing.csv"] for x in ROSTER}
    assert len(set(cached.values())) == 3
    assert variation(SEED + 1, "a1") != variation(SEED, "a1")          # the course seed matters too
    settings = own(course, "a1").settings
    assert settings.variant.model_dump() == {"id": variant_id(SEED, "a1"), "learner": "a1", "course_seed": SEED}
    assert variant_id(SEED, "a1").startswith("v-") and "a1" not in variant_id(SEED, "a1")[2:]


def _lab2_savings(dataset) -> list[float]:
    files = open_submission(REFERENCE / "lab2")
    try:
        ctx = lab2.recompute(lab2.parse(files), dataset, lab2.Lab2Settings())
    finally:
        files.close()
    return [r.savings_annual for r in ctx.actions]


def _far(x: float, y: float, rel: float) -> bool:
    return abs(x - y) > rel * max(abs(x), abs(y))


def test_two_learners_variants_differ_in_every_labs_key_figures(course: Path):
    a, b = own(course, "a1"), own(course, "b2")
    # lab1: every unit's and the organisation's cost and unit costs, beyond the 1 % tolerance
    ta = lab1.reference(a, "2026-09", lab1.Lab1Settings()).table
    tb = lab1.reference(b, "2026-09", lab1.Lab1Settings()).table
    for metric in ("effective_cost", "billed_cost", "cost_per_gpu_hour", "cost_per_1k_inferences", "idle_gpu_cost"):
        assert _far(ta.get(metric, ""), tb.get(metric, ""), 0.01), metric
    assert all(_far(ta.get("effective_cost", u), tb.get("effective_cost", u), 0.01) for u in ("search", "ads", "research"))
    # lab2: most action savings beyond the 5 % claim tolerance
    sa, sb = _lab2_savings(a), _lab2_savings(b)
    assert sum(_far(x, y, 0.05) for x, y in zip(sa, sb)) >= 0.8 * len(sa)
    # lab3: every unit's charge beyond the 0.5 % allocation tolerance
    sig_a, sig_b = lab3.signature(a), lab3.signature(b)
    da, db = sig_a["EffectiveCost"]["2026-09"]["direct"], sig_b["EffectiveCost"]["2026-09"]["direct"]
    assert set(da) == set(db) and all(_far(da[u], db[u], 0.005) for u in da)
    # anomaly days differ too
    ia = yaml.safe_load((course.parent / "variants" / "a1" / "instructor" / "anomalies.yaml").read_text())
    ib = yaml.safe_load((course.parent / "variants" / "b2" / "instructor" / "anomalies.yaml").read_text())
    assert [x["date"] for x in ia["anomalies"]] != [x["date"] for x in ib["anomalies"]]


# ---- grading ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("lab", ["lab1", "lab2", "lab3"])
def test_a_solution_made_on_a1s_variant_passes_as_a1_and_fails_as_b2_saying_why(course: Path, tmp_path: Path, lab: str):
    a = own(course, "a1")
    mine = solve(lab, a, tmp_path / "mine", "a1")
    result = run("grade", mine, "--course", course, "--format", "json")
    report = json.loads(result.output)
    assert (result.exit_code, report["percent"], report["passed"]) == (0, 1.0, True)
    assert report["figures"]["variant"]["id"] == variant_id(SEED, "a1")
    assert report["figures"]["variant"]["matched"] == report["figures"]["variant"]["checked"] > 0

    copied = solve(lab, a, tmp_path / "copied", "b2")
    result = run("grade", copied, "--course", course, "--format", "json")
    report = json.loads(result.output)
    assert (result.exit_code, report["score"], report["passed"]) == (3, 0.0, False)
    assert report["figures"]["variant"]["closest"] == variant_id(SEED, "a1")
    (problem,) = report["errors"]
    assert f"match dataset variant {variant_id(SEED, 'a1')}" in problem["message"]
    assert f"your own, {variant_id(SEED, 'b2')}" in problem["message"]
    assert "download your own dataset" in problem["fix"]
    learner_view = run("check", copied, "--course", course).output
    assert variant_id(SEED, "a1") in learner_view and "a1" not in learner_view.replace(variant_id(SEED, "a1"), "")


def test_a_declared_variant_that_is_not_the_learners_fails(course: Path, tmp_path: Path):
    mine = solve("lab2", own(course, "a1"), tmp_path / "s", "a1", variant=variant_id(SEED, "a1"))
    assert run("grade", mine, "--course", course).exit_code == 0
    (mine / "submission.yaml").write_text(f"learner: {{id: a1}}\nlab: lab2\ndataset_variant: {variant_id(SEED, 'c3')}\n")
    result = run("grade", mine, "--course", course, "--format", "json")
    report = json.loads(result.output)
    assert result.exit_code == 3
    assert report["errors"][0]["location"] == "dataset_variant"
    assert f"learner a1's variant is {variant_id(SEED, 'a1')}" in report["errors"][0]["message"]
    (mine / "submission.yaml").write_text("learner: {id: a1}\nlab: lab2\ndataset_variant: my-own-data\n")
    result = run("grade", mine, "--course", course, "--format", "json")
    (problem,) = json.loads(result.output)["errors"]
    assert result.exit_code == 3 and (problem["file"], problem["line"]) == ("submission.yaml", 3)
    assert "'my-own-data' is not written as a variant id: v- and 12 hexadecimal digits" in problem["message"]


def test_grading_on_another_learners_variant_folder_is_a_configuration_error(course: Path, tmp_path: Path):
    copied = solve("lab2", own(course, "a1"), tmp_path / "s", "b2")
    result = run("grade", copied, "--course", course, "--dataset", course.parent / "variants" / "a1")
    assert result.exit_code == 2
    assert f"is learner a1's variant ({variant_id(SEED, 'a1')}); this submission is learner b2's" in result.output


def test_a_cached_copy_is_used_only_when_its_sha256_checks_out(course: Path, tmp_path: Path):
    cache = tmp_path / "course"
    shutil.copytree(course.parent, cache)
    loaded = load_course(cache / "course.yaml")
    assert variants.dataset_for(loaded, "lab2", "a1").path == (cache / "variants" / "a1").resolve()
    billing = cache / "variants" / "b2" / "billing.csv"
    billing.write_bytes(billing.read_bytes().replace(b"search", b"seArch", 1))          # an edited copy
    regenerated = variants.dataset_for(loaded, "lab2", "b2")
    assert regenerated.path != (cache / "variants" / "b2").resolve() and not regenerated.path.exists()
    assert regenerated.fingerprint() == hashlib.sha256((course.parent / "variants" / "b2" / "billing.csv").read_bytes()).hexdigest()
    index = json.loads((cache / "variants" / "index.json").read_text())
    index["course_seed"] = SEED + 1                                                       # a cache for another seed
    (cache / "variants" / "index.json").write_text(json.dumps(index))
    assert variants.read_index(loaded, "lab2") is None
    index.update(course_seed=SEED, dataset="another-dataset")                           # or another dataset
    (cache / "variants" / "index.json").write_text(json.dumps(index))
    assert variants.read_index(loaded, "lab2") is None
    index["dataset"] = "ai-platform"
    (cache / "variants" / "index.json").write_text(json.dumps(index) + " ")
    assert variants.read_index(loaded, "lab2") is not None


def test_without_a_cache_the_variant_is_regenerated_and_nothing_is_left_behind(course: Path, tmp_path: Path,
                                                                                monkeypatch):
    bare = write_course(tmp_path / "bare", cache=None)
    mine = solve("lab3", own(course, "c3"), tmp_path / "s", "c3")
    before = set(Path(tempfile.gettempdir()).glob("grader-variant-*"))
    monkeypatch.chdir(tmp_path)
    result = run("grade", mine, "--course", bare, "--format", "json")
    assert result.exit_code == 0 and json.loads(result.output)["percent"] == 1.0
    assert set(Path(tempfile.gettempdir()).glob("grader-variant-*")) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bare", "s"]


def test_batch_and_cohort_report_flag_figures_from_another_learners_variant(course: Path, tmp_path: Path):
    cohort = tmp_path / "cohort"
    solve("lab1", own(course, "a1"), cohort / "a1-lab1", "a1")
    solve("lab1", own(course, "a1"), cohort / "b2-lab1", "b2")          # b2 hands in a1's figures
    solve("lab1", own(course, "c3"), cohort / "c3-lab1", "c3")
    result = run("batch", cohort, "--course", course, "--db", tmp_path / "gb.sqlite", "--jobs", "2")
    assert result.exit_code == 0
    lines = {line.split()[0]: line for line in result.output.splitlines() if "-lab1" in line}
    assert "passed" in lines["a1-lab1"] and "passed" in lines["c3-lab1"] and "invalid" in lines["b2-lab1"]
    report = run("report", "--db", tmp_path / "gb.sqlite", "--course", course, "--out", tmp_path / "cohort.html")
    assert report.exit_code == 0
    html = (tmp_path / "cohort.html").read_text()
    assert "Figures from another learner&#39;s dataset variant" in html or "Figures from another learner's dataset variant" in html
    found = re.search(rf"b2 \(variant {variant_id(SEED, 'b2')}\): (\d+) of (\d+) figures match their own variant, "
                      rf"(\d+) match {variant_id(SEED, 'a1')}, a1", html)
    assert found and int(found[1]) < int(found[2]) // 2 and found[3] == found[2]
    assert "a1 (variant" not in html and "c3 (variant" not in html


def test_gradescope_bundle_carries_the_seed_and_the_index_not_the_variants(course: Path, tmp_path: Path):
    import io
    import zipfile

    result = run("gradescope", "build", "--course", course, "--lab", "lab2", "--out", tmp_path / "ag.zip")
    assert result.exit_code == 0
    with zipfile.ZipFile(tmp_path / "ag.zip") as z:
        names = z.namelist()
        bundled = yaml.safe_load(z.read("course/course.yaml"))
        assert z.read("course/variants/index.json") == (course.parent / "variants" / "index.json").read_bytes()
    assert (bundled["variants"], bundled["variant_seed"], bundled["variant_cache"]) == ("per_learner", SEED, "variants")
    assert not any(n.startswith("course/variants/a1") for n in names)
    assert io  # noqa: B018


def test_learner_self_check_and_ci_grade_on_the_learners_own_variant(course: Path, tmp_path: Path):
    bare = write_course(tmp_path / "ci", cache=None)     # a template repository holds no cache
    mine = solve("lab2", own(course, "b2"), tmp_path / "s", "b2")
    assert run("check", mine, "--course", bare).exit_code == 0
    assert run("ci", "run", mine, "--course", bare, "--output-dir", tmp_path / "ci-out").exit_code == 0


def test_course_and_roster_mistakes_are_located(tmp_path: Path):
    unseeded = write_course(tmp_path / "c", seed=None)
    result = run("grade", REFERENCE / "lab2", "--course", unseeded)
    assert result.exit_code == 2 and "variants: per_learner needs variant_seed" in result.output
    course = write_course(tmp_path / "d")
    (tmp_path / "roster.csv").write_text("id\nok1\n../evil\n\nok1\n")
    result = run("dataset", "variants", "--course", course, "--roster", tmp_path / "roster.csv", "--out", tmp_path / "v")
    assert result.exit_code == 2 and "roster.csv:3 (id)" in result.output and "'../evil' is not a learner id" in result.output
    assert not (tmp_path / "v").exists() and not (tmp_path.parent / "evil").exists()
    (tmp_path / "roster.csv").write_text("id\nok1\n")
    assert run("dataset", "variants", "--course", course, "--roster", tmp_path / "roster.csv", "--out", tmp_path / "v",
               "--jobs", "1").exit_code == 0
    assert (tmp_path / "v" / "ok1" / "instructor" / "anomalies.yaml").is_file()
    assert run("dataset", "variants", "--course", course, "--roster", tmp_path / "roster.csv", "--out", tmp_path / "v",
               "--without-answers").exit_code == 0
    assert not (tmp_path / "v" / "ok1" / "instructor").exists()          # learner copies keep no answers
    (tmp_path / "roster.csv").write_text("name\nAda\n")
    result = run("dataset", "variants", "--course", course, "--roster", tmp_path / "roster.csv", "--out", tmp_path / "v")
    assert result.exit_code == 2 and "no learner id column" in result.output


# ---- difficulty -----------------------------------------------------------------------------------

def test_difficulty_stays_in_the_stated_band_across_50_variants(tmp_path: Path):
    """README "Per-learner variants": the baseline within 0.7–1.4× the shipped dataset's, the
    reference playbook's savings (fixed parameters) within 0.32–0.37 so the 30 % gate is reachable
    everywhere, tag coverage 0.87–0.92, research the one unit over budget, at least one cost spike
    in the reference period."""
    loaded = load_course(write_course(tmp_path / "course"))
    learners = [f"s{i:03d}" for i in range(50)]
    variants.write_cache(loaded, learners, tmp_path / "v", jobs=2, answers=False)
    shipped = _lab2_playbook(load_dataset(SHIPPED_DATASET))
    baselines, savings = [], []
    for learner in learners:
        dataset = load_dataset(tmp_path / "v" / learner, reuse=False)
        ctx = _lab2_playbook(dataset)
        baselines.append(ctx.baseline / shipped.baseline)
        savings.append(ctx.savings_pct)
        ref = lab1.reference(dataset, "2026-09", lab1.Lab1Settings())
        assert 0.87 <= ref.table.get("allocated_cost_pct", "") <= 0.92
        assert {u for kind, _, u in ref.alerts if kind == "budget"} == {"research"}
        assert any(kind == "cost_spike" for kind, _, _ in ref.alerts)
    assert 0.70 <= min(baselines) and max(baselines) <= 1.40 and max(baselines) - min(baselines) > 0.3
    assert 0.32 <= min(savings) and max(savings) <= 0.37


def _lab2_playbook(dataset):
    files = open_submission(REFERENCE / "lab2")
    try:
        return lab2.recompute(lab2.parse(files), dataset, lab2.Lab2Settings())
    finally:
        files.close()


def test_the_gradescope_autograder_regenerates_the_learners_variant_and_catches_a_copy(course: Path, tmp_path: Path):
    import os
    import stat
    import zipfile

    from tests.integrations.test_gradescope_bundle import _run_autograder

    assert run("gradescope", "build", "--course", course, "--lab", "lab3", "--out", tmp_path / "ag.zip").exit_code == 0
    scores = {}
    for learner in ("a1", "b2"):
        root = tmp_path / learner / "autograder"
        with zipfile.ZipFile(tmp_path / "ag.zip") as z:
            z.extractall(root / "source")
        os.chmod(root / "source" / "run_autograder", stat.S_IRWXU)
        solve("lab3", own(course, "a1"), root / "submission", learner)          # a1's figures, both times
        (root / "submission_metadata.json").write_text(json.dumps({"users": [{"email": f"{learner}@example.edu"}]}))
        results = _run_autograder(root)
        scores[learner] = (results["score"], " ".join(t.get("output", "") for t in results["tests"]))
    assert scores["a1"][0] == 100.0
    assert scores["b2"][0] == 0.0 and f"match dataset variant {variant_id(SEED, 'a1')}" in scores["b2"][1]


def test_a_damaged_index_entry_proves_nothing_but_breaks_nothing(course: Path, tmp_path: Path):
    copy = tmp_path / "course"
    shutil.copytree(course.parent, copy)
    index = json.loads((copy / "variants" / "index.json").read_text())
    index["variants"]["a1"]["signature"]["lab2"] = {"cells": "garbage"}
    index["variants"]["c3"] = "not an entry"
    (copy / "variants" / "index.json").write_text(json.dumps(index))
    mine = solve("lab2", own(course, "a1"), tmp_path / "a1", "a1")
    result = run("grade", mine, "--course", copy / "course.yaml", "--format", "json")
    assert result.exit_code == 0 and json.loads(result.output)["percent"] == 1.0
    copied = solve("lab2", own(course, "a1"), tmp_path / "b2", "b2")
    result = run("grade", copied, "--course", copy / "course.yaml", "--format", "json")
    report = json.loads(result.output)
    # graded on b2's own variant (the gate holds on recomputed savings), not stopped, claims off
    assert result.exit_code == 0 and report["errors"] == [] and report["figures"]["variant"]["closest"] is None
    assert report["figures"]["variant"]["matched"] < report["figures"]["variant"]["checked"]
