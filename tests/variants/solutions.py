"""Reference solutions recomputed on any dataset (a learner's variant): the shipped reference
solution's choices (KPI rows, playbook actions and parameters, chargeback rules), with every figure
taken from the grader's reference models on that dataset, as a diligent learner would compute them."""
from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from grader.finance import chargeback
from grader.labs import lab1, lab2, lab3
from grader.loaders.dataset import Dataset
from grader.loaders.submission import open_submission
from grader.models.submission import ChargebackPack
from tests.conftest import ROOT

REFERENCE = ROOT / "reference_solutions"


def _manifest(folder: Path, learner: str, lab: str, variant: str | None) -> None:
    extra = f"dataset_variant: {variant}\n" if variant else ""
    (folder / "submission.yaml").write_text(f"learner: {{id: {learner}}}\nlab: {lab}\n{extra}")


def _lab1(folder: Path, dataset: Dataset) -> None:
    lines = (folder / "kpis.csv").read_text().splitlines()
    period = yaml.safe_load((folder / "dashboard.yaml").read_text())["period"]
    ref = lab1.reference(dataset, period, lab1.Lab1Settings())
    out = [lines[0]]
    for line in lines[1:]:
        metric, p, unit, _ = line.split(",")
        out.append(f"{metric},{p},{unit},{ref.table.get(metric, unit)!r}")
    (folder / "kpis.csv").write_text("\n".join(out) + "\n")
    alerts = ["kind,date,business_unit,value,baseline"] + [f"{k},{d},{u},," for k, d, u in sorted(ref.alerts)]
    (folder / "alerts.csv").write_text("\n".join(alerts) + "\n")


def _lab2(folder: Path, dataset: Dataset) -> None:
    files = open_submission(folder)
    try:
        ctx = lab2.recompute(lab2.parse(files), dataset, lab2.Lab2Settings())
    finally:
        files.close()
    book = yaml.safe_load((folder / "playbook.yaml").read_text())
    for action, result in zip(book["actions"], ctx.actions):
        action["claimed_annual_savings"] = round(result.savings_annual)
    book["claimed_savings_pct"] = round(ctx.savings_pct, 4)
    (folder / "playbook.yaml").write_text(yaml.safe_dump(book, sort_keys=False, width=120))


def _lab3(folder: Path, dataset: Dataset) -> None:
    data = yaml.safe_load((folder / "chargeback.yaml").read_text())
    pack = ChargebackPack.model_validate(data)
    markup = pack.markup_pct if pack.model == "chargeback" else 0.0
    rows = lab3._month_rows(dataset, pack.period, {k for r in pack.shared_costs for k in (r.match.tag or {})})
    a = chargeback.allocate(rows, pack.cost_basis, lab3._rules(pack), markup)
    for rate in data.get("rates") or []:
        r = chargeback.rate_recovery(rows, pack.cost_basis, rate["unit"], 1.0)
        rate["rate"] = round((1 + markup) * r.basis_cost / r.quantity, 6)
    (folder / "chargeback.yaml").write_text(yaml.safe_dump(data, sort_keys=False, width=120))
    lines = ["business_unit,direct_cost,shared_cost,total_charge"]
    lines += [f"{u},{a.direct.get(u, 0.0):.2f},{a.shared.get(u, 0.0):.2f},{c:.2f}" for u, c in sorted(a.charges.items())]
    (folder / "allocation.csv").write_text("\n".join(lines) + "\n")


SOLVERS = {"lab1": _lab1, "lab2": _lab2, "lab3": _lab3}


def solve(lab: str, dataset: Dataset, folder: Path, learner: str, variant: str | None = None) -> Path:
    """The reference solution of `lab` recomputed on `dataset`, handed in by `learner`."""
    shutil.copytree(REFERENCE / lab, folder)
    (folder / "panel.yaml").unlink(missing_ok=True)
    SOLVERS[lab](folder, dataset)
    _manifest(folder, learner, lab, variant)
    return folder
