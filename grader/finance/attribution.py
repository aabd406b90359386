"""Business unit and region of a resource, to join utilisation rows (reference-models.md §1)."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd


def _most_frequent(pairs: pd.DataFrame, value: str) -> pd.Series:
    """Per ResourceId, its most frequent `value`; ties broken by the alphabetically first."""
    counts = pairs.groupby(["ResourceId", value], sort=False).size().rename("n").reset_index()
    counts = counts.sort_values(["ResourceId", "n", value], ascending=[True, False, True], kind="mergesort")
    return counts.drop_duplicates("ResourceId").set_index("ResourceId")[value]


def resource_attributes(billing: pd.DataFrame) -> pd.DataFrame:
    """ResourceId → business_unit and region over **all** its billing rows (§1).

    `untagged` is a candidate business unit; null regions are not candidates (a resource with none
    has a null region, which later means the `default` grid intensity).
    """
    import pandas as pd

    rows = billing.loc[billing["ResourceId"].notna(), ["ResourceId", "x_BusinessUnit", "RegionId"]]
    unit = _most_frequent(rows[["ResourceId", "x_BusinessUnit"]], "x_BusinessUnit").rename("business_unit")
    region = _most_frequent(rows.loc[rows["RegionId"].notna(), ["ResourceId", "RegionId"]], "RegionId")
    out = pd.DataFrame({"business_unit": unit})
    out["region"] = region.reindex(out.index)
    return out
