"""`manage.py open_data [--dataset X] [--if-changed]`: make the open data files by hand."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from shezhi.opendata.datasets import DATASETS
from shezhi.opendata.services import dataset_generate, stored_if_fresh


class Command(BaseCommand):
    help = "Regenerate the open data files (.csv, .xlsx, .json) of every dataset, or of one."

    def add_arguments(self, parser):
        parser.add_argument("--dataset", choices=sorted(DATASETS), help="only this dataset")
        parser.add_argument("--if-changed", action="store_true", help="skip datasets whose files match the data")

    def handle(self, *args, dataset=None, if_changed=False, **options):
        for key, ds in DATASETS.items():
            if dataset is not None and key != dataset:
                continue
            if if_changed and stored_if_fresh(ds) is not None:
                self.stdout.write(f"{key}: unchanged")
                continue
            started = time.monotonic()
            record = dataset_generate(dataset=ds)
            sizes = ", ".join(f"{fmt} {f['size']:,} B" for fmt, f in record.files.items())
            self.stdout.write(f"{key}: {record.rows:,} rows in {time.monotonic() - started:.1f} s ({sizes}), version {record.version[:12]}")
