"""The command line: the only place that prints, writes files or exits (architecture.md)."""
from __future__ import annotations

import atexit
import functools
import gc
import os
import sys
from pathlib import Path
from typing import Callable

import click

from grader import __version__
from grader.errors import ExitCode, GraderError, UsageError

# Pydantic plugins (observability hooks) would see every learner's data, and finding them scans every
# installed package's metadata on each start (about 25 ms): off in the command line unless the
# environment says otherwise (PYDANTIC_DISABLE_PLUGINS= turns them back on).
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
# At exit, CPython's last collections walk every object the imports made (about 50 ms, longer than
# most commands' own work); the process is ending, so move them out of the collector's sight first.
# Registered when the CLI is imported, before any command registers its own, so it runs after them.
atexit.register(gc.freeze)

FORMATS = ("terminal", "json", "gradescope", "junit", "markdown", "classroom", "html")   # = REPORTERS keys (tested)


def _boundary(func: Callable) -> Callable:
    """Turn every error into a message and an exit code; tracebacks only with GRADER_DEBUG=1."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            code = func(*args, **kwargs)
        except GraderError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(int(exc.exit_code))
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)
        except Exception as exc:  # a bug: say so, without a traceback unless asked
            if os.environ.get("GRADER_DEBUG"):
                raise
            click.echo(f"internal error: {type(exc).__name__}: {exc}\nThis is a bug in grader {__version__}; "
                       "please report it with the command you ran (set GRADER_DEBUG=1 for details).", err=True)
            sys.exit(int(ExitCode.INTERNAL))
        sys.exit(int(code or 0))

    return wrapper


def _exit_code(report) -> ExitCode:
    if report.errors:
        return ExitCode.INVALID_SUBMISSION
    return ExitCode.PASSED if report.passed else ExitCode.NOT_PASSED


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        click.echo(text, nl=False)
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")


def _color(output: Path | None) -> bool:
    return output is None and sys.stdout.isatty() and not os.environ.get("NO_COLOR")


course_option = click.option("--course", "course_path", type=click.Path(path_type=Path, dir_okay=False),
                             help="Course file (default: the shipped MOD-304 course).")
dataset_option = click.option("--dataset", "dataset_path", type=click.Path(path_type=Path, file_okay=False),
                              help="Dataset folder to grade against, instead of the course's.")
format_option = click.option("--format", "fmt", type=click.Choice(FORMATS), default="terminal", show_default=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="grader")
def main() -> None:
    """Grade MOD-304 "Cost Optimization & FinOps" submissions against recomputed figures."""
    if os.environ.get("GRADER_DEBUG"):
        import logging

        logging.basicConfig(level=logging.DEBUG, format="%(levelname)s %(name)s: %(message)s")


def _load_course(course_path: Path | None):
    """The course file, its size limits applied for this process."""
    from grader import limits
    from grader.loaders.course import load_course

    course = load_course(course_path)
    if course.course.limits is not None:
        limits.configure(course.course.limits)
    return course


def _grade(submission: Path, course_path: Path | None, dataset_path: Path | None, audience: str,
           panel: Path | None = None):
    from grader.engine import GradeOptions, grade_submission

    course = _load_course(course_path)
    return grade_submission(submission, course, GradeOptions(audience=audience, dataset=dataset_path, panel=panel))


@main.command()
@click.argument("submission", type=click.Path(exists=True, path_type=Path))
@course_option
@dataset_option
@click.option("--format", "fmts", type=click.Choice(FORMATS), multiple=True, default=("terminal",),
              show_default=True, help="Repeat for several formats (with --output-dir).")
@click.option("--output", type=click.Path(path_type=Path, dir_okay=False), help="Write the report to this file.")
@click.option("--output-dir", type=click.Path(path_type=Path, file_okay=False),
              help="Write one file per --format here (result.json, results.json, junit.xml, summary.md, ...).")
@click.option("--panel", "panel_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Panel scores for manual criteria (default: panel.yaml in the submission).")
@click.option("--audience", type=click.Choice(["instructor", "learner"]), default="instructor", show_default=True,
              help="learner: feedback shows only whether a figure is too high or low, and a panel.yaml inside "
                   "the submission is ignored (for Gradescope and CI, where learners see the output).")
@_boundary
def grade(submission: Path, course_path: Path | None, dataset_path: Path | None, fmts: tuple[str, ...],
          output: Path | None, output_dir: Path | None, panel_path: Path | None, audience: str):
    """Grade one SUBMISSION (a folder or a .zip) for instructors and CI.

    Exit 0 passed, 1 not passed, 2 usage or configuration error, 3 invalid submission, 4 bug.
    """
    from grader.reporters import FILE_NAMES, REPORTERS

    if len(fmts) > 1 and output_dir is None:
        raise UsageError("several --format need --output-dir, which receives one file per format.")
    if output is not None and output_dir is not None:
        raise UsageError("use --output or --output-dir, not both.")
    try:
        report = _grade(submission, course_path, dataset_path, audience, panel_path)
    except Exception as exc:
        if "gradescope" in fmts:   # Gradescope needs a valid results.json even when grading failed
            from grader.reporters.gradescope import failure

            target = output_dir / FILE_NAMES["gradescope"] if output_dir else output
            _emit(failure(str(exc)), target)
        raise
    if output_dir is not None:
        for fmt in fmts:
            _emit(REPORTERS[fmt](report), output_dir / FILE_NAMES[fmt])
    else:
        _emit(REPORTERS[fmts[0]](report, color=_color(output)), output)
    return _exit_code(report)


@main.command()
@click.argument("submission", type=click.Path(exists=True, path_type=Path))
@course_option
@dataset_option
@format_option
@_boundary
def check(submission: Path, course_path: Path | None, dataset_path: Path | None, fmt: str):
    """Self-check a SUBMISSION before handing it in: visible criteria only, with hints."""
    from grader.reporters import REPORTERS
    from grader.reporters.views import learner_view

    report = learner_view(_grade(submission, course_path, dataset_path, "learner"))
    _emit(REPORTERS[fmt](report, color=_color(None)), None)
    return _exit_code(report)


def _progress(total: int):
    """A progress bar on a terminal; plain lines in CI and pipes."""
    if sys.stderr.isatty() and not os.environ.get("CI"):
        from rich.progress import Progress

        progress = Progress(transient=True)
        task = progress.add_task("grading", total=total)
        progress.start()
        return (lambda name: progress.advance(task)), progress.stop
    done = [0]

    def line(name: str) -> None:
        done[0] += 1
        click.echo(f"[{done[0]}/{total}] {name}", err=True)

    return line, (lambda: None)


@main.command()
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@course_option
@click.option("--lab", help="Grade only submissions of this lab.")
@click.option("--jobs", type=click.IntRange(1, 256), default=None, help="Worker processes (default: all cores).")
@click.option("--db", "db_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Record every attempt in this SQLite gradebook (created if missing).")
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False),
              help="Write one result JSON per learner and lab into this folder.")
@click.option("--format", "fmts", type=click.Choice(FORMATS), multiple=True,
              help="Also write these formats into --out, per learner and lab (e.g. html, junit).")
@click.option("--regrade", is_flag=True, help="Grade again what the gradebook already holds.")
@click.option("--shard", "shard_spec", help="I/N: grade a deterministic 1/N of the cohort (for CI fleets).")
@_boundary
def batch(folder: Path, course_path: Path | None, lab: str | None, jobs: int | None, db_path: Path | None,
          out_dir: Path | None, fmts: tuple[str, ...], regrade: bool, shard_spec: str | None):
    """Grade every submission (sub-folder, .zip or notebook) inside FOLDER, in parallel.

    Exit 0 when every submission was graded, whatever the scores.
    """
    import contextlib
    import json

    from grader import batch as engine
    from grader.engine import rubric_for
    from grader.gradebook.store import Gradebook

    if fmts and out_dir is None:
        raise UsageError("--format needs --out, the folder that receives the files.")
    if out_dir is not None:
        from grader.reporters import SUFFIXES
    course = _load_course(course_path)
    paths = engine.discover(folder)
    if shard_spec:
        try:
            index, count = (int(x) for x in shard_spec.split("/"))
        except ValueError:
            index = count = 0
        if not 1 <= index <= count:
            raise UsageError(f"--shard takes I/N with 1 <= I <= N, not {shard_spec!r}.")
        paths = list(engine.shard(paths, index, count))
    if not paths:
        raise UsageError(f"no submissions (folders, .zip files or notebooks) in {folder}.")
    if lab:
        paths = [p for p in paths if _lab_of(p) in (lab, None)]
    book = Gradebook(db_path) if db_path else None
    skip = None
    if book is not None and not regrade:
        shas = {""}          # attempts too broken to name a lab carry no rubric: unchanged is unchanged
        for lab_id in course.course.labs:
            try:
                shas.add(rubric_for(course, lab_id).sha256)
            except GraderError:
                pass
        skip = (book.graded_hashes(), frozenset(shas))
    rows: list[tuple[str, str, str, str, str]] = []
    skipped = 0
    worst = ExitCode.PASSED
    advance, stop = _progress(len(paths))

    def done_one(outcome) -> None:
        nonlocal worst, skipped
        name = outcome.path.name
        advance(name)
        if outcome.skipped:
            skipped += 1
            return
        if outcome.result_json is None:
            rows.append((name, "-", "-", "-", f"not graded: {outcome.error}"))
            worst = max(worst, ExitCode(outcome.exit_code))
            return
        result = outcome.head if outcome.head is not None else json.loads(outcome.result_json)
        if book is not None:
            book.record(result, source=str(outcome.path), content_sha256=outcome.content_sha256,
                        submission_zip=outcome.submission_zip, name=outcome.name, email=outcome.email,
                        submitted_at=outcome.submitted_at, result_text=outcome.result_json)
        if out_dir is not None:
            stem = f"{result['learner']}.{result['lab']}" if result.get("learner") else outcome.path.stem
            for fmt, text in (outcome.rendered or {}).items():
                _emit(text, out_dir / f"{stem}.{SUFFIXES[fmt]}")
        state = "invalid" if result["errors"] else ("passed" if result["passed"] else "not passed")
        rows.append((name, result.get("learner") or "?", result.get("lab") or "?",
                     f"{result['score']:.1f}/{result['max_score']:.0f}", state))

    formats = tuple(dict.fromkeys(("json",) + fmts)) if out_dir is not None else ()
    try:
        with book.grouped() if book is not None else contextlib.nullcontext():
            engine.run(course, paths, jobs or engine.default_workers(), done_one, formats, skip)
    finally:
        stop()
        if book is not None:
            book.close()
    width = max((len(r[0]) for r in rows), default=10)
    if rows:                              # one write, not one per line: a cohort has thousands
        click.echo("\n".join(f"{name:<{width}}  {learner:<12} {lab_id:<10} {score:>10}  {state}"
                             for name, learner, lab_id, score, state in sorted(rows)))
    graded = sum(1 for r in rows if r[1] != "-")
    summary = f"{graded} of {len(rows)} submission(s) graded"
    if skipped:
        summary += f"; {skipped} unchanged since the gradebook recorded them (use --regrade to grade again)"
    click.echo(summary + (f"; results in {out_dir}" if out_dir else ""))
    return worst


def _lab_of(path: Path) -> str | None:
    from grader.loaders.submission import open_submission, read_manifest

    try:
        files = open_submission(path)
        try:
            return read_manifest(files).lab
        finally:
            files.close()
    except GraderError:
        return None


@main.command()
@click.argument("target", type=click.Path(path_type=Path, dir_okay=False))
@click.argument("shards", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path, dir_okay=False))
@_boundary
def merge(target: Path, shards: tuple[Path, ...]):
    """Combine shard gradebooks (from `batch --shard I/N`) into TARGET."""
    from grader.gradebook.store import Gradebook

    with Gradebook(target) as book:
        for shard_path in shards:
            click.echo(f"{shard_path}: {book.merge_from(shard_path)} attempt(s) added")


@main.command()
@click.option("--db", "db_path", required=True, type=click.Path(exists=True, path_type=Path, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["csv"]), default="csv", show_default=True)
@click.option("--policy", type=click.Choice(["latest", "best"]), default="latest", show_default=True,
              help="Which attempt counts when a learner has several.")
@click.option("--output", type=click.Path(path_type=Path, dir_okay=False), help="Write here instead of stdout.")
@_boundary
def export(db_path: Path, fmt: str, policy: str, output: Path | None):
    """Export the gradebook for an LMS: one row per learner, a score and a passed column per lab."""
    from grader.gradebook.export import csv_text
    from grader.gradebook.store import Gradebook

    with Gradebook(db_path) as book:
        _emit(csv_text(book, policy), output)


@main.command()
@click.option("--db", "db_path", required=True, type=click.Path(exists=True, path_type=Path, dir_okay=False))
@click.option("--out", "out_file", required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--policy", type=click.Choice(["latest", "best"]), default="latest", show_default=True)
@course_option
@_boundary
def report(db_path: Path, out_file: Path, policy: str, course_path: Path | None):
    """Write the cohort report (self-contained HTML): scores, hardest criteria, late work, similarity,
    and (per-learner variants) figures that come from another learner's variant."""
    import io
    import zipfile

    from grader.datagen.variation import variant_id
    from grader.gradebook.store import Gradebook
    from grader.reporters.cohort import render

    course = _load_course(course_path)
    seed = course.course.variant_seed

    with Gradebook(db_path) as book:
        chosen = list(book.chosen(policy).values())
        texts = {}
        for a in chosen:
            with zipfile.ZipFile(io.BytesIO(book.submission_zip(a.id))) as z:
                texts[a.id] = "\n".join(z.read(n).decode("utf-8", "replace") for n in sorted(z.namelist())
                                        if not n.endswith("submission.yaml") and z.getinfo(n).file_size < 2_000_000)
    owners = {variant_id(seed, a.learner_id): a.learner_id for a in chosen} if seed is not None else {}
    _emit(render(chosen, texts, course.course.course, owners), out_file)
    click.echo(f"wrote {out_file}: {len({a.learner_id for a in chosen})} learner(s)")


