"""Per-learner dataset variants at grading time (issue 10).

With `variants: per_learner` in the course file, a learner's submission is graded on their own
variant of each generated dataset, derived from (course `variant_seed`, learner id) by
grader.datagen.variation. The variant is read from the course's `variant_cache` (written by
`grader dataset variants`, every file checked against the sha256 its index records) or, when the
cache lacks it or does not check out, regenerated in a private temporary folder, read into memory
and deleted at once. Either way it is built once per process.

The cache index also holds each variant's *signature*: the distinctive reference figures of every
lab (grader.labs.*.signature). A submission whose figures match another learner's variant better
than its own is not graded: it says whose variant id it matches (never whose learner id).
"""
from __future__ import annotations

import hashlib
import json
import re
import shutil
import tempfile
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.datagen.variation import GENERATOR_VERSION, variant_id, variation
from grader.errors import ConfigError, SubmissionError
from grader.loaders.course import LoadedCourse
from grader.loaders.dataset import OPTIONAL_TABLES, Dataset, load_dataset
from grader.models.problems import Problem

INDEX = "index.json"
INDEX_SCHEMA = 1
SAFE_FOLDER = re.compile(r"[A-Za-z0-9_@-][A-Za-z0-9._@-]{0,63}")


def enabled(course: LoadedCourse) -> bool:
    return course.course.variants == "per_learner"


def own_id(course: LoadedCourse, learner: str) -> str:
    if course.course.variant_seed is None:       # the course model requires it with per_learner
        raise ConfigError(f"{course.path.name} gives no variant_seed.")
    return variant_id(course.course.variant_seed, learner)


def cache_dir(course: LoadedCourse) -> Path | None:
    ref = course.course.variant_cache
    return (course.base / ref).resolve() if ref else None


def generation(base: Dataset) -> tuple[str, int]:
    """(first month, months) a variant of `base` is generated over; a ConfigError when `base` is not
    a dataset the grader's generator made."""
    s = base.settings
    if s.name != "ai-platform" or s.start is None or s.months is None or s.variant is not None:
        raise ConfigError(
            f"dataset {base.path} cannot have per-learner variants: only a dataset written by `grader dataset "
            "generate` (its dataset.yaml names start and months, and no learner's variant) can.",
            [Problem(file="dataset.yaml", message="start, months or name: ai-platform missing, or it is a variant.",
                     fix="regenerate the base dataset with `grader dataset generate`, or set variants: shared.")])
    return s.start, s.months


# ---- the cache ------------------------------------------------------------------------------------

_INDEXES: dict[tuple[Path, int, int], dict | None] = {}


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_index(course: LoadedCourse, lab_id: str) -> dict | None:
    """The cache's index when it was made for this course, seed, generator and the lab's dataset,
    else None."""
    folder = cache_dir(course)
    path = folder / INDEX if folder else None
    if path is None or not path.is_file():
        return None
    stat = path.stat()
    key = (path, stat.st_mtime_ns, stat.st_size)
    if key not in _INDEXES:
        try:
            data = json.loads(path.read_bytes())
        except (OSError, ValueError):
            data = None
        _INDEXES[key] = data if isinstance(data, dict) and isinstance(data.get("variants"), dict) else None
    data = _INDEXES[key]
    if data is None:
        return None
    start, months = generation(load_dataset(course.dataset_path(lab_id)))
    made_for = (data.get("schema"), data.get("generator_version"), data.get("course"), data.get("course_seed"),
                data.get("dataset"), data.get("start"), data.get("months"))
    wanted = (INDEX_SCHEMA, GENERATOR_VERSION, course.course.course, course.course.variant_seed,
              course.lab(lab_id).dataset, start, months)
    return data if made_for == wanted else None


def _cached_folder(course: LoadedCourse, lab_id: str, learner: str) -> Path | None:
    """The learner's cached variant folder, if every file it lists has the recorded sha256."""
    index = read_index(course, lab_id)
    entry = index["variants"].get(learner) if index else None
    if not isinstance(entry, dict) or not SAFE_FOLDER.fullmatch(str(entry.get("folder", ""))):
        return None
    folder = cache_dir(course) / entry["folder"]
    files = entry.get("files")
    if not isinstance(files, dict) or "billing.csv" not in files or "dataset.yaml" not in files:
        return None
    for name, digest in files.items():
        path = folder / name
        if "/" in name or not path.is_file() or path.is_symlink() or _sha256(path) != digest:
            return None
    return folder


# ---- resolving a learner's dataset ----------------------------------------------------------------

_LOADED: "OrderedDict[tuple, Dataset]" = OrderedDict()
KEEP = 8          # variants kept in memory (a batch meets a learner's labs close together)


