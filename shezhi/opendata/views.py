"""The open data page and its downloads (public, no login)."""

from __future__ import annotations

import math

from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import ngettext
from django.views.decorators.http import require_safe

from shezhi.opendata import services
from shezhi.opendata.datasets import DATASETS, FIELD_FORMATS, FORMATS, TYPE_LABELS, Dataset
from shezhi.opendata.models import GeneratedDataset
from shezhi.opendata.writers import csv_chunks, dictionary_csv, dictionary_json, json_chunks
from shezhi.tabular import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE, attachment_headers

CONTENT_TYPES = {"csv": CSV_CONTENT_TYPE, "xlsx": XLSX_CONTENT_TYPE, "json": "application/json; charset=utf-8"}


def _dataset(key: str) -> Dataset:
    try:
        return DATASETS[key]
    except KeyError:
        raise Http404 from None


@require_safe
def index(request):
    """The datasets, each with its files as last generated and its field dictionary. The
    page shows what is stored; a download checks that it is still current."""
    stored = {r.dataset: r for r in GeneratedDataset.objects.all()}
    items = [
        {
            "dataset": d,
            "stored": stored.get(d.key),
            "fields": [(f, TYPE_LABELS[f.type]) for f in d.fields],
        }
        for d in DATASETS.values()
    ]
    return render(request, "opendata/index.html", {"items": items, "formats": FORMATS, "field_formats": FIELD_FORMATS})


def _file_response(dataset: Dataset, record: GeneratedDataset, fmt: str) -> FileResponse:
    handle = (services.files_dir() / record.files[fmt]["name"]).open("rb")
    response = FileResponse(handle, as_attachment=True, filename=f"{dataset.key}-{record.as_of.isoformat()}.{fmt}")
    return _headers(response, fmt, record.version)


def _headers(response, fmt: str, version: str):
    response["Content-Type"] = CONTENT_TYPES[fmt]
    response["X-Content-Type-Options"] = "nosniff"
    # Caches must ask again: the file changes whenever the data does.
    response["Cache-Control"] = "no-cache"
    response["ETag"] = f'"{version[:32]}-{fmt}"'
    return response


def _stream_fresh(dataset: Dataset, fmt: str, found: services.Lookup) -> StreamingHttpResponse:
    """The .csv or .json made from the database as the response goes out."""
    rows = dataset.rows(found.on)
    if fmt == "csv":
        chunks = csv_chunks(dataset, rows)
    else:
        meta = services.file_meta(dataset, on=found.on, version=found.version, generated_at=timezone.now())
        chunks = json_chunks(dataset, rows, meta)
    response = attachment_headers(StreamingHttpResponse(chunks), f"{dataset.key}-{found.on.isoformat()}.{fmt}")
    return _headers(response, fmt, found.version)


@require_safe
def download(request, key: str, fmt: str):
    """A dataset's file, never older than the data: the stored file while the data has not
    changed since it was made; otherwise a .csv or .json streamed from the database while the
    files are made again in the background, and an .xlsx made now (or, when that takes long,
    a 503 asking to come back)."""
    dataset = _dataset(key)
    if fmt not in FORMATS:
        raise Http404
    found = services.lookup(dataset)
    if found.fresh:
        try:
            return _file_response(dataset, found.record, fmt)
        except FileNotFoundError:  # removed by a concurrent regeneration between lookup and open
            pass
    elif fmt != "xlsx":
        services.regenerate_soon(dataset)
        return _stream_fresh(dataset, fmt, found)
    elif found.record is not None and found.record.seconds > services.SYNC_SECONDS:
        services.regenerate_soon(dataset)
        wait = math.ceil(found.record.seconds)
        minutes = math.ceil(wait / 60)
        response = HttpResponse(
            ngettext(
                "The data has changed and the file is being made again. Try again in %(minutes)s minute.",
                "The data has changed and the file is being made again. Try again in %(minutes)s minutes.",
                minutes,
            )
            % {"minutes": minutes},
            status=503,
            content_type="text/plain; charset=utf-8",
        )
        response["Retry-After"] = str(wait)
        return response
    return _file_response(dataset, services.dataset_fresh(dataset=dataset), fmt)


@require_safe
def fields(request, key: str, fmt: str):
    """The field dictionary of a dataset: column name, meaning, unit and source."""
    dataset = _dataset(key)
    if fmt not in FIELD_FORMATS:
        raise Http404
    body = dictionary_csv(dataset) if fmt == "csv" else dictionary_json(dataset)
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    return attachment_headers(response, f"{dataset.key}-fields.{fmt}")
