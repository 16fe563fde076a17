"""`make bench` figures of the open data at province scale: what every download pays to
check that its file is current (the data version), a download of a current file through
the full Django stack, and the time to make the files of the smaller datasets. The registry's
files (every organization of the province) are made once, timed, only with BENCH_OPEN_DATA_REGISTRY=1:
openpyxl without lxml writes about a thousand rows a second."""

from __future__ import annotations

import os
import time

from django.utils import timezone

from shezhi.benchtools import percentile


def run(figure, say, rounds) -> None:
    from django.test import Client

    from shezhi.opendata.datasets import DATASETS
    from shezhi.opendata.services import dataset_generate
    from shezhi.opendata.versions import dataset_version

    client = Client()
    today = timezone.localdate()
    keys = [k for k in DATASETS if k != "registry" or os.environ.get("BENCH_OPEN_DATA_REGISTRY") == "1"]
    for key, dataset in DATASETS.items():
        times = []
        for _ in range(max(3, rounds // 5)):
            started = time.perf_counter()
            dataset_version(dataset, today)
            times.append((time.perf_counter() - started) * 1000)
        figure(f"open_data_version_{key}_p50_ms", round(percentile(times, 50), 1))
    for key in keys:
        started = time.perf_counter()
        record = dataset_generate(dataset=DATASETS[key], on=today)
        figure(f"open_data_generate_{key}_s", round(time.perf_counter() - started, 2))
        figure(f"open_data_rows_{key}", record.rows)
        times = []
        for _ in range(max(3, rounds // 5)):
            started = time.perf_counter()
            response = client.get(f"/open-data/{key}.csv")
            b"".join(response.streaming_content)
            times.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise RuntimeError(f"/open-data/{key}.csv answered {response.status_code}")
        figure(f"open_data_download_current_{key}_csv_p95_ms", round(percentile(times, 95), 1))
    say("open data: a download checks the data version and serves the stored file while it matches")
