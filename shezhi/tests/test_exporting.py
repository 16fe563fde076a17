"""The CSV cells every export writes: Chinese yes/no, ISO dates, plain decimals, and text that
looks like a formula kept from running (CSV injection) — but numbers stay numbers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shezhi.exporting import FORMULA_START, csv_cell, csv_lines


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (True, "是"),
        (False, "否"),
        (dt.date(2020, 12, 31), "2020-12-31"),
        (Decimal("1E+2"), "100"),
        (Decimal("33.33"), "33.33"),
        (-5, "-5"),
        (Decimal("-0.5"), "-0.5"),
        ('=HYPERLINK("x")', '\'=HYPERLINK("x")'),
        ("-1+2", "'-1+2"),
        ("平湖市", "平湖市"),
    ],
)
def test_cells(value, text):
    assert csv_cell(value) == text


@given(st.text())
def test_no_text_cell_starts_like_a_formula(text):
    assert not csv_cell(text).startswith(FORMULA_START)


def test_lines_use_the_cells():
    lines = list(csv_lines([("名称", lambda r: r[0]), ("差距", lambda r: r[1])], [("=cmd", -3)]))
    assert lines[0].startswith("\ufeff名称,差距")
    assert lines[1].strip() == "'=cmd,-3"
