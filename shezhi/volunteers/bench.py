"""`make bench` lines of the volunteer section (a bench_step).

Runs in the bench database after the province registry seed. The bench database may hold
the province registry from runs made before this app existed: the demo volunteers are then
seeded here, once (same seed, same data as `seed_demo --scale province`).

Figures:
- volunteer_import_rows_per_s: the full import path for IMPORT_ROWS generated rows — the
  CSV file parsed, every row validated (ID check digit, areas, age, duplicates in the file
  and against the database), then written through volunteer_bulk_register (numbers under
  the city's row lock, rows, many-to-many links, one audit entry per row) — in a
  transaction rolled back afterwards, so the bench database does not grow.
- volunteer_raw_insert_rows_per_s: the same rows by one bare executemany/COPY INSERT with
  their values prepared beforehand (encryption and hashing not timed), also rolled back:
  the floor the database itself sets.
- volunteer_counts_per_town_*: volunteer_counts(...) for all towns of Pinghu, and for all
  towns of the province (one call, grouped by town), p50/p95 over rounds, beside the same
  SQL statements replayed on a cursor (raw).
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction

from shezhi.benchtools import percentile, replay, statements_of

IMPORT_ROWS = 20_000


class _Rollback(Exception):
    pass


def _bench_user(city):
    from shezhi.accounts.models import Role, User

    user, _created = User.objects.get_or_create(
        username="bench-volunteers", defaults={"role": Role.BUREAU, "area": city, "display_name": "bench"}
    )
    return user


def _generate_csv(path: Path, city, rows: int) -> None:
    """Rows of people not yet registered: addresses of the city's towns, IDs with a birth
    year (1930s) the demo never uses, so they do not collide with the seeded volunteers."""
    from shezhi.areas.models import Area, AreaLevel
    from shezhi.volunteers.importing import COLUMNS
    from shezhi.volunteers.validators import compose_mainland_id

    rng = random.Random("volunteer-bench")
    towns = list(Area.objects.filter(level=AreaLevel.TOWN, city=city).order_by("code"))
    communities = {t.pk: list(Area.objects.filter(parent=t).order_by("code").values_list("name", flat=True)) for t in towns}
    headers = [c.header for c in COLUMNS]
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(headers)
        born = dt.date(1930, 1, 1)
        for i in range(rows):
            day = born + dt.timedelta(days=i // 400)
            town = towns[i % len(towns)]
            row = {
                "name": "测试" + "伟芳娜敏静丽强磊军洋"[i % 10] + "明",
                "id_type": "居民身份证",
                "id_number": compose_mainland_id(city.code, day, (i % 400) * 2 + 1),
                "phone": f"139{rng.randrange(10**8):08d}",
                "town": town.name,
                "community": (communities[town.pk] or [""])[i % max(1, len(communities[town.pk]))],
                "skills": "摄影摄像" if i % 3 == 0 else "",
                "availability": "周末",
                "registered_on": "2025-01-15",
            }
            writer.writerow([row.get(c.key, "") for c in COLUMNS])


def _measure_import(figure, say, city) -> None:
    from shezhi.tabular import inspect_file
    from shezhi.volunteers.importing import validate_sheet, write_sheet
    from shezhi.volunteers.models import Volunteer

    user = _bench_user(city)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "volunteers.csv"
        _generate_csv(path, city, IMPORT_ROWS)
        sheet = inspect_file(path, filename="volunteers.csv")
        written: list = []
        started = time.perf_counter()
        try:
            with transaction.atomic():
                report = validate_sheet(sheet, by=user)
                if report.file_error or report.valid != IMPORT_ROWS:
                    raise RuntimeError(f"bench import file did not check: {report.file_error or report.errors[:3]}")
                counts = write_sheet(
                    sheet, by=user, source="bench", expected_rows=report.valid, expected_digest=report.digest, filename="bench.csv"
                )
                seconds = time.perf_counter() - started
                # The rows as written, to insert them again by a bare INSERT.
                written = list(Volunteer.objects.filter(registered_by=user).order_by("id"))
                raise _Rollback
        except _Rollback:
            pass
        figure("volunteer_import_rows", counts["imported"])
        figure("volunteer_import_rows_per_s", counts["imported"] / seconds)
        say("import = parse the CSV + validate every row (incl. duplicate look-ups) + write, twice read (check pass and write pass)")

        rows = [{f.attname: getattr(v, f.attname) for f in Volunteer._meta.concrete_fields if not f.primary_key} for v in written]
        for i, row in enumerate(rows):
            row["volunteer_number"] = f"B{i:012d}"
        # Prepared parameters (encryption done) so that only the database's insert is timed.
        fields = [f for f in Volunteer._meta.concrete_fields if not f.primary_key]
        prepared = [[f.get_db_prep_value(row[f.attname], connection, prepared=False) for f in fields] for row in rows]
        quote = connection.ops.quote_name
        sql = "INSERT INTO {} ({}) VALUES ({})".format(
            quote(Volunteer._meta.db_table), ", ".join(quote(f.column) for f in fields), ", ".join(["%s"] * len(fields))
        )
        try:
            with transaction.atomic():
                started = time.perf_counter()
                with connection.cursor() as cursor:
                    if connection.vendor == "postgresql":
                        columns = ", ".join(quote(f.column) for f in fields)
                        with cursor.cursor.copy(f"COPY {quote(Volunteer._meta.db_table)} ({columns}) FROM STDIN") as copy:
                            for values in prepared:
                                copy.write_row(values)
                    else:
                        cursor.executemany(sql, prepared)
                raw_seconds = time.perf_counter() - started
                raise _Rollback
        except _Rollback:
            pass
        figure("volunteer_raw_insert_rows_per_s", len(prepared) / raw_seconds if raw_seconds else 0.0)
        say("raw insert = the same rows by one executemany (SQLite) / COPY (PostgreSQL), values prepared beforehand")


def _measure_counts(figure, say, rounds: int, city, province) -> None:
    from shezhi.areas.models import AreaLevel
    from shezhi.volunteers.selectors import volunteer_counts

    on = dt.date(2025, 6, 30)
    cases = [("city", city, None, max(3, rounds))]
    if province is not None:
        cases.append(("province", province, AreaLevel.TOWN, max(3, rounds // 2)))
    for label, area, level, n in cases:
        statements = statements_of(lambda area=area, level=level: volunteer_counts(area, on, level=level))
        times, raw = [], []
        rows = 0
        for _ in range(n):
            started = time.perf_counter()
            rows = len(volunteer_counts(area, on, level=level))
            times.append((time.perf_counter() - started) * 1000)
            raw.append(replay(statements))
        figure(f"volunteer_counts_per_town_{label}_towns", rows)
        figure(f"volunteer_counts_per_town_{label}_queries", len(statements))
        figure(f"volunteer_counts_per_town_{label}_p50_ms", percentile(times, 50))
        figure(f"volunteer_counts_per_town_{label}_p95_ms", percentile(times, 95))
        figure(f"volunteer_counts_per_town_{label}_raw_p50_ms", percentile(raw, 50))
        figure(f"volunteer_counts_per_town_{label}_raw_p95_ms", percentile(raw, 95))
    say("counts = registered, active (12 months), organizations, teams, stations, hours per town, in one grouped query each")


def run(*, figure, say, rounds: int) -> None:
    from shezhi.areas.models import Area
    from shezhi.volunteers import demo
    from shezhi.volunteers.models import Volunteer

    if not demo.demo_volunteers_exist():
        say("seeding the demo volunteers once (the bench database predates them)")
        result = demo.seed_volunteers(scale="province", seed=1, log=say)
        figure("seed_volunteers_seconds", result["seconds"])
    figure("volunteers", Volunteer.objects.count())
    figure("volunteers_fraction_of_province", f"1/{demo.PROVINCE_FRACTION} of {demo.PROVINCE_REAL_VOLUNTEERS:,}")
    city = Area.objects.get(code=settings.SHEZHI_CITY_CODE)
    province = Area.objects.filter(pk=city.parent_id).first()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    _measure_import(figure, say, city)
    _measure_counts(figure, say, rounds, city, province)
