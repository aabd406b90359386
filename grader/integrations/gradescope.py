"""A ready Gradescope autograder bundle for one lab (gradescope/autograder_samples docs/specs.md):
setup.sh installs the grader from the copy inside the bundle; run_autograder grades
/autograder/submission into /autograder/results/results.json, as a learner would see it."""
from __future__ import annotations

import io
import stat
import zipfile
from pathlib import Path

import yaml

from grader.loaders.course import LoadedCourse
from grader.resources import PROJECT_DIR

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once, when the autograder image is built.
set -euo pipefail
apt-get update -y
apt-get install -y python3 python3-pip python3-venv
python3 -m venv /autograder/venv
/autograder/venv/bin/pip install -e /autograder/source/grader-src
"""

RUN_AUTOGRADER = '''#!/usr/bin/env python3
"""Grade /autograder/submission into /autograder/results/results.json (Gradescope's contract)."""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(os.environ.get("AUTOGRADER_ROOT", "/autograder"))
LAB = {lab!r}
source, results = ROOT / "source", ROOT / "results" / "results.json"
python = os.environ.get("GRADER_PYTHON") or (str(ROOT / "venv/bin/python") if (ROOT / "venv/bin/python").exists()
                                             else sys.executable)
work = Path(tempfile.mkdtemp()) / "submission"
shutil.copytree(ROOT / "submission", work, symlinks=True)   # links are kept, and the grader refuses them
has_manifest = (work / "submission.yaml").exists() or any(
    "grader:submission.yaml" in p.read_text(errors="ignore") for p in work.rglob("*.ipynb"))
if not has_manifest:
    # Gradescope learners upload files only: the manifest comes from Gradescope's metadata.
    learner = "gradescope-learner"
    try:
        user = json.loads((ROOT / "submission_metadata.json").read_text())["users"][0]
        raw = str(user.get("email") or user.get("id") or user.get("name") or learner).split("@")[0]
        learner = re.sub(r"[^A-Za-z0-9._-]", "-", raw).strip("-.")[:64] or learner
    except (OSError, ValueError, KeyError, IndexError, TypeError):
        pass
    (work / "submission.yaml").write_text(f"learner: {{{{id: {{learner}}}}}}\\nlab: {{LAB}}\\n")
results.parent.mkdir(parents=True, exist_ok=True)
subprocess.run([python, "-m", "grader", "grade", str(work), "--course", str(source / "course" / "course.yaml"),
                "--format", "gradescope", "--output", str(results), "--audience", "learner"], check=False)
if not results.exists():   # the grader could not even start: Gradescope still needs valid JSON
    results.write_text(json.dumps({{"score": 0.0, "output": "The autograder could not run; staff will look into it.",
                                   "tests": [{{"name": "Grading", "score": 0.0, "max_score": 0.0, "status": "failed",
                                              "visibility": "visible"}}]}}))
'''

SKIP_PARTS = {"__pycache__", ".pytest_cache", "instructor", ".git"}


def _files_under(folder: Path, prefix: str) -> list[tuple[str, Path]]:
    out = []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if path.is_file() and not path.is_symlink() and not (set(rel.parts) & SKIP_PARTS) and path.suffix != ".pyc":
            out.append((f"{prefix}/{rel.as_posix()}", path))
    return out


def build(course: LoadedCourse, lab: str) -> bytes:
    """The bundle as zip bytes; the same course and grader give the same bytes."""
    config = course.lab(lab)
    rubric = course.rubric_path(lab)
    dataset = course.dataset_path(lab)
    entry = {"title": config.title, "rubric": "rubric.yaml"}
    if config.dataset:
        entry["dataset"] = config.dataset
    bundled = {"course": course.course.course, "title": course.course.title, "labs": {lab: entry}}
    if dataset is not None:
        bundled["datasets"] = {config.dataset: {"path": "dataset"}}
    index = None
    if course.course.variants == "per_learner" and dataset is not None:
        # Each learner's variant is regenerated on Gradescope's machine; the cache's index (its
        # signatures, a few kB per learner) comes along so copied figures are still recognised.
        bundled.update(variants="per_learner", variant_seed=course.course.variant_seed)
        cache = (course.base / course.course.variant_cache) if course.course.variant_cache else None
        if cache is not None and (cache / "index.json").is_file():
            bundled["variant_cache"] = "variants"
            index = cache / "index.json"
    files: list[tuple[str, bytes | Path, int]] = [
        ("setup.sh", SETUP_SH.encode(), 0o755),
        ("run_autograder", RUN_AUTOGRADER.format(lab=lab).encode(), 0o755),
        ("course/course.yaml", yaml.safe_dump(bundled, sort_keys=False).encode(), 0o644),
        ("course/rubric.yaml", rubric, 0o644),
    ]
    if dataset is not None:
        files += [(name, path, 0o644) for name, path in _files_under(dataset, "course/dataset")]
    if index is not None:
        files.append(("course/variants/index.json", index, 0o644))
    for part in ("grader", "rubrics"):
        files += [(name, path, 0o644) for name, path in _files_under(PROJECT_DIR / part, f"grader-src/{part}")]
    files += [(f"grader-src/{n}", PROJECT_DIR / n, 0o644) for n in ("pyproject.toml", "README.md")]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content, mode in sorted(files, key=lambda f: f[0]):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = (stat.S_IFREG | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content if isinstance(content, bytes) else content.read_bytes())
    return buf.getvalue()
