"""The filing workflow through its services: every path, the clock, the registry effect."""

import datetime as dt
import threading

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import translation

from shezhi.accounts.models import Role, User
from shezhi.affairs import services
from shezhi.affairs.models import ClockStop, Decision, Filing, FilingStatus
from shezhi.affairs.selectors import clock
from shezhi.audit.models import AuditEntry
from shezhi.documents.models import Document, DocumentKind
from shezhi.notifications.models import Notification
from shezhi.registry.models import Organization, OrganizationStatus
from shezhi.testing import credit_code_for
from shezhi.workflow.engine import TransitionRefused, timeline

pytestmark = pytest.mark.django_db
S = FilingStatus


def on(monkeypatch, day: dt.date) -> None:
    monkeypatch.setattr(services, "_today", lambda: day)


def docs(filing, kind=None):
    qs = Document.objects.filter(subject_type="affairs.filing", subject_id=str(filing.pk))
    return qs.filter(kind=kind) if kind else qs


class TestChange:
    def test_full_path_updates_registry_with_history_pointing_at_filing(self, users, orgs, helpers, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            filing = helpers.submitted_change(users)
        assert filing.status == S.SUBMITTED and filing.number.startswith("BJ")
        # The bureau is told about the new filing (in the app and by e-mail when it has an address).
        assert Notification.objects.filter(recipient=users.bureau, subject_id=str(filing.pk)).exists()
        services.filing_accept(filing=filing, by=users.bureau)
        services.filing_start_review(filing=filing, by=users.bureau)
        services.filing_approve(filing=filing, by=users.bureau, note="材料齐全")
        filing.refresh_from_db()
        assert filing.status == S.DONE and filing.decision == Decision.APPROVED
        assert filing.done_on and filing.workdays_taken == 0 and filing.on_time is True
        org = Organization.objects.get(pk=orgs.reg_a.pk)
        assert org.legal_representative == "李四"
        entry = AuditEntry.objects.filter(target_type="registry.organization", target_id=str(org.pk), action="organization.changed").get()
        assert entry.source == f"filing:{filing.number}" and entry.changes["legal_representative"] == ["张三", "李四"]
        steps = list(timeline(filing).values_list("transition", flat=True))
        assert steps == ["submit", "accept", "start_review", "approve", "complete"]
        assert {d.kind for d in docs(filing)} == {DocumentKind.ACCEPTANCE, DocumentKind.APPROVAL}
        approval = docs(filing, DocumentKind.APPROVAL).get()
        assert approval.title == "准予变更登记决定书" and any("李四" in line for line in approval.body)
        # The public facts carry no personal data.
        assert "李四" not in str(approval.public_facts)

    def test_nothing_changed_is_refused_at_submit(self, users, orgs, helpers):
        filing = helpers.change_draft(users, legal_representative="张三")  # the registry already says 张三
        with translation.override("en"), pytest.raises(ValidationError) as err:
            services.filing_submit(filing=filing, by=users.org_a)
        assert any("at least one item" in m for m in err.value.messages)

    def test_missing_materials_refused_with_their_names(self, users, orgs, helpers):
        filing = services.filing_create(
            procedure=helpers.procedure("change"), by=users.org_a, data={"legal_representative": "李四", "reason": "改选"}
        )
        with pytest.raises(ValidationError) as err:
            services.filing_submit(filing=filing, by=users.org_a)
        message = " ".join(err.value.messages)
        assert "变更登记申请表" in message and "新任法定代表人任职资格材料及身份证明" in message
        # A material required only when another item changes is not asked for here.
        assert "新住所使用权证明" not in message
        filing.refresh_from_db()
        assert filing.status == S.DRAFT and filing.number is None


class TestClock:
    def test_due_date_counts_working_days_and_correction_stops_the_clock(self, users, orgs, helpers, monkeypatch):
        filing = helpers.submitted_change(users)
        on(monkeypatch, dt.date(2026, 9, 28))  # Monday before the National Day holiday
        services.filing_accept(filing=filing, by=users.bureau)
        # 10 working days: Oct 1–7 are holidays, Sat Oct 10 is a make-up working day.
        assert filing.due_on == dt.date(2026, 10, 16)
        assert filing.statutory_due_on == dt.date(2026, 10, 30)
        on(monkeypatch, dt.date(2026, 10, 9))
        requirement = filing.procedure.materials.get(code="representative")
        services.filing_request_correction(filing=filing, by=users.bureau, items=[requirement], note="身份证明不清晰")
        assert filing.status == S.CORRECTION and filing.correction_due_on == dt.date(2026, 10, 29)
        assert clock(filing, today=dt.date(2026, 10, 20)).state == "stopped"
        on(monkeypatch, dt.date(2026, 10, 14))
        # Resubmitting without the asked-for material is refused, by name.
        with pytest.raises(ValidationError) as err:
            services.filing_resubmit(filing=filing, by=users.org_a)
        assert "新任法定代表人任职资格材料及身份证明" in err.value.messages[0]
        services.material_add(filing=filing, by=users.org_a, upload=helpers.pdf("清晰版.pdf"), requirement=requirement)
        services.filing_resubmit(filing=filing, by=users.org_a)
        # Back to review (it was accepted before); stopped Sat 10, Mon 12, Tue 13, Wed 14 = 4 working days.
        assert filing.status == S.UNDER_REVIEW
        assert filing.paused_workdays == 4 and filing.due_on == dt.date(2026, 10, 22)
        stop = ClockStop.objects.get(filing=filing)
        assert stop.started_on == dt.date(2026, 10, 9) and stop.ended_on == dt.date(2026, 10, 14)
        c = clock(filing, today=dt.date(2026, 10, 21))
        assert (c.state, c.days_left, c.overdue) == ("running", 1, False)
        late = clock(filing, today=dt.date(2026, 10, 26))
        assert late.overdue and late.days_over == 2
        on(monkeypatch, dt.date(2026, 10, 26))
        services.filing_approve(filing=filing, by=users.bureau)
        filing.refresh_from_db()
        assert filing.on_time is False

    def test_resubmission_after_the_correction_deadline_is_refused(self, users, orgs, helpers, monkeypatch):
        filing = helpers.submitted_change(users)
        on(monkeypatch, dt.date(2026, 3, 2))
        services.filing_request_correction(filing=filing, by=users.bureau, items=[], note="申请表未盖章")
        on(monkeypatch, dt.date(2026, 4, 30))
        with pytest.raises(ValidationError) as err:
            services.filing_resubmit(filing=filing, by=users.org_a)
        assert err.value.code == "deadline_passed" and "2026-03-23" in err.value.messages[0]

    def test_correction_before_acceptance_goes_back_to_submitted(self, users, orgs, helpers):
        filing = helpers.submitted_change(users)
        services.filing_request_correction(filing=filing, by=users.bureau, items=[], note="申请表未盖章")
        services.filing_update_data(filing=filing, by=users.org_a, data={"legal_representative": "李四", "reason": "改选（已盖章）"})
        services.filing_resubmit(filing=filing, by=users.org_a)
        assert filing.status == S.SUBMITTED and filing.due_on is None
        assert docs(filing, DocumentKind.CORRECTION).count() == 1


class TestRefusals:
    def test_not_accepted_needs_a_reason(self, users, orgs, helpers):
        filing = helpers.submitted_change(users)
        with pytest.raises(ValidationError) as err:
            services.filing_not_accept(filing=filing, by=users.bureau, reason="  ")
        assert "note" in err.value.message_dict
        services.filing_not_accept(filing=filing, by=users.bureau, reason="不属于本机关管辖", legal_ground="《行政许可法》第三十二条")
        assert filing.status == S.NOT_ACCEPTED and filing.decision == Decision.NOT_ACCEPTED and filing.done_on
        doc = docs(filing, DocumentKind.NON_ACCEPTANCE).get()
        assert "不属于本机关管辖" in " ".join(doc.body)

    def test_refusal_needs_reason_and_legal_ground(self, users, orgs, helpers):
        filing = helpers.accepted_change(users)
        with pytest.raises(ValidationError) as err:
            services.filing_refuse(filing=filing, by=users.bureau, reason="不符合条件", legal_ground="")
        assert "legal_ground" in err.value.message_dict
        with pytest.raises(ValidationError):
            services.filing_refuse(filing=filing, by=users.bureau, reason="", legal_ground="《社会团体登记管理条例》第十三条")
        services.filing_refuse(filing=filing, by=users.bureau, reason="不符合条件", legal_ground="《社会团体登记管理条例》第十三条")
        assert filing.status == S.DONE and filing.decision == Decision.REFUSED
        assert Organization.objects.get(pk=orgs.reg_a.pk).legal_representative == "张三"
        assert docs(filing, DocumentKind.REFUSAL).get().title == "不予变更登记决定书"

    def test_withdrawal_before_decision_only(self, users, orgs, helpers):
        filing = helpers.accepted_change(users)
        services.filing_withdraw(filing=filing, by=users.org_a, reason="暂不变更")
        assert filing.status == S.WITHDRAWN and filing.decision == Decision.WITHDRAWN
        done = helpers.accepted_change(users)  # a new filing is possible once the first is closed
        services.filing_approve(filing=done, by=users.bureau)
        with pytest.raises(TransitionRefused):
            services.filing_withdraw(filing=done, by=users.org_a)


class TestOneDecision:
    def test_second_reviewer_gets_a_clear_message(self, users, orgs, helpers, areas):
        colleague = User.objects.create_user(username="bureau2", role=Role.BUREAU, area=areas.city, display_name="王科长")
        filing = helpers.accepted_change(users)
        stale = Filing.objects.get(pk=filing.pk)
        services.filing_approve(filing=filing, by=users.bureau)
        with pytest.raises(TransitionRefused) as err:
            services.filing_refuse(filing=stale, by=colleague, reason="x", legal_ground="y")
        assert "bureau" in err.value.messages[0] and err.value.current == S.DONE
        assert Filing.objects.get(pk=filing.pk).decision == Decision.APPROVED
        assert docs(filing, DocumentKind.REFUSAL).count() == 0

    def test_one_open_filing_per_procedure(self, users, orgs, helpers):
        helpers.change_draft(users)
        with pytest.raises(ValidationError) as err:
            helpers.change_draft(users)
        assert err.value.code == "open_filing"
        first = Filing.objects.get()
        with pytest.raises(IntegrityError), transaction.atomic():
            Filing.objects.create(
                procedure=first.procedure,
                organization=first.organization,
                subject_name="x",
                city=first.city,
                town=first.town,
                applicant=users.org_a,
                status=S.SUBMITTED,
            )


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_approvals_only_one_decision(users, orgs, helpers):
    if connection.vendor == "sqlite":
        pytest.skip("needs a server database: SQLite's shared in-memory test database has no row locks to wait on")
    filing = helpers.accepted_change(users)
    barrier = threading.Barrier(2)
    outcomes = []

    def decide():
        try:
            barrier.wait()
            services.filing_approve(filing=Filing.objects.get(pk=filing.pk), by=users.bureau)
            outcomes.append("approved")
        except TransitionRefused as exc:
            outcomes.append(exc.messages[0])
        finally:
            connection.close()

    threads = [threading.Thread(target=decide) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("approved") == 1
    assert any("bureau" in o for o in outcomes if o != "approved")
    assert list(timeline(filing).values_list("transition", flat=True)).count("approve") == 1
    assert docs(filing, DocumentKind.APPROVAL).count() == 1
    changes = AuditEntry.objects.filter(target_type="registry.organization", target_id=str(orgs.reg_a.pk), action="organization.changed")
    assert changes.count() == 1


class TestOtherProcedures:
    def test_establishment_by_a_person_registers_the_organization(self, users, areas, helpers):
        proc = helpers.procedure("establishment")
        data = {
            "name": "平湖市新仓镇乡贤协会",
            "legal_form": "social_group",
            "town": areas.town_b.pk,
            "address": "新仓镇1号",
            "legal_representative": "赵六",
            "registered_funds": "3",
            "business_scope": "联络乡贤",
        }
        filing = services.filing_create(procedure=proc, by=users.resident, data=data)
        assert filing.organization is None and filing.town == areas.town_b and filing.subject_name == data["name"]
        helpers.attach_required(filing, users.resident)
        services.filing_submit(filing=filing, by=users.resident)
        services.filing_accept(filing=filing, by=users.bureau)
        with pytest.raises(ValidationError):  # the credit code is part of the decision
            services.filing_approve(filing=filing, by=users.bureau, decision={})
        code = credit_code_for("social_group", n=777)
        services.filing_approve(filing=filing, by=users.bureau, decision={"credit_code": code})
        org = Organization.objects.get(credit_code=code)
        assert org.name == data["name"] and org.town == areas.town_b and org.legal_representative == "赵六"
        filing.refresh_from_db()
        assert filing.organization == org
        users.resident.refresh_from_db()
        assert users.resident.role == Role.ORGANIZATION and users.resident.organization == org
        assert ("统一社会信用代码", code) in [tuple(x) for x in docs(filing, DocumentKind.APPROVAL).get().public_facts]

    def test_bad_credit_code_rolls_the_decision_back(self, users, areas, helpers):
        filing = services.filing_create(
            procedure=helpers.procedure("establishment"),
            by=users.resident,
            data={
                "name": "某协会",
                "legal_form": "social_group",
                "town": areas.town_a.pk,
                "address": "x",
                "legal_representative": "x",
                "registered_funds": "3",
                "business_scope": "x",
            },
        )
        helpers.attach_required(filing, users.resident)
        services.filing_submit(filing=filing, by=users.resident)
        services.filing_accept(filing=filing, by=users.bureau)
        with pytest.raises(ValidationError):
            services.filing_approve(filing=filing, by=users.bureau, decision={"credit_code": "123"})
        filing.refresh_from_db()
        assert filing.status == S.ACCEPTED and docs(filing, DocumentKind.APPROVAL).count() == 0

    def test_town_filing_decided_by_the_town_issues_a_certificate(self, users, areas, helpers):
        filing = services.filing_create(
            procedure=helpers.procedure("town-filing"),
            by=users.resident,
            data={
                "name": "东湖社区棋牌社",
                "town": areas.town_a.pk,
                "community": areas.community_a1.pk,
                "community_category": "culture_sports",
                "legal_representative": "钱七",
                "business_scope": "棋牌交流",
            },
        )
        helpers.attach_required(filing, users.resident)
        services.filing_submit(filing=filing, by=users.resident)
        with pytest.raises(PermissionDenied):
            services.filing_accept(filing=filing, by=users.bureau)  # a town procedure
        with pytest.raises(PermissionDenied):
            services.filing_accept(filing=filing, by=users.town_b)  # another town
        services.filing_accept(filing=filing, by=users.town_a)
        services.filing_approve(filing=filing, by=users.town_a)
        org = Organization.objects.get(name="东湖社区棋牌社")
        assert org.registration == "filed" and org.community == areas.community_a1 and org.filing_number
        cert = docs(filing, DocumentKind.FILING_CERTIFICATE).get()
        assert cert.authority_name == "当湖街道" and org.filing_number in " ".join(cert.body)

    def test_deregistration_sets_the_status(self, users, orgs, helpers):
        filing = services.filing_create(
            procedure=helpers.procedure("deregistration"),
            by=users.org_a,
            data={"reason": "宗旨已实现", "liquidation_completed_on": "2026-01-10"},
        )
        helpers.attach_required(filing, users.org_a)
        services.filing_submit(filing=filing, by=users.org_a)
        services.filing_accept(filing=filing, by=users.bureau)
        services.filing_approve(filing=filing, by=users.bureau)
        assert Organization.objects.get(pk=orgs.reg_a.pk).status == OrganizationStatus.DEREGISTERED

    def test_annual_report_result_is_stored(self, users, orgs, helpers):
        filing = services.filing_create(
            procedure=helpers.procedure("annual-report"), by=users.org_a, data={"year": 2025, "activities": "开展助老服务120次"}
        )
        helpers.attach_required(filing, users.org_a)
        services.filing_submit(filing=filing, by=users.org_a)
        services.filing_accept(filing=filing, by=users.bureau)
        with pytest.raises(ValidationError) as err:
            services.filing_approve(filing=filing, by=users.bureau, decision={"result": "优秀"})
        assert "result" in err.value.message_dict
        services.filing_approve(filing=filing, by=users.bureau, decision={"result": "合格"})
        filing.refresh_from_db()
        assert filing.status == S.DONE and filing.decision_data["result"] == "合格"
        assert ("年检结论", "合格") in [tuple(x) for x in docs(filing, DocumentKind.APPROVAL).get().public_facts]


def test_notifications_are_sent_on_commit_only(users, orgs, helpers, django_capture_on_commit_callbacks):
    users.org_a.email = "org@example.org"
    users.org_a.save()
    filing = helpers.submitted_change(users)
    mail.outbox.clear()
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        services.filing_accept(filing=filing, by=users.bureau)
    assert [m.to for m in mail.outbox] == [["org@example.org"]]
    assert filing.number in mail.outbox[0].subject
    note = Notification.objects.get(recipient=users.org_a, title__contains="accepted")
    assert note.url == f"/affairs/{filing.pk}/" and note.emailed
