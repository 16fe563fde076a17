"""The dashboard's second panel (online affairs and credit) against figures computed here.

Filings and list entries are written through the affairs and credit services, on days set
by moving the clock. Each case below says by hand what it should give (decided on, fully
online or not, working days taken, on time or late — counted on the 2025 calendar); the
expected panel figures are computed from those specs alone, never from the rows the
services wrote.
"""

from __future__ import annotations

import datetime as dt
import importlib
import re
import statistics
from dataclasses import dataclass

import pytest
from django.urls import reverse
from django.utils import timezone

from shezhi.accounts.models import Role, User
from shezhi.affairs import services as affairs
from shezhi.affairs.models import Filing, ProcedureType
from shezhi.affairs.tests.conftest import attach_required
from shezhi.credit import services as credit
from shezhi.credit.models import Ground, ListKind
from shezhi.targets.panels import median, second_panel, year_before

pytestmark = pytest.mark.django_db
D = dt.date
ON = D(2025, 12, 31)  # the window is 2025-01-01 .. 2025-12-31
LATER = D(2026, 3, 2)  # "today" for the pages, which refuse a day in the future


@pytest.fixture(autouse=True)
def reference_data(settings, tmp_path):
    """The default procedure types and the holiday calendar come from data migrations, which a
    transactional test elsewhere in the run may have flushed; uploads go to a temporary folder."""
    from django.apps import apps

    from shezhi.workdays import services as workdays
    from shezhi.workdays.models import CalendarYear

    settings.MEDIA_ROOT = tmp_path / "media"
    if not ProcedureType.objects.exists():
        importlib.import_module("shezhi.affairs.migrations.0002_default_procedures").load(apps, None)
    if not CalendarYear.objects.exists():
        workdays.calendar_load_package()
    workdays.invalidate()


@pytest.fixture
def clock(monkeypatch):
    """Set the day the services see (10:00 local time)."""

    def at(day: dt.date) -> None:
        now = timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))
        monkeypatch.setattr(timezone, "now", lambda: now)
        monkeypatch.setattr(affairs, "_today", lambda: day)

    return at


# --- online affairs ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One filing and what it should count as (working days counted by hand)."""

    town: str  # "a", "b" or "other" (another city)
    procedure: str
    submitted: dt.date
    decided: dt.date
    how: str = "approve"  # approve, refuse, not_accept, withdraw
    in_person: bool = False
    correction: tuple[dt.date, dt.date] | None = None  # asked on, resubmitted on
    workdays: int | None = None
    on_time: bool | None = None

    @property
    def counts(self) -> bool:
        return self.how != "withdraw"

    @property
    def kind(self) -> str:
        return {"change": "change", "reelection": "reelection"}[self.procedure]


CASES = [
    # Decided the year before the window: out of the 2025 panel, in the one as of 2025-06-30.
    Case("a", "change", D(2024, 12, 2), D(2024, 12, 6), workdays=4, on_time=True),
    # Mon -> Fri of the same week: 4 working days, online, on time.
    Case("a", "change", D(2025, 3, 3), D(2025, 3, 7), workdays=4, on_time=True),
    # Accepted with a visit in person; 3 weeks (Tue 10 June .. Fri 27 June = 14 working days), promised 10: late.
    Case("a", "change", D(2025, 6, 9), D(2025, 6, 27), in_person=True, workdays=14, on_time=False),
    # 9 working days, of which 5 (Wed 9 .. Tue 15 July) were spent supplying materials: 4; the due date moves, on time.
    Case("a", "reelection", D(2025, 7, 7), D(2025, 7, 18), correction=(D(2025, 7, 8), D(2025, 7, 15)), workdays=4, on_time=True),
    # Not accepted after 2 working days: a decision, on time (within the promised 10).
    Case("a", "change", D(2025, 9, 1), D(2025, 9, 3), how="not_accept", workdays=2, on_time=True),
    # Withdrawn by the applicant: not a decision.
    Case("a", "change", D(2025, 10, 13), D(2025, 10, 15), how="withdraw"),
    # Refused after 14 working days (4 + 5 + 5), promised 10: late.
    Case("a", "change", D(2025, 11, 3), D(2025, 11, 21), how="refuse", workdays=14, on_time=False),
    # Decided after the day: out of the 2025 panel.
    Case("a", "change", D(2026, 1, 5), D(2026, 1, 9), workdays=4, on_time=True),
    Case("b", "change", D(2025, 4, 14), D(2025, 4, 16), workdays=2, on_time=True),
    Case("b", "reelection", D(2025, 8, 4), D(2025, 8, 8), in_person=True, workdays=4, on_time=True),
    Case("other", "change", D(2025, 5, 12), D(2025, 5, 14), workdays=2, on_time=True),
]


