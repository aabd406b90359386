"""Grade a cohort: find submissions, grade them in parallel processes, record each result at once.

Reference figures are computed in the parent before the workers start; the workers are forked, so
they inherit them instead of recomputing them. The parent sends paths only; a worker reads each
submission once, for its content hash, its grade and the copy the gradebook keeps. Only the parent writes the gradebook, one
transaction per result, so a batch killed half-way loses nothing and resumes where it stopped.
"""
from __future__ import annotations

import gc
import hashlib
import io
import os
import zipfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Callable, Iterator

from grader import __version__
from grader.errors import GraderError
from grader.loaders.course import LoadedCourse
from grader import limits
from grader.loaders.submission import IGNORED


@dataclass(frozen=True)
class Outcome:
    path: Path
    content_sha256: str              # over the files' names and bytes (a zip's own bytes)
    result_json: str | None          # the result as the gradebook stores it (compact, sorted keys)
    error: str | None                # a configuration problem or a grader bug, when it could not be graded
    exit_code: int
    submission_zip: bytes = b""      # the files as the gradebook stores them
    name: str | None = None
    email: str | None = None
    submitted_at: str | None = None
    rendered: dict[str, str] | None = None   # the formats asked for, rendered in the worker
    skipped: bool = False            # unchanged since the gradebook recorded it
    head: dict | None = None         # the result's fields the gradebook and the summary table read


def discover(folder: Path) -> list[Path]:
    """Submissions directly inside `folder`: sub-folders, .zip files and single notebooks."""
    return sorted(p for p in folder.iterdir()
                  if not p.name.startswith(".") and p.name not in IGNORED
                  and (p.is_dir() or p.suffix.lower() in (".zip", ".ipynb")) and not p.is_symlink())


