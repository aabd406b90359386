"""What every lab provides to the engine: parse the submission, recompute, report figures."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from pydantic import BaseModel

from grader.loaders.submission import SubmissionFiles


@dataclass(frozen=True)
class LabSpec:
    """One lab's plumbing. `recompute` returns the context every check of that lab receives."""

    id: str
    files: tuple[str, ...]                                   # what the learner hands in
    settings: type[BaseModel]                                # rubric `settings:` (tolerances)
    needs_dataset: bool
    parse: Callable[[SubmissionFiles], Any]                  # raises SubmissionError
    recompute: Callable[..., Any]                            # (model, dataset, settings) -> context
    figures: Callable[[Any], dict[str, Any]]                 # context -> figures (results.md)
    empty_figures: Callable[[], dict[str, Any]]              # figures of an invalid submission
    # Per-learner variants (issue 10): a dataset's distinctive reference figures, as JSON-able data,
    # and how many of a parsed submission's figures match such a signature: (matched, checked).
    signature: Callable[[Any], Any] | None = None            # dataset -> signature
    evidence: Callable[[Any, Any, Any], tuple[int, int]] | None = None   # (model, signature, settings)
