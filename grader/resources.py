"""Where the files shipped with the grader live.

The shipped course file and rubrics sit in the repository's top-level `rubrics/` folder and the
generated default dataset in `grader/data/ai-platform`; the course file names the dataset as
`../grader/data/ai-platform`, relative to itself (submissions.md §1). The grader is installed from
its source tree (`pip install -e .`), which keeps that layout.
"""
from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent
RUBRICS_DIR = PROJECT_DIR / "rubrics"
DEFAULT_COURSE = RUBRICS_DIR / "course.yaml"
DEFAULT_DATASET = PACKAGE_DIR / "data" / "ai-platform"
