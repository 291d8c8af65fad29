"""Loading and validation: good data loads; every kind of bad input names table, key, column."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import run_cli

import seedmodel as sm


def read(folder, table):
    return pd.read_csv(folder / f"{table}.csv", dtype=str, keep_default_na=False)


def write(folder, table, frame):
    frame.to_csv(folder / f"{table}.csv", index=False)


def expect(folder, table, column, key_part, words):
    with pytest.raises(sm.DataError) as info:
        sm.load(folder)
    err = info.value
    assert err.table == table, str(err)
    assert err.column == column, str(err)
    if key_part is not None:
        assert key_part in (err.key or ""), str(err)
    msg = str(err)
    assert f"table '{table}'" in msg and (column is None or f"column '{column}'" in msg)
    for word in words:
        assert word in msg, msg
    return err


def test_good_dataset_loads_with_named_dims(small_dir, small_sim):
    data = sm.load(small_dir)
    assert data.freq == "D"
    assert data.brand_names == ("LumaBeauty", "PureCare")
    assert data.channel_names == ("little_red_star", "red_cat", "red_jd", "organic")
    assert data.platform_names == ("tmall", "jd")
    assert data.paid_channels == ("little_red_star", "red_cat", "red_jd")
    spend = data.media_array("spend")
    assert spend.dims == ("date", "brand", "channel")
    assert spend.shape == (150, 2, 4)
    gmv = data.sales_array("gmv")
    assert gmv.dims == ("date", "brand", "platform")
    np.testing.assert_allclose(
        spend.sel(channel="little_red_star").sum().item(),
        sum(small_sim.truth["spend"][b]["little_red_star"] for b in data.brand_names),
        rtol=1e-9,
    )
    assert data.has("lift_tests") and data.has("attribution") and data.margin("PureCare") > 0


def test_parquet_tables_load_like_csv(small_dir, tmp_path):
    for name in ("media", "sales"):
        pd.read_csv(small_dir / f"{name}.csv").to_parquet(tmp_path / f"{name}.parquet")
    a, b = sm.load(small_dir), sm.load(tmp_path)
    pd.testing.assert_frame_equal(a.media, b.media, check_dtype=False)
    pd.testing.assert_frame_equal(a.sales, b.sales, check_dtype=False)


def test_missing_folder_and_required_table(tmp_path, data_dir):
    with pytest.raises(sm.DataError, match="no dataset folder"):
        sm.load(tmp_path / "nope")
    (data_dir / "sales.csv").unlink()
    expect(data_dir, "sales", None, None, ["required table is missing"])


def test_missing_required_column(data_dir):
    write(data_dir, "media", read(data_dir, "media").drop(columns="spend"))
    expect(data_dir, "media", "spend", None, ["required column is missing"])


def test_unparseable_date(data_dir):
    media = read(data_dir, "media")
    media.loc[7, "date"] = "2025/13/45"
    write(data_dir, "media", media)
    expect(data_dir, "media", "date", "row 8", ["cannot read date", "2025/13/45"])


def test_gap_in_dates(data_dir):
    for table in ("media", "sales"):
        frame = read(data_dir, table)
        write(data_dir, table, frame[frame["date"] != "2025-05-15"])
    expect(data_dir, "media", "date", "date=2025-05-16", ["gap in dates", "2025-05-14"])


def test_missing_row_for_one_channel(data_dir):
    media = read(data_dir, "media")
    drop = (media["date"] == "2025-06-01") & (media["channel"] == "red_cat")
    drop &= media["brand"] == "PureCare"
    write(data_dir, "media", media[~drop])
    expect(
        data_dir,
        "media",
        "date",
        "date=2025-06-01, brand=PureCare, channel=red_cat",
        ["no row for this key"],
    )


def test_mixed_frequency(data_dir):
    for table in ("media", "sales"):
        frame = read(data_dir, table)
        d = pd.to_datetime(frame["date"])
        keep = (d < "2025-06-01") | ((d - pd.Timestamp("2025-06-01")).dt.days % 7 == 0)
        write(data_dir, table, frame[keep])
    expect(data_dir, "media", "date", "date=2025-06-08", ["mixed frequency"])


def test_duplicate_key(data_dir):
    sales = read(data_dir, "sales")
    write(data_dir, "sales", pd.concat([sales, sales.iloc[[5]]]))
    err = expect(data_dir, "sales", "date, brand, platform", "brand=", ["duplicate key"])
    assert "date=2025-04-02" in err.key


@pytest.mark.parametrize(
    ("table", "column", "value", "words"),
    [
        ("media", "spend", "-5", ["negative value -5"]),
        ("media", "spend", "", ["missing value"]),
        ("media", "spend", "NaN", ["missing value"]),
        ("media", "spend", "12k", ["not a number", "12k"]),
        ("media", "spend", "inf", ["not finite"]),
        ("sales", "gmv", "-1.5", ["negative value -1.5"]),
        ("sales", "gmv", "nan", ["missing value"]),
        ("media", "reads", "-3", ["negative value -3"]),
        ("media", "clicks", "abc", ["not a number"]),
        ("sales", "orders", "", ["missing value"]),
    ],
)
def test_bad_numbers(data_dir, table, column, value, words):
    frame = read(data_dir, table)
    frame.loc[10, column] = value
    write(data_dir, table, frame)
    err = expect(data_dir, table, column, "row 11", words)
    assert "date=" in err.key and "brand=" in err.key


def test_bad_channel_id(data_dir):
    media = read(data_dir, "media")
    media.loc[3, "channel"] = "Red Cat"
    write(data_dir, "media", media)
    expect(data_dir, "media", "channel", "row 4", ["not a snake_case id"])


def test_brand_in_media_not_in_sales(data_dir):
    sales = read(data_dir, "sales")
    write(data_dir, "sales", sales[sales["brand"] != "PureCare"])
    expect(data_dir, "sales", "brand", "brand=PureCare", ["is in media but has no rows here"])


def test_brand_in_sales_not_in_media(data_dir):
    media = read(data_dir, "media")
    write(data_dir, "media", media[media["brand"] != "LumaBeauty"])
    expect(data_dir, "media", "brand", "brand=LumaBeauty", ["is in sales but has no rows"])


def test_sales_dates_differ_from_media(data_dir):
    sales = read(data_dir, "sales")
    write(data_dir, "sales", sales[sales["date"] != sales["date"].max()])
    expect(data_dir, "sales", "date", "date=", ["must cover the same dates"])


def test_unknown_channel_in_lift_tests(data_dir):
    lift = read(data_dir, "lift_tests")
    lift.loc[0, "channel"] = "red_vip"
    write(data_dir, "lift_tests", lift)
    expect(data_dir, "lift_tests", "channel", "channel=red_vip", ["unknown channel 'red_vip'"])


def test_unknown_brand_in_lift_tests(data_dir):
    lift = read(data_dir, "lift_tests")
    lift.loc[0, "brand"] = "花西子"
    write(data_dir, "lift_tests", lift)
    expect(data_dir, "lift_tests", "brand", "brand=花西子", ["unknown brand '花西子'"])


def test_unknown_brand_and_channel_in_attribution(data_dir):
    attr = read(data_dir, "attribution")
    attr.loc[2, "channel"] = "red_vip"
    write(data_dir, "attribution", attr)
    expect(data_dir, "attribution", "channel", "channel=red_vip", ["unknown channel"])
    attr.loc[2, "channel"] = "red_cat"
    attr.loc[2, "brand"] = "Nobody"
    write(data_dir, "attribution", attr)
    expect(data_dir, "attribution", "brand", "brand=Nobody", ["unknown brand"])


def test_lift_test_window_outside_data(data_dir):
    lift = read(data_dir, "lift_tests")
    lift.loc[0, "end"] = "2030-01-01"
    write(data_dir, "lift_tests", lift)
    expect(data_dir, "lift_tests", "end", "brand=", ["outside the data"])


def test_lift_test_end_before_start_and_bad_se(data_dir):
    lift = read(data_dir, "lift_tests")
    good = lift.copy()
    lift.loc[0, "end"] = "2025-04-01"
    write(data_dir, "lift_tests", lift)
    expect(data_dir, "lift_tests", "end", "brand=", ["end is before start"])
    good.loc[0, "incremental_gmv_se"] = "0"
    write(data_dir, "lift_tests", good)
    expect(data_dir, "lift_tests", "incremental_gmv_se", "brand=", ["must be > 0"])


def test_empty_file_and_header_only(data_dir):
    (data_dir / "events.csv").write_text("")
    expect(data_dir, "events", None, None, ["is empty"])
    (data_dir / "events.csv").write_text("date,event,brand\n")
    expect(data_dir, "events", None, None, ["header but no rows"])


def test_non_utf8_file(data_dir):
    text = (data_dir / "brands.csv").read_text(encoding="utf-8")
    (data_dir / "brands.csv").write_bytes(text.replace("PureCare", "纯净").encode("gbk"))
    err = expect(data_dir, "brands", None, "line 3", ["not UTF-8"])
    assert "byte" in str(err)


def test_both_csv_and_parquet(data_dir):
    pd.read_csv(data_dir / "brands.csv").to_parquet(data_dir / "brands.parquet")
    expect(data_dir, "brands", None, None, ["both brands.csv and brands.parquet"])


def test_margin_outside_unit_interval(data_dir):
    brands = read(data_dir, "brands")
    brands.loc[0, "margin"] = "35"
    write(data_dir, "brands", brands)
    expect(data_dir, "brands", "margin", "brand=LumaBeauty", ["not a share in [0, 1]"])


def test_wrong_types_in_memory(small_sim):
    media = small_sim.data.media.copy()
    media["spend"] = media["spend"].astype(object)
    media.loc[4, "spend"] = "lots"
    with pytest.raises(sm.DataError, match="not a number: 'lots'") as info:
        sm.from_frames(media=media, sales=small_sim.data.sales)
    assert info.value.column == "spend"
    with pytest.raises(sm.DataError, match="expected a pandas DataFrame"):
        sm.from_frames(media=[1, 2], sales=small_sim.data.sales)


def test_replace_swaps_or_drops_tables_and_checks_them_again(small_sim):
    data = small_sim.data
    assert data.has("lift_tests") and data.has("attribution")
    bare = data.replace(lift_tests=None, attribution=None)
    assert not bare.has("lift_tests") and not bare.has("attribution")
    for name in ("media", "sales", "brands", "events"):
        pd.testing.assert_frame_equal(getattr(bare, name), getattr(data, name))
    doubled = data.replace(media=data.media.assign(spend=data.media["spend"] * 2))
    np.testing.assert_allclose(doubled.media["spend"], 2 * data.media["spend"])
    pd.testing.assert_frame_equal(doubled.lift_tests, data.lift_tests)
    bad = data.media.copy()
    bad.loc[3, "spend"] = -1.0
    with pytest.raises(sm.DataError) as info:
        data.replace(media=bad)
    assert (info.value.table, info.value.column) == ("media", "spend")
    with pytest.raises(sm.DataError, match="required table is missing"):
        data.replace(sales=None)
    with pytest.raises(sm.DataError, match="unknown table"):
        data.replace(budgets=data.media)


def test_chinese_brand_names_round_trip(small_sim, tmp_path):
    rename = {"LumaBeauty": "花西子", "PureCare": "薇诺娜"}
    frames = {
        name: getattr(small_sim.data, name).replace({"brand": rename})
        for name in ("media", "sales", "brands", "events", "lift_tests", "attribution")
    }
    data = sm.from_frames(**frames)
    data.write(tmp_path)
    again = sm.load(tmp_path)
    assert again.brand_names == ("花西子", "薇诺娜")
    pd.testing.assert_frame_equal(again.sales, data.sales)


def test_weekly_data_is_accepted(small_sim):
    weekly = sm.simulate(sm.WorldConfig(n_brands=1, days=140, freq="W"), random_seed=2)
    assert weekly.data.freq == "W"
    # 2024-10-01 is a Tuesday: the world starts on the next Monday and keeps whole weeks
    assert weekly.data.dates[0] == pd.Timestamp("2024-10-07")
    assert len(weekly.data.dates) == (140 - 6) // 7
    assert (weekly.data.dates.day_of_week == 0).all()
    assert weekly.truth["window"] == ["2024-10-07", "2025-02-16"]
    assert weekly.data.media["spend"].sum() == pytest.approx(
        sum(v for b in weekly.truth["spend"].values() for v in b.values()), rel=1e-9
    )


def test_cli_bad_input_exits_2_with_one_line(data_dir, tmp_path):
    media = read(data_dir, "media")
    media.loc[0, "spend"] = "-1"
    write(data_dir, "media", media)
    proc = run_cli("report", str(data_dir), "--out", str(tmp_path / "r.html"))
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr
    assert "table 'media'" in lines[0] and "column 'spend'" in lines[0] and "row 1" in lines[0]
    assert not (tmp_path / "r.html").exists()
