"""A resource's business unit and region (reference-models.md §1)."""
from __future__ import annotations

import pandas as pd

from grader.finance.attribution import resource_attributes


def test_most_frequent_with_alphabetical_ties_and_untagged_candidate():
    billing = pd.DataFrame({
        "ResourceId": ["r1", "r1", "r1", "r2", "r2", "r3", "r3", "r3", None],
        "x_BusinessUnit": ["b", "a", "b", "z", "y", "untagged", "untagged", "a", "q"],
        "RegionId": [None, None, "eu", "us", "eu", None, None, None, "x"],
    })
    attrs = resource_attributes(billing)
    assert attrs.loc["r1", "business_unit"] == "b"            # 2 of 3
    assert attrs.loc["r2", "business_unit"] == "y"            # tie: alphabetically first
    assert attrs.loc["r3", "business_unit"] == "untagged"     # untagged is a candidate
    assert attrs.loc["r1", "region"] == "eu"                  # null regions are not candidates
    assert attrs.loc["r2", "region"] == "eu"
    assert pd.isna(attrs.loc["r3", "region"])                 # no region: the default intensity later
    assert set(attrs.index) == {"r1", "r2", "r3"}
