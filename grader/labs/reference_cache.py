"""A dataset's reference cache, `reference-cache.json`: reference figures computed once from the
data files and kept beside them, so that grading lab1, lab2 and lab3 needs neither pandas nor the
billing rows (cold `grade` in a third of a second; a batch warms up without them).

Written by the generator and `grader dataset cache DIR`. Every part names the sha256 of the files
it was computed from and is ignored, and recomputed, as soon as one of them changes.
"""
from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from grader.loaders.dataset import Dataset

FILE = "reference-cache.json"
SCHEMA = "grader.reference-cache/1"


def inputs_sha256(dataset: "Dataset", names: tuple[str, ...]) -> str:
    """sha256 over dataset.yaml and the named files of the dataset folder (absent ones count as absent)."""
    digest = hashlib.sha256()
    for name in ("dataset.yaml", *names):
        file = dataset.sha256_of(dataset.path / name)      # each file read once, the billing file included
        digest.update(name.encode() + b"\0")
        digest.update(bytes.fromhex(file) if file is not None else b"absent")
    return digest.hexdigest()


def read(dataset: "Dataset") -> dict[str, Any] | None:
    """The dataset's cache, parsed once; None when there is none or it is not one of ours."""
    def load() -> dict[str, Any] | None:
        path = dataset.path / FILE
        try:
            data = json.loads(path.read_text()) if path.is_file() else None
        except (OSError, ValueError, RecursionError):
            return None
        return data if isinstance(data, dict) and data.get("schema") == SCHEMA else None

    return dataset.memo("reference-cache", load)


def part(dataset: "Dataset", name: str, model: int, inputs: tuple[str, ...] = ()) -> dict[str, Any] | None:
    """One part of the cache when it was computed by this `model` from the billing file and the
    named `inputs` files as they are now, else None. Files are hashed only when a cache is there."""
    data = read(dataset)
    if data is None or data.get("billing_sha256") != dataset.fingerprint():
        return None
    section = data.get(name)
    if not isinstance(section, dict) or section.get("model") != model:
        return None
    if inputs and section.get("inputs_sha256") != inputs_sha256(dataset, inputs):
        return None
    return section


def billing_warnings(dataset: "Dataset") -> list[str]:
    """The billing file's warnings: from the file when it has been read, else as the cache recorded."""
    if dataset.billing_loaded:
        return dataset.warnings
    data = read(dataset)
    warnings = data.get("billing_warnings") if data is not None else None
    if isinstance(warnings, list) and data.get("billing_sha256") == dataset.fingerprint():
        return [str(w) for w in warnings]
    return []


def text(dataset: "Dataset") -> str:
    """The cache's text for `dataset` (reads and computes everything it holds)."""
    from grader.labs import lab1, lab2, lab3

    content = {"schema": SCHEMA, "billing_sha256": dataset.fingerprint(),
               "lab2_cells": lab2.cache_part(dataset), "lab1": lab1.cache_part(dataset),
               "lab3": lab3.cache_part(dataset)}
    content["billing_warnings"] = dataset.warnings
    return json.dumps(content, sort_keys=True, separators=(",", ":")) + "\n"
