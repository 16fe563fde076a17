"""Writers for spreadsheet exports (.csv and .xlsx) shared by every list that can be downloaded.

Columns are (header, function of a row) pairs; headers are Chinese data, not UI strings.
CSV is streamed row by row; .xlsx is written with openpyxl's write-only mode, which keeps
one row in memory at a time, to a file (background jobs) or a buffer (small exports).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

Column = tuple[str, Callable[[Any], Any]]
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A cell starting with one of these is run as a formula by spreadsheet programs (CSV
# injection); such text is written with a leading apostrophe in CSV and as text in .xlsx.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def csv_cell(value: Any) -> str:
    """A value as CSV text. A text that starts like a formula gets a leading apostrophe, so a
    spreadsheet program never runs it (CSV injection); numbers, negative ones too, stay numbers."""
    text = _text(value)
    return "'" + text if isinstance(value, str) and text.startswith(FORMULA_START) else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(columns: Sequence[Column], rows: Iterable[Any]) -> Iterator[str]:
    """The CSV file line by line, with a BOM so that Excel reads the Chinese as UTF-8."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([header for header, _ in columns])
    for row in rows:
        yield writer.writerow([csv_cell(get(row)) for _, get in columns])


def csv_response(filename: str, columns: Sequence[Column], rows: Iterable[Any]) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_lines(columns, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _xlsx_value(value: Any) -> Any:
    if value is None or (isinstance(value, (int, float, dt.date, dt.datetime)) and not isinstance(value, bool)):
        return value
    if isinstance(value, Decimal):
        return float(value)
    return _text(value)


def xlsx_write(
    target: str | Path | BinaryIO,
    columns: Sequence[Column],
    rows: Iterable[Any],
    *,
    sheet_title: str = "Sheet1",
    on_row: Callable[[int], None] | None = None,
) -> int:
    """Write rows to an .xlsx file or binary buffer; returns the number of data rows."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title[:31])
    sheet.append([header for header, _ in columns])
    count = 0
    for row in rows:
        cells = []
        for _, get in columns:
            cell = WriteOnlyCell(sheet, value=_xlsx_value(get(row)))
            if cell.data_type == "f":  # text that looks like a formula stays text
                cell.data_type = "s"
            cells.append(cell)
        sheet.append(cells)
        count += 1
        if on_row is not None:
            on_row(count)
    workbook.save(target)
    return count


def xlsx_response(filename: str, columns: Sequence[Column], rows: Iterable[Any], *, sheet_title: str = "Sheet1") -> HttpResponse:
    buffer = io.BytesIO()
    xlsx_write(buffer, columns, rows, sheet_title=sheet_title)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
