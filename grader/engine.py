"""Rubric + submission → GradeReport.

A submission that cannot be read still yields a report (score 0, located errors). A check that
raises marks its own criterion `error`; the rest of the rubric is still graded.
"""
from __future__ import annotations

import logging
import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from grader import __version__
from grader.checks import registry
from grader.checks.feedback import Reveal
from grader.errors import ConfigError, SubmissionError
from grader.labs import LAB_MODULES, lab_spec, reference_cache
from grader.late import lateness
from grader.loaders.course import LoadedCourse
from grader.loaders.dataset import load_dataset
from grader.loaders.panel import PANEL, load_panel
from grader.loaders.rubric import LoadedRubric, load_rubric
from grader.loaders.submission import open_submission, read_manifest
from grader.models.problems import Problem
from grader.models.rubric import Criterion
from grader.models.submission import Manifest, Panel
from grader.models.results import CriterionResult, GradeReport, RubricRef

log = logging.getLogger(__name__)

Audience = Literal["instructor", "learner"]


@dataclass(frozen=True)
class GradeOptions:
    audience: Audience = "instructor"
    dataset: Path | None = None          # overrides the course's dataset for the lab
    panel: Path | None = None            # panel scores for manual criteria (else the submission's panel.yaml)


_RUBRICS: dict[tuple[Path, int, int], LoadedRubric] = {}


def rubric_for(course: LoadedCourse, lab_id: str) -> LoadedRubric:
    """The lab's rubric, loaded and validated once per process (again if the file changes)."""
    path = course.rubric_path(lab_id).resolve()
    stat = path.stat()
    key = (path, stat.st_mtime_ns, stat.st_size)
    if key not in _RUBRICS:
        _RUBRICS[key] = load_rubric(path)
    loaded = _RUBRICS[key]
    if loaded.rubric.lab != lab_id:
        raise ConfigError(f"the course maps {lab_id} to rubric {path.name}, which grades {loaded.rubric.lab}.")
    return loaded


def _reveal(mode: str | None, audience: Audience) -> Reveal:
    if mode is not None:
        return Reveal(mode)  # type: ignore[arg-type]
    return Reveal("value" if audience == "instructor" else "direction")


def _invalid(learner: str | None, lab: str | None, rubric: LoadedRubric | None, exc: SubmissionError,
             figures: dict[str, Any]) -> GradeReport:
    criteria = []
    max_score = 0.0
    if rubric is not None:
        max_score = rubric.rubric.max_score
        criteria = [CriterionResult(id=c.id, title=c.title, status="error", score=0.0, max_score=float(c.points),
                                    feedback="Not graded: the submission is invalid (see errors).",
                                    visibility=c.visibility, gate=c.gate)
                    for c in rubric.rubric.criteria]
    problems = exc.problems or [Problem(file="submission", message=exc.message)]
    return GradeReport(learner=learner, lab=lab, grader_version=__version__, score=0.0, max_score=max_score,
                       percent=0.0, passed=False, criteria=criteria, figures=figures, errors=problems,
                       rubric=RubricRef(id=rubric.id, version=rubric.rubric.version, sha256=rubric.sha256)
                       if rubric else None)


def grade_submission(path: Path, course: LoadedCourse, options: GradeOptions = GradeOptions()) -> GradeReport:
    """Grade one submission folder or zip. Raises only for usage and configuration errors."""
    return grade_with_manifest(path, course, options)[0]


def grade_with_manifest(path: Path, course: LoadedCourse,
                        options: GradeOptions = GradeOptions()) -> tuple[GradeReport, Manifest | None]:
    """Like grade_submission, also returning the manifest (None when it could not be read)."""
    manifest = None
    try:
        files = open_submission(path)
    except SubmissionError as exc:
        return _invalid(None, None, None, exc, {}), None
    try:
        try:
            manifest = read_manifest(files)
        except SubmissionError as exc:
            return _invalid(None, None, None, _located(exc, files), {}), None
        return _grade_files(files, manifest, course, options), manifest
    finally:
        files.close()


