"""The dashboard pages: who may open which area (forbidden = not found), bad input, a bounded
number of queries whatever the data, and the bureau's editing of its targets."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from shezhi.areas.services import area_save
from shezhi.audit.models import AuditEntry
from shezhi.conftest import client_for
from shezhi.targets.models import Target
from shezhi.testing import make_filed


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def client():
    from django.test import Client

    return Client(HTTP_ACCEPT_LANGUAGE="en")


def area_url(area, **params):
    from urllib.parse import urlencode

    return reverse("targets:area", args=[area.pk]) + (f"?{urlencode(params)}" if params else "")


class TestAccess:
    def test_anonymous_is_sent_to_log_in(self, client, areas):
        response = client.get(area_url(areas.city))
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"]

    @pytest.mark.parametrize("name", ["resident", "org_a", "reviewer"])
    def test_roles_without_the_dashboard_get_not_found(self, client, users, areas, name):
        client_for(client, getattr(users, name))
        assert client.get(area_url(areas.city)).status_code == 404
        assert client.get(reverse("targets:dashboard")).status_code == 404
        assert client.get(reverse("targets:target", args=[areas.city.pk, "T1"])).status_code == 404

    @pytest.mark.parametrize("name", ["bureau", "department", "town_a", "community_a1"])
    def test_staff_of_the_city_see_the_city_and_its_towns(self, client, users, areas, name):
        client_for(client, getattr(users, name))
        for area in (areas.city, areas.town_a, areas.town_b):
            assert client.get(area_url(area)).status_code == 200
        assert client.get(reverse("targets:target", args=[areas.town_b.pk, "T2"])).status_code == 200

    def test_another_citys_staff_get_not_found(self, client, users, areas):
        client_for(client, users.other_bureau)
        for area in (areas.city, areas.town_a):
            assert client.get(area_url(area)).status_code == 404
            assert client.get(reverse("targets:target", args=[area.pk, "T1"])).status_code == 404
        client_for(client, users.town_a)
        assert client.get(area_url(areas.other_city)).status_code == 404

    def test_a_community_is_not_a_dashboard_of_its_own(self, client, users, areas):
        client_for(client, users.bureau)
        assert client.get(area_url(areas.community_a1)).status_code == 404

    def test_each_role_lands_on_its_own_area(self, client, users, areas):
        client_for(client, users.town_a)
        assert client.get(reverse("targets:dashboard")).url == area_url(areas.town_a)
        client_for(client, users.community_a1)
        assert client.get(reverse("targets:dashboard")).url == area_url(areas.town_a)
        client_for(client, users.bureau)
        assert client.get(reverse("targets:dashboard")).url == area_url(areas.city)

    def test_unknown_target_code_is_not_found(self, client, users, areas):
        client_for(client, users.bureau)
        assert client.get(reverse("targets:target", args=[areas.city.pk, "T99"])).status_code == 404


class TestPages:
    def test_city_page_shows_every_target_and_the_ranked_towns(self, client, users, areas, orgs):
        client_for(client, users.bureau)
        response = client.get(area_url(areas.city))
        assert response.status_code == 200
        html = response.content.decode()
        for n in range(1, 12):
            assert f'data-code="T{n}"' in html
        assert 'data-testid="towns-table"' in html and areas.town_a.name in html and areas.town_b.name in html
        assert "vendor/echarts/echarts.min.js" in html
        assert 'id="targets-data"' in html
        assert "cdn" not in html.lower()

    def test_as_of_a_past_day(self, client, users, areas):
        make_filed(town=areas.town_a, community=areas.community_a1, founded_on=dt.date(2018, 3, 1))
        client_for(client, users.bureau)
        before = client.get(area_url(areas.city, on="2018-02-28")).context["view"]
        after = client.get(area_url(areas.city, on="2018-03-01")).context["view"]
        assert before.rows[0].actual == 0 and after.rows[0].actual == 1
        assert before.rows[0].goal == Decimal(1800)

    def test_a_wall_screen_of_today_reloads_itself_and_one_of_a_past_day_does_not(self, client, users, areas, settings):
        settings.TARGETS_WALL_REFRESH_SECONDS = 120
        client_for(client, users.bureau)
        live = client.get(area_url(areas.town_a, wall=1)).content.decode()
        assert 'data-refresh-seconds="120"' in live and 'data-testid="wall-updated"' in live
        pinned = client.get(area_url(areas.town_a, wall=1, on="2019-12-31")).content.decode()
        assert "data-refresh-seconds" not in pinned
        assert "data-refresh-seconds" not in client.get(area_url(areas.city)).content.decode()
        # The dashboard of today links to the live wall screen; of a past day, to that day's.
        today = client.get(area_url(areas.city, on=timezone.localdate().isoformat())).content.decode()
        assert 'href="?wall=1" data-testid="wall-link"' in today
        past = client.get(area_url(areas.city, on="2019-12-31")).content.decode()
        assert 'href="?on=2019-12-31&amp;wall=1" data-testid="wall-link"' in past

    @pytest.mark.parametrize("bad", ["2018-02-30", "yesterday", "1999-12-31", "2999-01-01"])
    def test_a_bad_date_says_what_is_wrong(self, client, users, areas, bad):
        client_for(client, users.bureau)
        response = client.get(area_url(areas.city, on=bad))
        assert response.status_code == 400
        assert 'data-testid="as-of-error"' in response.content.decode()
        assert response.context["on"] == timezone.localdate()

    def test_the_town_page_lists_communities_below_the_line(self, client, users, areas, orgs):
        client_for(client, users.town_a)
        response = client.get(reverse("targets:target", args=[areas.town_a.pk, "T2"]))
        below = response.context["below"]
        # 东湖社区 (urban) has one community organization; the line is 22 by 2020.
        assert [(s.area.name, s.actual, s.short_by) for s in below] == [("东湖社区", 1, 21)]
        rural = client.get(reverse("targets:target", args=[areas.town_a.pk, "T3"])).context["below"]
        assert [(s.area.name, s.actual) for s in rural] == [("虹霓村", 0)]

    def test_the_records_behind_the_number(self, client, users, areas, orgs):
        client_for(client, users.bureau)
        response = client.get(reverse("targets:target", args=[areas.city.pk, "T1"]))
        names = [f.organization.name for f in response.context["page"].object_list]
        assert sorted(names) == sorted([orgs.filed_a.name, orgs.filed_b.name])
        assert response.context["row"].actual == 2

    def test_volunteers_are_counted_not_listed(self, client, users, areas):
        client_for(client, users.bureau)
        response = client.get(reverse("targets:target", args=[areas.city.pk, "T10"]))
        assert response.context["records"].kind == "volunteers"
        assert 'data-testid="volunteer-numbers"' in response.content.decode()

    def test_the_page_spells_out_the_computation(self, client, users, areas, orgs):
        client_for(client, users.bureau)
        page = client.get(reverse("targets:target", args=[areas.city.pk, "T1"])).content.decode()
        assert "2 community social organizations" in page
        page = client.get(reverse("targets:target", args=[areas.town_a.pk, "T2"])).content.decode()
        assert "1 community social organizations in urban communities ÷ 1 urban communities" in page

    def test_a_per_resident_figure_names_the_population_of_its_day(self, client, users, areas):
        area_save(code=areas.city.code, data={"population": 700000, "population_date": dt.date(2024, 11, 1)}, by=users.bureau)
        client_for(client, users.bureau)
        url = reverse("targets:target", args=[areas.city.pk, "T10"])
        now = client.get(url)
        assert now.context["row"].figure.denominator == 700000
        assert "Resident population 700000, as counted on 2024-11-01." in now.content.decode()
        assert "÷ 700000 resident population × 100" in now.content.decode()
        before = client.get(url, {"on": "2023-06-30"})
        assert before.context["row"].figure.denominator == 680000
        assert "Resident population 680000, as counted on 2020-11-01." in before.content.decode()

    def test_the_number_of_queries_does_not_grow_with_the_data(self, client, users, areas, django_assert_max_num_queries):
        client_for(client, users.bureau)
        urls = [area_url(areas.city), area_url(areas.town_a), reverse("targets:target", args=[areas.city.pk, "T1"])]
        client.get(urls[0])
        before = {}
        for url in urls:
            with django_assert_max_num_queries(30) as counted:
                client.get(url)
            before[url] = len(counted.captured_queries)
        for i in range(30):
            make_filed(town=areas.town_a if i % 2 else areas.town_b, community=areas.community_a1 if i % 2 else None)
        for url in urls:
            with django_assert_max_num_queries(before[url]):
                assert client.get(url).status_code == 200

    @pytest.mark.parametrize("code", ["T8", "T9", "T11"])
    def test_other_record_lists_do_not_grow_in_queries(self, client, users, areas, code, django_assert_max_num_queries):
        from shezhi.places.services import place_save
        from shezhi.testing import make_registered
        from shezhi.volunteers.services import team_create

        client_for(client, users.bureau)
        url = reverse("targets:target", args=[areas.city.pk, code])

        def add(n):
            for i in range(n):
                town = areas.town_a if i % 2 else areas.town_b
                place_save(
                    data={"kind": "charity_base", "name": f"慈善基地{n}-{i}", "address": "测试路", "town": town,
                          "operator_name": "镇政府", "opened_on": dt.date(2019, 1, 1)},
                    by=users.bureau,
                )  # fmt: skip
                org = make_registered(town=town, community=areas.community_a1 if i % 2 else None, is_volunteer_org=True,
                                      direct_category="trade_association")  # fmt: skip
                team_create(
                    organization=org, data={"name": f"志愿队{n}-{i}", "town": town, "founded_on": dt.date(2020, 1, 1)}, by=users.bureau
                )

        add(1)
        client.get(url)
        with django_assert_max_num_queries(40) as counted:
            assert client.get(url).status_code == 200
        add(12)
        with django_assert_max_num_queries(len(counted.captured_queries)):
            response = client.get(url)
        assert response.context["page"].paginator.count >= 13

    def test_the_target_list_for_editing_does_not_grow_in_queries(self, client, users, django_assert_max_num_queries):
        client_for(client, users.bureau)
        with django_assert_max_num_queries(12) as counted:
            assert client.get(reverse("targets:manage")).status_code == 200
        Target.objects.create(code="T12", name="新增", indicator="community_orgs", scope="city", position=12)
        with django_assert_max_num_queries(len(counted.captured_queries)):
            assert len(client.get(reverse("targets:manage")).context["targets"]) == 12


class TestEditing:
    def test_only_the_citys_bureau_edits(self, client, users):
        for name in ("town_a", "department", "resident"):
            client_for(client, getattr(users, name))
            assert client.get(reverse("targets:manage")).status_code == 404
            assert client.post(reverse("targets:new"), {}).status_code == 404

    def test_changing_a_default_gives_the_city_its_own_copy(self, client, users, areas):
        client_for(client, users.bureau)
        default = Target.objects.get(city__isnull=True, code="T1")
        response = client.post(
            reverse("targets:edit", args=[default.pk]),
            {
                "code": "T1",
                "name": "登记和备案的社区社会组织",
                "indicator": "community_orgs",
                "scope": "city",
                "position": 1,
                "active": "on",
                "due_0": "2025-12-31",
                "value_0": "2100",
                "reason": "2025年市政府常务会议调整目标",
            },
        )
        assert response.status_code == 302
        own = Target.objects.filter(city=areas.city)
        assert own.count() == 11
        assert [(m.due_on, m.value) for m in own.get(code="T1").milestones.all()] == [(dt.date(2025, 12, 31), Decimal(2100))]
        # The defaults, and other cities, are untouched.
        assert default.milestones.count() == 2
        assert AuditEntry.objects.filter(target_type="targets.target", reason="2025年市政府常务会议调整目标").exists()
        view = client.get(area_url(areas.city, on="2025-06-30")).context["view"]
        assert view.rows[0].goal == Decimal(2100)
        client_for(client, users.other_bureau)
        other = client.get(area_url(areas.other_city, on="2020-06-30")).context["view"]
        assert other.rows[0].goal == Decimal(1980)

    def test_a_target_taken_out_of_use_leaves_the_dashboard_but_stays_editable(self, client, users, areas):
        client_for(client, users.bureau)
        t11 = Target.objects.get(city__isnull=True, code="T11")
        data = {"code": "T11", "name": t11.name, "indicator": t11.indicator, "scope": t11.scope, "position": 11}
        data.update({"due_0": "2020-12-31", "value_0": "100", "reason": "本轮不再考核"})  # no "active": unticked
        assert client.post(reverse("targets:edit", args=[t11.pk]), data).status_code == 302
        codes = [r.target.code for r in client.get(area_url(areas.city)).context["view"].rows]
        assert "T11" not in codes and len(codes) == 10
        page = client.get(reverse("targets:manage"))
        own = Target.objects.get(city=areas.city, code="T11")
        assert own in page.context["targets"] and page.context["own"] is True
        assert 'data-testid="inactive"' in page.content.decode()
        assert client.get(reverse("targets:edit", args=[own.pk])).status_code == 200
        # The defaults are no longer the city's to edit once it has its own; another city's are never.
        assert client.get(reverse("targets:edit", args=[t11.pk])).status_code == 404
        client_for(client, users.other_bureau)
        assert client.get(reverse("targets:edit", args=[own.pk])).status_code == 404

    def test_adding_a_target_of_a_new_plan_year(self, client, users, areas):
        client_for(client, users.bureau)
        response = client.post(
            reverse("targets:new"),
            {
                "code": "T12",
                "name": "2025年社区社会组织",
                "indicator": "community_orgs",
                "scope": "city",
                "position": 12,
                "active": "on",
                "due_0": "2025-12-31",
                "value_0": "2500",
                "reason": "新一轮规划",
            },
        )
        assert response.status_code == 302
        codes = [r.target.code for r in client.get(area_url(areas.city)).context["view"].rows]
        assert codes[-1] == "T12" and len(codes) == 12

    @pytest.mark.parametrize(
        ("fields", "message"),
        [
            ({"due_0": "", "value_0": ""}, "Give at least one milestone"),
            ({"due_0": "2020-12-31", "value_0": ""}, "give both the date and the value"),
            ({"indicator": "hub_coverage", "value_0": "120"}, "from 0 to 100"),
            ({"value_0": "-1"}, "cannot be negative"),
            ({"code": "T2"}, "already has a target with the code T2"),
            ({"reason": ""}, "This field is required"),
        ],
    )
    def test_bad_input_is_refused_with_the_reason(self, client, users, areas, fields, message):
        client_for(client, users.bureau)
        data = {
            "code": "T20",
            "name": "测试目标",
            "indicator": "community_orgs",
            "scope": "city",
            "position": 20,
            "active": "on",
            "due_0": "2030-12-31",
            "value_0": "10",
            "reason": "测试",
            **fields,
        }
        response = client.post(reverse("targets:new"), data)
        assert response.status_code == 400
        assert message in response.content.decode()
        assert not Target.objects.filter(code="T20").exists()
