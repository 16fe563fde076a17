"""The shared workflow mechanism, exercised on the Job model (any model with a status works)."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from shezhi.audit.models import AuditEntry
from shezhi.jobs.models import Job, JobStatus
from shezhi.workflow.engine import TransitionRefused, run, timeline, transition

START = transition("start", [JobStatus.QUEUED], JobStatus.RUNNING, label="start")
FINISH = transition("finish", [JobStatus.RUNNING], JobStatus.DONE, label="finish")
FAIL = transition("fail", [JobStatus.RUNNING], JobStatus.FAILED, label="fail", note_required=True, note_hint="say why")


@pytest.mark.django_db
def test_steps_write_timeline_and_audit(users):
    job = Job.objects.create(kind="t", title="t")
    run(job, START, by=users.bureau)
    run(job, FINISH, by=users.bureau, note="ok", apply=lambda j: setattr(j, "stage", "closed"))
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.stage == "closed"
    steps = list(timeline(job).values_list("transition", "from_status", "to_status", "by_label", "note"))
    assert steps == [("start", "queued", "running", "bureau", ""), ("finish", "running", "done", "bureau", "ok")]
    assert AuditEntry.objects.filter(target_type="jobs.job", target_id=str(job.pk), action="workflow.step").count() == 2


@pytest.mark.django_db
def test_wrong_start_state_is_refused_with_who_decided(users):
    job = Job.objects.create(kind="t", title="t")
    run(job, START, by=users.bureau)
    run(job, FINISH, by=users.bureau)
    with pytest.raises(TransitionRefused) as err:
        run(job, FINISH, by=users.town_a)
    assert err.value.current == JobStatus.DONE
    assert "bureau" in err.value.messages[0]
    assert timeline(job).count() == 2


@pytest.mark.django_db
def test_required_note(users):
    job = Job.objects.create(kind="t", title="t")
    run(job, START, by=users.bureau)
    with pytest.raises(ValidationError) as err:
        run(job, FAIL, by=users.bureau, note="  ")
    assert err.value.message_dict == {"note": ["say why"]}
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING


@pytest.mark.django_db
def test_failed_apply_rolls_back_everything(users):
    job = Job.objects.create(kind="t", title="t")

    def boom(j):
        raise ValidationError("no")

    with pytest.raises(ValidationError):
        run(job, START, by=users.bureau, apply=boom)
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED and timeline(job).count() == 0


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_steps_only_one_wins(users):
    if connection.vendor == "sqlite":
        pytest.skip("needs a server database: SQLite's shared in-memory test database has no row locks to wait on")
    job = Job.objects.create(kind="t", title="t", status=JobStatus.RUNNING)
    barrier = threading.Barrier(2)
    outcomes = []

    def decide():
        try:
            barrier.wait()
            run(Job.objects.get(pk=job.pk), FINISH, by=users.bureau)
            outcomes.append("done")
        except TransitionRefused:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=decide) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["done", "refused"]
    assert timeline(job).count() == 1
