"""Staff registry pages: scope, filing, editing with a reason, status, personal data."""

import datetime as dt

import pytest
from django.urls import reverse

from shezhi.audit.models import AuditAction, AuditEntry
from shezhi.registry.models import Organization
from shezhi.testing import make_filed

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


def filing_post(areas, **extra):
    data = {
        "town": areas.town_a.pk,
        "name": "东湖社区书画协会",
        "community": areas.community_a1.pk,
        "community_category": "culture_sports",
        "legal_representative": "王五",
        "founded_on": "2026-03-01",
        "address": "东湖社区活动中心",
        "phone": "13812345678",
        "business_scope": "书画交流",
        "party_organization": "none",
    }
    data.update(extra)
    return data


class TestList:
    def test_town_sees_only_own_town(self, client, users, orgs):
        response = login(client, users.town_a).get(reverse("registry:list"))
        assert response.status_code == 200
        names = {o.name for o in response.context["page"]}
        assert orgs.filed_a.name in names and orgs.reg_a.name in names
        assert orgs.filed_b.name not in names and orgs.reg_b.name not in names

    def test_bureau_sees_city_not_other_city(self, client, users, orgs):
        names = {o.name for o in login(client, users.bureau).get(reverse("registry:list")).context["page"]}
        assert {orgs.reg_a.name, orgs.reg_b.name, orgs.filed_b.name} <= names
        assert orgs.reg_other.name not in names

    def test_community_worker_sees_own_community(self, client, users, orgs):
        names = {o.name for o in login(client, users.community_a1).get(reverse("registry:list")).context["page"]}
        assert names == {orgs.reg_a.name, orgs.filed_a.name}

    @pytest.mark.parametrize("who", ["org_a", "reviewer", "resident"])
    def test_non_staff_get_404(self, client, users, who):
        assert login(client, getattr(users, who)).get(reverse("registry:list")).status_code == 404

    def test_anonymous_redirected_to_login(self, client, areas):
        response = client.get(reverse("registry:list"))
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"]

    def test_query_count_does_not_grow_with_rows(self, client, users, areas, django_assert_max_num_queries):
        for i in range(30):
            make_filed(town=areas.town_a, community=areas.community_a1, name=f"批量组织{i}")
        login(client, users.bureau)
        with django_assert_max_num_queries(8):
            response = client.get(reverse("registry:list"))
        assert response.status_code == 200 and len(response.context["page"]) == 25

    def test_bad_filter_values_do_not_fail(self, client, users, orgs):
        response = login(client, users.bureau).get(reverse("registry:list"), {"town": "abc", "status": "evil", "page": "x", "sort": "zz"})
        assert response.status_code == 200
        assert set(response.context["filter_errors"]) == {"town", "status", "sort"}


class TestDetail:
    def test_other_town_is_404(self, client, users, orgs):
        assert login(client, users.town_a).get(reverse("registry:detail", args=[orgs.filed_b.pk])).status_code == 404
        assert login(client, users.town_a).get(reverse("registry:edit", args=[orgs.filed_b.pk])).status_code == 404

    def test_phone_masked_and_reveal_is_audited(self, client, users, areas):
        org = make_filed(town=areas.town_a, community=areas.community_a1, phone="13912340000")
        login(client, users.town_a)
        page = client.get(reverse("registry:detail", args=[org.pk])).content.decode()
        assert "13912340000" not in page and "139****0000" in page
        response = client.post(reverse("registry:reveal_phone", args=[org.pk]))
        assert "13912340000" in response.content.decode()
        assert AuditEntry.objects.filter(action=AuditAction.PERSONAL_DATA_VIEWED, target_id=str(org.pk), actor=users.town_a).exists()

    def test_reveal_forbidden_outside_scope_and_for_community(self, client, users, orgs):
        assert login(client, users.town_b).post(reverse("registry:reveal_phone", args=[orgs.filed_a.pk])).status_code == 404
        assert login(client, users.community_a1).post(reverse("registry:reveal_phone", args=[orgs.filed_a.pk])).status_code == 404

    def test_org_account_sees_only_itself(self, client, users, orgs):
        login(client, users.org_a)
        assert client.get(reverse("registry:detail", args=[orgs.reg_a.pk])).status_code == 200
        assert client.get(reverse("registry:detail", args=[orgs.filed_a.pk])).status_code == 404

    def test_registered_org_not_editable_by_town(self, client, users, orgs):
        assert login(client, users.town_a).get(reverse("registry:edit", args=[orgs.reg_a.pk])).status_code == 404