def _stable_zip(files: list[tuple[str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in sorted(files):
            archive.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data)
    return buf.getvalue()


def _files(path: Path) -> list[tuple[str, bytes]]:
    if path.is_dir():
        files = []
        for f in sorted(path.rglob("*")):
            rel = f.relative_to(path)
            if f.is_symlink() or not f.is_file() or any(p in IGNORED or p.startswith("._") for p in rel.parts):
                continue
            if f.stat().st_size <= limits.current.max_file_bytes:
                files.append((rel.as_posix(), f.read_bytes()))
        return files
    return [(path.name, path.read_bytes() if path.stat().st_size <= 4 * limits.current.max_file_bytes else b"")]


def _digest(path: Path, files: list[tuple[str, bytes]]) -> str:
    if path.is_dir():
        return hashlib.sha256(b"".join(hashlib.sha256(n.encode() + b"\0" + d).digest() for n, d in files)).hexdigest()
    return hashlib.sha256(files[0][1]).hexdigest()


def fingerprint(path: Path) -> str:
    """The submission's content hash (over its files' names and bytes; a zip's own bytes)."""
    return _digest(path, _files(path))


def stored_zip(path: Path, files: list[tuple[str, bytes]] | None = None) -> bytes:
    """The submission as the gradebook stores it: a zip as it came, else a zip of its files."""
    files = _files(path) if files is None else files
    if path.is_file() and path.suffix.lower() == ".zip":
        return files[0][1]
    return _stable_zip(files)


# ---- workers ------------------------------------------------------------------------------------

_COURSE: LoadedCourse | None = None
_FORMATS: tuple[str, ...] = ()
_SKIP: tuple[set[tuple[str, str, str]], frozenset[str]] | None = None


def warm(course: LoadedCourse) -> None:
    """Load every rubric and compute each dataset's reference tables once, before forking."""
    from grader.engine import rubric_for
    from grader.loaders.dataset import load_dataset
    from grader.loaders.markdown_doc import sections

    if _FORMATS:                              # imported once here, not in each worker
        from grader.reporters import REPORTERS  # noqa: F401
    global _COURSE
    _COURSE = course
    sections("")                              # builds the Markdown parser once for all workers
    if course.course.variants == "per_learner":
        # Each learner has their own dataset, built in the worker that meets them first; only the
        # code is loaded here, once.
        from grader.labs import lab_spec

        for lab_id in course.course.labs:
            lab_spec(lab_id)
            try:
                rubric_for(course, lab_id)
            except GraderError:
                pass                          # reported per submission, where it matters
        import pandas  # noqa: F401
        return
    for lab_id in course.course.labs:
        try:
            rubric_for(course, lab_id)
            path = course.dataset_path(lab_id)
        except GraderError:
            continue                      # reported per submission, where it matters
        if path is None:
            continue
        dataset = load_dataset(path)
        # From the dataset's reference cache when it is current (no pandas), else from the data.
        if lab_id == "lab1":
            from grader.labs import lab1
            if lab1._cached(dataset) is None:
                lab1.base(dataset)
        elif lab_id == "lab2":
            from grader.labs import lab2
            lab2.reference_cells(dataset)
        elif lab_id == "lab3":
            from grader.labs import lab3
            for month in lab3._months(dataset):
                lab3._month_rows(dataset, month, set())


HEAD = ("learner", "lab", "rubric", "grader_version", "score", "max_score", "percent", "passed", "errors", "late")


def _grade(path: Path) -> Outcome:
    import json

    from grader.engine import GradeOptions, grade_with_manifest

    assert _COURSE is not None
    files = _files(path)                  # read once: for the hash and for the stored copy
    sha = _digest(path, files)
    if _SKIP is not None and any((sha, rubric, GRADER_VERSION) in _SKIP[0] for rubric in _SKIP[1]):
        return Outcome(path, sha, None, None, 0, skipped=True)
    try:
        report, manifest = grade_with_manifest(path, _COURSE, GradeOptions())
        # Compact text for the gradebook (json's C encoder; an indented dump takes its slow path).
        result = report.to_json_dict()
        stored = json.dumps(result, sort_keys=True, allow_nan=False)
        head = {k: result[k] for k in HEAD if k in result}     # so the parent need not parse `stored` again
        rendered = None
        if _FORMATS:
            from grader.reporters import REPORTERS
            rendered = {fmt: REPORTERS[fmt](report) for fmt in _FORMATS}
    except GraderError as exc:
        return Outcome(path, sha, None, exc.message, int(exc.exit_code))
    except Exception as exc:  # noqa: BLE001 - one bad submission never stops a batch
        return Outcome(path, sha, None, f"internal error: {type(exc).__name__}: {exc}", 4)
    learner = manifest.learner if manifest else None
    submitted = manifest.submitted_at.isoformat() if manifest and manifest.submitted_at else None
    code = 3 if report.errors else (0 if report.passed else 1)
    return Outcome(path, sha, stored, None, code, stored_zip(path, files),
                   learner.name if learner else None, learner.email if learner else None, submitted, rendered,
                   head=head)


def run(course: LoadedCourse, paths: list[Path], workers: int, on_done: Callable[[Outcome], None],
        formats: tuple[str, ...] = (), skip: tuple[set[tuple[str, str, str]], frozenset[str]] | None = None) -> None:
    """Grade `paths` with `workers` processes (1: in this process), calling on_done for each, in
    order; `formats` are rendered besides the stored result. `skip` = (the gradebook's (content,
    rubric, grader version) triples, the course's rubric hashes): submissions already graded so
    come back as skipped."""
    global _FORMATS, _SKIP
    _FORMATS, _SKIP = tuple(formats), skip
    warm(course)
    # What warm() built lives for the whole batch: frozen, the collector never walks it again, and
    # forked workers do not copy its pages by walking it either.
    gc.freeze()
    try:
        if workers <= 1 or len(paths) <= 1:
            for path in paths:
                on_done(_grade(path))
            return
        # In order, a few per round trip: the gradebook fills in the same order on every run, and
        # the pipes carry a handful of messages per worker instead of one per submission.
        chunk = max(1, min(16, len(paths) // (workers * 8)))
        with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("fork")) as pool:
            for outcome in pool.map(_grade, paths, chunksize=chunk):
                on_done(outcome)
    finally:
        gc.unfreeze()                         # a caller living on (tests, a service) collects as before


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def shard(paths: list[Path], index: int, count: int) -> Iterator[Path]:
    """A deterministic 1/count of the cohort: by a hash of each submission's name, not its position."""
    for p in paths:
        if int(hashlib.sha256(p.name.encode()).hexdigest(), 16) % count == index - 1:
            yield p


GRADER_VERSION = __version__
