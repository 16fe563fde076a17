"""Cell normalizers and file sniffing of shezhi.tabular: examples and properties."""

from __future__ import annotations

import contextlib
import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import example, given
from hypothesis import strategies as st

from shezhi.tabular import (
    CSV,
    XLSX,
    CellError,
    Column,
    TabularError,
    clean_code,
    clean_text,
    date_to_excel_serial,
    header_key,
    inspect_file,
    iter_rows,
    locate_header,
    parse_bool,
    parse_date,
    parse_decimal,
    split_list,
    store_upload,
)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def full_width(text: str) -> str:
    """Turn ASCII digits and letters into their full-width forms (Ｕ+FF10 …)."""
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in text)


dates = st.dates(min_value=dt.date(1920, 1, 1), max_value=dt.date(2099, 12, 31))
ascii_alnum = st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXYabcdefz", min_size=1, max_size=20)
spaces = st.sampled_from(["", " ", "  ", "\u3000", "\t", "\u00a0"])


class TestDates:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("2020-1-5", dt.date(2020, 1, 5)),
            ("2020/01/05", dt.date(2020, 1, 5)),
            ("2020.1.5", dt.date(2020, 1, 5)),
            ("2020年1月5日", dt.date(2020, 1, 5)),
            ("2020年01月05号", dt.date(2020, 1, 5)),
            ("20200105", dt.date(2020, 1, 5)),
            (" ２０２０－０１－０５ ", dt.date(2020, 1, 5)),
            ("2020-01-05 00:00:00", dt.date(2020, 1, 5)),
            (43835, dt.date(2020, 1, 5)),
            (43835.75, dt.date(2020, 1, 5)),
            (20200105, dt.date(2020, 1, 5)),
            ("43835", dt.date(2020, 1, 5)),
            (dt.datetime(2020, 1, 5, 8, 30), dt.date(2020, 1, 5)),
            ("", None),
            (None, None),
            ("　", None),
        ],
    )
    def test_readable_dates(self, value, expected):
        assert parse_date(value) == expected

    @pytest.mark.parametrize(
        "value", ["05/01/2020", "1/5/2020", "20-1-5", "2021-02-29", "2020-13-01", "2020", 2020, "明年", True, 99999999]
    )
    def test_ambiguous_or_impossible_dates_are_refused(self, value):
        with pytest.raises(CellError):
            parse_date(value)

    @given(day=dates, sep=st.sampled_from(["-", "/", "."]), pad=st.booleans(), width=st.booleans(), before=spaces, after=spaces)
    def test_separated_dates_in_any_width_and_padding(self, day, sep, pad, width, before, after):
        text = f"{day.year}{sep}{day.month:02d}{sep}{day.day:02d}" if pad else f"{day.year}{sep}{day.month}{sep}{day.day}"
        text = full_width(text) if width else text
        assert parse_date(f"{before}{text}{after}") == day

    @given(day=dates, pad=st.booleans())
    def test_chinese_and_compact_dates(self, day, pad):
        month, dd = (f"{day.month:02d}", f"{day.day:02d}") if pad else (day.month, day.day)
        assert parse_date(f"{day.year}年{month}月{dd}日") == day
        assert parse_date(day.strftime("%Y%m%d")) == day
        assert parse_date(int(day.strftime("%Y%m%d"))) == day

    @given(day=dates, fraction=st.floats(min_value=0, max_value=0.999))
    def test_excel_serials_round_trip(self, day, fraction):
        serial = date_to_excel_serial(day)
        assert parse_date(serial) == day
        assert parse_date(serial + fraction) == day

    @given(value=st.one_of(st.text(max_size=30), st.integers(), st.floats(allow_nan=True)))
    @example(value="2020-02-30")
    @example(value=float("inf"))
    def test_never_fails_any_other_way(self, value):
        try:
            result = parse_date(value)
        except CellError as exc:
            assert str(exc)
        else:
            assert result is None or isinstance(result, dt.date)


