"""Generating the open data files, and making sure a download is never older than the data.

The files are made by the daily task (`open_data`, late in the day's run), by hand with
`manage.py open_data`, and after a change: a download compares the version the stored files
were made from with the version of the data now (shezhi.opendata.versions). While they match,
the stored file is served. When they differ, the files are made again in the background and
the download does not wait for them: a .csv or .json is streamed straight from the database;
an .xlsx (which cannot be streamed) is made then and there, unless its last making took
longer than SYNC_SECONDS — then the answer is 503 with Retry-After, never an old file.

File names carry the version, so a name always stands for the same content, and two
processes regenerating at once cannot mix their files.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from django.core.cache import cache
from django.utils import timezone

from shezhi.jobs.services import job_files_dir
from shezhi.opendata.datasets import DATASETS, FORMATS, Dataset
from shezhi.opendata.models import GeneratedDataset
from shezhi.opendata.versions import dataset_version
from shezhi.opendata.writers import write_files

log = logging.getLogger(__name__)
# An .xlsx whose last making took longer than this is not made inside a request.
SYNC_SECONDS = 20
# A file replaced by a newer one is removed only after this long, so that a download that
# has just looked it up can still open it.
KEEP_REPLACED_SECONDS = 600
# One regeneration per dataset at a time in a process: the others wait and then find it fresh.
_locks: defaultdict[str, threading.Lock] = defaultdict(threading.Lock)


def files_dir() -> Path:
    path = job_files_dir() / "opendata"
    path.mkdir(parents=True, exist_ok=True)
    return path


def file_meta(dataset: Dataset, *, on: dt.date, version: str, generated_at: dt.datetime) -> dict:
    return {
        "dataset": dataset.key,
        "title": dataset.title,
        "description": dataset.description,
        "as_of": on.isoformat(),
        "generated_at": timezone.localtime(generated_at).isoformat(timespec="seconds"),
        "version": version,
    }


def dataset_generate(*, dataset: Dataset, on: dt.date | None = None) -> GeneratedDataset:
    """Write the dataset's .csv, .xlsx and .json from the data now, and record them with the
    version of the data they were made from (read before the rows, see versions)."""
    on = on or timezone.localdate()
    started = time.monotonic()
    version = dataset_version(dataset, on)
    generated_at = timezone.now()
    targets = {fmt: files_dir() / f"{dataset.key}-{version[:16]}.{fmt}" for fmt in FORMATS}
    meta = file_meta(dataset, on=on, version=version, generated_at=generated_at)
    rows = write_files(dataset, dataset.rows(on), targets, meta)
    record, _ = GeneratedDataset.objects.update_or_create(
        dataset=dataset.key,
        defaults={
            "version": version,
            "rows": rows,
            "as_of": on,
            "generated_at": generated_at,
            "seconds": round(time.monotonic() - started, 3),
            "files": {fmt: {"name": path.name, "size": path.stat().st_size} for fmt, path in targets.items()},
        },
    )
    _remove_replaced(dataset, keep={path.name for path in targets.values()})
    return record


def _remove_replaced(dataset: Dataset, *, keep: set[str]) -> None:
    cutoff = time.time() - KEEP_REPLACED_SECONDS
    for path in files_dir().glob(f"{dataset.key}-*"):
        if path.name not in keep and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)


@dataclass
class Lookup:
    record: GeneratedDataset | None  # the stored files, current or not
    version: str  # the version of the data now
    on: dt.date

    @property
    def fresh(self) -> bool:
        r = self.record
        if r is None or r.version != self.version or set(r.files) != set(FORMATS):
            return False
        return all((files_dir() / f["name"]).exists() for f in r.files.values())


def lookup(dataset: Dataset, on: dt.date | None = None) -> Lookup:
    on = on or timezone.localdate()
    version = dataset_version(dataset, on)
    return Lookup(GeneratedDataset.objects.filter(dataset=dataset.key).first(), version, on)


def stored_if_fresh(dataset: Dataset, on: dt.date | None = None) -> GeneratedDataset | None:
    """The stored files if they were made from the data as it is now, else None."""
    found = lookup(dataset, on)
    return found.record if found.fresh else None


def dataset_fresh(*, dataset: Dataset) -> GeneratedDataset:
    """The dataset's files as of now: the stored ones while the data has not changed since
    they were made, else made again first."""
    record = stored_if_fresh(dataset)
    if record is not None:
        return record
    with _locks[dataset.key]:
        record = stored_if_fresh(dataset)  # another request may have just made them
        if record is not None:
            return record
        record = dataset_generate(dataset=dataset)
        log.info("open data %s made on demand: %s rows in %.1f s", dataset.key, record.rows, record.seconds)
        return record


def regenerate_soon(dataset: Dataset) -> None:
    """Have the background worker make the files again, once however many downloads ask."""
    from shezhi.opendata.tasks import regenerate

    if cache.add(f"opendata:regenerate:{dataset.key}", 1, timeout=max(60, SYNC_SECONDS * 10)):
        regenerate.enqueue(dataset.key)


def regenerate_changed(*, force: bool = False, only: str | None = None) -> dict:
    """Make again the files of the datasets whose data changed since (all with force); the
    daily task, the background task and `manage.py open_data` run this."""
    done, unchanged = {}, []
    for key, dataset in DATASETS.items():
        if only is not None and key != only:
            continue
        if not force and stored_if_fresh(dataset) is not None:
            unchanged.append(key)
            continue
        with _locks[key]:
            record = dataset_generate(dataset=dataset)
        done[key] = record.rows
    return {"regenerated": done, "unchanged": unchanged}
