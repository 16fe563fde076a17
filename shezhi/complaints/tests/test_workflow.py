"""Handling a complaint: the workflow, its guards, the time limit and the outcome."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from shezhi.complaints import services
from shezhi.complaints.models import ComplaintRules, ComplaintStatus
from shezhi.complaints.rules import due_date, reminder_stage, rules_for
from shezhi.complaints.selectors import public_steps
from shezhi.notifications.models import Notification
from shezhi.workflow.engine import TransitionRefused, timeline

pytestmark = pytest.mark.django_db


def test_from_receipt_to_an_outcome(users, file_complaint, outcome):
    c = file_complaint().complaint
    services.complaint_accept(complaint=c, by=users.town_a)
    services.complaint_investigate(complaint=c, by=users.town_a)
    services.complaint_answer(complaint=c, by=users.town_a, reply="经核实，情况属实。")
    services.complaint_close(complaint=c, by=users.town_a, outcome=outcome, action_reference="平民罚决字〔2026〕1号")
    c.refresh_from_db()
    assert c.status == ComplaintStatus.CLOSED and c.outcome == outcome and c.action_reference == "平民罚决字〔2026〕1号"
    assert c.accepted_on and c.answered_on and c.closed_on
    assert [e.transition for e in timeline(c)] == ["accept", "investigate", "answer", "close"]
    steps = [(s.label, s.detail) for s in public_steps(c)]
    assert steps[0] == ("Received", "当湖街道") and steps[1] == ("Accepted", "当湖街道") and steps[-1] == ("Closed", outcome.name)


def test_not_accepted_needs_a_reason_the_complainant_reads(users, file_complaint):
    c = file_complaint().complaint
    with pytest.raises(ValidationError) as exc:
        services.complaint_not_accept(complaint=c, by=users.town_a, note="  ")
    assert "note" in exc.value.message_dict
    services.complaint_not_accept(complaint=c, by=users.town_a, note="不属于本机关职责范围。")
    c.refresh_from_db()
    assert c.status == ComplaintStatus.NOT_ACCEPTED and c.decision_reason == "不属于本机关职责范围。" and c.closed_on
    assert public_steps(c)[-1].detail == "不属于本机关职责范围。"
    with pytest.raises(TransitionRefused):
        services.complaint_accept(complaint=c, by=users.town_a)


def test_steps_out_of_order_are_refused(users, file_complaint, outcome):
    c = file_complaint().complaint
    with pytest.raises(TransitionRefused):
        services.complaint_close(complaint=c, by=users.town_a, outcome=outcome, action_reference="x")
    with pytest.raises(TransitionRefused):
        services.complaint_investigate(complaint=c, by=users.town_a)
    services.complaint_accept(complaint=c, by=users.town_a)
    with pytest.raises(TransitionRefused) as exc:
        services.complaint_accept(complaint=c, by=users.bureau)  # a second officer, a moment later
    assert "already" in exc.value.messages[0]


def test_the_answer_can_follow_acceptance_directly_and_must_say_something(users, file_complaint):
    c = file_complaint().complaint
    services.complaint_accept(complaint=c, by=users.bureau)
    with pytest.raises(ValidationError):
        services.complaint_answer(complaint=c, by=users.bureau, reply="")
    services.complaint_answer(complaint=c, by=users.bureau, reply="答复")
    assert c.status == ComplaintStatus.ANSWERED


def test_closing_needs_an_outcome_and_the_action_where_the_outcome_says_so(users, file_complaint, outcome, plain_outcome):
    c = file_complaint().complaint
    services.complaint_accept(complaint=c, by=users.town_a)
    services.complaint_answer(complaint=c, by=users.town_a, reply="答复")
    with pytest.raises(ValidationError) as exc:
        services.complaint_close(complaint=c, by=users.town_a, outcome=None)
    assert exc.value.message_dict == {"outcome": ["Choose the outcome."]}
    with pytest.raises(ValidationError) as exc:
        services.complaint_close(complaint=c, by=users.town_a, outcome=outcome, action_reference="  ")
    assert "action_reference" in exc.value.message_dict
    services.complaint_close(complaint=c, by=users.town_a, outcome=plain_outcome)
    assert c.status == ComplaintStatus.CLOSED and c.action_reference == ""


def test_only_the_handlers_act(users, file_complaint):
    c = file_complaint().complaint
    for user in (users.town_b, users.other_bureau, users.community_a1, users.department, users.org_a, users.resident):
        with pytest.raises(PermissionDenied):
            services.complaint_accept(complaint=c, by=user)
    with pytest.raises(PermissionDenied):
        services.contact_view_record(complaint=c, by=users.town_b)


def test_the_bureau_passes_it_to_another_town(users, areas, file_complaint, django_capture_on_commit_callbacks):
    c = file_complaint().complaint
    Notification.objects.all().delete()
    with pytest.raises(PermissionDenied):
        services.complaint_reassign(complaint=c, by=users.town_a, to=areas.town_b, note="不是我镇")
    with pytest.raises(ValidationError) as exc:
        services.complaint_reassign(complaint=c, by=users.bureau, to=areas.other_town, note="x")
    assert "to" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.complaint_reassign(complaint=c, by=users.bureau, to=areas.town_b, note="")
    with django_capture_on_commit_callbacks(execute=True):
        services.complaint_reassign(complaint=c, by=users.bureau, to=areas.town_b, note="组织实际在乍浦镇活动")
    c.refresh_from_db()
    assert c.handling_area == areas.town_b and c.status == ComplaintStatus.RECEIVED
    assert not services.handles(users.town_a, c) and services.handles(users.town_b, c)
    assert list(Notification.objects.values_list("recipient__username", flat=True)) == ["town_b"]
    assert public_steps(c)[-1].detail == "乍浦镇"
    services.complaint_reassign(complaint=c, by=users.bureau, to=areas.city, note="局里直接办")
    c.refresh_from_db()
    assert c.handling_area == areas.city and public_steps(c)[-1].detail == "平湖市 civil affairs bureau"
    with pytest.raises(ValidationError):
        services.complaint_reassign(complaint=c, by=users.bureau, to=areas.city, note="again")


# --- the time limit -----------------------------------------------------------------------


def test_due_date_counts_working_days(rules):
    assert rules.answer_workdays == 15
    # Mon 2026-03-02: 15 working days later, no holiday between.
    assert due_date(dt.date(2026, 3, 2), rules) == dt.date(2026, 3, 23)
    # Received on a Saturday: the count starts on Monday.
    assert due_date(dt.date(2026, 3, 7), rules) == dt.date(2026, 3, 27)
    # Across National Day 2026 (Oct 1-7 off, Sat Oct 10 a make-up working day).
    assert due_date(dt.date(2026, 9, 30), rules) == dt.date(2026, 10, 27)
    rules.answer_workdays = 1
    assert due_date(dt.date(2026, 3, 6), rules) == dt.date(2026, 3, 9)  # Friday → Monday


def test_the_citys_own_rules_apply(users, areas, file_complaint, rules):
    ComplaintRules.objects.create(city=areas.city, answer_workdays=5)
    assert rules_for(areas.city.pk).answer_workdays == 5 and rules_for(areas.other_city.pk).answer_workdays == 15
    c = file_complaint(on=dt.date(2026, 3, 2)).complaint
    assert c.due_on == dt.date(2026, 3, 9)


def test_overdue_from_the_day_after_the_due_date(users, file_complaint):
    c = file_complaint(on=dt.date(2026, 3, 2)).complaint
    assert c.due_on == dt.date(2026, 3, 23)
    assert not c.is_overdue(dt.date(2026, 3, 23))
    assert c.is_overdue(dt.date(2026, 3, 24))
    services.complaint_accept(complaint=c, by=users.town_a)
    assert c.is_overdue(dt.date(2026, 3, 24))
    services.complaint_answer(complaint=c, by=users.town_a, reply="答复")
    assert not c.is_overdue(dt.date(2026, 4, 30))


def test_an_answer_after_the_due_date_is_late(users, file_complaint):
    c = file_complaint(on=dt.date(2020, 3, 2)).complaint
    services.complaint_accept(complaint=c, by=users.town_a)
    services.complaint_answer(complaint=c, by=users.town_a, reply="答复")
    assert c.answered_late
    fresh = file_complaint().complaint
    services.complaint_accept(complaint=fresh, by=users.town_a)
    services.complaint_answer(complaint=fresh, by=users.town_a, reply="答复")
    assert not fresh.answered_late


@pytest.mark.parametrize(
    ("today", "stage"),
    [
        (dt.date(2026, 3, 16), None),  # 5 working days left
        (dt.date(2026, 3, 17), None),  # 4
        (dt.date(2026, 3, 18), "before-3"),  # 3
        (dt.date(2026, 3, 19), "before-3"),  # 2
        (dt.date(2026, 3, 20), "before-1"),  # 1
        (dt.date(2026, 3, 21), "before-1"),  # Saturday: still 1 working day left
        (dt.date(2026, 3, 23), "before-1"),  # the due date itself
        (dt.date(2026, 3, 24), "overdue"),
    ],
)
def test_reminder_stage_edges(today, stage):
    assert reminder_stage(today, dt.date(2026, 3, 23), [3, 1]) == stage