class TestBooleans:
    @pytest.mark.parametrize("value", ["是", "Y", "y", "yes", "√", "✓", "TRUE", "1", 1, True, "Ｙ", " 是 "])
    def test_yes(self, value):
        assert parse_bool(value) is True

    @pytest.mark.parametrize("value", ["否", "N", "no", "×", "FALSE", "0", 0, False, "ｎ", "无"])
    def test_no(self, value):
        assert parse_bool(value) is False

    @pytest.mark.parametrize("value", ["", None, "  ", "\u3000"])
    def test_blank_is_unknown(self, value):
        assert parse_bool(value) is None

    @pytest.mark.parametrize("value", ["可能", "2", "yes!", "是的吧"])
    def test_anything_else_is_refused(self, value):
        with pytest.raises(CellError):
            parse_bool(value)

    @given(
        word=st.sampled_from(["是", "Y", "YES", "TRUE", "√", "否", "N", "NO", "FALSE", "×"]),
        lower=st.booleans(),
        width=st.booleans(),
        before=spaces,
        after=spaces,
    )
    def test_case_width_and_spaces_do_not_matter(self, word, lower, width, before, after):
        text = word.lower() if lower else word
        text = full_width(text) if width else text
        assert parse_bool(f"{before}{text}{after}") is (word in {"是", "Y", "YES", "TRUE", "√"})

    @given(st.text(max_size=10))
    def test_result_is_bool_none_or_cell_error(self, value):
        with contextlib.suppress(CellError):
            assert parse_bool(value) in (True, False, None)


class TestWidthAndSpaces:
    def test_examples(self):
        assert clean_text("  ＡＢＣ１２３　平湖（当湖）  x\u200b ") == "ABC123 平湖（当湖） x"
        assert clean_text(12.0) == "12" and clean_text(None) == ""
        assert clean_code(" 52３３ 0482ma ") == "52330482MA"
        assert header_key("注册资金（万元）*") == header_key("注册资金(万元)")

    @given(ascii_alnum)
    def test_full_width_digits_and_letters_become_half_width(self, text):
        assert clean_text(full_width(text)) == text
        assert clean_code(full_width(text)) == text.upper()

    @given(st.text(max_size=40))
    def test_clean_text_is_idempotent_and_trimmed(self, text):
        once = clean_text(text)
        assert clean_text(once) == once
        assert once == once.strip() and "  " not in once and "\u3000" not in once

    @given(st.text(alphabet="（），。、：；“”《》", max_size=10))
    def test_chinese_punctuation_is_kept(self, text):
        assert clean_text(text) == text

    @given(
        st.lists(st.sampled_from(["养老服务", "社区治理", "儿童关爱"]), min_size=1, max_size=5),
        st.sampled_from(["、", ",", "，", "；", " 、 "]),
    )
    def test_split_list(self, names, sep):
        assert split_list(sep.join(names)) == list(dict.fromkeys(names))


class TestNumbers:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [("12.5", Decimal("12.5")), ("１２.５", Decimal("12.5")), ("1,000", Decimal("1000")), (3, Decimal(3)), ("", None)],
    )
    def test_numbers(self, value, expected):
        assert parse_decimal(value) == expected

    @pytest.mark.parametrize("value", ["十万", "1,00", "NaN", "inf"])
    def test_not_numbers(self, value):
        with pytest.raises(CellError):
            parse_decimal(value)


