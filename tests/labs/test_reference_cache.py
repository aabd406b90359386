"""The dataset's reference cache (grader/labs/reference_cache.py): lab1's part equals a fresh
computation, is ignored as soon as any input file changes or a rubric overrides the detector, and
lets lab1 grade without pandas; the billing warnings survive it."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from grader.labs import lab1, reference_cache
from grader.loaders.dataset import load_dataset
from tests.conftest import REFERENCE, ROOT, SHIPPED_DATASET
from tests.test_cli import run


def _copy(tmp_path: Path, cache: bool = True) -> Path:
    folder = tmp_path / "ds"
    shutil.copytree(SHIPPED_DATASET, folder)
    if not cache:
        (folder / reference_cache.FILE).unlink()
    return folder


def _as_data(ref: lab1.Lab1Reference) -> tuple:
    return (ref.table.period, sorted(ref.table.values.items()), ref.table.not_gradable, sorted(ref.table.units),
            sorted(ref.alerts))


def test_lab1s_cached_tables_equal_a_fresh_computation_for_every_month(tmp_path: Path):
    cached, fresh = load_dataset(SHIPPED_DATASET, reuse=False), load_dataset(_copy(tmp_path, cache=False))
    assert lab1._cached(cached) is not None and lab1._cached(fresh) is None
    assert lab1.months(cached) == lab1.months(fresh) == ["2026-07", "2026-08", "2026-09"]
    for month in lab1.months(fresh):
        a = lab1.reference(cached, month, lab1.Lab1Settings())
        b = lab1.reference(fresh, month, lab1.Lab1Settings())
        assert _as_data(a) == _as_data(b)
    assert not cached.billing_loaded                     # the cache answered without the billing rows


def test_any_changed_input_or_a_detector_override_bypasses_the_cache(tmp_path: Path):
    folder = _copy(tmp_path)
    assert lab1._cached(load_dataset(folder)) is not None
    util = folder / "utilization.csv"
    lines = util.read_text().splitlines()
    resource, day, hours, _, model = lines[1].split(",")
    util.write_text("\n".join([lines[0], f"{resource},{day},{hours},0.99,{model}"] + lines[2:]) + "\n")
    assert lab1._cached(load_dataset(folder, reuse=False)) is None     # utilisation changed: recomputed
    shipped = load_dataset(SHIPPED_DATASET, reuse=False)
    override = lab1.Lab1Settings(k=2.0)
    assert lab1._from_cache(shipped, "2026-09", *lab1._detector(shipped, override)) is None
    fresh = load_dataset(_copy(tmp_path / "b", cache=False))
    assert _as_data(lab1.reference(shipped, "2026-09", override)) == _as_data(lab1.reference(fresh, "2026-09", override))


def test_grading_lab1_from_the_cache_imports_no_pandas_and_scores_the_same():
    code = ("import sys\nfrom grader.cli import main\nsys.argv = ['grader', 'grade', sys.argv[1], '--format', 'json']\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\nprint('pandas' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code, str(REFERENCE / "lab1")], capture_output=True, text=True,
                         cwd=ROOT, env={"PATH": "", "PYTHONPATH": str(ROOT)})
    assert out.stdout.rstrip().endswith("False")
    report = json.loads(out.stdout.rstrip()[: -len("False")])
    assert (report["percent"], report["passed"]) == (1.0, True)


def test_billing_warnings_reach_the_result_when_the_cache_answers(tmp_path: Path):
    folder = _copy(tmp_path)
    billing = folder / "billing.csv"
    text = billing.read_text()
    first_tags = '"{""business_unit"":""search"",""environment"":""prod"",""workload"":""inference""}"'
    assert first_tags in text
    billing.write_text(text.replace(first_tags, '"{not json"', 1))
    assert run("dataset", "cache", folder).exit_code == 0
    cached = json.loads((folder / reference_cache.FILE).read_text())
    assert len(cached["billing_warnings"]) == 1 and "Tags" in cached["billing_warnings"][0]
    result = run("grade", REFERENCE / "lab2", "--dataset", folder, "--format", "json")
    assert json.loads(result.output)["warnings"] == cached["billing_warnings"]