@main.command()
@click.option("--db", "db_path", required=True, type=click.Path(exists=True, path_type=Path, dir_okay=False))
@click.option("--lab", required=True)
@course_option
@_boundary
def regrade(db_path: Path, lab: str, course_path: Path | None):
    """Re-score every learner's latest LAB attempt with the current rubric; list what changed."""
    import json
    import tempfile

    from grader.engine import GradeOptions, grade_submission
    from grader.gradebook.store import Gradebook
    from grader.reporters import json_report

    course = _load_course(course_path)
    changed = 0
    with Gradebook(db_path) as book, tempfile.TemporaryDirectory() as tmp:
        latest = {k: a for k, a in book.chosen("latest").items() if k[1] == lab}
        for (learner, _), attempt in sorted(latest.items()):
            archive = Path(tmp) / f"{attempt.id}.zip"
            archive.write_bytes(book.submission_zip(attempt.id))
            report = grade_submission(archive, course, GradeOptions())
            result = json.loads(json_report.render(report))
            book.record(result, source=attempt.source, content_sha256=attempt.content_sha256,
                        submission_zip=book.submission_zip(attempt.id), submitted_at=attempt.submitted_at)
            if (result["score"], result["passed"]) != (attempt.score, attempt.passed):
                changed += 1
                click.echo(f"{learner}: {attempt.score:.2f} -> {result['score']:.2f}"
                           + (f", {'passed' if result['passed'] else 'not passed'} (was "
                              f"{'passed' if attempt.passed else 'not passed'})" if result["passed"] != attempt.passed
                              else ""))
        click.echo(f"{len(latest)} {lab} attempt(s) re-scored; {changed} changed.")