class TestFiles:
    @pytest.fixture(autouse=True)
    def media(self, settings, tmp_path):
        settings.MEDIA_ROOT = tmp_path / "media"

    def store(self, tmp_path, name: str, content: bytes, **kwargs):
        return store_upload([content], filename=name, **kwargs)

    def test_utf8_with_and_without_bom_and_gb18030(self, tmp_path):
        text = "名称,镇街道\n东湖社区读书会,当湖街道\n"
        for encoding, expected in (("utf-8", "utf-8-sig"), ("utf-8-sig", "utf-8-sig"), ("gb18030", "gb18030")):
            upload = self.store(tmp_path, "a.csv", text.encode(encoding))
            assert (upload.sheet.format, upload.sheet.encoding) == (CSV, expected)
            assert list(iter_rows(upload.sheet)) == [(1, ("名称", "镇街道")), (2, ("东湖社区读书会", "当湖街道"))]

    def test_tab_separated_text(self, tmp_path):
        upload = self.store(tmp_path, "a.txt", "名称\t镇街道\n读书会\t当湖街道\n".encode())
        assert upload.sheet.delimiter == "\t"

    @pytest.mark.parametrize(
        ("name", "content", "message"),
        [
            ("a.xlsx", "名称,镇街道\n".encode(), "not an Excel workbook"),
            ("a.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "Excel 97-2003"),
            ("a.csv", "名称".encode("utf-16"), "UTF-16"),
            ("a.csv", b"abc\x00def", "binary"),
            ("a.csv", b"", "empty"),
            ("a.pdf", b"%PDF-1.4", "Upload an Excel workbook"),
            ("a.xlsx", b"PK\x03\x04broken", "damaged"),
        ],
    )
    def test_refused_content(self, tmp_path, name, content, message):
        with pytest.raises(TabularError, match=message):
            self.store(tmp_path, name, content)
        assert not list((tmp_path / "media" / "imports").glob("*"))  # a refused file is not kept

    def test_zip_that_is_not_a_workbook(self, tmp_path):
        import io
        import zipfile

        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("hello.txt", "hi")
        with pytest.raises(TabularError, match="not an Excel workbook"):
            self.store(tmp_path, "a.xlsx", buffer.getvalue())

    def test_size_limit(self, tmp_path, settings):
        settings.IMPORT_MAX_UPLOAD_BYTES = 10
        with pytest.raises(TabularError, match="larger than the limit"):
            self.store(tmp_path, "a.csv", b"x" * 11)

    def test_xlsx_with_wrong_dimension_is_read_to_the_end(self, tmp_path):
        from openpyxl import Workbook

        workbook = Workbook()
        sheet = workbook.active
        for i in range(5):
            sheet.append([f"r{i}"])
        path = tmp_path / "w.xlsx"
        workbook.save(path)
        # Rewrite the sheet's declared size to A1:A1 as some generators do.
        import zipfile

        patched = tmp_path / "p.xlsx"
        with zipfile.ZipFile(path) as src, zipfile.ZipFile(patched, "w") as dst:
            for item in src.infolist():
                data = src.read(item.filename)
                if item.filename == "xl/worksheets/sheet1.xml":
                    data = data.replace(b'<dimension ref="A1:A5"/>', b'<dimension ref="A1:A1"/>')
                dst.writestr(item, data)
        sheet_file = inspect_file(patched, filename="p.xlsx")
        assert sheet_file.format == XLSX
        assert [values[0] for _n, values in iter_rows(sheet_file)] == ["r0", "r1", "r2", "r3", "r4"]


class TestRowCache:
    def test_values_keep_their_types(self, tmp_path):
        from shezhi.tabular import ROW_CACHE, cache_rows, cached_sheet

        rows = [(1, ("名称", None, 3, 4.5, True)), (3, (dt.datetime(2020, 1, 5, 8), dt.date(2020, 1, 5), dt.time(8, 30), '{"$date": 1}'))]
        path = tmp_path / "rows.jsonl"
        assert list(cache_rows(iter(rows), path)) == rows
        sheet = cached_sheet(path)
        assert sheet.format == ROW_CACHE and list(iter_rows(sheet)) == rows

    def test_a_copy_not_read_to_the_end_is_not_used(self, tmp_path):
        from shezhi.tabular import cache_rows, cached_sheet

        path = tmp_path / "rows.jsonl"
        reader = cache_rows(iter([(1, ("a",)), (2, ("b",))]), path)
        next(reader)
        reader.close()
        assert cached_sheet(path) is None and cached_sheet(tmp_path / "missing.jsonl") is None


class TestHeaderDetection:
    columns = [Column("name", "名称", ("组织名称",), required=True), Column("town", "镇街道", required=True), Column("phone", "联系电话")]

    def test_best_row_within_the_first_rows(self):
        rows = iter(enumerate([("表一",), ("", "名称说明"), ("组织名称 ", "镇街道", "备注"), ("读书会", "当湖街道", "x")], start=1))
        header, rest = locate_header(rows, self.columns)
        assert header.row == 3 and header.positions == {"name": 0, "town": 1} and header.ignored == ["备注"]
        assert list(rest) == [(4, ("读书会", "当湖街道", "x"))]

    def test_duplicated_column_is_refused(self):
        rows = iter(enumerate([("名称", "组织名称", "镇街道")], start=1))
        with pytest.raises(TabularError, match="appear twice"):
            locate_header(rows, self.columns)
