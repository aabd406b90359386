"""Load a dataset folder (submissions.md §2), once per process.

Files are read lazily, on first use, so that a lab which needs only the billing file never pays for
the others. Derived reference tables are memoised on the `Dataset` (`memo`), so a batch computes
them once per dataset, not once per submission.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from grader.errors import ConfigError
from grader.loaders.focus import Billing, load_billing
from grader.loaders.yaml_source import YamlProblems, load_model
from grader.models.dataset import DatasetSettings
from grader.models.problems import Problem

if TYPE_CHECKING:
    import pandas as pd

TEXT_COLUMNS = {"ResourceId": "str", "Date": "str", "GpuModel": "str", "BusinessUnit": "str", "Metric": "str",
                "Month": "str"}
OPTIONAL_TABLES = {
    "utilization": ("ResourceId", "Date", "GpuHours", "GpuUtilization", "GpuModel"),
    "business_metrics": ("Date", "BusinessUnit", "Metric", "Value"),
    "budgets": ("Month", "BusinessUnit", "Budget"),
}


@dataclass
class Dataset:
    path: Path
    settings: DatasetSettings
    billing_path: Path
    _billing: Billing | None = None
    _tables: dict[str, "pd.DataFrame | None"] = field(default_factory=dict)
    _memo: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.settings.name

    @property
    def billing(self) -> "pd.DataFrame":
        if self._billing is None:
            self._billing = load_billing(self.billing_path, self.settings.business_unit_tag)
        return self._billing.frame

    @property
    def billing_loaded(self) -> bool:
        return self._billing is not None

    @property
    def warnings(self) -> list[str]:
        return list(self._billing.warnings) if self._billing else []

    def table(self, name: str) -> "pd.DataFrame | None":
        """An optional CSV table (`utilization`, `business_metrics`, `budgets`), or None if absent."""
        if name not in self._tables:
            self._tables[name] = _read_table(self.path / f"{name}.csv", OPTIONAL_TABLES[name])
        return self._tables[name]

    def memo(self, key: str, compute: Callable[[], Any]) -> Any:
        """A derived reference figure, computed once per dataset."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def sha256_of(self, path: Path) -> str | None:
        """sha256 of a file's bytes, read once per dataset; None when there is no such file."""
        return self.memo(f"sha256:{path}",
                         lambda: hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None)

    def fingerprint(self) -> str:
        """sha256 of the billing file's bytes (identifies the data a grade was computed on)."""
        digest = self.sha256_of(self.billing_path)
        if digest is None:
            raise ConfigError(f"billing file {self.billing_path} is missing.")
        return digest


def _read_table(path: Path, columns: tuple[str, ...]) -> "pd.DataFrame | None":
    import pandas as pd

    if not path.exists():
        return None
    try:
        frame = pd.read_csv(path, keep_default_na=False, na_values=["NULL", ""], encoding="utf-8-sig",
                            dtype={c: t for c, t in TEXT_COLUMNS.items() if c in columns})
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from None
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ConfigError(f"{path} is missing column(s): {', '.join(missing)}.",
                          [Problem(file=path.name, line=1, location=c, message=f"column {c} is missing.")
                           for c in missing])
    return frame


_CACHE: dict[Path, Dataset] = {}


def load_dataset(path: Path, reuse: bool = True) -> Dataset:
    """The dataset in folder `path`; the same object for the same folder within one process
    (reuse=False reads it afresh, for tools that have just written it)."""
    path = Path(path).resolve()
    if reuse and path in _CACHE:
        return _CACHE[path]
    if not path.is_dir():
        raise ConfigError(f"dataset folder {path} does not exist.")
    settings_file = path / "dataset.yaml"
    if not settings_file.exists():
        raise ConfigError(f"dataset folder {path} has no dataset.yaml.",
                          [Problem(file="dataset.yaml", message="missing.", fix="add one with at least `name:`.")])
    try:
        settings = load_model(settings_file.read_bytes(), "dataset.yaml", DatasetSettings)
    except YamlProblems as exc:
        raise ConfigError(f"invalid dataset settings in {settings_file}.", exc.problems) from None
    billing = next((path / n for n in ("billing.csv", "billing.parquet") if (path / n).exists()), None)
    if billing is None:
        raise ConfigError(f"dataset folder {path} has no billing.csv or billing.parquet.")
    dataset = Dataset(path=path, settings=settings, billing_path=billing)
    _CACHE[path] = dataset
    return dataset
