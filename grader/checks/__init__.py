"""Built-in checks. Modules are listed explicitly per lab (no discovery by import side effects) and
imported when a rubric of that lab needs them."""
from __future__ import annotations

import importlib

from grader.checks.registry import REGISTRY, CheckSpec, Outcome, check

BUILTIN_MODULES: dict[str, str] = {
    "lab1": "grader.checks.lab1",
    "lab2": "grader.checks.lab2",
    "lab3": "grader.checks.lab3",
    "assessment": "grader.checks.assessment",
}


def registry(lab: str | None = None) -> dict[str, CheckSpec]:
    """The check registry with `lab`'s built-in checks loaded (every lab's when None)."""
    for name, module in BUILTIN_MODULES.items():
        if lab is None or name == lab:
            importlib.import_module(module)
    return REGISTRY


__all__ = ["CheckSpec", "Outcome", "check", "registry"]
