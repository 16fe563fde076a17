"""Writing a dataset's .csv, .xlsx and .json in one pass over its rows, so the three files
hold the same rows even while the data changes; the .csv and .json also as streams, for a
download that cannot wait for the files; and the field dictionary as .csv and .json.

- .csv: UTF-8 with BOM (Excel reads the Chinese), the Chinese labels as the header row,
  yes/no as 是/否, dates as YYYY-MM-DD; text that starts like a formula gets a leading
  apostrophe (CSV injection).
- .xlsx: the rows on the first sheet (shezhi.tabular.write_xlsx: text never becomes a
  formula), the field dictionary on a second sheet.
- .json: {"dataset", "title", …, "fields": [the dictionary], "rows": [{name: value}]},
  with numbers, true/false, null and dates as "YYYY-MM-DD".
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import uuid
from collections.abc import Iterable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from shezhi.exporting import csv_cell
from shezhi.opendata.datasets import TYPE_LABELS, Dataset
from shezhi.tabular import write_xlsx

DICTIONARY_HEADERS = ["字段名", "列名", "含义", "单位", "来源", "类型"]
DICTIONARY_SHEET = "字段说明"


def json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def _dictionary_rows(dataset: Dataset) -> list[list[str]]:
    return [[f.name, f.label, f.meaning, f.unit, f.source, TYPE_LABELS[f.type]] for f in dataset.fields]


def _add_dictionary_sheet(dataset: Dataset):
    def extra(workbook) -> None:
        sheet = workbook.create_sheet(title=DICTIONARY_SHEET)
        sheet.append(DICTIONARY_HEADERS)
        for row in _dictionary_rows(dataset):
            sheet.append(row)

    return extra


def write_files(dataset: Dataset, rows: Iterable[tuple], targets: dict[str, Path], meta: dict[str, Any]) -> int:
    """Write the rows to targets["csv"], targets["xlsx"] and targets["json"] (each first to a
    temporary file beside it, then renamed, so a reader never sees half a file). Returns the
    number of rows."""
    temps = {fmt: path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp") for fmt, path in targets.items()}
    names = dataset.names
    count = 0
    try:
        with temps["csv"].open("w", encoding="utf-8", newline="") as csv_file, temps["json"].open("w", encoding="utf-8") as json_file:
            writer = csv.writer(csv_file)
            csv_file.write("\ufeff")
            writer.writerow(dataset.labels)
            json_file.write(_json_head(dataset, meta))

            def tee() -> Iterator[tuple]:
                nonlocal count
                for row in rows:
                    writer.writerow([csv_cell(v) for v in row])
                    record = {name: json_value(v) for name, v in zip(names, row, strict=True)}
                    json_file.write(("," if count else "") + "\n  " + json.dumps(record, ensure_ascii=False))
                    count += 1
                    yield row

            write_xlsx(temps["xlsx"], dataset.labels, tee(), title=dataset.title[:31], extra=_add_dictionary_sheet(dataset))
            json_file.write(JSON_TAIL)
        for fmt, temp in temps.items():
            os.replace(temp, targets[fmt])
    finally:
        for temp in temps.values():
            temp.unlink(missing_ok=True)
    return count


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_chunks(dataset: Dataset, rows: Iterable[tuple]) -> Iterator[str]:
    """The same .csv as write_files, line by line, for a response streamed from the database."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(dataset.labels)
    for row in rows:
        yield writer.writerow([csv_cell(v) for v in row])


def json_chunks(dataset: Dataset, rows: Iterable[tuple], meta: dict[str, Any]) -> Iterator[str]:
    """The same .json as write_files, piece by piece."""
    yield _json_head(dataset, meta)
    names = dataset.names
    for n, row in enumerate(rows):
        record = {name: json_value(v) for name, v in zip(names, row, strict=True)}
        yield ("," if n else "") + "\n  " + json.dumps(record, ensure_ascii=False)
    yield JSON_TAIL


def _json_head(dataset: Dataset, meta: dict[str, Any]) -> str:
    head = {**meta, "fields": [f.as_dict() for f in dataset.fields]}
    lines = [f" {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}," for key, value in head.items()]
    return "{\n" + "\n".join(lines) + '\n "rows": ['


JSON_TAIL = "\n ]\n}\n"


def dictionary_csv(dataset: Dataset) -> str:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(DICTIONARY_HEADERS)
    writer.writerows(_dictionary_rows(dataset))
    return buffer.getvalue()


def dictionary_json(dataset: Dataset) -> str:
    body = {"dataset": dataset.key, "title": dataset.title, "fields": [f.as_dict() for f in dataset.fields]}
    return json.dumps(body, ensure_ascii=False, indent=1)
