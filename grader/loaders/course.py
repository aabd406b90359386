"""Load the course file and resolve each lab's rubric and dataset (submissions.md §1)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from grader.errors import ConfigError, UsageError
from grader.loaders.yaml_source import YamlProblems, load_model
from grader.models.course import Course, LabConfig
from grader.models.problems import Problem
from grader.resources import DEFAULT_COURSE, RUBRICS_DIR


@dataclass(frozen=True)
class LoadedCourse:
    course: Course
    path: Path

    @property
    def base(self) -> Path:
        return self.path.parent

    def lab(self, lab_id: str) -> LabConfig:
        if lab_id not in self.course.labs:
            raise ConfigError(f"course {self.course.course} ({self.path}) has no lab '{lab_id}'; "
                              f"it has {', '.join(self.course.labs)}.")
        return self.course.labs[lab_id]

    def rubric_path(self, lab_id: str) -> Path:
        """A rubric path relative to the course file, or the id of a shipped rubric."""
        ref = self.lab(lab_id).rubric
        candidate = self.base / ref
        if candidate.is_file():
            return candidate
        shipped = RUBRICS_DIR / f"{ref.removesuffix('.yaml')}.yaml"
        if shipped.is_file():
            return shipped
        raise ConfigError(f"rubric '{ref}' of {lab_id} is neither a file next to {self.path.name} nor a rubric "
                          f"shipped with the grader ({', '.join(shipped_rubric_ids())}).")

    def dataset_path(self, lab_id: str) -> Path | None:
        name = self.lab(lab_id).dataset
        if name is None:
            return None
        if name not in self.course.datasets:
            raise ConfigError(f"{lab_id} uses dataset '{name}', which {self.path.name} does not define.")
        return (self.base / self.course.datasets[name].path).resolve()


def shipped_rubric_ids() -> list[str]:
    return sorted(p.stem for p in RUBRICS_DIR.glob("*.yaml") if p.name != DEFAULT_COURSE.name)


def load_course(path: Path | None = None) -> LoadedCourse:
    path = Path(path) if path is not None else DEFAULT_COURSE
    if not path.is_file():
        raise UsageError(f"course file {path} does not exist.")
    try:
        course = load_model(path.read_bytes(), path.name, Course)
    except YamlProblems as exc:
        raise ConfigError(f"course file {path} is invalid.", exc.problems) from None
    missing = [name for name, ref in course.datasets.items() if not (path.parent / ref.path).is_dir()]
    if missing:
        raise ConfigError(f"course file {path} names dataset folders that do not exist.",
                          [Problem(file=path.name, location=f"datasets.{n}.path",
                                   message=f"{(path.parent / course.datasets[n].path)} is not a folder.",
                                   fix="paths are relative to the course file.") for n in missing])
    return LoadedCourse(course=course, path=path.resolve())
