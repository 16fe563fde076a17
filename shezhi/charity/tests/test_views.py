"""Every page for every role (forbidden is 404, anonymous staff pages go to the log-in), bad
input as a message, and query counts on the lists."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from shezhi.charity import services
from shezhi.charity.models import Disclosure, FundraisingCampaign, TaxSpecialReport, TaxStatusDecision
from shezhi.charity.tests.conftest import make_campaign, make_item
from shezhi.charity.tests.test_hooks import inspected
from shezhi.registry.models import TaxDeductibleYear
from shezhi.registry.services import organization_update
from shezhi.testing import make_registered

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
YEAR = TODAY.year
ROLES = ["bureau", "department", "town_a", "town_b", "community_a1", "org_a", "reviewer", "resident", "other_bureau"]


@pytest.fixture
def items(charity, users):
    published = make_item(charity, kind="annual_work_report", year=YEAR - 1, published_on=TODAY, writer=users.org_a, title="年度工作报告")
    draft = make_item(charity, kind="financial_statements", year=YEAR - 1, writer=users.org_a, title="财务报告草稿")
    return type("Items", (), {"published": published, "draft": draft})


def get(client, user, url):
    if user is not None:
        client.force_login(user)
    return client.get(url)


class TestPublicPages:
    def test_list_of_charities_for_everyone(self, client, items, users):
        for user in [None, users.resident, users.bureau]:
            client.logout()
            response = get(client, user, reverse("charity:list"))
            assert response.status_code == 200 and "平湖市当湖养老服务中心" in response.content.decode()

    def test_list_filters(self, client, charity, orgs):
        organization_update(organization=orgs.reg_b, data={"is_charity": True, "public_fundraising": True}, by=None, reason="t")
        page = client.get(reverse("charity:list"), {"fundraising": "1"}).content.decode()
        assert "乍浦镇老年协会" in page and "平湖市当湖养老服务中心" not in page
        page = client.get(reverse("charity:list"), {"q": "当湖"}).content.decode()
        assert "平湖市当湖养老服务中心" in page and "乍浦镇老年协会" not in page
        assert client.get(reverse("charity:list"), {"page": "zzz"}).status_code == 200

    def test_list_query_count_does_not_grow(self, client, areas, django_assert_max_num_queries):
        for i in range(30):
            org = make_registered(town=areas.town_a, name=f"慈善会{i}", is_charity=True, charity_recognized_on=dt.date(2020, 1, 1))
            make_item(org, kind="annual_work_report", year=2020, published_on=dt.date(2021, 4, 1))
            make_campaign(org, starts_on=TODAY - dt.timedelta(days=400), ends_on=TODAY + dt.timedelta(days=400))
            TaxDeductibleYear.objects.create(organization=org, year=YEAR)
        with django_assert_max_num_queries(12):
            response = client.get(reverse("charity:list"))
        assert response.status_code == 200 and response.content.decode().count("late-count") == 25

    def test_published_item_for_everyone_draft_only_for_its_organization(self, client, items, users, org_b_account):
        assert client.get(reverse("charity:disclosure", args=[items.published.pk])).status_code == 200
        for user in [None, users.bureau, users.resident, org_b_account, users.town_a]:
            client.logout()
            assert get(client, user, reverse("charity:disclosure", args=[items.draft.pk])).status_code == 404
        response = get(client, users.org_a, reverse("charity:disclosure", args=[items.draft.pk]))
        assert response.status_code == 200 and 'data-testid="preview"' in response.content.decode()
        assert client.get(reverse("charity:disclosure", args=[99999])).status_code == 404

    def test_public_page_section_with_corrections_and_late_items(self, client, items, users, django_assert_max_num_queries):
        correction = make_item(
            items.published.organization,
            kind="annual_work_report",
            year=YEAR - 1,
            corrects=items.published,
            due_on=None,
            published_on=TODAY,
            writer=users.org_a,
            title="更正：年度工作报告",
        )
        url = reverse("portal:organization", args=[items.published.organization.pk])
        with django_assert_max_num_queries(30):
            page = client.get(url).content.decode()
        assert 'data-testid="charity-disclosures"' in page
        assert f'data-testid="corrected-by-{items.published.pk}"' in page and f'data-testid="corrects-{correction.pk}"' in page
        # The 2020 … reports were never published: late, and shown as such.
        assert 'data-testid="late-items"' in page and "Annual work report 2020" in page
        assert "财务报告草稿" not in page

    def test_no_section_for_an_organization_without_charity_matters(self, client, orgs):
        page = client.get(reverse("portal:organization", args=[orgs.reg_b.pk])).content.decode()
        assert "charity-disclosures" not in page

    @pytest.mark.usefixtures("media")
    def test_attachment(self, client, charity, users):
        from django.core.files.uploadedfile import SimpleUploadedFile

        upload = SimpleUploadedFile("r.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
        d = services.disclosure_create(
            organization=charity,
            by=users.org_a,
            kind="annual_work_report",
            data={"title": "t", "body": "b", "year": YEAR - 1},
            upload=upload,
        )
        url = reverse("charity:disclosure_attachment", args=[d.pk])
        assert client.get(url).status_code == 404  # a draft's attachment is the organization's own
        client.force_login(users.org_a)
        assert client.get(url).status_code == 200
        services.disclosure_publish(disclosure=d, by=users.org_a)
        client.logout()
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"


class TestOrganizationPages:
    ORG_ONLY = ["charity:mine", "charity:disclosure_new", "charity:campaign_new"]

    @pytest.mark.parametrize("name", ORG_ONLY)
    def test_anonymous_goes_to_log_in(self, client, name):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]

    @pytest.mark.parametrize("name", ORG_ONLY)
    @pytest.mark.parametrize("role", [r for r in ROLES if r != "org_a"])
    def test_other_roles_404(self, client, users, name, role):
        assert get(client, getattr(users, role), reverse(name)).status_code == 404

    def test_mine(self, client, items, users, django_assert_max_num_queries):
        client.force_login(users.org_a)
        with django_assert_max_num_queries(20):
            response = client.get(reverse("charity:mine"))
        page = response.content.decode()
        assert response.status_code == 200 and "财务报告草稿" in page and "年度工作报告" in page
        assert 'data-testid="write-annual_work_report:2020"' in page

    def test_write_preview_publish(self, client, charity, users):
        client.force_login(users.org_a)
        assert client.get(reverse("charity:disclosure_new")).status_code == 200
        url = reverse("charity:disclosure_new") + "?kind=annual_work_report&year=2021"
        page = client.get(url).content.decode()
        assert 'value="2021"' in page
        response = client.post(
            reverse("charity:disclosure_new"),
            {"kind": "annual_work_report", "title": "2021年度工作报告", "year": "2021", "body": "开展活动"},
        )
        d = Disclosure.objects.get()
        assert response.status_code == 302 and response["Location"] == reverse("charity:disclosure", args=[d.pk])
        response = client.post(reverse("charity:disclosure_publish", args=[d.pk]), follow=True)
        d.refresh_from_db()
        assert d.is_published and "published late" in response.content.decode()
        # Published: no edit page, no delete.
        assert client.get(reverse("charity:disclosure_edit", args=[d.pk])).status_code == 404
        client.post(reverse("charity:disclosure_delete", args=[d.pk]))
        assert Disclosure.objects.filter(pk=d.pk).exists()

    def test_bad_input_is_a_message_not_a_500(self, client, charity, users):
        client.force_login(users.org_a)
        response = client.post(
            reverse("charity:disclosure_new"), {"kind": "annual_work_report", "title": "x", "year": str(YEAR), "body": "b"}
        )
        assert response.status_code == 400 and "is not over yet" in response.content.decode()
        response = client.post(reverse("charity:disclosure_new"), {"kind": "annual_work_report", "title": "", "year": "abc", "body": ""})
        assert response.status_code == 400 and "errorlist" in response.content.decode()
        response = client.post(reverse("charity:disclosure_new"), {"kind": "nonsense"})
        assert response.status_code == 200  # back to choosing a kind
        assert not Disclosure.objects.exists()

    def test_duplicate_links_to_the_existing_item(self, client, items, users):
        client.force_login(users.org_a)
        response = client.post(
            reverse("charity:disclosure_new"), {"kind": "annual_work_report", "title": "又一份", "year": str(YEAR - 1), "body": "b"}
        )
        assert response.status_code == 400 and reverse("charity:disclosure", args=[items.published.pk]) in response.content.decode()

    def test_edit_and_delete_a_draft(self, client, items, users, org_b_account):
        url = reverse("charity:disclosure_edit", args=[items.draft.pk])
        assert get(client, org_b_account, url).status_code == 404
        assert get(client, users.bureau, url).status_code == 404
        client.force_login(users.org_a)
        assert client.get(url).status_code == 200
        response = client.post(url, {"title": "改", "year": str(YEAR - 1), "body": "新"})
        assert response.status_code == 302
        items.draft.refresh_from_db()
        assert items.draft.title == "改"
        for user in (org_b_account, users.bureau):
            client.force_login(user)
            assert client.post(reverse("charity:disclosure_delete", args=[items.draft.pk])).status_code == 404
            assert client.post(reverse("charity:disclosure_publish", args=[items.draft.pk])).status_code == 404
        client.force_login(users.org_a)
        assert client.get(reverse("charity:disclosure_publish", args=[items.draft.pk])).status_code == 405
        client.post(reverse("charity:disclosure_delete", args=[items.draft.pk]))
        assert not Disclosure.objects.filter(pk=items.draft.pk).exists()

    def test_correction_pages(self, client, items, users, org_b_account):
        url = reverse("charity:disclosure_correct", args=[items.published.pk])
        assert get(client, org_b_account, url).status_code == 404
        assert get(client, users.bureau, url).status_code == 404
        client.force_login(users.org_a)
        assert client.get(reverse("charity:disclosure_correct", args=[items.draft.pk])).status_code == 404
        assert client.get(url).status_code == 200
        response = client.post(url, {"title": "更正", "body": ""})
        assert response.status_code == 400
        response = client.post(url, {"title": "更正", "body": "场次应为32场"})
        correction = Disclosure.objects.get(corrects=items.published)
        assert response.status_code == 302 and correction.status == "draft"

    def test_campaign_pages(self, client, charity, users, org_b_account):
        organization_update(organization=charity, data={"public_fundraising": True}, by=None, reason="t")
        client.force_login(users.org_a)
        response = client.post(
            reverse("charity:campaign_new"),
            {"name": "助学", "kind": "public", "record_number": "", "starts_on": "2025-01-01", "ends_on": "2025-12-31"},
        )
        assert response.status_code == 400 and "record number" in response.content.decode()
        data = {"name": "助学", "kind": "public", "record_number": "531234", "starts_on": "2025-01-01", "ends_on": "2025-12-31"}
        assert client.post(reverse("charity:campaign_new"), data).status_code == 302
        c = FundraisingCampaign.objects.get()
        url = reverse("charity:campaign_edit", args=[c.pk])
        assert client.post(url, {**data, "ends_on": "2026-06-30"}).status_code == 302
        c.refresh_from_db()
        assert c.ends_on == dt.date(2026, 6, 30)
        for user in (org_b_account, users.bureau):
            assert get(client, user, url).status_code == 404


class TestBureauPages:
    STAFF = ["charity:staff", "charity:late", "charity:staff_disclosures", "charity:tax"]

    @pytest.mark.parametrize("name", STAFF)
    def test_anonymous_goes_to_log_in(self, client, name):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]

    @pytest.mark.parametrize("name", STAFF)
    @pytest.mark.parametrize("role", [r for r in ROLES if r not in ("bureau", "other_bureau")])
    def test_other_roles_404(self, client, users, name, role):
        assert get(client, getattr(users, role), reverse(name)).status_code == 404

    @pytest.mark.parametrize("name", STAFF)
    def test_bureau(self, client, items, users, name):
        assert get(client, users.bureau, reverse(name)).status_code == 200

    def test_staff_home_shows_open_applications_with_twenty_days(self, client, charity, users, orgs):
        from shezhi.affairs.models import Filing, ProcedureType

        Filing.objects.create(
            procedure=ProcedureType.objects.get(code="charity-recognition"),
            organization=orgs.reg_b,
            subject_name=orgs.reg_b.name,
            city=orgs.reg_b.city,
            town=orgs.reg_b.town,
            applicant=users.org_a,
            status="accepted",
            number="BJ2026009999",
            accepted_on=TODAY - dt.timedelta(days=21),
            submitted_at=timezone.now(),
        )
        page = get(client, users.bureau, reverse("charity:staff")).content.decode()
        assert "BJ2026009999" in page and (TODAY - dt.timedelta(days=1)).isoformat() in page and "overdue" in page
        assert "refusal grounds" not in page  # reg_b has a clean record
        from shezhi.charity.tests.test_hooks import warn

        warn(orgs.reg_b, TODAY - dt.timedelta(days=3), users.bureau)
        page = get(client, users.bureau, reverse("charity:staff")).content.decode()
        assert "refusal grounds" in page and "No penalty during 2 years" in page

    def test_other_bureau_sees_nothing_of_this_city(self, client, items, users):
        assert "年度工作报告" not in get(client, users.other_bureau, reverse("charity:staff_disclosures")).content.decode()
        assert "平湖市当湖养老服务中心" not in get(client, users.other_bureau, reverse("charity:late")).content.decode()

    def test_late_list_and_export(self, client, areas, users, django_assert_max_num_queries):
        for i in range(15):
            make_registered(town=areas.town_a, name=f"慈善会{i}", is_charity=True, charity_recognized_on=dt.date(2022, 1, 1))
        client.force_login(users.bureau)
        with django_assert_max_num_queries(15):
            response = client.get(reverse("charity:late"))
        assert response.status_code == 200 and response.content.decode().count("慈善会") >= 15 * 2
        response = client.get(reverse("charity:late"), {"fmt": "xlsx"})
        assert response.status_code == 200 and "spreadsheetml" in response["Content-Type"]
        response = client.get(reverse("charity:late"), {"on": "2024-13-01"})
        assert response.status_code == 400 and "YYYY-MM-DD" in response.content.decode()

    def test_late_list_includes_published_late_on_request(self, client, charity, users):
        make_item(charity, kind="annual_work_report", year=2020, published_on=dt.date(2021, 7, 1), writer=users.org_a, title="迟到的报告")
        client.force_login(users.bureau)
        assert "迟到的报告" not in client.get(reverse("charity:late")).content.decode()
        page = client.get(reverse("charity:late"), {"published": "1"}).content.decode()
        assert "published late" in page

    def test_staff_disclosures_query_count(self, client, areas, users, django_assert_max_num_queries):
        for i in range(30):
            org = make_registered(town=areas.town_a, name=f"慈善会{i}", is_charity=True)
            make_item(org, kind="annual_work_report", year=2020, published_on=dt.date(2021, 4, 1))
        client.force_login(users.bureau)
        with django_assert_max_num_queries(12):
            response = client.get(reverse("charity:staff_disclosures"), {"kind": "annual_work_report"})
        assert response.content.decode().count("慈善会") == 25

    def test_registry_page_section_for_the_bureau_and_the_organization(self, client, items, users):
        url = reverse("registry:detail", args=[items.published.organization.pk])
        assert 'data-testid="charity-staff"' in get(client, users.bureau, url).content.decode()
        assert 'data-testid="charity-staff"' in get(client, users.org_a, url).content.decode()
        response = get(client, users.town_a, url)
        assert response.status_code != 200 or 'data-testid="charity-staff"' not in response.content.decode()


class TestTaxPages:
    @pytest.fixture
    def eligible(self, orgs, users):
        organization_update(organization=orgs.reg_a, data={"rating": "4A", "rated_on": dt.date(2024, 3, 15)}, by=None, reason="评估")
        inspected(orgs.reg_a)
        services.special_report_record(
            organization=orgs.reg_a, by=users.org_a, data={"year": YEAR - 1, "auditor": "某所", "report_date": TODAY}
        )
        orgs.reg_a.refresh_from_db()
        return orgs.reg_a

    def test_lookup_by_credit_code(self, client, eligible, users):
        client.force_login(users.bureau)
        response = client.get(reverse("charity:tax"), {"credit_code": eligible.credit_code.lower(), "year": YEAR})
        assert response.status_code == 302 and response["Location"] == reverse("charity:tax_check", args=[eligible.pk, YEAR])
        response = client.get(reverse("charity:tax"), {"credit_code": "91330000XXXXXXXXXX", "year": YEAR})
        assert response.status_code == 200 and "No registered organization" in response.content.decode()

    def test_check_and_confirm(self, client, eligible, users):
        url = reverse("charity:tax_check", args=[eligible.pk, YEAR])
        client.force_login(users.bureau)
        page = client.get(url).content.decode()
        assert 'data-ok="0"' not in page and "Audited special report" in page
        response = client.post(url, {"decision": "confirm", "note": "符合"})
        assert response.status_code == 302
        assert TaxDeductibleYear.objects.filter(organization=eligible).count() == 3
        response = client.post(url, {"decision": "confirm"})
        assert response.status_code == 400 and "already confirmed" in response.content.decode()

    def test_refuse_without_reason_is_a_message(self, client, eligible, users):
        client.force_login(users.bureau)
        response = client.post(reverse("charity:tax_check", args=[eligible.pk, YEAR]), {"decision": "refuse", "note": ""})
        assert response.status_code == 400 and "reason for the refusal" in response.content.decode()
        assert not TaxStatusDecision.objects.exists()

    def test_not_met_shows_why(self, client, eligible, users):
        client.force_login(users.bureau)
        page = client.get(reverse("charity:tax_check", args=[eligible.pk, YEAR + 1])).content.decode()
        assert 'data-ok="0"' in page and f"missing for {YEAR}" in page and "disabled" in page

    def test_as_of_a_date(self, client, eligible, users):
        client.force_login(users.bureau)
        page = client.get(reverse("charity:tax_check", args=[eligible.pk, YEAR]), {"on": "2029-12-31"}).content.decode()
        assert TODAY.isoformat() in page  # a future date is capped at today
        assert client.get(reverse("charity:tax_check", args=[eligible.pk, YEAR]), {"on": "garbage"}).status_code == 200

    def test_forbidden(self, client, eligible, users, orgs):
        url = reverse("charity:tax_check", args=[eligible.pk, YEAR])
        for role in [r for r in ROLES if r != "bureau"]:
            assert get(client, getattr(users, role), url).status_code == 404
        client.force_login(users.bureau)
        assert client.get(reverse("charity:tax_check", args=[orgs.reg_other.pk, YEAR])).status_code == 404
        assert client.get(reverse("charity:tax_check", args=[orgs.filed_a.pk, YEAR])).status_code == 404
        assert client.get(reverse("charity:tax_check", args=[eligible.pk, 1999])).status_code == 404

    def test_special_report_pages(self, client, orgs, users, org_b_account):
        url = reverse("charity:special_report_new")
        client.force_login(users.org_a)
        assert client.get(url).status_code == 200
        response = client.post(url, {"year": str(YEAR - 2), "auditor": "某所", "report_date": TODAY.isoformat()})
        assert response.status_code == 302
        response = client.post(url, {"year": str(YEAR - 2), "auditor": "某所", "report_date": TODAY.isoformat()})
        assert response.status_code == 400 and "already recorded" in response.content.decode()
        client.force_login(users.bureau)
        assert client.get(url + f"?organization={orgs.reg_a.pk}").status_code == 200
        response = client.post(
            url + f"?organization={orgs.reg_a.pk}", {"year": str(YEAR - 3), "auditor": "某所", "report_date": TODAY.isoformat()}
        )
        assert response.status_code == 302 and TaxSpecialReport.objects.filter(organization=orgs.reg_a).count() == 2
        assert client.get(url + f"?organization={orgs.reg_other.pk}").status_code == 404
        assert client.get(url).status_code == 404
        for role in ("town_a", "resident", "other_bureau", "reviewer"):
            assert get(client, getattr(users, role), url + f"?organization={orgs.reg_a.pk}").status_code == 404