@main.group()
def rubric() -> None:
    """Validate rubric files; show what a lab's rubric grades."""


@rubric.command("validate")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_boundary
def rubric_validate(file: Path):
    """Check FILE: every criterion's check exists and its params are valid (all problems at once)."""
    from grader.loaders.rubric import load_rubric

    loaded = load_rubric(file)
    r = loaded.rubric
    click.echo(f"{file}: valid rubric {r.id} v{r.version} for {r.lab}: {len(r.criteria)} criteria, "
               f"{r.max_score:g} points.")


@rubric.command("show")
@click.argument("lab")
@course_option
@_boundary
def rubric_show(lab: str, course_path: Path | None):
    """What LAB (lab1, lab2, lab3, assessment) is graded on and how, for learners."""
    from grader.checks import registry
    from grader.engine import rubric_for

    course = _load_course(course_path)
    loaded = rubric_for(course, lab)
    r = loaded.rubric
    checks = registry(lab)
    click.echo(f"{course.lab(lab).title} ({lab}) — rubric {r.id} v{r.version}, {r.max_score:g} points\n")
    hidden = [c for c in r.criteria if c.visibility == "hidden"]
    for c in r.criteria:
        if c.visibility == "hidden":
            continue
        gate = "  [must pass to pass the lab]" if c.gate else ""
        click.echo(f"- {c.title} ({c.points:g} points){gate}")
        about = c.description or (checks[c.check].doc.splitlines()[0] if c.check else "Scored by the panel, 0–10.")
        click.echo(f"    {about}")
        credit = "partial credit" if c.partial_credit else "all or nothing"
        click.echo(f"    {credit}")
    if hidden:
        click.echo(f"\n{len(hidden)} hidden criteria worth {sum(c.points for c in hidden):g} points are graded "
                   "after you hand in.")
    if r.pass_percent is not None:
        click.echo(f"\nThe lab also needs {r.pass_percent:.0%} of the points to pass.")