def _grade_files(files, manifest: Manifest, course: LoadedCourse, options: GradeOptions) -> GradeReport:
    """Grade an opened submission whose manifest has been read."""
    lab_id = manifest.lab
    lab = lab_spec(lab_id)
    if lab is None:
        raise ConfigError(f"{lab_id} cannot be graded by grader {__version__}; gradable: {', '.join(LAB_MODULES)}.")
    rubric = rubric_for(course, lab_id)
    learner = manifest.learner.id
    per_learner = lab.needs_dataset and course.course.variants == "per_learner"
    if per_learner:
        from grader import variants
    dataset = None
    if lab.needs_dataset:
        if options.dataset is not None:
            dataset = load_dataset(options.dataset)
        elif per_learner:
            dataset = variants.dataset_for(course, lab_id, learner)
        else:
            dataset_path = course.dataset_path(lab_id)
            if dataset_path is None:
                raise ConfigError(f"{lab_id} needs a dataset; the course names none and no --dataset was given.")
            dataset = load_dataset(dataset_path)
        if dataset.settings.variant is not None:
            from grader import variants

            variants.check_owner(dataset, learner)
    panel = _panel(files, rubric, options)
    verdict = None
    try:
        model = lab.parse(files)
        if per_learner:
            verdict = variants.judge(course, lab, model, rubric.settings, learner, dataset, manifest.dataset_variant)
        context = lab.recompute(model, dataset, rubric.settings)
    except SubmissionError as exc:
        verdict = getattr(exc, "verdict", None)          # grader.variants.WrongVariant: whose figures
        figures = {**lab.empty_figures(), "variant": verdict.figures()} if verdict else lab.empty_figures()
        return _invalid(learner, lab_id, rubric, _located(exc, files), figures)
    report = _score(rubric, context, options.audience, panel)
    report = report.model_copy(update={"criteria": [_in_container(c, files) for c in report.criteria]})
    figures = lab.figures(context)
    warnings = reference_cache.billing_warnings(dataset) if dataset is not None else []
    if verdict is not None:
        figures["variant"] = verdict.figures()
        if verdict.checked and verdict.matched * 2 < verdict.checked:
            warnings.append(f"Only {verdict.matched} of your {verdict.checked} figures match your own dataset variant "
                            f"{verdict.own}: check that you analysed your own copy (its dataset.yaml says variant id "
                            f"{verdict.own}).")
    if rubric.manual_ids:
        figures.update(_panel_figures(rubric, panel))
    late = lateness(manifest.submitted_at, course.lab(lab_id).due, course.course.late_policy)
    if late.penalty_pct:
        # The penalty scales points; `passed` stays the lab's completion criterion (results.md §1).
        kept = 1.0 - late.penalty_pct
        reachable = report.max_reachable_percent
        report = report.model_copy(update={"score": report.score * kept, "percent": report.percent * kept,
                                           "max_reachable_percent": None if reachable is None else reachable * kept})
    return report.model_copy(update={
        "learner": manifest.learner.id, "lab": lab_id, "figures": figures, "late": late, "warnings": warnings})


def _located(exc: SubmissionError, files) -> SubmissionError:
    """Problems in a file that came from a notebook or workbook say which cell or sheet."""
    exc.problems = [p.model_copy(update={"container": files.container_of(p.file)}) if files.container_of(p.file)
                    else p for p in exc.problems]
    return exc


def _in_container(c: CriterionResult, files) -> CriterionResult:
    """A finding in a file that came from a notebook or workbook points at that container."""
    origin = files.container_of(c.file) if c.file else None
    if origin is None:
        return c
    return c.model_copy(update={"file": origin.split(" cell ")[0].split(" sheet ")[0], "line": None})


def _panel(files, rubric: LoadedRubric, options: GradeOptions) -> Panel | None:
    """Panel scores for the rubric's manual criteria. A panel.yaml inside the submission counts only
    for instructors: in a learner's self-check it would be the learner grading themselves."""
    if not rubric.manual_ids:
        return None
    if options.panel is not None:
        return load_panel(options.panel.read_bytes(), options.panel.name, rubric.manual_ids)
    if options.audience == "instructor" and files.has(PANEL):
        return load_panel(files.read(PANEL), PANEL, rubric.manual_ids)
    return None


def _panel_scores(panel: Panel | None, criterion: str) -> list[tuple[str, float]]:
    return [(r.name, r.scores[criterion]) for r in panel.raters if criterion in r.scores] if panel else []