def _file(case: Case, n: int, *, applicant, handler, clock) -> Filing:
    procedure = ProcedureType.objects.get(code=case.procedure)
    if case.procedure == "change":
        data = {"legal_representative": f"代表{n}", "reason": "理事会改选"}
    else:
        data = {"meeting_date": case.submitted.isoformat(), "term_years": 5, "board": "理事长：王五"}
    clock(case.submitted)
    filing = affairs.filing_create(procedure=procedure, by=applicant, data=data)
    attach_required(filing, applicant)
    filing = affairs.filing_submit(filing=filing, by=applicant)
    if case.how == "withdraw":
        clock(case.decided)
        return affairs.filing_withdraw(filing=filing, by=applicant, reason="不再办理")
    if case.how == "not_accept":
        clock(case.decided)
        return affairs.filing_not_accept(filing=filing, by=handler, reason="不属于本机关职权范围")
    filing = affairs.filing_accept(filing=filing, by=handler, in_person=case.in_person)
    if case.correction:
        asked, resubmitted = case.correction
        clock(asked)
        filing = affairs.filing_request_correction(filing=filing, by=handler, items=[], note="决议缺少签字")
        clock(resubmitted)
        filing = affairs.filing_resubmit(filing=filing, by=applicant)
    clock(case.decided)
    if case.how == "refuse":
        return affairs.filing_refuse(filing=filing, by=handler, reason="材料不实", legal_ground="《社会团体登记管理条例》第十三条")
    return affairs.filing_approve(filing=filing, by=handler)


def _org_user(username: str, org) -> User:
    return User.objects.create_user(username=username, password="pass-Shezhi-2026", role=Role.ORGANIZATION, organization=org)


@pytest.fixture
def filings(users, orgs, clock):
    applicants = {"a": users.org_a, "b": _org_user("org_b", orgs.reg_b), "other": _org_user("org_other", orgs.reg_other)}
    handlers = {"a": users.bureau, "b": users.bureau, "other": users.other_bureau}
    made = [_file(c, n, applicant=applicants[c.town], handler=handlers[c.town], clock=clock) for n, c in enumerate(CASES)]
    return list(zip(CASES, made, strict=True))


def _pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def expected_services(towns: set[str], on: dt.date, kind: str | None = None) -> dict:
    start = year_before(on)
    cases = [c for c in CASES if c.counts and c.town in towns and start < c.decided <= on and (kind is None or c.kind == kind)]
    return {
        "decided": len(cases),
        "online": _pct(sum(1 for c in cases if not c.in_person), len(cases)),
        "median": statistics.median([c.workdays for c in cases]) if cases else None,
        "on_time": _pct(sum(1 for c in cases if c.on_time), len(cases)),
        "late": sum(1 for c in cases if not c.on_time),
        "refused": sum(1 for c in cases if c.how == "refuse"),
        "not_accepted": sum(1 for c in cases if c.how == "not_accept"),
    }


def figures_of(s) -> dict:
    return {
        "decided": s.decided,
        "online": s.online_share,
        "median": s.median_workdays,
        "on_time": s.on_time_rate,
        "late": s.late,
        "refused": s.refused,
        "not_accepted": s.not_accepted,
    }


