"""Builders for tests and demo data of volunteers (other apps' tests may use them too)."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from shezhi.areas.models import Area
from shezhi.volunteers.models import Volunteer
from shezhi.volunteers.validators import compose_mainland_id

_seq = itertools.count(1)


def make_id_number(
    *, area_code: str = "330482", born: dt.date = dt.date(1990, 5, 17), sequence: int | None = None, male: bool = True
) -> str:
    """A valid GB 11643 number. `sequence` (0–499) picks the 3-digit sequence; odd for men."""
    n = (next(_seq) if sequence is None else sequence) % 500
    seq = 2 * n + (1 if male else 0)
    if seq == 0:
        seq = 2
    return compose_mainland_id(area_code, born, seq)


def make_volunteer(*, town: Area, community: Area | None = None, user=None, by=None, **data: Any) -> Volunteer:
    """Register a volunteer through the service (adult, ID card, valid number)."""
    from shezhi.volunteers.services import volunteer_register

    fields: dict[str, Any] = {
        "name": data.pop("name", None) or f"志愿者{next(_seq)}",
        "id_type": "id_card",
        "id_number": data.pop("id_number", None) or make_id_number(born=data.pop("born", dt.date(1990, 5, 17))),
        "phone": "13900139000",
        "town": town,
        "community": community,
        "registered_on": dt.date(2024, 1, 10),
    }
    fields.update(data)
    return volunteer_register(data=fields, by=by, user=user)
