"""What every `make bench` step measures with: a percentile, the SQL a piece of work runs,
and the time the database alone takes to run that SQL again (the "raw" figure beside each
full-stack one)."""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from django.db import connection

Statements = list[tuple[str, tuple]]


def percentile(values: list[float], percent: int) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(percent / 100 * len(ordered)) - 1)]


def statements_of(work: Callable[[], object], *, keep: Callable[[str], bool] = lambda sql: True) -> Statements:
    """The SQL `work` runs (those statements `keep` accepts), with their parameters."""
    captured: Statements = []

    def record(execute, sql, params, many, context):
        if keep(sql):
            captured.append((sql, tuple(params or ())))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        work()
    return captured


def replay(statements: Statements) -> float:
    """Milliseconds the database takes to run the statements again and return their rows."""
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
            cursor.fetchall()
    return (time.perf_counter() - started) * 1000
