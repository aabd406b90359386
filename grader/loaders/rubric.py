"""Load a rubric and validate every criterion against its registered check, all problems at once."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from grader.checks import registry
from grader.errors import ConfigError, UsageError
from grader.labs import LAB_MODULES, lab_spec
from grader.loaders.yaml_source import YamlProblems, parse_yaml, problems_from_validation
from grader.models.problems import Problem
from grader.models.rubric import Rubric


@dataclass(frozen=True)
class LoadedRubric:
    rubric: Rubric
    path: Path
    sha256: str
    params: dict[str, BaseModel]      # criterion id -> validated params
    settings: BaseModel               # the lab's settings model

    @property
    def id(self) -> str:
        return self.rubric.id

    @property
    def manual_ids(self) -> list[str]:
        return [c.id for c in self.rubric.criteria if c.manual]


def _duplicate_ids(doc) -> list[Problem]:
    criteria = doc.data.get("criteria") if isinstance(doc.data, dict) else None
    seen: dict[str, int] = {}
    problems = []
    for i, c in enumerate(criteria if isinstance(criteria, list) else []):
        cid = c.get("id") if isinstance(c, dict) else None
        if not isinstance(cid, str):
            continue
        if cid in seen:
            problems.append(Problem(file=doc.file, location=f"criteria[{i}].id", line=doc.line_of(("criteria", i)),
                                    message=f"criterion id '{cid}' is repeated (first as criteria[{seen[cid]}]).",
                                    fix="give every criterion its own id."))
        else:
            seen[cid] = i
    return problems


def load_rubric(path: Path) -> LoadedRubric:
    path = Path(path)
    if not path.is_file():
        raise UsageError(f"rubric {path} does not exist.")
    raw = path.read_bytes()
    file = path.name
    try:
        doc = parse_yaml(raw, file)
    except YamlProblems as exc:
        raise ConfigError(f"rubric {path} is not valid YAML.", exc.problems) from None
    problems = _duplicate_ids(doc)
    try:
        rubric = Rubric.model_validate(doc.data)
    except ValidationError as exc:
        problems += problems_from_validation(exc, doc)
    if problems:
        raise ConfigError(f"rubric {path} is invalid.", sorted(problems, key=lambda p: p.line or 0)) from None

    checks = registry(rubric.lab)
    params: dict[str, BaseModel] = {}
    lab = lab_spec(rubric.lab)
    if lab is None:
        problems.append(Problem(file=file, location="lab", line=doc.line_of(("lab",)),
                                message=f"lab '{rubric.lab}' cannot be graded by this version of the grader.",
                                fix=f"gradable labs: {', '.join(LAB_MODULES)}."))
    settings: Any = None
    if lab is not None:
        try:
            settings = lab.settings.model_validate(rubric.settings)
        except ValidationError as exc:
            problems += problems_from_validation(exc, doc, prefix=("settings",))
    for i, criterion in enumerate(rubric.criteria):
        if criterion.manual:
            continue
        spec = checks.get(criterion.check)
        if spec is None:
            known = ", ".join(sorted(n for n, s in checks.items() if s.lab == rubric.lab)) or "none"
            problems.append(Problem(file=file, location=f"criteria[{i}].check", line=doc.line_of(("criteria", i, "check")),
                                    message=f"unknown check '{criterion.check}'.", fix=f"checks for {rubric.lab}: {known}."))
            continue
        if spec.lab != rubric.lab:
            problems.append(Problem(file=file, location=f"criteria[{i}].check", line=doc.line_of(("criteria", i, "check")),
                                    message=f"check '{criterion.check}' grades {spec.lab}, not {rubric.lab}."))
            continue
        try:
            params[criterion.id] = spec.params.model_validate(criterion.params)
        except ValidationError as exc:
            problems += problems_from_validation(exc, doc, prefix=("criteria", i, "params"))
    if problems:
        raise ConfigError(f"rubric {path} has {len(problems)} problem(s).", problems)
    return LoadedRubric(rubric=rubric, path=path, sha256=hashlib.sha256(raw).hexdigest(), params=params,
                        settings=settings)
