"""The cohort report: where a cohort struggles, who was late, whose work looks copied. A pure
function of the gradebook's chosen attempts and the text of their files."""
from __future__ import annotations

import re
import statistics
from dataclasses import dataclass
from itertools import combinations

from grader.gradebook.store import Attempt
from grader.reporters.html import LAB_TITLES, TEMPLATES, environment

SIMILARITY_THRESHOLD = 0.9


@dataclass(frozen=True)
class LabSummary:
    lab: str
    title: str
    learners: int
    pass_rate: float
    mean: float
    median: float
    histogram: str
    criteria: list[tuple[str, float, int]]       # (title, mean share of its points earned, attempts), hardest first


def shingles(text: str, size: int = 5) -> set[tuple[str, ...]]:
    words = re.findall(r"[a-z0-9_.]+", text.lower())
    return {tuple(words[i:i + size]) for i in range(max(1, len(words) - size + 1))}


def similar_pairs(texts: dict[str, str], threshold: float = SIMILARITY_THRESHOLD) -> list[tuple[str, str, float]]:
    """Pairs of learners whose files share at least `threshold` of their 5-word shingles (Jaccard)."""
    sets = {learner: shingles(text) for learner, text in texts.items() if text.strip()}
    pairs = []
    for a, b in combinations(sorted(sets), 2):
        union = len(sets[a] | sets[b])
        score = len(sets[a] & sets[b]) / union if union else 0.0
        if score >= threshold:
            pairs.append((a, b, score))
    return sorted(pairs, key=lambda p: (-p[2], p[0], p[1]))


def summaries(chosen: list[Attempt]) -> list[LabSummary]:
    from grader.reporters import charts

    out = []
    for lab in sorted({a.lab for a in chosen}):
        mine = [a for a in chosen if a.lab == lab]
        percents = [a.percent * 100 for a in mine]
        tally: dict[str, list[float]] = {}
        titles: dict[str, str] = {}
        for a in mine:
            for c in a.result.get("criteria", []):
                if c["max_score"] > 0 and c["status"] != "manual":
                    titles[c["id"]] = c["title"]
                    tally.setdefault(c["id"], []).append(c["score"] / c["max_score"])
        criteria = sorted(((titles[k], sum(v) / len(v), len(v)) for k, v in tally.items()), key=lambda t: (t[1], t[0]))
        out.append(LabSummary(lab=lab, title=LAB_TITLES.get(lab, lab), learners=len(mine),
                              pass_rate=sum(a.passed for a in mine) / len(mine), mean=statistics.fmean(percents),
                              median=statistics.median(percents),
                              histogram=charts.histogram(percents, f"{lab}: score distribution"), criteria=criteria))
    return out


@dataclass(frozen=True)
class CrossedVariant:
    learner: str
    own: str
    matched_own: int
    closest: str | None          # the variant its figures match better (None: its figures match no variant well)
    closest_owner: str | None    # whose variant that is, when the course seed is known
    matched_closest: int
    checked: int


def crossed_variants(chosen: list[Attempt], owners: dict[str, str]) -> dict[str, list[CrossedVariant]]:
    """Per lab, submissions graded on per-learner variants whose figures match another learner's
    variant better than their own (found at grading), or fewer than half match their own."""
    out: dict[str, list[CrossedVariant]] = {}
    for a in chosen:
        v = (a.result.get("figures") or {}).get("variant")
        if not isinstance(v, dict) or not v.get("checked"):
            continue
        if v.get("closest") or v["matched"] * 2 < v["checked"]:
            out.setdefault(a.lab, []).append(CrossedVariant(
                learner=a.learner_id, own=v["id"], matched_own=v["matched"], closest=v.get("closest"),
                closest_owner=owners.get(v.get("closest") or ""), matched_closest=v.get("closest_matched") or 0,
                checked=v["checked"]))
    return {lab: sorted(rows, key=lambda r: r.learner) for lab, rows in out.items()}


def render(chosen: list[Attempt], texts: dict[int, str], course: str, owners: dict[str, str] | None = None) -> str:
    """`texts` maps an attempt id to the text of its lab files (without the manifest); `owners` maps
    a variant id to its learner (courses with per-learner variants)."""
    late = sorted((a.learner_id, a.lab, a.late_days) for a in chosen if a.late_days)
    similar = {}
    for lab in sorted({a.lab for a in chosen}):
        by_learner = {a.learner_id: texts.get(a.id, "") for a in chosen if a.lab == lab}
        similar[lab] = similar_pairs(by_learner)
    env = environment()
    return env.get_template("cohort.html").render(
        course=course, labs=summaries(chosen), late=late, similar=similar, css=(TEMPLATES / "base.css").read_text(),
        crossed=crossed_variants(chosen, owners or {}),
        threshold=SIMILARITY_THRESHOLD, total=len({a.learner_id for a in chosen}))
