"""`make bench`: registry search speed at province scale, through Django and raw.

The command re-runs itself in a child process whose settings point at a separate database
(var/bench/shezhi.sqlite3 by default, or --database-url / BENCH_DATABASE_URL), so the
benchmark never touches the data of `make run`. The child migrates that database, seeds
the province once (reused while the seed is the same), then times the public search page
through django.test.Client (URL routing, middleware, form, ORM, templates) and, beside it,
the very SQL statements the ORM ran for that page (count + page) replayed on a cursor.
Every figure is printed as one `name: value` line on stdout.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import OperationalError, connection
from django.test import override_settings

from shezhi.benchtools import percentile, replay, statements_of

CHILD = "SHEZHI_BENCH_CHILD"
SCALE = "province"
# What people type: single characters, the common two-character words, longer phrases.
SHORT_QUERIES = ["会", "老", "湖", "平湖", "养老", "协会", "社区", "志愿"]
LONG_QUERIES = ["老年协会", "养老服务中心", "社会工作服务", "平湖市当湖街道", "舞蹈队", "居家养老服务", "邻里互助会", "慈善基金会"]


class Command(BaseCommand):
    help = "Measure registry search at province scale in a separate database; prints `name: value` lines."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--rounds", type=int, default=25, help="passes over the query list per figure")
        parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""), help="default: SQLite in var/bench/")
        parser.add_argument("--reseed", action="store_true", help="drop the bench database and seed it again")

    def handle(self, *args, seed, rounds, database_url, reseed, **options):
        if os.environ.get(CHILD) != "1":
            return self._spawn(seed=seed, rounds=rounds, database_url=database_url, reseed=reseed)
        self._run(seed=seed, rounds=rounds, reseed=reseed)

    # -- parent: isolate the database ---------------------------------------------------
    def _spawn(self, *, seed: int, rounds: int, database_url: str, reseed: bool) -> None:
        var = Path(settings.BASE_DIR) / "var" / "bench"
        var.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, CHILD: "1", "SHEZHI_VAR_DIR": str(var), "DEBUG": "false", "LOG_LEVEL": "ERROR", "SHEZHI_ENV": "development"}
        env.pop("REDIS_URL", None)
        if database_url:
            env["DATABASE_URL"] = database_url
        else:
            env.pop("DATABASE_URL", None)
        command = [sys.executable, "-m", "django", "bench", "--seed", str(seed), "--rounds", str(rounds)]
        if reseed:
            command.append("--reseed")
        env.setdefault("DJANGO_SETTINGS_MODULE", "shezhi.settings")
        done = subprocess.run(command, env=env, cwd=settings.BASE_DIR, check=False)  # noqa: S603 (our own interpreter and command)
        if done.returncode:
            raise CommandError(f"bench failed (exit {done.returncode})")

    # -- child: seed and measure --------------------------------------------------------
    def _say(self, message: str) -> None:
        self.stderr.write(f"bench: {message}")

    def _figure(self, name: str, value) -> None:
        if isinstance(value, float):
            value = f"{value:.1f}" if value >= 10 else f"{value:.2f}"
        self.stdout.write(f"{name}: {value}")
        self.stdout.flush()

    def _run(self, *, seed: int, rounds: int, reseed: bool) -> None:
        from shezhi.registry.management.commands.seed_demo import last_seed_job
        from shezhi.registry.models import Organization

        self._prepare_database(reseed=reseed)
        call_command("migrate", verbosity=0, interactive=False)
        job = last_seed_job(scale=SCALE, seed=seed)
        if job is None:
            if Organization.objects.exists():
                raise CommandError("the bench database holds other data; run `manage.py bench --reseed` to start it afresh")
            self._say(f"seeding the province (seed {seed}) once; later runs reuse it")
            started = time.perf_counter()
            call_command("seed_demo", scale=SCALE, seed=seed, stdout=self.stderr)
            seconds = time.perf_counter() - started
            reused = 0
        else:
            seconds = float(job.result.get("seconds", 0))
            reused = 1
        self._analyze()
        self._figure("database", connection.vendor)
        self._figure("organizations", Organization.objects.count())
        self._figure("seed_province_seconds", seconds)
        self._figure("seed_reused", reused)
        self._measure(rounds)
        from shezhi.extensions import bench_steps

        for step in bench_steps():
            step.run(figure=self._figure, say=self._say, rounds=rounds)

    def _prepare_database(self, *, reseed: bool) -> None:
        db = settings.DATABASES["default"]
        if connection.vendor == "sqlite":
            if reseed:
                connection.close()
                for suffix in ("", "-wal", "-shm"):
                    Path(str(db["NAME"]) + suffix).unlink(missing_ok=True)
                shutil.rmtree(Path(settings.MEDIA_ROOT), ignore_errors=True)
            return
        exists = True
        try:
            connection.ensure_connection()
        except OperationalError:
            exists = False
        if exists and not reseed:
            return
        connection.close()
        name = connection.ops.quote_name(db["NAME"])
        with connection._nodb_cursor() as cursor:
            if exists:
                self._say(f"dropping {db['NAME']}")
                cursor.execute(f"DROP DATABASE {name}")
            cursor.execute(f"CREATE DATABASE {name}")

    def _analyze(self) -> None:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("ANALYZE")
            else:
                cursor.execute("VACUUM ANALYZE")

    def _measure(self, rounds: int) -> None:
        from django.test import Client

        from shezhi.registry.models import Organization

        client = Client()
        for label, queries in (("short", SHORT_QUERIES), ("long", LONG_QUERIES)):
            statements = {
                q: statements_of(lambda q=q: client.get("/search/", {"q": q}), keep=lambda sql: "registry_organization" in sql)
                for q in queries
            }
            django_ms, raw_ms = [], []
            per_query: dict[str, list[float]] = {q: [] for q in queries}
            for _ in range(rounds):
                for q in queries:
                    started = time.perf_counter()
                    response = client.get("/search/", {"q": q})
                    django_ms.append((time.perf_counter() - started) * 1000)
                    per_query[q].append(django_ms[-1])
                    if response.status_code != 200:
                        raise CommandError(f"search for {q!r} answered {response.status_code}")
                    raw_ms.append(replay(statements[q]))
            p95, raw_p95 = percentile(django_ms, 95), percentile(raw_ms, 95)
            slowest = sorted(queries, key=lambda q: percentile(per_query[q], 95), reverse=True)[:3]
            self._say(f"{label} queries by p95: " + ", ".join(f"{q} {percentile(per_query[q], 95):.1f} ms" for q in slowest))
            self._figure(f"search_{label}_p50_ms", percentile(django_ms, 50))
            self._figure(f"search_{label}_p95_ms", p95)
            self._figure(f"search_{label}_raw_p50_ms", percentile(raw_ms, 50))
            self._figure(f"search_{label}_raw_p95_ms", raw_p95)
            self._figure(f"search_{label}_ratio", p95 / raw_p95 if raw_p95 else 0.0)
            self._figure(f"search_{label}_p95_target_ms", 100 if label == "short" else 30)
        # A filtered search (town + registration) and paging deep into a broad result.
        town = Organization.objects.filter(city__code=settings.SHEZHI_CITY_CODE).values_list("town_id", flat=True).first()
        self._timed("search_filtered", client, [("/search/", {"q": "养老", "town": town, "registration": "registered"})], rounds)
        self._timed("search_page_50", client, [("/search/", {"q": "协会", "page": 50})], rounds)
        # The public API searches as the page does; the anonymous rate limit is lifted here.
        rest = settings.REST_FRAMEWORK
        with override_settings(REST_FRAMEWORK={**rest, "DEFAULT_THROTTLE_RATES": {**rest["DEFAULT_THROTTLE_RATES"], "anon": None}}):
            for label, queries in (("short", SHORT_QUERIES), ("long", LONG_QUERIES)):
                self._timed(f"api_search_{label}", client, [("/api/v1/organizations/", {"q": q}) for q in queries], rounds)
        started = time.perf_counter()
        client.get("/")
        self._figure("home_uncached_ms", (time.perf_counter() - started) * 1000)
        self._timed("home", client, [("/", {})], rounds)
        ids = list(Organization.objects.order_by("id").values_list("id", flat=True)[:: max(1, Organization.objects.count() // 50)][:50])
        self._timed("detail", client, [(f"/organizations/{pk}/", {}) for pk in ids], max(1, rounds // 5))

    def _timed(self, name: str, client, requests, rounds: int) -> None:
        times = []
        for _ in range(rounds):
            for path, params in requests:
                started = time.perf_counter()
                response = client.get(path, params)
                times.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    raise CommandError(f"{path} answered {response.status_code}")
        self._figure(f"{name}_p50_ms", percentile(times, 50))
        self._figure(f"{name}_p95_ms", percentile(times, 95))
