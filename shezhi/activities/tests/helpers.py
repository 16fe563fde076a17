"""Test helpers: move an activity into the past, record confirmed hours."""

from __future__ import annotations

import datetime as dt

from shezhi.activities.models import Activity


def move_to_past(activity: Activity, *, days: int = 2) -> Activity:
    delta = dt.timedelta(days=days)
    Activity.objects.filter(pk=activity.pk).update(starts_at=activity.starts_at - delta, ends_at=activity.ends_at - delta)
    activity.refresh_from_db()
    return activity