class TestOnlineAffairs:
    def test_the_cases_are_what_they_say(self, filings):
        # The hand counts above are what the affairs services recorded (so the expectations mean something).
        for case, filing in filings:
            if case.counts:
                assert (filing.done_on, filing.workdays_taken, filing.on_time, filing.fully_online) == (
                    case.decided,
                    case.workdays,
                    case.on_time,
                    not case.in_person,
                ), case
            else:
                assert filing.done_on is None

    @pytest.mark.parametrize(
        "area_name, towns",
        [("city", {"a", "b"}), ("town_a", {"a"}), ("town_b", {"b"})],
    )
    @pytest.mark.parametrize("on", [ON, D(2025, 6, 30)])
    def test_figures_by_area_and_kind(self, filings, areas, area_name, towns, on):
        panel = second_panel(getattr(areas, area_name), on)
        assert figures_of(panel["services"]) == expected_services(towns, on)
        expected_kinds = [k for k in ("change", "reelection") if expected_services(towns, on, k)["decided"]]
        assert [k.kind for k in panel["kinds"]] == expected_kinds
        for row in panel["kinds"]:
            assert figures_of(row) == expected_services(towns, on, row.kind)
            assert row.promised == "10"

    def test_town_panel_leaves_out_the_other_town(self, filings, areas):
        a = second_panel(areas.town_a, ON)["services"]
        b = second_panel(areas.town_b, ON)["services"]
        city = second_panel(areas.city, ON)["services"]
        assert (a.decided, b.decided, city.decided) == (5, 2, 7)
        assert second_panel(areas.other_city, ON)["services"].decided == 1

    def test_months(self, filings, areas):
        months = second_panel(areas.city, ON)["months"]
        assert [m.month for m in months] == [D(2025, m, 1) for m in range(1, 13)]
        by_month = {m.month.month: m.decided for m in months}
        expected = {m: 0 for m in range(1, 13)}
        for c in CASES:
            if c.counts and c.town in {"a", "b"} and c.decided.year == 2025:
                expected[c.decided.month] += 1
        assert by_month == expected

    def test_nothing_decided(self, areas):
        panel = second_panel(areas.town_a, ON)
        s = panel["services"]
        assert (s.decided, s.online_share, s.median_workdays, s.on_time_rate, panel["kinds"]) == (0, None, None, None, [])


# --- credit lists --------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    org: str  # an attribute of the orgs fixture
    town: str
    list_kind: str
    ground: str
    included: dt.date
    removed: dt.date | None = None


A, S = ListKind.ABNORMAL, ListKind.SERIOUS
ENTRIES = [
    Entry("reg_a", "a", A, "abn-1", D(2025, 3, 10)),
    Entry("reg_a", "a", A, "abn-2", D(2024, 6, 1)),  # the same organization again: counts once
    Entry("filed_a", "a", A, "abn-1", D(2024, 5, 1), removed=D(2025, 6, 30)),  # off the list before ON
    Entry("reg_b", "b", S, "ser-1", D(2025, 2, 1)),
    Entry("reg_b", "b", A, "abn-1", D(2024, 1, 10), removed=D(2026, 2, 1)),  # removed after ON: still on it
    Entry("filed_b", "b", A, "abn-1", D(2026, 1, 10)),  # put on after ON
    Entry("reg_other", "other", S, "ser-1", D(2025, 1, 15)),  # another city
]


@pytest.fixture
def entries(users, orgs, clock):
    clock(D(2026, 3, 1))
    for code, kind in (("abn-1", A), ("abn-2", A), ("ser-1", S)):
        Ground.objects.create(code=f"panel-{code}", list_kind=kind, name=f"测试事由{code}")
    for n, e in enumerate(ENTRIES):
        entry = credit.entry_include(
            organization=getattr(orgs, e.org),
            list_kind=e.list_kind,
            ground=f"panel-{e.ground}",
            included_on=e.included,
            decision_number=f"平民决〔{e.included.year}〕{n}号",
            by=users.bureau,
        )
        if e.removed:
            credit.entry_remove(entry=entry, removed_on=e.removed, reason="已整改", by=users.bureau)
    return ENTRIES


def expected_lists(towns: set[str], on: dt.date) -> dict:
    start = year_before(on)
    out = {}
    for kind in (A, S):
        mine = [e for e in ENTRIES if e.town in towns and e.list_kind == kind]
        out[kind] = (
            len({e.org for e in mine if e.included <= on and (e.removed is None or e.removed > on)}),
            sum(1 for e in mine if start < e.included <= on),
            sum(1 for e in mine if e.removed and start < e.removed <= on),
        )
    return out


