"""Property-based tests: any mutation of a valid dataset either loads, or is refused with
exactly one line and exit 2; never a traceback, never an output.

The default suite runs a bounded number of examples; ``-m slow`` runs many more.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import seedmodel as sm

FAST = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
MANY = settings(FAST, max_examples=600)

#: cell values people and spreadsheets produce
CELLS = st.one_of(
    st.sampled_from(
        [
            "",
            " ",
            "nan",
            "NaN",
            "#N/A",
            "null",
            "-1",
            "1e400",
            "-0",
            "0x10",
            "1,000",
            "¥100",
            "2025-02-30",
            "2025/06/01",
            "TRUE",
            "小红星",
            "red cat",
            "RED_CAT",
            "<b>x</b>",
            "$x$",
        ]
    ),
    st.text(max_size=12),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-(10**20), 10**20).map(str),
)


@st.composite
def mutations(draw):
    """(table, kind, arguments) of one change to a CSV table."""
    table = draw(st.sampled_from(["media", "sales", "events", "brands"]))
    kind = draw(
        st.sampled_from(
            [
                "cell",
                "cell",
                "cell",
                "drop_row",
                "dup_row",
                "drop_col",
                "add_col",
                "rename_col",
                "truncate",
                "bytes",
                "ragged",
                "swap_cols",
            ]
        )
    )
    return table, kind, draw(st.integers(0, 10**6)), draw(st.integers(0, 10**6)), draw(CELLS)


def _apply(folder: Path, mutation) -> None:
    table, kind, i, j, value = mutation
    path = folder / f"{table}.csv"
    if not path.exists():
        return
    raw = path.read_bytes()
    if kind == "truncate":
        path.write_bytes(raw[: i % max(len(raw), 1)])
        return
    if kind == "bytes":
        k = i % max(len(raw), 1)
        path.write_bytes(raw[:k] + bytes([128 + j % 128, j % 256]) + raw[k:])
        return
    try:
        lines = raw.decode("utf-8").splitlines()
    except UnicodeDecodeError:  # an earlier change broke the encoding: keep it broken
        return
    if not lines:
        return
    header, rows = lines[0].split(","), [line.split(",") for line in lines[1:]]
    r, c = (i % len(rows)) if rows else 0, j % len(header)
    if kind == "cell" and rows and c < len(rows[r]):
        rows[r][c] = '"' + value.replace('"', '""') + '"'
    elif kind == "drop_row" and rows:
        rows.pop(r)
    elif kind == "dup_row" and rows:
        rows.insert(r, list(rows[r]))
    elif kind == "drop_col":
        header.pop(c)
        rows = [row[:c] + row[c + 1 :] for row in rows]
    elif kind == "add_col":
        header.append(value.replace(",", "").replace("\n", "") or "extra")
        rows = [[*row, "1"] for row in rows]
    elif kind == "rename_col":
        header[c] = value.replace(",", "").replace("\n", "")
    elif kind == "ragged" and rows:
        rows[r].append("1")
    elif kind == "swap_cols":
        k = i % len(header)
        header[c], header[k] = header[k], header[c]
    text = "\n".join(",".join(row) for row in [header, *rows]) + "\n"
    path.write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("base")
    config = sm.WorldConfig(start="2025-03-01", n_brands=2, days=40, attribution=False)
    sm.simulate(config, random_seed=1).write(folder)
    (folder / "truth.json").unlink()
    return folder


def _check(base: Path, work: Path, changes, capsys) -> None:
    from seedmodel.cli import main

    if work.exists():
        shutil.rmtree(work)
    shutil.copytree(base, work)
    for change in changes:
        _apply(work, change)
    code = main(["check", str(work)])
    err = capsys.readouterr().err
    assert code in (0, 2), err
    if code == 2:
        assert err.startswith("seedmodel: bad input:"), err
        assert err.count("\n") == 1, err  # exactly one line
    else:
        sm.load(work)  # what check passed, the library loads


@FAST
@given(changes=st.lists(mutations(), min_size=1, max_size=3))
def test_any_mutation_loads_or_is_refused_in_one_line(base, tmp_path, changes, capsys):
    _check(base, tmp_path / "work", changes, capsys)


@pytest.mark.slow
@MANY
@given(changes=st.lists(mutations(), min_size=1, max_size=4))
def test_any_mutation_loads_or_is_refused_in_one_line_many(base, tmp_path, changes, capsys):
    _check(base, tmp_path / "work", changes, capsys)


@FAST
@given(
    days=st.one_of(st.integers(-5, 3), st.floats(0.1, 9.9), st.just(float("nan"))),
    budget=st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-10, 0)),
)
def test_plan_arguments_are_refused_by_name(days, budget):
    from seedmodel.plan.arguments import check_days, check_number

    try:
        value = check_days(days)
    except ValueError as exc:
        assert "days" in str(exc)
    else:
        assert isinstance(value, int) and value >= 1 and value == days
    try:
        value = check_number("budget", budget)
    except (ValueError, TypeError) as exc:
        assert "budget" in str(exc)
    else:
        assert value > 0 and value < float("inf")
