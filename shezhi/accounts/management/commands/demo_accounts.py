import unicodedata

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from shezhi.accounts.models import Role, User
from shezhi.areas.models import Area, AreaLevel
from shezhi.audit.models import AuditAction
from shezhi.audit.services import audit_record, diff
from shezhi.registry.demo import HOME_CITY_CODE, ensure_reference_areas
from shezhi.registry.models import Organization, OrganizationStatus, RegistrationKind

# Printed by `make run`; these accounts exist only outside production.
DEMO_PASSWORD = "shezhi-demo-2026"  # noqa: S105 (published on purpose: demo log-ins only)
SOURCE = "demo_accounts"


class Command(BaseCommand):
    help = "Create (or reset) one demo log-in per role with a known password, and print them. Refused in production."

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("demo_accounts creates accounts with a published password: it never runs in production.")
        ensure_reference_areas()
        city = Area.objects.filter(code=HOME_CITY_CODE).first()
        danghu = _town(city, "当湖街道")
        zhapu = _town(city, "乍浦镇")
        community = Area.objects.filter(level=AreaLevel.COMMUNITY, parent=danghu).order_by("code").first() if danghu else None
        org = _demo_organization(danghu)
        wanted = [
            ("demo-bureau", Role.BUREAU, "平湖市民政局（演示）", {"area": city}),
            ("demo-department", Role.DEPARTMENT, "平湖市教育局（演示）", {"area": city, "unit_name": "平湖市教育局"}),
            ("demo-town-danghu", Role.TOWN, "当湖街道（演示）", {"area": danghu}),
            ("demo-town-zhapu", Role.TOWN, "乍浦镇（演示）", {"area": zhapu}),
            ("demo-community", Role.COMMUNITY, "社区工作者（演示）", {"area": community}),
            ("demo-org", Role.ORGANIZATION, "社会组织账号（演示）", {"organization": org}),
            ("demo-reviewer", Role.REVIEWER, "评审专家（演示）", {}),
            ("demo-resident", Role.PUBLIC, "居民（演示）", {}),
        ]
        rows = []
        for username, role, display_name, extra in wanted:
            if any(value is None for value in extra.values()):
                self.stderr.write(f"demo_accounts: skipped {username}: its area or organization is missing (run seed_demo first)")
                continue
            user = _ensure(username=username, role=role, display_name=display_name, **extra)
            place = user.organization.name if user.organization_id else (user.area.name if user.area_id else "")
            rows.append((username, DEMO_PASSWORD, Role(role).label, place))
        self.stdout.write(_table(("username", "password", "role", "area / organization"), rows))


def _town(city: Area | None, name: str) -> Area | None:
    if city is None:
        return None
    return Area.objects.filter(level=AreaLevel.TOWN, city=city, name=name).first()


def _demo_organization(town: Area | None) -> Organization | None:
    """A registered organization in good standing for the organization account, demo data first."""
    if town is None:
        return None
    qs = Organization.objects.filter(town=town, registration=RegistrationKind.REGISTERED, status=OrganizationStatus.NORMAL)
    return qs.order_by("-is_demo", "-legal_form", "sort_key", "id").first()


FIELDS = ("role", "display_name", "area", "organization", "unit_name")


@transaction.atomic
def _ensure(*, username: str, role: str, display_name: str, **extra) -> User:
    user = User.objects.select_for_update().filter(username=username).first()
    created = user is None
    old = {} if created else {f: getattr(user, f) for f in FIELDS}
    if created:
        user = User(username=username)
    user.role = role
    user.display_name = display_name
    user.area = extra.get("area")
    user.organization = extra.get("organization")
    user.unit_name = extra.get("unit_name", "")
    user.is_active = True
    user.set_password(DEMO_PASSWORD)
    user.save()
    changes = diff(old, {f: getattr(user, f) for f in FIELDS})
    if created or changes:
        audit_record(
            action=AuditAction.USER_CREATED if created else AuditAction.USER_CHANGED,
            by=None,
            target=user,
            changes=changes,
            reason="demo account",
            source=SOURCE,
        )
    return user


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    widths = [max(_width(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def line(cells) -> str:
        return "  ".join(str(c) + " " * (w - _width(str(c))) for c, w in zip(cells, widths, strict=True)).rstrip()

    out = [line(header), line("-" * w for w in widths)] + [line(r) for r in rows]
    return "\n".join(out)