def _preload(dataset: Dataset) -> Dataset:
    """Read everything a lab may need, so the folder can go."""
    from grader.labs import lab1, lab2, lab3

    dataset.billing
    for name in OPTIONAL_TABLES:
        dataset.table(name)
    dataset.fingerprint()
    lab1._cached(dataset)                 # the reference cache's parts, checked while the files exist
    lab2.reference_cells(dataset)
    lab3._cached(dataset)
    return dataset


def regenerate(course_seed: int, learner: str, start: str, months: int) -> Dataset:
    """The learner's variant, generated in a temporary folder that is deleted once it is read."""
    from grader.datagen import ai_platform
    from grader.loaders import dataset as loader

    with tempfile.TemporaryDirectory(prefix="grader-variant-") as tmp:
        folder = Path(tmp) / "variant"
        ai_platform.generate(folder, start=start, months=months, variation=variation(course_seed, learner),
                             instructor=False)
        dataset = _preload(load_dataset(folder, reuse=False))
        loader._CACHE.pop(folder.resolve(), None)
    return dataset


def dataset_for(course: LoadedCourse, lab_id: str, learner: str) -> Dataset:
    """The learner's own variant of the lab's dataset (cached copy or regenerated), once per process."""
    base_path = course.dataset_path(lab_id)
    if base_path is None:
        raise ConfigError(f"{lab_id} needs a dataset; the course names none.")
    base = load_dataset(base_path)
    start, months = generation(base)
    seed = course.course.variant_seed
    key = (base.path, cache_dir(course), seed, learner, start, months)
    if key in _LOADED:
        _LOADED.move_to_end(key)
        return _LOADED[key]
    folder = _cached_folder(course, lab_id, learner)
    if folder is not None:
        from grader.loaders import dataset as loader

        dataset = load_dataset(folder, reuse=False)
        loader._CACHE.pop(dataset.path, None)       # held here, a few at a time, not for the whole batch
    else:
        dataset = regenerate(seed, learner, start, months)
    _LOADED[key] = dataset
    while len(_LOADED) > KEEP:
        _LOADED.popitem(last=False)
    return dataset


def check_owner(dataset: Dataset, learner: str) -> None:
    """A learner's variant grades only that learner's submission."""
    v = dataset.settings.variant
    if v is not None and v.learner != learner:
        raise ConfigError(
            f"dataset {dataset.path} is learner {v.learner}'s variant ({v.id}); this submission is learner "
            f"{learner}'s, whose figures differ. Grade it without --dataset (the course resolves each learner's "
            "variant) or with that learner's own variant.")


# ---- whose variant do the figures match? ---------------------------------------------------------

@dataclass(frozen=True)
class Verdict:
    own: str
    matched: int
    checked: int
    closest: str | None = None         # another variant the figures match better
    closest_matched: int = 0

    def figures(self) -> dict[str, Any]:
        return {"id": self.own, "matched": self.matched, "checked": self.checked, "closest": self.closest,
                "closest_matched": self.closest_matched if self.closest else None}


class WrongVariant(SubmissionError):
    def __init__(self, message: str, problems: list[Problem], verdict: Verdict):
        super().__init__(message, problems)
        self.verdict = verdict


