"""Read a FOCUS cost and usage export (CSV or Parquet) into a normalised DataFrame.

submissions.md §2: FOCUS 1.0–1.3 column names; the literal `NULL` and the empty string are nulls;
`Tags` is JSON object text; timestamps without a zone are UTC. Derived columns added here carry the
FOCUS custom-column prefix `x_`: `x_BusinessUnit` ('untagged' where the tag is missing),
`x_Tagged`, `x_Month` ('YYYY-MM' of ChargePeriodStart, UTC) and `x_Day` (UTC midnight).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grader.errors import ConfigError
from grader.finance.common import UNTAGGED
from grader.loaders.timestamps import parse_utc
from grader.models.problems import Problem

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd


REQUIRED_COLUMNS: tuple[str, ...] = (
    "BilledCost", "EffectiveCost", "ListCost", "ChargeCategory", "ChargePeriodStart", "ChargePeriodEnd",
    "ServiceCategory", "ServiceName", "ResourceId", "RegionId", "SubAccountId", "SkuId",
    "PricingCategory", "CommitmentDiscountId", "CommitmentDiscountStatus", "ConsumedQuantity",
    "ConsumedUnit", "Tags",
)
NUMERIC_COLUMNS = ("BilledCost", "EffectiveCost", "ListCost", "ConsumedQuantity")
TIME_COLUMNS = ("ChargePeriodStart", "ChargePeriodEnd")
# Columns renamed across FOCUS versions: later name -> the name the grader uses.
COLUMN_ALIASES = {"ServiceProviderName": "ProviderName", "HostProviderName": "ProviderName"}
NULL_TOKENS = ["NULL", ""]
# Below this size pandas' own parser is faster (pyarrow's thread pool costs more than it saves).
ARROW_MIN_BYTES = 16 * 1024 * 1024


@dataclass
class Billing:
    frame: "pd.DataFrame"
    warnings: list[str] = field(default_factory=list)


def _read_csv_arrow(path: Path) -> "pd.DataFrame":
    """The fast path: pyarrow's multithreaded reader. Raises on anything unusual (a bad number,
    invalid UTF-8, a newline inside a value), and the caller then uses pandas' parser, whose errors
    can be located."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    text_types = {c: pa.string() for c in REQUIRED_COLUMNS + tuple(COLUMN_ALIASES) + ("ProviderName",)
                  if c not in NUMERIC_COLUMNS}
    text_types.update({c: pa.float64() for c in NUMERIC_COLUMNS})
    table = pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(
        null_values=NULL_TOKENS, strings_can_be_null=True, column_types=text_types))
    frame = table.to_pandas(split_blocks=True, self_destruct=True)
    return frame.rename(columns=lambda c: c.lstrip("\ufeff"))


def _arrow_text(kind: object) -> bool:
    import pyarrow as pa

    return (pa.types.is_string(kind) or pa.types.is_large_string(kind)
            or getattr(pa.types, "is_string_view", lambda _: False)(kind))


def _read_raw(path: Path) -> "pd.DataFrame":
    import pandas as pd

    if path.suffix.lower() == ".parquet":
        import pyarrow.parquet as pq

        schema = pq.read_schema(path)
        if "Tags" in schema.names:
            kind = schema.field("Tags").type
            if not (_arrow_text(kind) or str(kind) == "null"):
                raise ValueError(f"its Tags column holds {kind}, but FOCUS Tags is JSON object text "
                                 '(`{"business_unit": "search"}`); write Tags as a string column of JSON')
        frame = pd.read_parquet(path)
        text_cols = [c for c in frame.columns if frame[c].dtype == object or str(frame[c].dtype) in ("str", "string")]
        for c in text_cols:  # Parquet keeps '' and 'NULL' as text; the contract says they are nulls
            frame[c] = frame[c].mask(frame[c].isin(NULL_TOKENS))
        return frame
    if path.stat().st_size > ARROW_MIN_BYTES:
        try:
            return _read_csv_arrow(path)
        except Exception:  # noqa: BLE001 - any failure of the fast path: read again, slowly and precisely
            pass
    text = {c: "str" for c in REQUIRED_COLUMNS if c not in NUMERIC_COLUMNS}
    text.update({"ProviderName": "str", "ServiceProviderName": "str", "HostProviderName": "str"})
    return pd.read_csv(path, dtype=text, na_values=NULL_TOKENS, keep_default_na=False,
                       low_memory=False, encoding="utf-8-sig")