@main.group()
def dataset() -> None:
    """Course datasets."""


@dataset.command("generate")
@click.option("--seed", type=int, default=None, help="Random seed (default 304). Same seed, same bytes.")
@click.option("--months", type=click.IntRange(1, 24), default=None, help="Whole months to generate (default 3).")
@click.option("--start", type=str, default=None, help="First month, YYYY-MM (default 2026-07).")
@click.option("--out", "out_dir", required=True, type=click.Path(path_type=Path, file_okay=False))
@_boundary
def dataset_generate(seed: int | None, months: int | None, start: str | None, out_dir: Path):
    """Generate the ai-platform dataset (FOCUS billing, utilisation, metrics, budgets) into OUT."""
    import re

    from grader.datagen import ai_platform

    start = start or ai_platform.DEFAULT_START
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", start):
        raise UsageError(f"--start must be a month as YYYY-MM, not {start!r}.")
    summary = ai_platform.generate(out_dir, seed=ai_platform.DEFAULT_SEED if seed is None else seed,
                                   months=months or ai_platform.DEFAULT_MONTHS, start=start)
    click.echo(f"wrote {out_dir}: {summary['rows']:,} billing rows, {summary['bytes']:,} bytes "
               f"(instructor-only answers in {out_dir / 'instructor'})")


