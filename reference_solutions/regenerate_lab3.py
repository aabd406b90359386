"""Regenerate the lab3 reference solution and examples from the shipped dataset.

    .venv/bin/python reference_solutions/regenerate_lab3.py

allocation.csv files hold what each pack's rules give (rounded to cents); the wrong-method example
holds what a different method than the declared one gives, as a learner's spreadsheet might.
"""
from __future__ import annotations


import yaml

from grader.finance import chargeback
from grader.labs import lab3
from grader.loaders.dataset import load_dataset
from grader.models.submission import ChargebackPack
from grader.resources import DEFAULT_DATASET, PROJECT_DIR

UNITS = ["search", "ads", "recsys", "research", "assistant"]
RULES = [
    {"name": "platform networking", "match": {"untagged": True, "service_category": "Networking"},
     "method": "proportional"},
    {"name": "security", "match": {"untagged": True, "service_category": "Security"}, "method": "fixed",
     "weights": {"search": 0.3, "ads": 0.3, "recsys": 0.1, "research": 0.1, "assistant": 0.2}},
    {"name": "support and tax", "match": {"untagged": True, "service_category": ["Management and Governance", "Other"]},
     "method": "proportional"},
    {"name": "shared artifacts storage", "match": {"untagged": True, "service_category": "Storage"}, "method": "even",
     "targets": UNITS},
    {"name": "everything else untagged", "match": {"untagged": True}, "method": "proportional"},
]
PLAN = """# FinOps chargeback: communication plan

## Audience and stakeholders
Engineering managers and product owners of search, ads, recsys, research and assistant; the CFO's
office and finance business partners; the platform team who runs shared networking and storage.

## Cadence
A monthly statement on the third working day, a weekly cost digest every Monday for each unit,
and a quarterly review of the allocation rules with finance and the product leads.

## Channels
Statements are emailed as PDF and published on the FinOps dashboard; questions go to the
#finops-chargeback Slack channel, and the monthly review meeting covers open issues in person.

## Disputes and escalation
A unit may dispute a charge within ten working days through the FinOps ticket queue; the FinOps
lead answers within five days, and unresolved disputes escalate to the finance business partner.

## Rollout timeline
October runs as a showback dry run with every unit; November bills research and assistant first;
from December every unit is charged, after a retrospective on the first two statements.
"""


def _pack(model: str, markup: float, rules: list[dict], approvals: list[dict], rates: list[dict]) -> dict:
    return {"model": model, "period": "2026-09", "cost_basis": "EffectiveCost", "markup_pct": markup,
            "shared_costs": rules, "rates": rates, "approvals": approvals}


def main() -> None:
    dataset = load_dataset(DEFAULT_DATASET)

    def allocate(pack: dict, rules_override: list[dict] | None = None) -> dict[str, tuple[float, float, float]]:
        model = ChargebackPack.model_validate({**pack, "shared_costs": rules_override or pack["shared_costs"]})
        rows = lab3._month_rows(dataset, model.period, set())
        markup = model.markup_pct if model.model == "chargeback" else 0.0
        a = chargeback.allocate(rows, model.cost_basis, lab3._rules(model), markup)
        return {u: (a.direct.get(u, 0.0), a.shared.get(u, 0.0), c) for u, c in a.charges.items()}

    def hours_rate(markup: float) -> float:
        rows = lab3._month_rows(dataset, "2026-09", set())
        r = chargeback.rate_recovery(rows, "EffectiveCost", "Hours", 1.0)
        return round((1 + markup) * r.basis_cost / r.quantity, 4)

    def write(folder: str, learner: str, name: str, pack: dict, alloc: dict, plan: str, when: str) -> None:
        f = PROJECT_DIR / folder
        f.mkdir(parents=True, exist_ok=True)
        (f / "submission.yaml").write_text(f"learner: {{id: {learner}, name: {name}}}\nlab: lab3\nsubmitted_at: {when}\n")
        (f / "chargeback.yaml").write_text(yaml.safe_dump(pack, sort_keys=False, width=110))
        lines = ["business_unit,direct_cost,shared_cost,total_charge"]
        lines += [f"{u},{d:.2f},{s:.2f},{t:.2f}" for u, (d, s, t) in sorted(alloc.items())]
        (f / "allocation.csv").write_text("\n".join(lines) + "\n")
        (f / "communication_plan.md").write_text(plan)

    approved = [{"role": "finance", "name": "R. Chen", "date": "2026-09-28", "decision": "approved"},
                {"role": "product", "name": "M. Ortiz", "date": "2026-09-29", "decision": "approved"}]
    reference = _pack("chargeback", 0.02, RULES, approved, [{"unit": "Hours", "rate": hours_rate(0.02)}])
    write("reference_solutions/lab3", "ref-lab3", "Reference Solution", reference, allocate(reference), PLAN,
          "2026-10-20T10:00:00Z")

    # good: a showback; the product approval still pending; a thin cadence section
    good = _pack("showback", 0.0, RULES, approved[:1] + [{**approved[1], "decision": "pending"}],
                 [{"unit": "Hours", "rate": hours_rate(0.0)}])
    thin = PLAN.replace("A monthly statement on the third working day, a weekly cost digest every Monday for each unit,\n"
                        "and a quarterly review of the allocation rules with finance and the product leads.",
                        "Monthly statements, weekly digests.")
    write("submissions_example/lab3-good", "c6000", "Carl Charge", good, allocate(good), thin, "2026-10-29T18:00:00Z")

    # unallocated: no catch-all rule, so the untagged notebook and other untagged cost stay unallocated
    partial_rules = RULES[:2]
    unallocated = _pack("chargeback", 0.02, partial_rules, approved, [])
    write("submissions_example/lab3-unallocated", "u7000", "Una Located", unallocated, allocate(unallocated), PLAN,
          "2026-10-29T19:00:00Z")

    # no finance approval: finance still pending
    pending = _pack("chargeback", 0.02, RULES, [{**approved[0], "decision": "pending"}, approved[1]],
                    [{"unit": "Hours", "rate": hours_rate(0.02)}])
    write("submissions_example/lab3-no-finance-approval", "p8000", "Pat Pending", pending, allocate(pending), PLAN,
          "2026-10-29T20:00:00Z")

    # declares proportional networking, but its allocation.csv split networking evenly
    wrong = _pack("chargeback", 0.02, RULES, approved, [{"unit": "Hours", "rate": hours_rate(0.02)}])
    even = [{**RULES[0], "method": "even"}] + RULES[1:]
    write("submissions_example/lab3-wrong-method", "e9000", "Eve Even", wrong, allocate(wrong, even), PLAN,
          "2026-10-29T21:00:00Z")


if __name__ == "__main__":
    main()
