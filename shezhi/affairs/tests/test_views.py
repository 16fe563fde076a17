"""The filing pages: applying, uploads, the queue, refusals shown as messages, metrics."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shezhi.affairs import services
from shezhi.affairs.models import Filing, FilingStatus, Material
from shezhi.affairs.selectors import filing_metrics
from shezhi.affairs.tests.conftest import PDF, PNG

pytestmark = pytest.mark.django_db
S = FilingStatus


def login(client, user):
    client.force_login(user)
    return client


class TestApply:
    def test_organization_applies_uploads_and_submits(self, client, users, orgs, helpers):
        login(client, users.org_a)
        assert "变更登记" in client.get(reverse("affairs:new")).content.decode()
        response = client.post(reverse("affairs:create", args=["change"]), {"legal_representative": "李四", "reason": "改选"})
        filing = Filing.objects.get()
        assert response.status_code == 302 and response["Location"] == reverse("affairs:detail", args=[filing.pk])
        # Submitting without the materials names what is missing and keeps the draft.
        response = client.post(reverse("affairs:step", args=[filing.pk, "submit"]), follow=True)
        assert "变更登记申请表" in response.content.decode()
        filing.refresh_from_db()
        assert filing.status == S.DRAFT
        for requirement in filing.procedure.materials.filter(code__in=["application", "resolution", "representative"]):
            upload = SimpleUploadedFile("扫描件.png", PNG, content_type="image/png")
            client.post(reverse("affairs:upload", args=[filing.pk]), {"requirement": requirement.pk, "file": upload})
        assert filing.materials.count() == 3 and set(filing.materials.values_list("content_type", flat=True)) == {"image/png"}
        client.post(reverse("affairs:step", args=[filing.pk, "submit"]))
        filing.refresh_from_db()
        assert filing.status == S.SUBMITTED

    def test_second_open_filing_points_at_the_first(self, client, users, orgs, helpers):
        first = helpers.change_draft(users)
        response = login(client, users.org_a).post(reverse("affairs:create", args=["change"]), {"address": "新地址", "reason": "搬迁"})
        assert response.status_code == 200 and reverse("affairs:detail", args=[first.pk]) in response.content.decode()
        assert Filing.objects.count() == 1

    def test_wrong_file_type_is_refused_from_its_bytes(self, client, users, orgs, helpers):
        filing = helpers.change_draft(users)
        fake = SimpleUploadedFile("申请表.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
        response = login(client, users.org_a).post(reverse("affairs:upload", args=[filing.pk]), {"file": fake})
        assert response.status_code == 400
        assert "Only PDF, PNG and JPEG" in response.content.decode() or "仅" in response.content.decode()
        assert not Material.objects.filter(original_name="申请表.pdf").exists()

    def test_size_limit(self, client, users, orgs, helpers, settings):
        settings.AFFAIRS_MAX_UPLOAD_BYTES = 1000
        filing = helpers.change_draft(users)
        big = SimpleUploadedFile("big.pdf", PDF + b"0" * 2000, content_type="application/pdf")
        response = login(client, users.org_a).post(reverse("affairs:upload", args=[filing.pk]), {"file": big})
        assert response.status_code == 400 and not Material.objects.filter(original_name="big.pdf").exists()

    def test_materials_are_stored_outside_the_web_root_and_served_by_the_view(self, client, users, orgs, helpers, media):
        filing = helpers.change_draft(users)
        material = filing.materials.first()
        assert (media / "affairs" / material.stored_name).exists()
        response = login(client, users.org_a).get(reverse("affairs:material", args=[filing.pk, material.pk]))
        assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf" and "attachment" in response["Content-Disposition"]

    def test_a_person_applies_for_establishment(self, client, users, areas):
        login(client, users.resident)
        page = client.get(reverse("affairs:create", args=["establishment"])).content.decode()
        assert areas.town_a.name in page and areas.other_town.name not in page
        response = client.post(
            reverse("affairs:create", args=["establishment"]),
            {
                "name": "平湖市书法家协会",
                "legal_form": "social_group",
                "town": areas.town_a.pk,
                "address": "当湖街道",
                "legal_representative": "周九",
                "registered_funds": "3",
                "business_scope": "书法交流",
            },
        )
        assert response.status_code == 302
        assert Filing.objects.get().subject_name == "平湖市书法家协会"


class TestHandling:
    def test_queue_shows_due_dates_and_overdue(self, client, users, orgs, helpers, django_assert_max_num_queries, monkeypatch):
        monkeypatch.setattr(services, "_today", lambda: dt.date(2026, 1, 5))
        late = helpers.accepted_change(users)  # due 2026-01-19
        services.filing_create(
            procedure=helpers.procedure("deregistration"), by=users.org_a, data={"reason": "x", "liquidation_completed_on": "2026-01-01"}
        )
        for code in ("change", "deregistration", "reelection", "annual-report", "rating"):
            Filing.objects.create(
                procedure=helpers.procedure(code), organization=orgs.reg_b, subject_name=orgs.reg_b.name, city=orgs.reg_b.city,
                town=orgs.reg_b.town, applicant=users.org_a, status=S.ACCEPTED, due_on=dt.date(2099, 1, 1), number=f"T-{code}",
            )  # fmt: skip
        login(client, users.bureau)
        with django_assert_max_num_queries(12):
            response = client.get(reverse("affairs:list"))
        rows = response.context["rows"]
        # Earliest due first; the draft is not in the queue.
        assert len(rows) == 6 and rows[0][0].pk == late.pk
        assert rows[0][1].overdue and not rows[1][1].overdue and 'data-testid="overdue"' in response.content.decode()
        assert [f.pk for f, _c in client.get(reverse("affairs:list"), {"view": "all", "overdue": "1"}).context["rows"]] == [late.pk]

    def test_decided_filter_is_bounded_in_queries_and_staff_only(self, client, users, orgs, helpers, django_assert_max_num_queries):
        for n, code in enumerate(("change", "deregistration", "reelection", "annual-report", "rating")):
            Filing.objects.create(
                procedure=helpers.procedure(code), organization=orgs.reg_b, subject_name=orgs.reg_b.name, city=orgs.reg_b.city,
                town=orgs.reg_b.town, applicant=users.org_a, status=S.DONE, done_on=dt.date(2025, 3, 1 + n), number=f"D-{code}",
            )  # fmt: skip
        Filing.objects.create(
            procedure=helpers.procedure("change"), organization=orgs.reg_other, subject_name=orgs.reg_other.name,
            city=orgs.reg_other.city, town=orgs.reg_other.town, applicant=users.org_a, status=S.DONE,
            done_on=dt.date(2025, 3, 9), number="D-other",
        )  # fmt: skip
        period = {"decided_from": "2025-03-01", "decided_to": "2025-03-31"}
        login(client, users.bureau)
        with django_assert_max_num_queries(12):
            response = client.get(reverse("affairs:list"), period)
        # Another city's filing is out of the bureau's list; newest decision first.
        assert [f.number for f, _c in response.context["rows"]] == [
            "D-rating",
            "D-annual-report",
            "D-reelection",
            "D-deregistration",
            "D-change",
        ]
        # An applicant's list ignores the staff filter: still only the own filings, drafts included.
        helpers.change_draft(users)
        own = login(client, users.org_a).get(reverse("affairs:list"), period).context
        assert own["decided"] is None and all(f.applicant_id == users.org_a.pk for f, _c in own["rows"])

    def test_applicant_list_shows_own_filings_only(self, client, users, orgs, helpers):
        helpers.change_draft(users)
        assert len(login(client, users.org_a).get(reverse("affairs:list")).context["rows"]) == 1
        assert len(login(client, users.town_b).get(reverse("affairs:list"), {"view": "all"}).context["rows"]) == 0

    def test_decision_form_shows_the_procedures_own_fields(self, client, users, orgs, helpers):
        filing = services.filing_create(
            procedure=helpers.procedure("annual-report"), by=users.org_a, data={"year": 2025, "activities": "助老"}
        )
        helpers.attach_required(filing, users.org_a)
        services.filing_submit(filing=filing, by=users.org_a)
        services.filing_accept(filing=filing, by=users.bureau)
        login(client, users.bureau)
        page = client.get(reverse("affairs:detail", args=[filing.pk])).content.decode()
        assert 'name="approve-result"' in page and "基本合格" in page
        response = client.post(reverse("affairs:step", args=[filing.pk, "approve"]), {})
        assert response.status_code == 400  # the result is required
        client.post(reverse("affairs:step", args=[filing.pk, "approve"]), {"approve-result": "基本合格"})
        filing.refresh_from_db()
        assert filing.status == S.DONE and filing.decision_data["result"] == "基本合格"

    def test_already_decided_shows_who_decided(self, client, users, orgs, helpers):
        filing = helpers.accepted_change(users)
        services.filing_approve(filing=filing, by=users.bureau)
        response = login(client, users.bureau).post(
            reverse("affairs:step", args=[filing.pk, "refuse"]), {"refuse-reason": "x", "refuse-legal_ground": "y"}, follow=True
        )
        messages = [str(m) for m in response.context["messages"]]
        assert any("bureau" in m for m in messages)
        filing.refresh_from_db()
        assert filing.decision == "approved"

    def test_correction_request_lists_items_for_the_applicant(self, client, users, orgs, helpers):
        filing = helpers.submitted_change(users)
        item = filing.procedure.materials.get(code="resolution")
        login(client, users.bureau).post(
            reverse("affairs:step", args=[filing.pk, "request_correction"]),
            {"request_correction-items": [item.pk], "request_correction-note": "缺签字"},
        )
        filing.refresh_from_db()
        assert filing.status == S.CORRECTION
        page = login(client, users.org_a).get(reverse("affairs:detail", args=[filing.pk])).content.decode()
        assert 'data-testid="asked"' in page and item.name in page and 'data-testid="upload-form"' in page


class TestMetrics:
    def test_figures_per_procedure_and_month(self, users, orgs, helpers, monkeypatch):
        monkeypatch.setattr(services, "_today", lambda: dt.date(2026, 3, 2))
        a = helpers.accepted_change(users)
        services.filing_approve(filing=a, by=users.bureau)
        b = services.filing_create(procedure=helpers.procedure("annual-report"), by=users.org_a, data={"year": 2025, "activities": "x"})
        helpers.attach_required(b, users.org_a)
        services.filing_submit(filing=b, by=users.org_a)
        services.filing_accept(filing=b, by=users.bureau, in_person=True)
        services.filing_approve(filing=b, by=users.bureau, decision={"result": "合格"})
        Filing.objects.filter(pk=a.pk).update(workdays_taken=4, on_time=True)
        Filing.objects.filter(pk=b.pk).update(workdays_taken=12, on_time=False)
        year = a.submitted_at.year
        rows = filing_metrics(users.bureau, year=year, today=dt.date(2026, 3, 2))
        change_total = next(r for r in rows if r["procedure"] == "change" and r["month"] is None)
        assert change_total["received"] == 1 and change_total["done"] == 1
        assert change_total["fully_online_share"] == 1.0 and change_total["median_workdays"] == 4 and change_total["on_time_rate"] == 1.0
        annual = next(r for r in rows if r["procedure"] == "annual-report" and r["month"] is None)
        assert annual["fully_online_share"] == 0.0 and annual["on_time_rate"] == 0.0
        assert filing_metrics(users.other_bureau, year=year) == []

    def test_overdue_now(self, users, orgs, helpers, monkeypatch):
        monkeypatch.setattr(services, "_today", lambda: dt.date(2026, 1, 5))
        helpers.accepted_change(users)
        rows = filing_metrics(users.bureau, year=2026, today=dt.date(2026, 2, 27))
        assert next(r for r in rows if r["month"] is None)["overdue_now"] == 1
