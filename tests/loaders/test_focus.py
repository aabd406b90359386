"""The FOCUS billing loader, on the real FinOps Foundation sample and on crafted files."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from grader.errors import ConfigError
from grader.loaders.focus import REQUIRED_COLUMNS, load_billing

# Known answers for ../shared/data/focus-1.0-sample.csv (FOCUS 1.0 sample, FinOps Foundation, CC BY 4.0),
# computed independently of pandas: stdlib csv + exact Decimal sums of the file's text.
SAMPLE_TOTALS = {"BilledCost": Decimal("20.52022672899"), "EffectiveCost": Decimal("14.97651418586"),
                 "ListCost": Decimal("20.39090575119")}
SAMPLE_PROVIDER_EFFECTIVE = {"AWS": Decimal("13.0"), "Microsoft": Decimal("1.97651418586"), "Oracle": Decimal("0")}


def test_real_sample_loads_unchanged_with_exact_totals(focus_sample: Path):
    billing = load_billing(focus_sample)
    frame = billing.frame
    assert len(frame) == 1000
    for column, total in SAMPLE_TOTALS.items():
        assert frame[column].sum() == pytest.approx(float(total), abs=1e-9)
    by_provider = frame.groupby("ProviderName")["EffectiveCost"].sum()
    for provider, total in SAMPLE_PROVIDER_EFFECTIVE.items():
        assert by_provider[provider] == pytest.approx(float(total), abs=1e-9)
    assert billing.warnings == []


def test_real_sample_tags_nulls_and_months(focus_sample: Path):
    frame = load_billing(focus_sample).frame
    # shared/data/README.md: Tags is JSON on 711 rows, 660 of which carry business_unit (301 distinct units)
    assert frame["Tags"].notna().sum() == 711
    assert frame["x_Tagged"].sum() == 660
    assert frame.loc[frame["x_Tagged"], "x_BusinessUnit"].nunique() == 301
    assert (frame.loc[~frame["x_Tagged"], "x_BusinessUnit"] == "untagged").all()
    # the tagged share of EffectiveCost, exact: 16.0 of 14.97651418586 (credits are untagged)
    tagged = frame.loc[frame["x_Tagged"], "EffectiveCost"].sum()
    assert tagged == pytest.approx(16.0, abs=1e-9)
    assert frame["PricingCategory"].isna().sum() == 7        # '' is null, like NULL
    assert frame["ChargeClass"].isna().all()                  # the literal NULL
    assert set(frame["x_Month"]) == {"2024-09"}
    assert str(frame["ChargePeriodStart"].dt.tz) == "UTC"


HEADER = ",".join(REQUIRED_COLUMNS)


def _row(**values) -> str:
    base = {c: "" for c in REQUIRED_COLUMNS}
    base.update({"BilledCost": "1", "EffectiveCost": "1", "ListCost": "1", "ChargeCategory": "Usage",
                 "ChargePeriodStart": "2026-09-01T00:00:00Z", "ChargePeriodEnd": "2026-09-02T00:00:00Z",
                 "ServiceCategory": "Compute", "ServiceName": "EC2", "ConsumedQuantity": "1"})
    base.update(values)
    return ",".join(f'"{v}"' if "," in v or '"' in v else v for v in
                    (base[c].replace('"', '""') if '"' in base[c] else base[c] for c in REQUIRED_COLUMNS))


def write(tmp_path: Path, *rows: str, header: str = HEADER) -> Path:
    path = tmp_path / "billing.csv"
    path.write_text("\n".join([header, *rows]) + "\n")
    return path


def test_business_unit_rules(tmp_path: Path):
    path = write(tmp_path,
                 _row(Tags='{"business_unit": "search"}'),
                 _row(Tags='{"business_unit": 42}'),
                 _row(Tags='{"business_unit": true}'),
                 _row(Tags='{"business_unit": ""}'),
                 _row(Tags='{"business_unit": null}'),
                 _row(Tags='{"team": "x"}'),
                 _row(Tags='not json'),
                 _row(Tags="NULL"),
                 _row(Tags=""))
    billing = load_billing(path)
    assert billing.frame["x_BusinessUnit"].tolist() == ["search", "42", "true"] + ["untagged"] * 6
    assert billing.warnings == ["billing.csv: 1 row(s) have Tags that are not valid JSON; they count as untagged."]


def test_repeated_tags_count_by_row_not_by_text(tmp_path: Path):
    # Distinct Tags texts are parsed once and the rows take their values by code: the counts and
    # flags must still be per row, nulls included.
    path = write(tmp_path,
                 _row(Tags="not json"), _row(Tags='{"business_unit": "search"}'), _row(Tags="NULL"),
                 _row(Tags="not json"), _row(Tags='{"business_unit": "search"}'), _row(Tags="{broken"),
                 _row(Tags="not json"))
    billing = load_billing(path)
    assert billing.frame["x_BusinessUnit"].tolist() == ["untagged", "search", "untagged", "untagged", "search",
                                                        "untagged", "untagged"]
    assert billing.frame["x_Tagged"].tolist() == [False, True, False, False, True, False, False]
    assert billing.warnings == ["billing.csv: 4 row(s) have Tags that are not valid JSON; they count as untagged."]


def test_custom_tag_key_and_timezones(tmp_path: Path):
    path = write(tmp_path,
                 _row(Tags='{"cost_center": "ads"}', ChargePeriodStart="2026-09-30T23:30:00-02:00"),
                 _row(Tags='{"cost_center": "ads"}', ChargePeriodStart="2026-09-30 22:00:00"))
    frame = load_billing(path, business_unit_tag="cost_center").frame
    assert frame["x_BusinessUnit"].tolist() == ["ads", "ads"]
    # 23:30 at UTC-2 is 01:30 UTC on 1 October; a naive time is UTC
    assert frame["x_Month"].tolist() == ["2026-10", "2026-09"]
    assert frame["x_Day"].dt.strftime("%Y-%m-%d").tolist() == ["2026-10-01", "2026-09-30"]


def test_missing_columns_named_in_one_error(tmp_path: Path):
    header = ",".join(c for c in REQUIRED_COLUMNS if c not in ("Tags", "SkuId"))
    path = write(tmp_path, header=header)
    with pytest.raises(ConfigError) as err:
        load_billing(path)
    assert "SkuId, Tags" in err.value.message
    assert [p.location for p in err.value.problems] == ["SkuId", "Tags"]


def test_focus_1_3_provider_alias(tmp_path: Path):
    header = HEADER + ",ServiceProviderName,HostProviderName,x_Custom"
    path = write(tmp_path, _row() + ",AWS,AWS,keep me", header=header)
    frame = load_billing(path).frame
    assert frame["ProviderName"].tolist() == ["AWS"]
    assert frame["x_Custom"].tolist() == ["keep me"]          # unknown extra columns are kept


def test_unreadable_numbers_are_located(tmp_path: Path):
    path = write(tmp_path, _row(), _row(), _row(EffectiveCost="12,5"))
    with pytest.raises(ConfigError) as err:
        load_billing(path)
    problem = err.value.problems[0]
    assert (problem.location, problem.line) == ("EffectiveCost", 4)
    assert "'12,5'" in problem.message


def test_parquet_matches_csv(tmp_path: Path, focus_sample: Path):
    csv_frame = load_billing(focus_sample).frame
    raw = pd.read_csv(focus_sample, dtype=str, keep_default_na=False)   # NULL kept as text on purpose
    parquet = tmp_path / "billing.parquet"
    raw.to_parquet(parquet)
    frame = load_billing(parquet).frame
    assert frame["EffectiveCost"].sum() == pytest.approx(csv_frame["EffectiveCost"].sum(), abs=1e-12)
    assert frame["x_BusinessUnit"].tolist() == csv_frame["x_BusinessUnit"].tolist()
    assert frame["PricingCategory"].isna().sum() == 7


def test_a_parquet_file_with_map_tags_or_no_parquet_at_all_is_a_located_configuration_error(tmp_path: Path,
                                                                                           focus_sample: Path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    raw = pd.read_csv(focus_sample, dtype=str, keep_default_na=False).head(3)
    table = pa.Table.from_pandas(raw, preserve_index=False)
    tags = pa.array([[("business_unit", "search")]] * 3, type=pa.map_(pa.string(), pa.string()))
    table = table.set_column(table.schema.get_field_index("Tags"), "Tags", tags)
    pq.write_table(table, tmp_path / "billing.parquet")
    with pytest.raises(ConfigError, match=r"Tags column holds map<string, string.*write Tags as a string column"):
        load_billing(tmp_path / "billing.parquet")
    (tmp_path / "broken.parquet").write_bytes(b"PAR1 not really")
    with pytest.raises(ConfigError, match=r"cannot read billing file .*broken.parquet"):
        load_billing(tmp_path / "broken.parquet")
