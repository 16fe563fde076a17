"""The version of the data a dataset is made from: a digest that changes whenever a row of a
table the dataset reads is inserted, changed or deleted — one aggregate query per table, so
a download can check it every time.

Per table (shezhi.opendata.datasets.Source):

- SAVED: the row count, the largest id and the exact sum of `updated_at`. Every write of
  these tables goes through save() or bulk_create, which set `updated_at` to the moment of
  the write, so an insert, an update or a delete always changes one of the three. A sum,
  not a maximum: a transaction that wrote a row early and commits late (an import) leaves
  the maximum where a quicker, later write put it, but it still raises the sum.
- CONTENT: a digest of every column of every row — for small tables without `updated_at`.
- REBUILT: the row count, the largest id and the sum of the ids, for rows that are only
  inserted and deleted on their own (see the dataset that declares it).

The version is read before the rows: a change committed in between makes the stored version
older than the file, which only costs one needless regeneration later, never a stale file.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.db import connection
from django.db.models import Count, Max, Sum

from shezhi.opendata.datasets import CONTENT, REBUILT, SAVED, Dataset, Source


def _saved_stamp(model) -> tuple:
    meta = model._meta
    q = connection.ops.quote_name
    table, pk, updated = q(meta.db_table), q(meta.pk.column), q(meta.get_field("updated_at").column)
    if connection.vendor == "postgresql":
        sql = f"SELECT COUNT(*), MAX({pk}), SUM(EXTRACT(EPOCH FROM {updated})::numeric(20, 6)) FROM {table}"
    elif connection.vendor == "sqlite":
        # Stored as text 'YYYY-MM-DD HH:MM:SS[.ffffff]' (UTC): whole seconds and microseconds
        # summed apart, as integers, so that no precision is lost.
        micro = f"CASE WHEN instr({updated}, '.') > 0 THEN CAST(substr({updated}, instr({updated}, '.') + 1, 6) AS INTEGER) ELSE 0 END"
        sql = f"SELECT COUNT(*), MAX({pk}), SUM(CAST(strftime('%s', {updated}) AS INTEGER)), SUM({micro}) FROM {table}"
    else:
        return _content_stamp(model, fields=("pk", "updated_at"))
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return tuple(cursor.fetchone())


def _content_stamp(model, fields: tuple[str, ...] | None = None) -> tuple:
    if fields is None:
        fields = tuple(f.attname for f in model._meta.concrete_fields)
    digest = hashlib.sha256()
    count = 0
    for row in model._default_manager.order_by("pk").values_list(*fields).iterator(chunk_size=5000):
        digest.update(repr(row).encode())
        count += 1
    return (count, digest.hexdigest())


def _rebuilt_stamp(model) -> tuple:
    agg = model._default_manager.aggregate(n=Count("pk"), top=Max("pk"), total=Sum("pk"))
    return (agg["n"], agg["top"], agg["total"])


# Raised when the way the files are written changes, so that files written before are remade.
LAYOUT = 1

STAMPS = {SAVED: _saved_stamp, CONTENT: _content_stamp, REBUILT: _rebuilt_stamp}


def source_stamp(source: Source) -> tuple:
    return (source.model._meta.label_lower, source.how, *STAMPS[source.how](source.model))


def dataset_version(dataset: Dataset, on: dt.date) -> str:
    """The digest of everything the dataset's files depend on: its field dictionary, the day (for
    figures computed as of a day), and each source table's stamp."""
    parts: list = [LAYOUT, dataset.key, dataset.title, [f.as_dict() for f in dataset.fields]]
    if dataset.daily:
        parts.append(on.isoformat())
    parts += [source_stamp(s) for s in dataset.sources]
    return hashlib.sha256(repr(parts).encode()).hexdigest()