class TestFiling:
    def test_town_files_and_gets_number(self, client, users, areas):
        response = login(client, users.town_a).post(reverse("registry:file"), filing_post(areas))
        org = Organization.objects.get(name="东湖社区书画协会")
        assert response.status_code == 302 and response["Location"] == reverse("registry:detail", args=[org.pk])
        assert org.filing_number.startswith("330482001-2026-") and org.town == areas.town_a
        assert org.created_by == users.town_a
        assert AuditEntry.objects.filter(action=AuditAction.ORG_FILED, target_id=str(org.pk)).exists()

    def test_town_cannot_file_in_other_town(self, client, users, areas):
        response = login(client, users.town_a).post(
            reverse("registry:file"), filing_post(areas, town=areas.town_b.pk, community=areas.community_b1.pk)
        )
        assert response.status_code == 200 and "town" in response.context["form"].errors
        assert not Organization.objects.filter(name="东湖社区书画协会").exists()

    def test_community_of_other_town_is_refused_with_message(self, client, users, areas):
        login(client, users.bureau)
        response = client.post(reverse("registry:file"), filing_post(areas, community=areas.community_b1.pk))
        assert response.status_code == 200
        assert response.context["form"].errors["community"]

    def test_duplicate_links_existing(self, client, users, areas, orgs):
        response = login(client, users.town_a).post(reverse("registry:file"), filing_post(areas, name=orgs.filed_a.name))
        assert response.status_code == 200
        assert response.context["duplicate"]["org"] == orgs.filed_a
        assert reverse("registry:detail", args=[orgs.filed_a.pk]) in response.content.decode()

    def test_missing_fields_explained(self, client, users, areas):
        response = login(client, users.town_a).post(reverse("registry:file"), {"town": areas.town_a.pk})
        errors = response.context["form"].errors
        assert {"name", "community", "community_category"} <= set(errors)

    @pytest.mark.parametrize("who", ["community_a1", "org_a", "department", "resident"])
    def test_other_roles_cannot_file(self, client, users, who):
        assert login(client, getattr(users, who)).get(reverse("registry:file")).status_code == 404

    def test_future_date_refused(self, client, users, areas):
        response = login(client, users.town_a).post(reverse("registry:file"), filing_post(areas, founded_on="2999-01-01"))
        assert "founded_on" in response.context["form"].errors


class TestEditAndStatus:
    def test_edit_requires_reason_and_records_history(self, client, users, orgs):
        login(client, users.town_a)
        url = reverse("registry:edit", args=[orgs.filed_a.pk])
        form = client.get(url).context["form"]
        data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list)}
        data["founded_on"] = orgs.filed_a.founded_on.isoformat()
        data.update({"address": "新的活动地点", "community": orgs.filed_a.community_id, "party_organization": "none"})
        response = client.post(url, data)
        assert "reason" in response.context["form"].errors
        response = client.post(url, {**data, "reason": "活动地点变更"})
        assert response.status_code == 302
        orgs.filed_a.refresh_from_db()
        assert orgs.filed_a.address == "新的活动地点"
        page = client.get(reverse("registry:detail", args=[orgs.filed_a.pk])).content.decode()
        assert "活动地点变更" in page and "新的活动地点" in page

    def test_status_change_by_bureau_only(self, client, users, orgs):
        url = reverse("registry:status", args=[orgs.reg_a.pk])
        data = {"status": "deregistered", "on": dt.date.today().isoformat(), "reason": "自行解散"}
        assert login(client, users.town_a).post(url, data).status_code == 404
        assert login(client, users.bureau).post(url, data).status_code == 302
        orgs.reg_a.refresh_from_db()
        assert orgs.reg_a.status == "deregistered"
        assert login(client, users.other_bureau).post(reverse("registry:status", args=[orgs.reg_b.pk]), data).status_code == 404

    def test_list_statuses_are_not_set_by_hand(self, client, users, orgs):
        url = reverse("registry:status", args=[orgs.reg_b.pk])
        data = {"status": "abnormal", "on": dt.date.today().isoformat(), "reason": "未按时年报"}
        login(client, users.bureau).post(url, data)
        orgs.reg_b.refresh_from_db()
        assert orgs.reg_b.status == "normal"
