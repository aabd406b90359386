"""Timestamps in the dataset's files: ISO 8601 text, UTC when the text names no zone
(reference-models.md §1, submissions.md §2)."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

# A time of day followed by a zone designator (Z, ±hh, ±hhmm, ±hh:mm). A date alone never has a
# zone: "2026-09-30" ends in "-30", which is the day, not an offset.
_ZONED = r"(?i)[T ]\d{2}(?::?\d{2}){0,2}(?:[.,]\d+)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)\s*$"


def parse_utc(values: "pd.Series") -> "pd.Series":
    """`values` as UTC timestamps, NaT where a text is not ISO 8601 (or is null).

    Each distinct text is parsed once and the rows take their time by code: exports repeat a few
    dozen period bounds on a million rows. Texts with a zone and texts without are parsed apart,
    because pandas 2.2 gives a naive text that follows a zoned one in the same call that zone
    instead of UTC (pandas 3 does not).
    """
    import numpy as np
    import pandas as pd

    codes, texts = pd.factorize(values)
    if texts.inferred_type == "string" and len(texts):
        zoned = np.asarray(texts.str.contains(_ZONED, regex=True), dtype=bool)
    else:                                   # already times (Parquet), or nothing to parse
        zoned = np.zeros(len(texts), dtype=bool)
    if zoned.all() or not zoned.any():
        times = pd.to_datetime(texts, utc=True, format="ISO8601", errors="coerce")
    else:
        parts = [pd.Series(pd.to_datetime(texts[mask], utc=True, format="ISO8601", errors="coerce"),
                           index=np.flatnonzero(mask)) for mask in (zoned, ~zoned)]
        times = pd.DatetimeIndex(pd.concat(parts).sort_index())
    return pd.Series(times.take(codes, allow_fill=True, fill_value=pd.NaT), index=values.index)