def tag_value(text: str, tag_key: str) -> tuple[str | None, bool]:
    """One Tags text's value of `tag_key` (None when absent, null or empty; a string as is, a number
    or boolean, or anything else, as its JSON text), and whether the text is valid JSON."""
    try:
        obj = json.loads(text)
    except (ValueError, RecursionError):
        return None, False
    if not isinstance(obj, dict) or tag_key not in obj:
        return None, True
    value = obj[tag_key]
    if value is None or value == "":
        return None, True
    return (value if isinstance(value, str) else json.dumps(value)), True


def business_units(tags: "pd.Series", tag_key: str) -> tuple[Any, "np.ndarray", int]:
    """Each row's business unit from its Tags JSON (`untagged` where the tag is absent, null or
    empty; a number or boolean as its JSON text), whether the row is tagged, and the number of rows
    whose Tags is not valid JSON.

    Only distinct Tags texts are parsed (exports repeat the same few tag sets on many rows); the
    rows take their values by code, never by a Python loop or a string lookup per row.
    """
    import numpy as np
    import pandas as pd

    codes, texts = pd.factorize(tags)                  # a null Tags has code -1
    parsed = [tag_value(text, tag_key) for text in texts]
    # One entry per distinct text, then one for -1 (no Tags), which numpy's take reads as the last.
    names = pd.Series([value if value is not None else UNTAGGED for value, _ in parsed] + [UNTAGGED], dtype="str")
    tagged = np.array([value is not None for value, _ in parsed] + [False], dtype=bool)
    valid = np.array([ok for _, ok in parsed], dtype=bool)
    invalid = int(np.bincount(codes[codes >= 0], minlength=len(texts))[~valid].sum()) if len(texts) else 0
    return names.array.take(codes), tagged[codes], invalid


def _bad_values(frame: "pd.DataFrame", column: str, parsed: "pd.Series", file: str) -> list[Problem]:
    bad = parsed.isna() & frame[column].notna()
    if not bad.any():
        return []
    rows = bad.to_numpy().nonzero()[0]
    first = int(rows[0])
    return [Problem(file=file, location=column, line=first + 2,
                    message=f"{len(rows):,} value(s) in {column} cannot be read "
                            f"(first: {frame[column].iloc[first]!r}).",
                    fix="fix the export: costs and quantities are plain numbers, times ISO 8601.")]


def load_billing(path: Path, business_unit_tag: str = "business_unit") -> Billing:
    """Load and normalise a billing file; every problem is reported at once as a `ConfigError`."""
    import pandas as pd
    import pyarrow as pa

    file = path.name
    try:
        frame = _read_raw(path)
    except (OSError, ValueError, UnicodeDecodeError, pd.errors.ParserError, pa.ArrowException) as exc:
        raise ConfigError(f"cannot read billing file {path}: {exc}".rstrip(".") + ".") from None
    for alias, name in COLUMN_ALIASES.items():
        if alias in frame.columns and name not in frame.columns:
            frame = frame.rename(columns={alias: name})
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise ConfigError(f"billing file {path} is missing required FOCUS column(s): {', '.join(missing)}.",
                          [Problem(file=file, location=c, line=1, message=f"column {c} is missing.",
                                   fix="export with FOCUS 1.0 or later column names.") for c in missing])
    problems: list[Problem] = []
    for column in NUMERIC_COLUMNS:
        parsed = pd.to_numeric(frame[column], errors="coerce").astype("float64")
        problems += _bad_values(frame, column, parsed, file)
        frame[column] = parsed
    for column in TIME_COLUMNS:
        parsed = parse_utc(frame[column])
        problems += _bad_values(frame, column, parsed, file)
        frame[column] = parsed
    missing_start = frame["ChargePeriodStart"].isna()
    if missing_start.any():
        problems.append(Problem(file=file, location="ChargePeriodStart", line=int(missing_start.to_numpy().argmax()) + 2,
                                message=f"{int(missing_start.sum()):,} row(s) have no ChargePeriodStart.",
                                fix="every FOCUS row needs a charge period."))
    if problems:
        raise ConfigError(f"billing file {path} has unreadable values.", problems)

    units, tagged, invalid = business_units(frame["Tags"], business_unit_tag)
    frame["x_Tagged"] = tagged
    frame["x_BusinessUnit"] = units
    start = frame["ChargePeriodStart"]
    frame["x_Day"] = start.dt.floor("D")
    year_month = start.dt.year * 100 + start.dt.month
    frame["x_Month"] = year_month.map({ym: f"{ym // 100:04d}-{ym % 100:02d}" for ym in year_month.unique()})
    warnings = []
    if invalid:
        warnings.append(f"{file}: {invalid:,} row(s) have Tags that are not valid JSON; they count as untagged.")
    return Billing(frame=frame, warnings=warnings)