@main.group()
def gradescope() -> None:
    """Gradescope autograder bundles."""


@gradescope.command("build")
@course_option
@click.option("--lab", required=True, help="The lab to grade: lab1, lab2, lab3 or assessment.")
@click.option("--out", "out_file", required=True, type=click.Path(path_type=Path, dir_okay=False),
              help="The autograder zip to write (upload it as the assignment's autograder).")
@_boundary
def gradescope_build(course_path: Path | None, lab: str, out_file: Path):
    """Write a ready Gradescope autograder zip for LAB: setup.sh, run_autograder, the rubric and data."""
    from grader.engine import rubric_for
    from grader.integrations.gradescope import build

    course = _load_course(course_path)
    rubric_for(course, lab)                     # a broken rubric fails here, not on Gradescope
    data = build(course, lab)
    out_file.parent.mkdir(parents=True, exist_ok=True)
    out_file.write_bytes(data)
    click.echo(f"wrote {out_file} ({len(data):,} bytes) for {lab}; hidden criteria show after grades are published.")


class _CiGroup(click.Group):
    """`grader ci SUBMISSION` runs `grader ci run SUBMISSION`; `grader ci init` writes a workflow."""

    def parse_args(self, ctx, args):
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["run", *args]
        return super().parse_args(ctx, args)


@main.group(cls=_CiGroup)
def ci() -> None:
    """GitHub Actions and GitHub Classroom: `grader ci SUBMISSION`, `grader ci init`."""


@ci.command("run")
@click.argument("submission", type=click.Path(exists=True, path_type=Path))
@course_option
@dataset_option
@click.option("--output-dir", type=click.Path(path_type=Path, file_okay=False),
              help="Also write result.json, junit.xml and summary.md here.")
@_boundary
def ci_run(submission: Path, course_path: Path | None, dataset_path: Path | None, output_dir: Path | None):
    """Grade SUBMISSION in CI as the learner sees it: step summary, annotations, Classroom result, exit code."""
    from grader.integrations.github import annotations, ci_view
    from grader.labs import lab_spec
    from grader.reporters import FILE_NAMES, REPORTERS

    report = ci_view(_grade(submission, course_path, dataset_path, "learner"))
    click.echo(REPORTERS["terminal"](report, color=False), nl=False)
    spec = lab_spec(report.lab) if report.lab else None
    main_file = spec.files[0] if spec else None
    for line in annotations(report, submission if submission.is_dir() else submission.parent, main_file):
        click.echo(line)
    for variable, text in (("GITHUB_STEP_SUMMARY", REPORTERS["markdown"](report) + "\n"),
                           ("GITHUB_OUTPUT", REPORTERS["classroom"](report))):
        target = os.environ.get(variable)
        if target:
            try:
                with open(target, "a", encoding="utf-8") as f:
                    f.write(text)
            except OSError as exc:    # the grade stands; only this side channel is lost
                click.echo(f"warning: cannot write ${variable} ({exc.strerror}: {target})", err=True)
    if output_dir is not None:
        for fmt in ("json", "junit", "markdown"):
            _emit(REPORTERS[fmt](report), output_dir / FILE_NAMES[fmt])
    from grader.reporters.common import points

    click.echo(f"Points {points(report.score)}/{points(report.max_score)}")
    return _exit_code(report)