class TestCreditLists:
    @pytest.mark.parametrize(
        "area_name, towns",
        [("city", {"a", "b"}), ("town_a", {"a"}), ("town_b", {"b"}), ("other_city", {"other"})],
    )
    @pytest.mark.parametrize("on", [ON, D(2025, 6, 29), D(2026, 2, 1)])
    def test_organizations_on_each_list(self, entries, areas, area_name, towns, on):
        lists = second_panel(getattr(areas, area_name), on)["lists"]
        assert {row.list_kind: (row.organizations, row.added, row.removed) for row in lists} == expected_lists(towns, on)

    def test_as_of(self, entries, areas):
        # filed_a left the abnormal list on 2025-06-30: on it the day before, not on the day.
        def abnormal(on):
            return next(r for r in second_panel(areas.town_a, on)["lists"] if r.list_kind == A).organizations

        assert (abnormal(D(2025, 6, 29)), abnormal(D(2025, 6, 30)), abnormal(ON)) == (2, 1, 1)


# --- the panel as a whole ---------------------------------------------------------------------


def test_bounded_queries(filings, entries, areas, django_assert_max_num_queries):
    for area in (areas.city, areas.town_a):
        with django_assert_max_num_queries(2):
            panel = second_panel(area, ON)
        assert panel["services"].decided and panel["lists"]


def test_no_panel_for_a_community(areas):
    assert second_panel(areas.community_a1, ON) is None


@pytest.mark.parametrize("values, expected", [({}, None), ({3: 1}, 3), ({2: 2, 4: 3, 14: 2}, 4), ({2: 1, 5: 1}, 3.5), ({1: 3, 9: 1}, 1)])
def test_median_of_a_histogram(values, expected):
    from collections import Counter

    assert median(Counter(values)) == expected
    if values:
        assert median(Counter(values)) == statistics.median([v for v, n in values.items() for _ in range(n)])


def test_year_before():
    assert year_before(D(2025, 12, 31)) == D(2024, 12, 31)
    assert year_before(D(2024, 2, 29)) == D(2023, 2, 28)


def _card(page: str, testid: str) -> str:
    match = re.search(rf'data-testid="{testid}"><div class="num">(.*?)</div>', page)
    assert match, testid
    return re.sub(r"<[^>]+>", "", match.group(1))


def _dashboard(client, area) -> str:
    response = client.get(reverse("targets:area", args=[area.pk]), {"on": ON.isoformat()})
    assert response.status_code == 200 and response.context["on"] == ON
    return response.content.decode()


def test_dashboard_shows_the_panel(client, filings, entries, users, areas, clock):
    clock(LATER)
    client.force_login(users.bureau)
    page = _dashboard(client, areas.town_a)
    assert 'data-testid="second-panel"' in page
    s = expected_services({"a"}, ON)
    assert _card(page, "card-decided") == str(s["decided"])
    assert _card(page, "card-online") == f"{s['online']:.1f}%"
    assert _card(page, "card-median") == f"{s['median']:g}"
    assert _card(page, "card-on-time") == f"{s['on_time']:.1f}%"
    lists = expected_lists({"a"}, ON)
    assert _card(page, "card-list-abnormal") == str(lists[A][0])
    assert _card(page, "card-list-serious") == str(lists[S][0])
    assert 'data-kind="change"' in page and 'data-kind="reelection"' in page
    assert 'id="targets-panel-data"' in page and "shezhi/targets_panel.js" in page


def _link(page: str, testid: str) -> str | None:
    match = re.search(rf'<a href="([^"]+)" data-testid="{testid}">', page)
    return match.group(1).replace("&amp;", "&") if match else None


