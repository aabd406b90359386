"""The dataset's reference cache (grader/labs/reference_cache.py): lab1's part equals a fresh
computation, is ignored as soon as any input file changes or a rubric overrides the detector, and
lets lab1 grade without pandas; the billing warnings survive it."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from grader.labs import lab1, lab3, reference_cache
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


def _columns(rows) -> dict:
    import numpy as np

    out = {}
    for name in lab3.CACHE_COLUMNS:
        values = rows.column(name)
        out[name] = [None if (isinstance(v, float) and np.isnan(v)) else v for v in values.tolist()]
    return out


def test_lab3s_cached_rows_equal_the_billing_rows_and_allocate_the_same(tmp_path: Path):
    from grader.finance import chargeback

    cached, fresh = load_dataset(SHIPPED_DATASET, reuse=False), load_dataset(_copy(tmp_path, cache=False))
    assert lab3._months(cached) == lab3._months(fresh) == ["2026-07", "2026-08", "2026-09"]
    for month in lab3._months(fresh):
        a, b = lab3._rows_of(cached, month), lab3._rows_of(fresh, month)
        assert len(a) == len(b) and _columns(a) == _columns(b)
    rules = [chargeback.Rule("env", {"tag": {"environment": ["prod", "dev"]}, "service_category": "Compute"}, "even"),
             chargeback.Rule("net", {"service_category": "Networking", "untagged": True}, "proportional"),
             chargeback.Rule("rest", {"untagged": True}, "fixed", weights={"search": 1, "ads": 3})]
    results = []
    for ds in (cached, fresh):
        rows = lab3._month_rows(ds, "2026-08", {"environment"})
        alloc = chargeback.allocate(rows, "EffectiveCost", rules, 0.05)
        rate = chargeback.rate_recovery(rows, "BilledCost", "hours", 3.0)
        results.append((alloc.charges, alloc.direct, alloc.shared, alloc.unallocated_cost, alloc.row_rule.tolist(),
                        rate.quantity, rate.basis_cost))
    assert results[0] == results[1]
    assert not cached.billing_loaded


def test_a_changed_billing_file_bypasses_lab3s_cache(tmp_path: Path):
    folder = _copy(tmp_path)
    billing = folder / "billing.csv"
    billing.write_text(billing.read_text().replace(",136.648711,136.648711,136.648711,", ",136.648711,236.648711,136.648711,", 1))
    dataset = load_dataset(folder)
    assert lab3._cached(dataset) is None
    shipped = lab3._rows_of(load_dataset(SHIPPED_DATASET, reuse=False), "2026-07").column("EffectiveCost").sum()
    changed = [lab3._rows_of(dataset, m).column("EffectiveCost").sum() for m in lab3._months(dataset)]
    assert 100 - 1e-6 < sum(changed) - sum(lab3._rows_of(load_dataset(SHIPPED_DATASET, reuse=False), m)
                                              .column("EffectiveCost").sum() for m in lab3._months(dataset)) < 100 + 1e-6
    assert shipped > 0


def test_a_batch_on_current_caches_never_imports_pandas(tmp_path: Path):
    cohort = tmp_path / "cohort"
    for lab in ("lab1", "lab2", "lab3", "assessment"):
        shutil.copytree(REFERENCE / lab, cohort / lab)
    code = ("import sys\nfrom grader.cli import main\n"
            "sys.argv = ['grader', 'batch', sys.argv[1], '--jobs', '1', '--db', sys.argv[2]]\n"
            "try:\n    main()\nexcept SystemExit as e:\n    print('exit', e.code)\nprint('pandas' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code, str(cohort), str(tmp_path / "gb.sqlite")], capture_output=True,
                         text=True, cwd=ROOT, env={"PATH": "", "PYTHONPATH": str(ROOT), "CI": "1"})
    assert out.stdout.strip().splitlines()[-2:] == ["exit 0", "False"], out.stdout + out.stderr
    assert "4 of 4 submission(s) graded" in out.stdout


def test_a_damaged_cache_that_still_names_the_right_files_is_recomputed_not_a_crash(tmp_path: Path):
    folder = _copy(tmp_path)
    path = folder / reference_cache.FILE
    data = json.loads(path.read_text())
    data["lab1"]["periods"]["2026-09"]["values"] = [["effective_cost", ""]]               # a row cut short
    data["lab3"]["periods"]["2026-09"]["columns"]["EffectiveCost"] = [1.0, 2.0]          # a column cut short
    data["lab3"]["periods"]["2026-08"]["columns"]["ServiceName"]["codes"] = [10 ** 6]
    data["billing_warnings"] = 7
    path.write_text(json.dumps(data))
    for lab in ("lab1", "lab3"):
        result = run("grade", REFERENCE / lab, "--dataset", folder, "--format", "json")
        golden = (ROOT / "tests" / "golden" / f"{lab}-reference.json").read_text()
        assert result.exit_code == 0 and result.output == golden
    dataset = load_dataset(folder, reuse=False)
    assert lab1._cached(dataset) is None and lab3._decoded(data["lab3"]["periods"]["2026-08"]) is None
    assert reference_cache.billing_warnings(dataset) == []
    (folder / reference_cache.FILE).write_text("[" * 100_000 + "]" * 100_000)              # too deep to parse
    assert reference_cache.read(load_dataset(folder, reuse=False)) is None


def test_each_input_file_is_hashed_once_and_only_when_a_cache_is_there(tmp_path: Path, monkeypatch):
    read: list[str] = []
    original = Path.read_bytes

    def counting(self: Path) -> bytes:
        read.append(self.name)
        return original(self)

    monkeypatch.setattr(Path, "read_bytes", counting)
    cached = load_dataset(_copy(tmp_path / "a"), reuse=False)
    assert lab1._cached(cached) is not None and lab3._cached(cached) is not None
    # billing.csv serves the fingerprint and both labs' input hashes: read once, as every other input
    # (dataset.yaml twice: load_dataset parses it, the cache hashes it)
    assert sorted(read) == sorted(["billing.csv", "dataset.yaml", "dataset.yaml", "utilization.csv",
                                   "business_metrics.csv", "budgets.csv"])
    bare = load_dataset(_copy(tmp_path / "b", cache=False), reuse=False)
    read.clear()
    assert lab1._cached(bare) is None and lab3._cached(bare) is None
    assert read == []                     # no cache file: nothing to compare a hash with, nothing hashed


def test_the_shipped_cache_is_exactly_what_the_dataset_gives_today():
    # Encoding is vectorised now; the text must not have moved by a byte (a stale cache is ignored,
    # so a silent change would only show as a slower grade).
    shipped = load_dataset(SHIPPED_DATASET, reuse=False)
    assert reference_cache.text(shipped) == (SHIPPED_DATASET / reference_cache.FILE).read_text()


def test_text_columns_round_trip_and_damaged_codes_are_refused():
    import numpy as np
    import pytest

    values = np.array(["a", None, "b", "a", 1, "1", None], dtype=object)
    encoded = lab3._encode(values, "ServiceName")
    assert encoded == {"values": ["a", "b", "1"], "codes": [0, -1, 1, 0, 2, 2, -1]}
    assert lab3._decode(encoded, "ServiceName").tolist() == ["a", None, "b", "a", "1", "1", None]
    assert lab3._decode({"values": ["a"], "codes": [-7, 0]}, "ServiceName").tolist() == [None, "a"]
    assert lab3._decode({"values": [], "codes": []}, "ServiceName").tolist() == []
    for codes in ([1], [0.5], [[0]], [10 ** 30], ["0"]):
        with pytest.raises((TypeError, IndexError)):
            lab3._decode({"values": ["a"], "codes": codes}, "ServiceName")
