"""Reading and writing spreadsheets (.xlsx and .csv) the way people actually make them.

Files are read as streams: openpyxl in read-only mode walks the sheet XML row by row and
csv.reader walks the text, so a 100,000-row file never sits in memory whole. Uploaded
files are checked by their content, not their name: an .xlsx must be a zip with the parts
of a workbook, a .csv must be text in UTF-8 (with or without BOM) or GB18030.

Cell values are normalized only where the meaning is unambiguous: full-width digits and
Latin letters become half-width, runs of spaces collapse, Excel date serials and the text
dates Chinese offices write (2020-1-5, 2020/01/05, 2020年1月5日, 20200105) become dates.
Day-month orders that could be read two ways (05/01/2020) are refused, never guessed.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import json
import math
import re
import tempfile
import unicodedata
import uuid
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import FileResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

XLSX = "xlsx"
CSV = "csv"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
HEADER_SCAN_ROWS = 10
# A workbook whose parts inflate beyond this is refused before parsing (zip bombs).
MAX_UNCOMPRESSED_BYTES = 2 * 1024 * 1024 * 1024


class TabularError(Exception):
    """A problem with the file as a whole; the message is for the person who uploaded it."""


class CellError(ValueError):
    """A cell value that cannot be read unambiguously; the message says why."""


# --- normalizing cell values --------------------------------------------------------------

# Full-width digits and Latin letters (Ａ-Ｚ ａ-ｚ ０-９) only: Chinese punctuation such as
# （） in names is part of the name and stays as written.
_WIDTH = {cp: cp - 0xFEE0 for cp in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B))}
_WIDTH |= dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)  # invisible characters go


def clean_text(value: Any) -> str:
    """A cell as text: half-width digits and letters, no invisible characters, single spaces."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date() if value.time() == dt.time(0) else value
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    # split() also splits at the ideographic space U+3000 and the no-break space.
    return " ".join(str(value).translate(_WIDTH).split())


def clean_code(value: Any) -> str:
    """A code (credit code, area code, number): NFKC, every space removed, upper case."""
    return "".join(unicodedata.normalize("NFKC", clean_text(value)).split()).upper()


def header_key(value: Any) -> str:
    """How headers and choice words compare: NFKC (so （万元） equals (万元)), no spaces or
    required-field stars, case-folded."""
    if isinstance(value, str):
        return _text_key(value)
    return _text_key(clean_text(value))


