"""Background work of the open data (django-tasks)."""

from __future__ import annotations

from django.core.cache import cache
from django_tasks import task


@task()
def regenerate(key: str) -> dict:
    """Make a dataset's files again if its data changed since they were made."""
    from shezhi.opendata.services import regenerate_changed

    try:
        return regenerate_changed(only=key)
    finally:
        cache.delete(f"opendata:regenerate:{key}")
