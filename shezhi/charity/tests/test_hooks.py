"""Charity recognition and the public fundraising qualification: the rules at their edge dates
(stand-in filings with a chosen submission day), then through the real online-affairs workflow."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from shezhi.audit.models import AuditEntry
from shezhi.charity import hooks
from shezhi.charity.models import CharityRules
from shezhi.charity.tests.conftest import make_item
from shezhi.credit import services as credit
from shezhi.inspection.models import AnnualInspection
from shezhi.testing import make_registered

pytestmark = pytest.mark.django_db
D = dt.date
TODAY = timezone.localdate()


def stand_in(org, kind, submitted_on: dt.date | None = None, number="BJ2026000001"):
    submitted = timezone.make_aware(dt.datetime.combine(submitted_on, dt.time(9, 0))) if submitted_on else None
    return SimpleNamespace(
        organization=org, procedure=SimpleNamespace(kind=kind, name="test"), submitted_at=submitted, number=number, data={}
    )


def inspected(org, years=range(2010, TODAY.year)):
    for year in years:
        AnnualInspection.objects.get_or_create(
            organization=org,
            year=year,
            defaults={"result": "qualified", "reported_on": D(year + 1, 1, 15), "decided_on": D(year + 1, 1, 20)},
        )


def warn(org, decided_on, bureau, kind="warning"):
    return credit.penalty_record(
        organization=org,
        kind=kind,
        decided_on=decided_on,
        legal_basis="社会团体登记管理条例第三十条",
        decision_number=f"平民罚{decided_on}",
        by=bureau,
    )


@pytest.fixture
def no_disclosure_rule(db):
    CharityRules.objects.filter(city=None).update(fundraising_requires_disclosures=False)


class TestRecognitionRules:
    def test_submit_only_for_registered_organizations_not_yet_charities(self, orgs, charity):
        assert hooks.check_submit(filing=stand_in(orgs.reg_b, "charity_recognition")) == []
        assert "already recognized" in hooks.check_submit(filing=stand_in(charity, "charity_recognition"))[0]
        assert "registered foundation" in hooks.check_submit(filing=stand_in(orgs.filed_a, "charity_recognition"))[0]

    def test_clean_record_may_be_recognized(self, orgs):
        assert hooks.check_decision(filing=stand_in(orgs.reg_b, "charity_recognition", D(2025, 6, 10))) == []

    @pytest.mark.parametrize(("decided_on", "refused"), [(D(2023, 6, 10), False), (D(2023, 6, 11), True), (D(2025, 6, 10), True)])
    def test_penalised_in_the_two_years_before_the_application(self, orgs, users, decided_on, refused):
        # Applied on 2025-06-10: the two years before run from 2023-06-11 to 2025-06-10.
        warn(orgs.reg_b, decided_on, users.bureau)
        reasons = hooks.check_decision(filing=stand_in(orgs.reg_b, "charity_recognition", D(2025, 6, 10)))
        assert bool(reasons) is refused
        if refused:
            assert any("2023-06-11" in r and str(decided_on) in r for r in reasons)

    def test_a_penalty_after_the_application_does_not_count(self, orgs, users):
        warn(orgs.reg_b, D(2025, 6, 11), users.bureau)
        assert hooks.check_decision(filing=stand_in(orgs.reg_b, "charity_recognition", D(2025, 6, 10))) == []

    def test_on_a_list_when_applying(self, orgs, users):
        entry = credit.entry_include(
            organization=orgs.reg_b,
            list_kind="abnormal",
            ground="address_unreachable",
            included_on=D(2025, 6, 10),
            decision_number="平民异1号",
            by=users.bureau,
        )
        orgs.reg_b.refresh_from_db()
        reasons = hooks.check_decision(filing=stand_in(orgs.reg_b, "charity_recognition", D(2025, 6, 10)))
        assert any("abnormal" in r.lower() or "异常" in r for r in reasons)
        # Applied the day before the inclusion: the list does not count, but the status now does.
        reasons = hooks.check_decision(filing=stand_in(orgs.reg_b, "charity_recognition", D(2025, 6, 9)))
        assert reasons and all("Normal status" in r for r in reasons)
        credit.entry_remove(entry=entry, removed_on=D(2025, 7, 1), reason="已整改", by=users.bureau)
        orgs.reg_b.refresh_from_db()
        assert hooks.check_decision(filing=stand_in(orgs.reg_b, "charity_recognition", D(2025, 7, 1))) == []

    def test_revoked_organization_is_refused(self, orgs, users):
        from shezhi.registry.services import organization_set_status

        organization_set_status(organization=orgs.reg_b, status="revoked", by=users.bureau, reason="撤销登记", on=D(2025, 1, 1))
        orgs.reg_b.refresh_from_db()
        assert hooks.check_decision(filing=stand_in(orgs.reg_b, "charity_recognition", D(2025, 6, 10)))


class TestFundraisingRules:
    @pytest.mark.parametrize(
        ("founded", "applied", "ok"),
        [
            (D(2023, 3, 10), D(2025, 3, 10), True),  # exactly two years
            (D(2023, 3, 10), D(2025, 3, 9), False),
            (D(2024, 2, 29), D(2026, 2, 28), True),  # 29 February counts as 28 February
            (D(2024, 2, 29), D(2026, 2, 27), False),
        ],
    )
    def test_two_years_registered(self, areas, no_disclosure_rule, founded, applied, ok):
        org = make_registered(town=areas.town_a, founded_on=founded, is_charity=True, charity_recognized_on=founded)
        inspected(org, range(founded.year, applied.year))
        reasons = hooks.check_decision(filing=stand_in(org, "public_fundraising", applied))
        assert (reasons == []) is ok, reasons
        if not ok:
            assert any(str(applied.replace(day=applied.day + 1)) in r for r in reasons)

    def test_not_a_charity(self, orgs, no_disclosure_rule):
        inspected(orgs.reg_b)
        reasons = hooks.check_submit(filing=stand_in(orgs.reg_b, "public_fundraising"))
        assert reasons == ["Recognized charity: The organization is not recognized as a charity."]

    def test_already_qualified(self, charity):
        from shezhi.registry.services import organization_update

        organization_update(organization=charity, data={"public_fundraising": True}, by=None, reason="t")
        charity.refresh_from_db()
        assert hooks.check_submit(filing=stand_in(charity, "public_fundraising")) == [
            "The organization already holds the public fundraising qualification."
        ]

    def test_late_disclosures_stand_in_the_way_while_the_rule_says_so(self, charity):
        inspected(charity)
        reasons = hooks.check_submit(filing=stand_in(charity, "public_fundraising"))
        assert len(reasons) == 1 and reasons[0].startswith("Disclosures up to date") and "2020" in reasons[0]
        for year in range(2020, TODAY.year):
            for kind in ("annual_work_report", "financial_statements"):
                make_item(charity, kind=kind, year=year, published_on=D(year + 1, 3, 1))
        assert hooks.check_submit(filing=stand_in(charity, "public_fundraising")) == []
        CharityRules.objects.filter(city=None).update(fundraising_requires_disclosures=False)

    def test_on_a_list(self, charity, users, no_disclosure_rule):
        inspected(charity)
        credit.entry_include(
            organization=charity,
            list_kind="abnormal",
            ground="address_unreachable",
            included_on=TODAY,
            decision_number="平民异2号",
            by=users.bureau,
        )
        charity.refresh_from_db()
        reasons = hooks.check_submit(filing=stand_in(charity, "public_fundraising"))
        assert reasons and any("abnormal" in r.lower() for r in reasons)


# --- through the real online-affairs workflow ----------------------------------------------


def pdf(name):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", content_type="application/pdf")


def draft(users, code, data):
    from shezhi.affairs import services
    from shezhi.affairs.models import ProcedureType

    procedure = ProcedureType.objects.get(code=code)
    filing = services.filing_create(procedure=procedure, by=users.org_a, data=data)
    for requirement in procedure.materials.all():
        if requirement.is_required_for(filing.data):
            services.material_add(filing=filing, by=users.org_a, upload=pdf(f"{requirement.code}.pdf"), requirement=requirement)
    return filing


RECOGNITION = {
    "purposes": "扶老助残",
    "activities": "为社区老年人提供助餐服务",
    "charter_amended_on": "2025-01-10",
    "last_year_income": "120",
    "last_year_charity_spending": "90",
    "last_year_management_costs": "8",
}
FUNDRAISING = {"governance": "理事会7人，监事2人", "full_time_staff": "3", "plan": "爱心助餐募捐"}


@pytest.mark.usefixtures("media")
class TestThroughFilings:
    def test_procedures_are_data(self):
        from shezhi.affairs.models import ProcedureType

        p = ProcedureType.objects.get(code="charity-recognition")
        assert (p.kind, p.handled_by, p.applicant, p.for_registration, p.statutory_days, p.limits_verified) == (
            "charity_recognition",
            "bureau",
            "organization",
            "registered",
            14,
            False,
        )
        assert "符合慈善法规定的章程" in list(p.materials.values_list("name", flat=True))
        assert ProcedureType.objects.get(code="public-fundraising").kind == "public_fundraising"

    def test_recognition_from_application_to_registry(self, users, orgs):
        from shezhi.affairs import services

        filing = services.filing_submit(filing=draft(users, "charity-recognition", RECOGNITION), by=users.org_a)
        services.filing_accept(filing=filing, by=users.bureau)
        services.filing_approve(filing=filing, by=users.bureau, decision={"remarks": "符合条件"})
        org = orgs.reg_a
        org.refresh_from_db()
        assert (org.is_charity, org.charity_recognized_on) == (True, TODAY)
        entry = AuditEntry.objects.filter(target_type="registry.organization", target_id=str(org.pk), action="organization.changed").latest(
            "id"
        )
        assert entry.source == f"filing:{filing.number}" and entry.changes["is_charity"] == [False, True]

    def test_recognition_refused_at_approval_when_penalised(self, users, orgs):
        from shezhi.affairs import services

        filing = services.filing_submit(filing=draft(users, "charity-recognition", RECOGNITION), by=users.org_a)
        services.filing_accept(filing=filing, by=users.bureau)
        warn(orgs.reg_a, TODAY - dt.timedelta(days=30), users.bureau)
        with pytest.raises(ValidationError) as err:
            services.filing_approve(filing=filing, by=users.bureau, decision={})
        assert any("No penalty during 2 years" in m for m in err.value.messages)
        orgs.reg_a.refresh_from_db()
        assert not orgs.reg_a.is_charity
        filing.refresh_from_db()
        assert filing.status == "accepted"
        services.filing_refuse(filing=filing, by=users.bureau, reason="; ".join(err.value.messages), legal_ground="慈善组织认定办法第五条")
        filing.refresh_from_db()
        assert filing.status == "done" and filing.decision == "refused"

    def test_second_recognition_cannot_be_submitted(self, users, charity):
        from shezhi.affairs import services

        with pytest.raises(ValidationError) as err:
            services.filing_submit(filing=draft(users, "charity-recognition", RECOGNITION), by=users.org_a)
        assert any("already recognized" in m for m in err.value.messages)

    def test_fundraising_qualification(self, users, charity, no_disclosure_rule):
        from shezhi.affairs import services

        inspected(charity)
        filing = services.filing_submit(filing=draft(users, "public-fundraising", FUNDRAISING), by=users.org_a)
        services.filing_accept(filing=filing, by=users.bureau)
        services.filing_approve(filing=filing, by=users.bureau, decision={})
        charity.refresh_from_db()
        assert charity.public_fundraising is True

    def test_fundraising_refused_at_submission_with_the_rule(self, users, orgs, no_disclosure_rule):
        from shezhi.affairs import services

        with pytest.raises(ValidationError) as err:
            services.filing_submit(filing=draft(users, "public-fundraising", FUNDRAISING), by=users.org_a)
        assert "Recognized charity: The organization is not recognized as a charity." in err.value.messages
