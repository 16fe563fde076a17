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
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavItem:
    key: str
    label: Any  # a lazy translation
    url_name: str | Callable[[Any], str | None]  # a URL name, or user -> URL (None: leave out)
    roles: frozenset[str] | None  # None: every signed-in user
    public: bool  # shown to visitors who are not signed in, too
    order: int
    group: str


# The menus of the main navigation, in order. An item names its group; a group with one
# item for the user shows as a plain link. The layout is decided here, in one place.
NAV_GROUPS: list[tuple[str, Any]] = [
    ("", ""),  # plain links first (registry search, complaints)
    ("public", _("Public information")),
    ("volunteering", _("Volunteering")),
    ("registry", _("Registry and affairs")),
    ("supervision", _("Supervision")),
]
# Groups of the items other sections register, where they do not say.
DEFAULT_GROUP = {
    "credit_lists": "public",
    "spotcheck_results": "public",
    "charity": "public",
    "places": "public",
    "activities": "volunteering",
    "activities_manage": "volunteering",
    "volunteer_register": "volunteering",
    "volunteer_me": "volunteering",
    "volunteers": "volunteering",
    "volunteer_org": "volunteering",
    "places_staff": "registry",
    "charity_mine": "registry",
    "credit_queue": "supervision",
    "spotchecks": "supervision",
    "rectifications": "supervision",
    "complaints_staff": "supervision",
    "charity_staff": "supervision",
}


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


def nav_item(key: str, label, url_name, *, roles=None, public: bool = False, order: int = 100, group: str | None = None) -> None:
    group = DEFAULT_GROUP.get(key, "") if group is None else group
    _nav[key] = NavItem(key, label, url_name, frozenset(roles) if roles is not None else None, public, order, group)


def organization_section(key: str, template: str, context, *, audience: str = "public", order: int = 100) -> None:
    if audience not in ("public", "staff"):
        raise ValueError("audience is 'public' or 'staff'")
    _sections[key] = OrganizationSection(key, template, context, audience, order)


def demo_seeder(key: str, run, *, order: int = 100) -> None:
    _seeders[key] = DemoSeeder(key, run, order)


def nav_for(user) -> list[dict]:
    """The links the user's menu shows: [{"key", "label", "url", "group"}], in menu order."""
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
            url = item.url_name(user) if callable(item.url_name) else reverse(item.url_name)
        except NoReverseMatch:
            continue
        if url:
            items.append({"key": item.key, "label": item.label, "url": url, "group": item.group})
    return items


def nav_menus(user) -> list[dict]:
    """nav_for(user) arranged in NAV_GROUPS: [{"key", "label", "items"}]; the plain links
    come as one-item menus without a label."""
    items = nav_for(user)
    menus = []
    known = {key for key, _label in NAV_GROUPS}
    for key, label in NAV_GROUPS:
        members = [i for i in items if i["group"] == key or (key == "" and i["group"] not in known)]
        if not members:
            continue
        if key == "" or len(members) == 1:
            menus += [{"key": m["key"], "label": "", "items": [m]} for m in members]
        else:
            menus.append({"key": key, "label": label, "items": members})
    return menus


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