def judge(course: LoadedCourse, lab, model, settings, learner: str, dataset: Dataset,
          declared: str | None) -> Verdict:
    """Check a parsed submission against the learner's own variant; raise WrongVariant when it was
    made on another one (declared in submission.yaml, or shown by its figures)."""
    own = own_id(course, learner)
    if declared is not None and declared != own:
        raise WrongVariant(
            f"submission.yaml says the figures come from dataset variant {declared}, but {learner}'s is {own}.",
            [Problem(file="submission.yaml", location="dataset_variant",
                     message=f"dataset_variant {declared} is not your dataset: learner {learner}'s variant is {own}.",
                     fix="analyse your own copy of the dataset (its dataset.yaml says `variant: id: "
                         f"{own}`) and set dataset_variant to that id.")],
            Verdict(own, 0, 0, declared))
    if lab.evidence is None:
        return Verdict(own, 0, 0)
    index = read_index(course, lab.id)
    entries = index["variants"] if index else {}
    def computed():         # the learner's own signature, in the same JSON types as the index's
        return dataset.memo(f"variant.signature:{lab.id}", lambda: json.loads(json.dumps(lab.signature(dataset))))

    entry = entries.get(learner)
    own_sig = entry.get("signature", {}).get(lab.id) if isinstance(entry, dict) else None
    try:
        matched, checked = lab.evidence(model, own_sig if own_sig is not None else computed(), settings)
    except (TypeError, KeyError, ValueError, AttributeError, IndexError):
        matched, checked = lab.evidence(model, computed(), settings)
    if checked == 0 or matched == checked or not entries:
        return Verdict(own, matched, checked)
    scores = []
    for other in sorted(entries):
        entry = entries[other]
        sig = entry.get("signature", {}).get(lab.id) if isinstance(entry, dict) else None
        if other == learner or sig is None:
            continue
        try:
            scores.append((-lab.evidence(model, sig, settings)[0], str(entry.get("id")), other))
        except (TypeError, KeyError, ValueError, AttributeError, IndexError):
            continue                      # a damaged entry of the index: it proves nothing
    if not scores:
        return Verdict(own, matched, checked)
    best, best_id, _ = min(scores)
    best = -best
    if best > matched and best >= max(2, (checked + 1) // 2):
        verdict = Verdict(own, matched, checked, best_id, best)
        raise WrongVariant(
            f"the figures were computed on another learner's dataset variant ({best_id}), not on {learner}'s ({own}).",
            [Problem(file="submission", message=f"{best} of your {checked} figures match dataset variant {best_id}; "
                                                f"only {matched} match your own, {own}.",
                     fix=f"download your own dataset (its dataset.yaml says `variant: id: {own}`), redo the "
                         "analysis on it, and set dataset_variant in submission.yaml.")],
            verdict)
    return Verdict(own, matched, checked)


# ---- writing the cache (grader dataset variants) ---------------------------------------------------

def course_dataset(course: LoadedCourse) -> tuple[str, Dataset]:
    """The one generated dataset the course's labs use, which per-learner variants vary."""
    names = sorted({c.dataset for c in course.course.labs.values() if c.dataset})
    if len(names) != 1:
        raise ConfigError(f"per-learner variants need the course's labs to share one dataset; {course.path.name} "
                          f"uses {len(names)} ({', '.join(names) or 'none'}).")
    lab = next(lab_id for lab_id, c in course.course.labs.items() if c.dataset == names[0])
    base = load_dataset(course.dataset_path(lab))
    generation(base)
    return names[0], base


def _write_one(args: tuple[int, str, str, int, Path, bool, tuple[str, ...]]) -> tuple[str, dict, int]:
    """Generate one learner's variant into `out/learner`; its index entry and size in bytes."""
    from grader.datagen import ai_platform
    from grader.labs import lab_spec
    from grader.loaders import dataset as loader

    seed, learner, start, months, out, answers, labs = args
    folder = out / learner
    if not answers and (folder / "instructor").is_dir() and not (folder / "instructor").is_symlink():
        shutil.rmtree(folder / "instructor")          # a learner's copy: no answers left from an earlier run
    v = variation(seed, learner)
    summary = ai_platform.generate(folder, start=start, months=months, variation=v, instructor=answers)
    dataset = load_dataset(folder)        # as the generator just read it for the reference cache
    signature = {}
    for lab_id in labs:
        spec = lab_spec(lab_id)
        if spec is not None and spec.signature is not None:
            signature[lab_id] = json.loads(json.dumps(spec.signature(dataset)))
    loader._CACHE.pop(folder.resolve(), None)         # one variant at a time in memory
    files = {name: _sha256(folder / name) for name in sorted(summary["files"]) if "/" not in name}
    return learner, {"id": v.id, "folder": learner, "files": files, "signature": signature}, summary["bytes"]


def write_cache(course: LoadedCourse, learners: list[str], out: Path, jobs: int = 1, answers: bool = True,
                progress=lambda learner: None) -> dict:
    """Every learner's variant in `out/<learner>/`, and `out/index.json`; returns a summary."""
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    if course.course.variant_seed is None:
        raise ConfigError(f"{course.path.name} sets no variant_seed: add `variants: per_learner` and "
                          "`variant_seed: <a number>` (the course seed every variant derives from).")
    key, base = course_dataset(course)
    start, months = generation(base)
    labs = tuple(lab_id for lab_id, c in course.course.labs.items() if c.dataset == key)
    out.mkdir(parents=True, exist_ok=True)
    tasks = [(course.course.variant_seed, learner, start, months, out, answers, labs) for learner in learners]
    entries: dict[str, dict] = {}
    size = 0

    def take(result: tuple[str, dict, int]) -> None:
        nonlocal size
        entries[result[0]] = result[1]
        size += result[2]
        progress(result[0])

    if jobs <= 1 or len(tasks) <= 1:
        for task in tasks:
            take(_write_one(task))
    else:
        with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("fork")) as pool:
            for result in pool.map(_write_one, tasks):
                take(result)
    index = {"schema": INDEX_SCHEMA, "generator_version": GENERATOR_VERSION, "course": course.course.course,
             "course_seed": course.course.variant_seed, "dataset": key, "start": start, "months": months,
             "variants": entries}
    text = json.dumps(index, sort_keys=True, separators=(",", ":")) + "\n"
    (out / INDEX).write_text(text)
    return {"learners": len(entries), "bytes": size + len(text), "index_bytes": len(text), "dataset": key}
