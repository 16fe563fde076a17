"""Sections other apps add to a volunteer's pages, so they need not edit this app's files.

The activities app registers its hours, star level and certificate sections here:

    volunteer_section("hours", "activities/_volunteer_hours.html", hours_context, audience="both")

`context(volunteer, request)` returns the dict the template receives as `s`, or None to
leave the section out. `audience` is "self" (the volunteer's own page /volunteers/me/),
"staff" (the staff page of a volunteer) or "both". Keep each section to a few fixed queries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

AUDIENCES = ("self", "staff", "both")


@dataclass(frozen=True)
class VolunteerSection:
    key: str
    template: str
    context: Callable[[Any, Any], dict | None]
    audience: str
    order: int


_sections: dict[str, VolunteerSection] = {}


def volunteer_section(key: str, template: str, context, *, audience: str = "both", order: int = 100) -> None:
    """Register (idempotently, by key) a section of the volunteer pages."""
    if audience not in AUDIENCES:
        raise ValueError(f"audience is one of {AUDIENCES}")
    _sections[key] = VolunteerSection(key, template, context, audience, order)


def sections_for(volunteer, request, *, audience: str) -> list[dict]:
    out = []
    for section in sorted(_sections.values(), key=lambda s: (s.order, s.key)):
        if section.audience not in (audience, "both"):
            continue
        context = section.context(volunteer, request)
        if context is not None:
            out.append({"key": section.key, "template": section.template, "context": context})
    return out