def _manual(c: Criterion, panel: Panel | None, spread: float) -> CriterionResult:
    """A manual criterion earns points × (mean of its raters' scores) ÷ 10 (reference-models §6)."""
    scores = _panel_scores(panel, c.id)
    if not scores:
        return CriterionResult(id=c.id, title=c.title, status="manual", score=0.0, max_score=float(c.points),
                               feedback="Awaits the assessment panel (each rater scores 0–10).",
                               visibility=c.visibility, gate=c.gate)
    values = [v for _, v in scores]
    fraction = statistics.fmean(values) / 10.0
    feedback = f"Panel mean {fraction * 10:.2f}/10 from {len(values)} rater(s): " + \
        ", ".join(f"{name} {v:g}" for name, v in scores) + "."
    if max(values) - min(values) > spread:
        feedback += f" Raters differ by {max(values) - min(values):g} points (more than {spread:g}): flagged for moderation."
    status = "pass" if fraction == 1.0 else ("partial" if fraction > 0 else "fail")
    return CriterionResult(id=c.id, title=c.title, status=status, score=float(c.points) * fraction,
                           max_score=float(c.points), feedback=feedback, visibility=c.visibility, gate=c.gate,
                           hint=c.hint if status != "pass" else None)


def _panel_figures(rubric: LoadedRubric, panel: Panel | None) -> dict[str, Any]:
    """panel_mean_pct (the mean over scored manual criteria of mean score ÷ 10; null without scores),
    and each criterion's scores and moderation flag."""
    detail, means = {}, []
    for criterion in rubric.manual_ids:
        scores = _panel_scores(panel, criterion)
        if not scores:
            continue
        values = [v for _, v in scores]
        mean = statistics.fmean(values)
        means.append(mean / 10.0)
        detail[criterion] = {"mean": mean, "scores": [{"rater": n, "score": v} for n, v in scores],
                             "spread": max(values) - min(values),
                             "moderation": max(values) - min(values) > rubric.rubric.moderation_spread}
    return {"panel_mean_pct": statistics.fmean(means) if means else None, "panel": detail}


def _score(rubric: LoadedRubric, context: Any, audience: Audience, panel: Panel | None = None) -> GradeReport:
    checks = registry(rubric.rubric.lab)
    results: list[CriterionResult] = []
    gates_ok = True
    for c in rubric.rubric.criteria:
        if c.manual:
            result = _manual(c, panel, rubric.rubric.moderation_spread)
            results.append(result)
            gates_ok = gates_ok and not (c.gate and result.status != "pass")
            continue
        spec = checks[c.check]
        try:
            outcome = spec.func(context, rubric.params[c.id], _reveal(c.reveal, audience))
        except Exception as exc:  # a crashing check is reported against its name, not a crash
            # Details for maintainers only (GRADER_DEBUG=1): learners never see a traceback.
            log.debug("check %s failed", c.check, exc_info=True)
            results.append(CriterionResult(
                id=c.id, title=c.title, status="error", score=0.0, max_score=float(c.points),
                feedback=f"The check '{c.check}' failed inside the grader ({type(exc).__name__}); "
                         "this is a grader bug, please report it. No points were awarded for it.",
                visibility=c.visibility, gate=c.gate))
            gates_ok = gates_ok and not c.gate
            continue
        fraction = outcome.fraction if (c.partial_credit or outcome.passed) else 0.0
        if outcome.passed:
            status = "pass"
        else:
            status = "partial" if fraction > 0 else "fail"
        results.append(CriterionResult(
            id=c.id, title=c.title, status=status, score=float(c.points) * fraction, max_score=float(c.points),
            feedback=outcome.feedback, visibility=c.visibility, gate=c.gate,
            hint=c.hint if status != "pass" else None,
            file=outcome.file if status != "pass" else None, line=outcome.line if status != "pass" else None))
        if c.gate and not outcome.passed:
            gates_ok = False
    score = float(sum(r.score for r in results))
    max_score = rubric.rubric.max_score
    percent = score / max_score if max_score else 0.0
    pending = sum(r.max_score for r in results if r.status == "manual")
    passed = gates_ok and (rubric.rubric.pass_percent is None or percent >= rubric.rubric.pass_percent)
    return GradeReport(learner=None, lab=rubric.rubric.lab, grader_version=__version__, score=score,
                       max_score=max_score, percent=percent, passed=passed, criteria=results,
                       rubric=RubricRef(id=rubric.id, version=rubric.rubric.version, sha256=rubric.sha256),
                       max_reachable_percent=(score + pending) / max_score if pending and max_score else None)