@lru_cache(maxsize=8192)  # the same few words (towns, categories) fill whole columns
def _text_key(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", clean_text(text)).split()).replace("*", "").casefold()


_TRUE = {"是", "Y", "YES", "TRUE", "T", "1", "√", "✓", "✔", "☑", "有", "对"}
_FALSE = {"否", "N", "NO", "FALSE", "F", "0", "×", "✗", "✘", "☒", "无", "不是", "错"}


def parse_bool(value: Any) -> bool | None:
    """是/否, Y/N, √/× and the like; blank is None (the caller's default)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    text = clean_code(value)
    if not text:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CellError(_("“%(value)s” is not a yes/no answer: write 是 or 否.") % {"value": clean_text(value)})


# Excel's day 0 is 1899-12-30 once its 1900 leap-year bug is accounted for (serials ≥ 61).
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_FIRST_YEAR, _LAST_YEAR = 1900, 2099
_DATE_PATTERNS = [
    re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})"),  # 2020-1-5, 2020/01/05, 2020.1.5
    re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})[日号]?"),  # 2020年1月5日
    re.compile(r"(\d{4})(\d{2})(\d{2})"),  # 20200105
]
# A time part after a date (Excel text "2020-01-05 00:00:00") carries no information here.
_TIME_SUFFIX = re.compile(r"(?<=\d)(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)$")


# Serials below this (1920-01-01) are refused: a small number such as 2020 in a date
# column is far more likely a year or a slip than a day in 1905.
_FIRST_SERIAL = 7306
_LAST_SERIAL = 73050  # 2099-12-31


def excel_serial_date(serial: float) -> dt.date:
    """The day of an Excel (1900 date system) serial number; a fraction is a time of day."""
    whole = int(serial)
    if not _FIRST_SERIAL <= whole <= _LAST_SERIAL:
        raise CellError(_("%(value)s is not a date: write it as 2020-01-05.") % {"value": serial})
    return _EXCEL_EPOCH + dt.timedelta(days=whole)


def date_to_excel_serial(day: dt.date) -> int:
    return (day - _EXCEL_EPOCH).days


def parse_date(value: Any) -> dt.date | None:
    """A date from an Excel date cell, an Excel serial number or an unambiguous text date."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise CellError(_("“%(value)s” is not a date.") % {"value": value})
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            raise CellError(_("“%(value)s” is not a date.") % {"value": value})
        if isinstance(value, int) or value.is_integer():
            digits = str(int(value))
            if len(digits) == 8:  # 20200105 typed into a number cell
                return parse_date(digits)
        return excel_serial_date(value)
    text = _TIME_SUFFIX.sub("", unicodedata.normalize("NFKC", clean_text(value))).replace(" ", "")
    if not text:
        return None
    for pattern in _DATE_PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            year, month, day = (int(g) for g in match.groups())
            if not _FIRST_YEAR <= year <= _LAST_YEAR:
                raise CellError(_("“%(value)s” is not a date between 1900 and 2099.") % {"value": clean_text(value)})
            try:
                return dt.date(year, month, day)
            except ValueError:
                raise CellError(_("“%(value)s” is not a real calendar date.") % {"value": clean_text(value)}) from None
    if text.isdigit() and 4 <= len(text) <= 5:
        return excel_serial_date(int(text))  # a serial number stored as text
    raise CellError(
        _("“%(value)s” is not a date that can be read unambiguously: write it as 2020-01-05 or 2020年1月5日.")
        % {"value": clean_text(value)}
    )


_THOUSANDS = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?")


def parse_decimal(value: Any) -> Decimal | None:
    """A number: 12.5, １２.５, 1,000 (thousands separators). Blank is None."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise CellError(_("“%(value)s” is not a number.") % {"value": value})
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    text = unicodedata.normalize("NFKC", clean_text(value)).replace(" ", "")
    if not text:
        return None
    if _THOUSANDS.fullmatch(text):
        text = text.replace(",", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise CellError(_("“%(value)s” is not a number.") % {"value": clean_text(value)}) from None
    if not number.is_finite():
        raise CellError(_("“%(value)s” is not a number.") % {"value": clean_text(value)})
    return number


def parse_int(value: Any) -> int | None:
    number = parse_decimal(value)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise CellError(_("“%(value)s” is not a whole number.") % {"value": clean_text(value)})
    return int(number)


_LIST_SEPARATORS = re.compile(r"[、,，;；/\n]+")


def split_list(value: Any) -> list[str]:
    """Names separated by 、 or commas (full- or half-width) or semicolons, in order, no repeats."""
    seen: dict[str, None] = {}
    for part in _LIST_SEPARATORS.split(clean_text(value)):
        part = part.strip()
        if part:
            seen.setdefault(part, None)
    return list(seen)


# --- what a file is -------------------------------------------------------------------------


@dataclass(frozen=True)
class SheetFile:
    path: Path
    format: str  # XLSX or CSV
    encoding: str = ""  # CSV only: utf-8-sig or gb18030
    delimiter: str = ","


def _decodes_as(path: Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    with path.open("rb") as fh:
        try:
            while chunk := fh.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def _check_xlsx(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            names = {i.filename for i in infos}
            if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
                raise TabularError(_("The file is a zip archive but not an Excel workbook (.xlsx)."))
            if sum(i.file_size for i in infos) > MAX_UNCOMPRESSED_BYTES:
                raise TabularError(_("The workbook expands to more data than can be imported at once; split it into smaller files."))
    except zipfile.BadZipFile:
        raise TabularError(_("The .xlsx file is damaged or not a real Excel workbook.")) from None


def inspect_file(path: Path, *, filename: str) -> SheetFile:
    """What the file really is, judged by its content; the name's extension must agree."""
    path = Path(path)
    suffix = Path(filename).suffix.lower()
    with path.open("rb") as fh:
        head = fh.read(64 * 1024)
    if not head.strip():
        raise TabularError(_("The file is empty."))
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise TabularError(_("This is an old Excel 97-2003 (.xls) file: open it in Excel or WPS and save it as .xlsx, then upload again."))
    if head.startswith(b"PK\x03\x04"):
        if suffix not in (".xlsx", ".xlsm"):
            raise TabularError(_("The file is an Excel workbook but its name does not end in .xlsx; rename it and upload again."))
        _check_xlsx(path)
        return SheetFile(path=path, format=XLSX)
    if suffix not in (".csv", ".txt"):
        if suffix in (".xlsx", ".xlsm"):
            raise TabularError(_("The file is named .xlsx but is not an Excel workbook."))
        raise TabularError(_("Upload an Excel workbook (.xlsx) or a CSV file (.csv)."))
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head:
        raise TabularError(_("The file is not a CSV file in UTF-8 or GB18030 (it is binary or UTF-16 text): save it as CSV (UTF-8)."))
    if _decodes_as(path, "utf-8"):
        encoding = "utf-8-sig"
    elif _decodes_as(path, "gb18030"):
        encoding = "gb18030"
    else:
        raise TabularError(_("The CSV file's text encoding was not recognized: save it as CSV (UTF-8)."))
    sample = head.decode(encoding, errors="ignore")
    return SheetFile(path=path, format=CSV, encoding=encoding, delimiter=_sniff_delimiter(sample))


def _sniff_delimiter(sample: str) -> str:
    lines = [line for line in sample.splitlines()[: HEADER_SCAN_ROWS + 5] if line.strip()]
    best, best_count = ",", 0
    for delimiter in (",", "\t", ";"):
        count = sum(line.count(delimiter) for line in lines)
        if count > best_count:
            best, best_count = delimiter, count
    return best


@dataclass
class StoredUpload:
    path: Path
    name: str  # relative to the upload folder
    sha256: str
    size: int
    sheet: SheetFile


def upload_dir() -> Path:
    """Uploaded files live under MEDIA_ROOT, which no URL serves."""
    path = Path(settings.MEDIA_ROOT) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def store_upload(chunks: Iterable[bytes], *, filename: str, max_bytes: int | None = None, prefix: str = "") -> StoredUpload:
    """Copy an upload into the upload folder under a random name and check what it is.

    Refuses (TabularError) files over the size limit and files that are not a real .xlsx
    or text .csv; a refused file is not kept.
    """
    limit = settings.IMPORT_MAX_UPLOAD_BYTES if max_bytes is None else max_bytes
    suffix = Path(filename).suffix.lower()
    if suffix not in (".xlsx", ".xlsm", ".csv", ".txt", ".xls"):  # .xls only to say how to convert it
        raise TabularError(_("Upload an Excel workbook (.xlsx) or a CSV file (.csv)."))
    name = f"{prefix}{uuid.uuid4().hex}{suffix}"
    path = upload_dir() / name
    digest = hashlib.sha256()
    size = 0
    try:
        with path.open("wb") as out:
            for chunk in chunks:
                size += len(chunk)
                if size > limit:
                    raise TabularError(
                        _("The file is larger than the limit of %(mb)s MB: split it into smaller files.") % {"mb": limit // (1024 * 1024)}
                    )
                digest.update(chunk)
                out.write(chunk)
        sheet = inspect_file(path, filename=filename)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return StoredUpload(path=path, name=name, sha256=digest.hexdigest(), size=size, sheet=sheet)


def stored_path(name: str) -> Path:
    """The stored upload of this name; refuses names that would leave the upload folder."""
    base = upload_dir().resolve()
    path = (base / name).resolve()
    if path.parent != base:
        raise TabularError("bad stored file name")
    return path


# --- reading rows ---------------------------------------------------------------------------


def iter_rows(sheet: SheetFile) -> Iterator[tuple[int, tuple]]:
    """(row number as the spreadsheet program shows it, cell values) for every row."""
    if sheet.format == XLSX:
        yield from _iter_xlsx(sheet.path)
    elif sheet.format == ROW_CACHE:
        yield from _iter_cache(sheet.path)
    else:
        yield from _iter_csv(sheet)


# --- a second pass without parsing the workbook again -------------------------------------

ROW_CACHE = "rows"  # a SheetFile format: rows copied while a workbook was read the first time
_CACHE_END = '{"end": true}'


def _cache_default(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    if isinstance(value, dt.time):
        return {"$time": value.isoformat()}
    return {"$text": str(value)}


def _cache_object(obj: dict) -> Any:
    if "$datetime" in obj:
        return dt.datetime.fromisoformat(obj["$datetime"])
    if "$date" in obj:
        return dt.date.fromisoformat(obj["$date"])
    if "$time" in obj:
        return dt.time.fromisoformat(obj["$time"])
    if "$text" in obj:
        return obj["$text"]
    return obj


def cache_rows(rows: Iterable[tuple[int, tuple]], path: Path) -> Iterator[tuple[int, tuple]]:
    """Pass rows through while copying them, with their types, to a JSON-lines file.

    Parsing a workbook's XML is the slowest part of reading it; a job that must read the
    same rows twice (check, then write) reads this copy the second time. The copy counts
    only when it was read to the end (see cached_sheet).
    """
    with path.open("w", encoding="utf-8") as out:
        for number, values in rows:
            out.write(json.dumps([number, list(values)], ensure_ascii=False, default=_cache_default))
            out.write("\n")
            yield number, values
        out.write(_CACHE_END + "\n")


def cached_sheet(path: Path) -> SheetFile | None:
    """The row copy as a sheet to read, if it is complete; None otherwise."""
    try:
        with path.open("rb") as fh:
            fh.seek(max(0, path.stat().st_size - 64))
            complete = fh.read().rstrip().endswith(_CACHE_END.encode())
    except OSError:
        return None
    return SheetFile(path=path, format=ROW_CACHE) if complete else None


def _iter_cache(path: Path) -> Iterator[tuple[int, tuple]]:
    with path.open("r", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith(_CACHE_END):
                return
            number, values = json.loads(line, object_hook=_cache_object)
            yield number, tuple(values)
    raise TabularError(_("The copy of the file's rows is incomplete: upload the file again."))


def _iter_xlsx(path: Path) -> Iterator[tuple[int, tuple]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise TabularError(_("The workbook could not be read: %(error)s") % {"error": exc}) from None
    try:
        if not workbook.worksheets:
            raise TabularError(_("The workbook has no worksheet."))
        sheet = workbook.worksheets[0]
        # Some programs write a wrong size into the sheet; read to the real end instead.
        sheet.reset_dimensions()
        try:
            yield from enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1)
        except (KeyError, ValueError, TypeError, zipfile.BadZipFile) as exc:
            raise TabularError(_("The workbook could not be read: %(error)s") % {"error": exc}) from None
    finally:
        workbook.close()


def _iter_csv(sheet: SheetFile) -> Iterator[tuple[int, tuple]]:
    with sheet.path.open("r", encoding=sheet.encoding, newline="") as fh:
        reader = csv.reader(fh, delimiter=sheet.delimiter)
        try:
            # Excel shows one row per record, even when a quoted cell spans several lines.
            for number, values in enumerate(reader, start=1):
                yield number, tuple(values)
        except csv.Error as exc:
            raise TabularError(
                _("The CSV file could not be read near row %(row)d: %(error)s") % {"row": reader.line_num, "error": exc}
            ) from None
        except UnicodeDecodeError:
            raise TabularError(_("The CSV file's text encoding was not recognized: save it as CSV (UTF-8).")) from None


def count_rows(sheet: SheetFile) -> int:
    """A quick upper bound of the rows in the file, for the progress bar (not exact)."""
    if sheet.format == CSV:
        count = 0
        with sheet.path.open("rb") as fh:
            while chunk := fh.read(1 << 20):
                count += chunk.count(b"\n")
        return count + 1
    try:
        with zipfile.ZipFile(sheet.path) as archive:
            part = _first_sheet_part(archive)
            if part is None:
                return 0
            count, tail = 0, b""
            with archive.open(part) as fh:
                while chunk := fh.read(1 << 20):
                    data = tail + chunk
                    count += data.count(b"<row ") + data.count(b"<row>")
                    tail = data[-5:]
                    count -= tail.count(b"<row ") + tail.count(b"<row>")
                count += tail.count(b"<row ") + tail.count(b"<row>")
            return count
    except (zipfile.BadZipFile, KeyError, OSError):
        return 0


def _first_sheet_part(archive: zipfile.ZipFile) -> str | None:
    names = sorted(n for n in archive.namelist() if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n))
    if not names:
        return None
    return min(names, key=lambda n: int(re.search(r"(\d+)\.xml$", n).group(1)))


def is_blank_row(values: Sequence[Any]) -> bool:
    return all(v is None or (isinstance(v, str) and not clean_text(v)) for v in values)


# --- headers --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # the Chinese header written in templates and exports (data, not UI text)
    aliases: tuple[str, ...] = ()
    required: bool = False
    example: Any = ""

    def header_keys(self) -> set[str]:
        return {header_key(self.header), *(header_key(a) for a in self.aliases)}


@dataclass
class HeaderMap:
    row: int  # the header's row number
    positions: dict[str, int]  # column key -> 0-based index in the row
    headers: dict[str, str]  # column key -> header text as written in the file
    ignored: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)

    def letter(self, key: str) -> str:
        return get_column_letter(self.positions[key] + 1) if key in self.positions else ""

    def cells(self, values: Sequence[Any]) -> dict[str, Any]:
        n = len(values)
        return {key: (values[i] if i < n else None) for key, i in self.positions.items()}


def map_header(number: int, values: Sequence[Any], columns: Sequence[Column]) -> HeaderMap:
    lookup = {k: c for c in columns for k in c.header_keys()}
    result = HeaderMap(row=number, positions={}, headers={})
    for index, value in enumerate(values):
        text = clean_text(value)
        if not text:
            continue
        column = lookup.get(header_key(text))
        if column is None:
            result.ignored.append(text)
        elif column.key in result.positions:
            result.duplicated.append(text)
        else:
            result.positions[column.key] = index
            result.headers[column.key] = text
    result.missing = [c.header for c in columns if c.required and c.key not in result.positions]
    return result


def locate_header(
    rows: Iterator[tuple[int, tuple]], columns: Sequence[Column], *, scan: int = HEADER_SCAN_ROWS
) -> tuple[HeaderMap, Iterator[tuple[int, tuple]]]:
    """Find the header among the first `scan` rows (title rows may stand above it).

    The header is the row naming the most known columns (at least two). Returns it and the
    rows after it. Raises TabularError when there is none or it lacks required columns.
    """
    buffered: list[tuple[int, tuple]] = []
    best: HeaderMap | None = None
    best_index = -1
    for number, values in rows:
        buffered.append((number, values))
        if not is_blank_row(values):
            candidate = map_header(number, values, columns)
            if len(candidate.positions) >= 2 and (best is None or len(candidate.positions) > len(best.positions)):
                best, best_index = candidate, len(buffered) - 1
        if len(buffered) >= scan:
            break
    required = "、".join(c.header for c in columns if c.required)
    if best is None:
        raise TabularError(
            _("No header row was found in the first %(n)d rows. The header must name the columns, e.g. %(required)s.")
            % {"n": scan, "required": required}
        )
    if best.missing:
        raise TabularError(
            _("Required columns are missing from the header (row %(row)d): %(missing)s.")
            % {"row": best.row, "missing": "、".join(best.missing)}
        )
    if best.duplicated:
        raise TabularError(
            _("These columns appear twice in the header (row %(row)d): %(columns)s.")
            % {"row": best.row, "columns": "、".join(best.duplicated)}
        )

    def rest() -> Iterator[tuple[int, tuple]]:
        yield from buffered[best_index + 1 :]
        yield from rows

    return best, rest()


# --- writing --------------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBERISH = re.compile(r"[+-]?[\d\s().-]*")


def _csv_safe(value: Any) -> Any:
    """Keep a text that starts like a formula from running in Excel (CSV injection)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _NUMBERISH.fullmatch(value):
        return "'" + value
    return value


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return _csv_safe(value)


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """CSV text, UTF-8 with BOM so that Excel shows the Chinese correctly."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(headers)
    for row in rows:
        yield writer.writerow([_csv_cell(v) for v in row])


def write_xlsx(
    target: Path | io.IOBase, headers: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str = "Sheet1", extra=None
) -> None:
    """Write one sheet in write-only (streaming) mode. Text is always stored as text, never
    as a formula, so a value like '=cmd|...' cannot run when the file is opened.

    `extra` is an optional callable taking the workbook to add more sheets (e.g. notes).
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title)
    bold = Font(bold=True)
    for index, header in enumerate(headers):
        sheet.column_dimensions[_letter(index)].width = max(10, min(40, len(str(header)) * 2 + 4))
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append([_xlsx_cell(sheet, v) for v in row])
    if extra is not None:
        extra(workbook)
    workbook.save(target)


def _letter(index: int) -> str:
    return get_column_letter(index + 1)


def _xlsx_cell(sheet, value: Any):
    from openpyxl.cell import WriteOnlyCell

    if value is None or (isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)):
        return value
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (dt.date, dt.datetime)):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    text = str(value)
    cell = WriteOnlyCell(sheet, value=None)
    cell.value = text
    cell.data_type = "s"  # never a formula
    return cell


def attachment_headers(response, filename: str):
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def csv_response(filename: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_lines(headers, rows), content_type=CSV_CONTENT_TYPE)
    return attachment_headers(response, filename)


def xlsx_response(
    filename: str, headers: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str = "Sheet1", extra=None
) -> FileResponse:
    # A temporary file, not memory: exports can be large; it is deleted when closed.
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    write_xlsx(handle, headers, rows, title=title, extra=extra)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)


def table_response(fmt: str, basename: str, headers: Sequence[str], rows: Iterable[Sequence[Any]], **xlsx_options):
    """An .xlsx or .csv download of the same table; `fmt` is 'xlsx' or 'csv'."""
    if fmt == CSV:
        return csv_response(f"{basename}.csv", headers, rows)
    return xlsx_response(f"{basename}.xlsx", headers, rows, **xlsx_options)
