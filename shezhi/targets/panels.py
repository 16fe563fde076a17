"""The dashboard's second panel: service metrics of the online affairs and credit figures.

Online affairs, over the twelve months up to the day (the day a year before excluded):
- decided: filings approved, refused or not accepted (办结, the filing's `done_on`);
  withdrawn and lapsed filings are not decisions and are left out, as on the affairs
  metrics page (shezhi.affairs.selectors.filing_metrics).
- online: every application in the system is filed online by the applicant's account;
  paper applications handed in at a counter are not recorded at all. What the system does
  record is the case where the applicant still had to come in person (original papers, an
  on-site check), which the handler marks at acceptance, correction or approval and which
  clears `fully_online`. "Online" is therefore "handled fully online" (全程网办, 最多跑一次
  with no trip).
- days: working days (工作日, the holiday calendar in shezhi.workdays) from first submission
  to the decision, correction periods excluded (the clock stops while the applicant
  supplies materials) — `workdays_taken`, set when the filing is decided. The procedures'
  time limits are in working days too.
- on time: decided by the promised due date (承诺时限, moved by correction periods), or for a
  filing never accepted within the promised number of working days — `on_time`, judged when
  the filing is decided.

Credit: organizations on each list on the day (an entry counts from its decision date up
to the day before its removal, as in shezhi.credit.selectors.entries_on; an organization on
a list for two grounds counts once), and entries put on or taken off (an escalation to the
serious list takes the entry off the abnormal one) in the twelve months.

The area of a filing is the city and town recorded on it when it was filed; the area of a
list entry is its organization's city and town.

Two queries, whatever the data: the filings are grouped in the database by procedure kind,
month, decision, online, on time and working days taken (a histogram, so the median is
exact without fetching the filings), the list entries by list.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, ExpressionWrapper, IntegerField, Q
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils.translation import gettext as _

from shezhi.accounts.models import Role
from shezhi.accounts.selectors import inside_area_q
from shezhi.affairs.models import Decision, Filing, ProcedureKind
from shezhi.affairs.selectors import DECIDED_STATUSES
from shezhi.areas.models import Area, AreaLevel
from shezhi.credit.models import ListEntry, ListKind

KIND_ORDER = {kind: i for i, kind in enumerate(ProcedureKind.values)}


def year_before(on: dt.date) -> dt.date:
    """The same day a year earlier (28 February for 29 February): the window is (that day, on]."""
    try:
        return on.replace(year=on.year - 1)
    except ValueError:
        return on.replace(year=on.year - 1, day=28)


def percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def median(histogram: Counter[int]) -> float | None:
    """The median of values given as {value: how many times}."""
    total = sum(histogram.values())
    if not total:
        return None
    low, high = (total - 1) // 2, total // 2
    seen = 0
    lo_value = hi_value = None
    for value in sorted(histogram):
        seen += histogram[value]
        if lo_value is None and seen > low:
            lo_value = value
        if seen > high:
            hi_value = value
            break
    return (lo_value + hi_value) / 2


@dataclass
class ServiceFigures:
    """The service figures of a group of decided filings (all, one procedure kind, one month)."""

    decided: int = 0
    approved: int = 0
    refused: int = 0
    not_accepted: int = 0
    online: int = 0
    on_time: int = 0
    timed: int = 0  # decided filings with an on-time verdict
    days: Counter = field(default_factory=Counter)  # working days taken -> filings

    def add(self, decision: str, fully_online: bool, on_time: bool | None, workdays: int | None, n: int) -> None:
        self.decided += n
        if decision == Decision.APPROVED:
            self.approved += n
        elif decision == Decision.REFUSED:
            self.refused += n
        elif decision == Decision.NOT_ACCEPTED:
            self.not_accepted += n
        if fully_online:
            self.online += n
        if on_time is not None:
            self.timed += n
            if on_time:
                self.on_time += n
        if workdays is not None:
            self.days[workdays] += n

    @property
    def late(self) -> int:
        return self.timed - self.on_time

    @property
    def online_share(self) -> float | None:
        return percent(self.online, self.decided)

    @property
    def on_time_rate(self) -> float | None:
        return percent(self.on_time, self.timed)

    @property
    def median_workdays(self) -> float | None:
        return median(self.days)


@dataclass
class KindFigures(ServiceFigures):
    kind: str = ""
    label: str = ""
    promised_days: set[int] = field(default_factory=set)  # the promised limits of its procedure types, now

    @property
    def promised(self) -> str:
        if not self.promised_days:
            return ""
        low, high = min(self.promised_days), max(self.promised_days)
        return str(low) if low == high else f"{low}–{high}"


@dataclass
class MonthFigures(ServiceFigures):
    month: dt.date | None = None


@dataclass(frozen=True)
class ListFigures:
    list_kind: str
    label: str
    organizations: int  # on the list on the day
    added: int  # entries put on in the twelve months
    removed: int  # entries taken off in the twelve months


def _months(start: dt.date, on: dt.date) -> list[dt.date]:
    """The first days of the months the window (start, on] touches, oldest first."""
    first = start + dt.timedelta(days=1)
    month = first.replace(day=1)
    out = []
    while month <= on:
        out.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return out


def service_figures(area: Area, start: dt.date, on: dt.date) -> tuple[ServiceFigures, list[KindFigures], list[MonthFigures]]:
    """Filings of the area decided in (start, on]: in total, per procedure kind and per month."""
    rows = (
        Filing.objects.filter(
            inside_area_q(area),
            status__in=DECIDED_STATUSES,
            done_on__gt=start,
            done_on__lte=on,
        )
        # The month as a number (yyyymm): cheaper to read back than a truncated date.
        .annotate(month=ExpressionWrapper(ExtractYear("done_on") * 100 + ExtractMonth("done_on"), output_field=IntegerField()))
        .values_list("procedure__kind", "procedure__promised_days", "month", "decision", "fully_online", "on_time", "workdays_taken")
        .annotate(n=Count("id"))
        .order_by()
    )
    labels = dict(ProcedureKind.choices)
    total = ServiceFigures()
    kinds: dict[str, KindFigures] = {}
    months = {m.year * 100 + m.month: MonthFigures(month=m) for m in _months(start, on)}
    for kind, promised, month, *figures in rows:
        if kind not in kinds:
            kinds[kind] = KindFigures(kind=kind, label=str(labels.get(kind, kind)))
        kinds[kind].add(*figures)
        kinds[kind].promised_days.add(promised)
        total.add(*figures)
        month = int(month)
        if month not in months:
            months[month] = MonthFigures(month=dt.date(month // 100, month % 100, 1))
        months[month].add(*figures)
    ordered = sorted(kinds.values(), key=lambda k: (KIND_ORDER.get(k.kind, len(KIND_ORDER)), k.kind))
    return total, ordered, [months[m] for m in sorted(months)]


def list_figures(area: Area, start: dt.date, on: dt.date) -> list[ListFigures]:
    """Organizations of the area on each list on `on`, and entries put on and taken off in (start, on]."""
    in_force = Q(removed_on__isnull=True) | Q(removed_on__gt=on)
    here = inside_area_q(area, city="organization__city_id", town="organization__town_id")
    rows = {
        row["list_kind"]: row
        for row in ListEntry.objects.filter(here, included_on__lte=on)
        .filter(Q(removed_on__isnull=True) | Q(removed_on__gt=start))
        .values("list_kind")
        .annotate(
            organizations=Count("organization", distinct=True, filter=in_force),
            added=Count("id", filter=Q(included_on__gt=start)),
            removed=Count("id", filter=Q(removed_on__gt=start, removed_on__lte=on)),
        )
        .order_by()
    }
    out = []
    for kind, label in ListKind.choices:
        row = rows.get(kind, {})
        out.append(
            ListFigures(
                list_kind=kind,
                label=str(label),
                organizations=row.get("organizations", 0),
                added=row.get("added", 0),
                removed=row.get("removed", 0),
            )
        )
    return out


def _chart(months: list[MonthFigures]) -> dict:
    """The numbers targets_panel.js draws (the template shows the same rows as a table)."""
    return {
        "months": [m.month.strftime("%Y-%m") for m in months],
        "decided": [m.decided for m in months],
        "online_share": [m.online_share for m in months],
        "on_time_rate": [m.on_time_rate for m in months],
        "labels": {"decided": _("Decisions"), "online_share": _("Share fully online"), "on_time_rate": _("On-time rate")},
    }


def second_panel(area: Area, on: dt.date) -> dict | None:
    """The context of targets/_panel.html for a city or a town as of a day (None: no panel)."""
    if area.level not in (AreaLevel.CITY, AreaLevel.TOWN):
        return None
    start = year_before(on)
    total, kinds, months = service_figures(area, start, on)
    return {
        "on": on,
        "since": start + dt.timedelta(days=1),
        "services": total,
        "kinds": kinds,
        "months": months,
        "lists": list_figures(area, start, on),
        "chart": _chart(months),
    }


def filings_query(user, area: Area, panel: dict | None) -> str:
    """The query string of the online-affairs list (affairs:list) holding the filings behind
    the panel's service figures, for the city's bureau, whose list holds every filing of
    its city and towns; empty for anyone else (a town officer's list holds only what the
    town handles, so it would not add up to the figure)."""
    if panel is None or not getattr(user, "is_authenticated", False) or user.area_id is None:
        return ""
    if user.role != Role.BUREAU or user.area_id not in (area.pk, area.city_id):
        return ""
    params = {"view": "all", "decided_from": panel["since"].isoformat(), "decided_to": panel["on"].isoformat()}
    if area.level == AreaLevel.TOWN:
        params["town"] = area.pk
    return urlencode(params)


def list_entries_query(user, area: Area, panel: dict | None) -> str:
    """The query string of the list-entries page (credit:entries) holding the entries in
    force on the panel's day, for a user who reads every entry of the area: the bureau for
    its city and towns, a town officer for the own town; empty for anyone else."""
    if panel is None or not getattr(user, "is_authenticated", False) or user.area_id is None:
        return ""
    bureau = user.role == Role.BUREAU and user.area_id in (area.pk, area.city_id)
    town = user.role == Role.TOWN and user.area_id == area.pk
    if not (bureau or town):
        return ""
    params = {"state": "on", "on": panel["on"].isoformat()}
    if area.level == AreaLevel.TOWN:
        params["town"] = area.pk
    return urlencode(params)
