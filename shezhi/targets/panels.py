"""The dashboard's second panel: service metrics of the online affairs and credit figures."""

from __future__ import annotations

import datetime as dt

from shezhi.areas.models import Area


def second_panel(area: Area, on: dt.date) -> dict | None:
    """The context of targets/_panel.html for a city or a town as of a day (None: no panel)."""
    return None