@pytest.mark.parametrize("area_name, towns", [("city", {"a", "b"}), ("town_a", {"a"})])
def test_the_service_figures_link_to_the_filings_behind_them(client, filings, users, areas, clock, area_name, towns):
    """Each decided and late count opens the online-affairs list holding exactly those filings."""
    clock(LATER)
    client.force_login(users.bureau)
    page = _dashboard(client, getattr(areas, area_name))
    for kind in (None, "change", "reelection"):
        want = expected_services(towns, ON, kind)
        suffix = kind or "all"
        listed = client.get(_link(page, f"filings-{suffix}"))
        assert listed.status_code == 200
        assert listed.context["page"].paginator.count == want["decided"], kind
        rows = list(listed.context["page"].object_list)
        assert {f.status for f in rows} <= {"done", "not_accepted"}
        days = [f.done_on for f in rows]
        assert days == sorted(days, reverse=True) and all(year_before(ON) < d <= ON for d in days)
        assert listed.content.decode().count('data-testid="decided-on"') == len(rows)
        # The list's own filters keep the period.
        assert f'name="decided_from" value="{year_before(ON) + dt.timedelta(days=1)}"' in listed.content.decode()
        late = _link(page, f"late-{suffix}")
        if want["late"]:
            assert client.get(late).context["page"].paginator.count == want["late"], kind
        else:
            assert late is None


@pytest.mark.parametrize(
    "user_name, area_name, links",
    [("bureau", "town_b", True), ("town_a", "town_a", False), ("town_a", "city", False), ("department", "city", False)],
)
def test_links_only_for_the_bureau_whose_list_holds_every_filing(client, filings, users, areas, clock, user_name, area_name, links):
    """A town officer's list holds the filings the town handles, not the bureau's: a link
    from the panel would open a list that does not add up to the figure."""
    clock(LATER)
    client.force_login(getattr(users, user_name))
    page = _dashboard(client, getattr(areas, area_name))
    assert (_link(page, "filings-all") is not None) == links
    if links:
        listed = client.get(_link(page, "filings-all"))
        assert listed.context["page"].paginator.count == expected_services({"b"}, ON)["decided"]


def test_a_bad_period_on_the_filings_list_says_what_is_wrong(client, users):
    client.force_login(users.bureau)
    response = client.get(reverse("affairs:list"), {"decided_from": "2025-12-31", "decided_to": "2025-01-01"}, follow=True)
    assert response.status_code == 200
    assert "第一天晚于最后一天" in response.content.decode() or "after its last day" in response.content.decode()


@pytest.mark.parametrize(
    "user_name, area_name, towns", [("bureau", "city", {"a", "b"}), ("bureau", "town_b", {"b"}), ("town_a", "town_a", {"a"})]
)
def test_the_list_figures_link_to_the_entries_in_force_on_the_day(client, entries, users, areas, orgs, clock, user_name, area_name, towns):
    """The organizations on the linked page are those the figure counts (an organization on
    a list on two grounds is one organization and two entries)."""
    clock(LATER)
    client.force_login(getattr(users, user_name))
    page = _dashboard(client, getattr(areas, area_name))
    for kind in (A, S):
        listed = client.get(_link(page, f"entries-{kind}"))
        assert listed.status_code == 200 and 'data-testid="state-on"' in listed.content.decode()
        shown = {e.organization_id for e in listed.context["page"].object_list}
        want = {
            getattr(orgs, e.org).pk
            for e in ENTRIES
            if e.town in towns and e.list_kind == kind and e.included <= ON and (e.removed is None or e.removed > ON)
        }
        assert shown == want and len(shown) == expected_lists(towns, ON)[kind][0], kind


@pytest.mark.parametrize("user_name, area_name", [("town_a", "city"), ("town_b", "town_a"), ("department", "city")])
def test_no_list_links_for_those_who_cannot_read_every_entry_of_the_area(client, entries, users, areas, clock, user_name, area_name):
    clock(LATER)
    client.force_login(getattr(users, user_name))
    page = _dashboard(client, getattr(areas, area_name))
    assert _link(page, f"entries-{A}") is None


def test_a_bad_day_on_the_entries_page_shows_the_current_entries(client, entries, users, clock):
    clock(LATER)
    client.force_login(users.bureau)
    response = client.get(reverse("credit:entries"), {"state": "on", "on": "2025-02-30"})
    assert response.status_code == 200 and response.context["state"] == "current"
    assert any("YYYY-MM-DD" in str(m) for m in response.context["messages"])