@ci.command("init")
@click.option("--lab", default="lab2", show_default=True, help="The lab the repository holds.")
@click.option("--submission", default=".", show_default=True, help="The submission folder inside the repository.")
@click.option("--package", default="finops-grader", show_default=True, help="What `pip install` installs.")
@click.option("--repo", "repo", default=".", type=click.Path(path_type=Path, file_okay=False), show_default=True)
@click.option("--force", is_flag=True, help="Replace an existing workflow.")
@_boundary
def ci_init(lab: str, submission: str, package: str, repo: Path, force: bool):
    """Write .github/workflows/grade.yml for a learner's repository (GitHub Classroom ready)."""
    from grader.integrations.github import workflow
    from grader.labs import LAB_MODULES

    if lab not in LAB_MODULES:
        raise UsageError(f"--lab must be one of {', '.join(LAB_MODULES)}.")
    target = repo / ".github" / "workflows" / "grade.yml"
    if target.exists() and not force:
        raise UsageError(f"{target} exists; use --force to replace it.")
    _emit(workflow(lab, submission, package), target)
    click.echo(f"wrote {target}")


@dataset.command("variants")
@course_option
@click.option("--roster", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="CSV with a learner id column (id, learner or learner_id).")
@click.option("--out", "out_dir", required=True, type=click.Path(path_type=Path, file_okay=False))
@click.option("--jobs", type=click.IntRange(1, 256), default=None, help="Worker processes (default: all cores).")
@click.option("--without-answers", is_flag=True,
              help="Leave out each variant's instructor/ folder (the injected anomalies), for copies to hand out.")
@_boundary
def dataset_variants(course_path: Path | None, roster: Path, out_dir: Path, jobs: int | None, without_answers: bool):
    """Generate each roster learner's own dataset variant into OUT/<learner id>/, and OUT/index.json.

    Every variant derives from the course's variant_seed and the learner id alone: the same id gives
    the same bytes. Point the course's variant_cache at OUT so grading reads them (checked by sha256)
    instead of regenerating; index.json also lets the grader recognise figures copied from another
    learner's variant. Keep index.json away from learners: it holds every variant's reference figures.
    """
    import time

    from grader import batch as engine
    from grader import variants
    from grader.loaders.roster import read_roster

    course = _load_course(course_path)
    learners = read_roster(roster)
    advance, stop = _progress(len(learners))
    started = time.perf_counter()
    try:
        summary = variants.write_cache(course, learners, out_dir, jobs or engine.default_workers(),
                                       answers=not without_answers, progress=advance)
    finally:
        stop()
    seconds = time.perf_counter() - started
    click.echo(f"wrote {summary['learners']} variant(s) of {summary['dataset']} into {out_dir} in {seconds:.1f} s: "
               f"{summary['bytes'] / 1e6:,.1f} MB (index.json {summary['index_bytes'] / 1e3:,.0f} kB)")
    if not variants.enabled(course) or variants.cache_dir(course) != out_dir.resolve():
        click.echo(f"grade with them: set `variants: per_learner` and `variant_cache: <path of {out_dir} relative "
                   f"to {course.path.name}>` in the course file.")


@dataset.command("cache")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@_boundary
def dataset_cache(folder: Path):
    """Write FOLDER/reference-cache.json, so that grading lab1, lab2 and lab3 against it needs no
    recomputation (and no pandas).

    The cache names the billing file's sha256 and is ignored once the billing file changes.
    """
    from grader.labs.reference_cache import FILE as CACHE_FILE, text as cache_text
    from grader.loaders.dataset import load_dataset

    _emit(cache_text(load_dataset(folder, reuse=False)), folder / CACHE_FILE)
    click.echo(f"wrote {folder / CACHE_FILE}")


if __name__ == "__main__":  # pragma: no cover
    main()
