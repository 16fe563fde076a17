"""Extension points the domain apps plug into, so that no app has to edit another's files.

- Navigation: `nav_item(...)` adds a link to the main menu for some roles (or for everyone).
- Organization pages: `organization_section(...)` adds a section to an organization's public
  page (portal) or staff page (registry), drawn by the app's own template.
- Demo data: `demo_seeder(...)` adds a step to `seed_demo` after the registry is filled.
- Benchmarks: `bench_step(...)` adds measurements to `make bench` (run in the bench
  database after the province is seeded); it reports `name: value` lines through `figure`.

Apps register in their AppConfig.ready(); registration is idempotent by key.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class NavItem:
    key: str
    label: Any  # a lazy translation
    url_name: str
    roles: frozenset[str] | None  # None: every signed-in user
    public: bool  # shown to visitors who are not signed in, too
    order: int


@dataclass(frozen=True)
class OrganizationSection:
    key: str
    template: str
    # (organization, request) -> context dict for the template, or None to leave the section out.
    context: Callable[[Any, Any], dict | None]
    audience: str  # "public" (portal page) or "staff" (registry page)
    order: int


@dataclass(frozen=True)
class DemoSeeder:
    key: str
    # (scale_name: str, seed: int, log: Callable[[str], None]) -> None
    run: Callable[[str, int, Callable[[str], None]], None]
    order: int


@dataclass(frozen=True)
class BenchStep:
    key: str
    # (figure: Callable[[str, object], None], say: Callable[[str], None], rounds: int) -> None
    run: Callable[..., None]
    order: int


_nav: dict[str, NavItem] = {}
_bench: dict[str, BenchStep] = {}
_sections: dict[str, OrganizationSection] = {}
_seeders: dict[str, DemoSeeder] = {}


def nav_item(key: str, label, url_name: str, *, roles=None, public: bool = False, order: int = 100) -> None:
    _nav[key] = NavItem(key, label, url_name, frozenset(roles) if roles is not None else None, public, order)


def organization_section(key: str, template: str, context, *, audience: str = "public", order: int = 100) -> None:
    if audience not in ("public", "staff"):
        raise ValueError("audience is 'public' or 'staff'")
    _sections[key] = OrganizationSection(key, template, context, audience, order)


def demo_seeder(key: str, run, *, order: int = 100) -> None:
    _seeders[key] = DemoSeeder(key, run, order)


def nav_for(user) -> list[dict]:
    signed_in = bool(user is not None and user.is_authenticated)
    role = getattr(user, "role", None) if signed_in else None
    items = []
    for item in sorted(_nav.values(), key=lambda i: (i.order, i.key)):
        if signed_in:
            if item.roles is not None and role not in item.roles:
                continue
        elif not item.public:
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        items.append({"key": item.key, "label": item.label, "url": url})
    return items


def sections_for(organization, request, *, audience: str) -> list[dict]:
    out = []
    for section in sorted(_sections.values(), key=lambda s: (s.order, s.key)):
        if section.audience != audience:
            continue
        context = section.context(organization, request)
        if context is not None:
            out.append({"key": section.key, "template": section.template, "context": context})
    return out


def demo_seeders() -> list[DemoSeeder]:
    return sorted(_seeders.values(), key=lambda s: (s.order, s.key))


def bench_step(key: str, run, *, order: int = 100) -> None:
    _bench[key] = BenchStep(key, run, order)


def bench_steps() -> list[BenchStep]:
    return sorted(_bench.values(), key=lambda s: (s.order, s.key))
