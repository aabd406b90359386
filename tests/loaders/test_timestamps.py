"""ISO 8601 timestamps in dataset files (grader/loaders/timestamps.py): UTC unless the text names a
zone, unreadable texts NaT, the same answers whatever pandas version (pyproject allows 2.2 and 3)."""
from __future__ import annotations

import pandas as pd

from grader.loaders.timestamps import parse_utc


def test_zoned_and_naive_texts_each_keep_their_own_meaning():
    texts = ["2026-09-30T23:30:00-02:00", "2026-09-30 22:00:00", None, "garbage", "2026-09-30",
             "2026-09-30T22:00:00Z", "2026-09-30T22:00:00.5+0530", "2026-09-30 22:00:00", "2026-09-30T23:30:00-02:00"]
    got = parse_utc(pd.Series(texts, dtype="str", index=range(10, 19)))
    # pandas 2.2, parsing these in one call, reads the naive 22:00 as 22:00-02:00 (00:00 UTC on 1 October)
    expected = ["2026-10-01 01:30:00", "2026-09-30 22:00:00", None, None, "2026-09-30 00:00:00",
                "2026-09-30 22:00:00", "2026-09-30 16:30:00.5", "2026-09-30 22:00:00", "2026-10-01 01:30:00"]
    assert [None if pd.isna(t) else t.tz_convert(None).isoformat(sep=" ") for t in got] == \
        [None if e is None else pd.Timestamp(e).isoformat(sep=" ") for e in expected]
    assert str(got.dt.tz) == "UTC" and list(got.index) == list(range(10, 19))


def test_a_date_alone_is_midnight_utc_not_an_offset():
    got = parse_utc(pd.Series(["2026-09-30", "2026-10-01T00:00:00+02:00"], dtype="str"))
    assert [t.isoformat() for t in got] == ["2026-09-30T00:00:00+00:00", "2026-09-30T22:00:00+00:00"]


def test_times_already_parsed_and_empty_input():
    parsed = pd.Series(pd.to_datetime(["2026-01-01T05:00:00"]))
    assert parse_utc(parsed).tolist() == [pd.Timestamp("2026-01-01T05:00:00", tz="UTC")]
    assert parse_utc(pd.Series([], dtype="str")).tolist() == []
    assert parse_utc(pd.Series([None, None], dtype=object)).isna().all()
