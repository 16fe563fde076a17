"""Jobs: progress bookkeeping, failure capture, and the creator-only progress and download pages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shezhi.jobs.models import Job, JobStatus, ProgressUnit
from shezhi.jobs.services import Progress, job_create, job_files_dir, job_finish, job_running

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def login(client, user):
    client.force_login(user)
    return client


class TestServices:
    def test_progress_is_written_in_steps_and_finish_completes_it(self, users):
        job = job_create(kind="test", title="t", by=users.bureau)
        with job_running(job) as progress:
            progress.every = 10
            progress.stage("counting", total=100)
            progress.advance(5)
            job.refresh_from_db()
            assert (job.status, job.stage, job.total, job.done) == (JobStatus.RUNNING, "counting", 100, 0)
            progress.advance(12)
            job.refresh_from_db()
            assert job.done == 12 and job.percent == 12
        job_finish(job, result={"n": 1}, output_file="")
        job.refresh_from_db()
        assert (job.status, job.done, job.percent, job.finished) == (JobStatus.DONE, 100, 100, True)

    def test_failure_is_recorded_and_raised(self, users):
        job = job_create(kind="test", title="t", by=users.bureau)
        with pytest.raises(ValueError, match="broken input"), job_running(job):
            raise ValueError("broken input")
        job.refresh_from_db()
        assert job.status == JobStatus.FAILED and job.error == "broken input" and job.finished_at is not None

    def test_percent_without_total(self, users):
        job = Job(kind="t", title="t", total=0, done=5)
        assert job.percent == 0
        assert Progress(job).every == 500


class TestPages:
    def make_done(self, users, content=b"report"):
        job = job_create(kind="test", title="报告", by=users.bureau)
        (job_files_dir() / f"job-{job.pk}.xlsx").write_bytes(content)
        job_finish(job, result={"filename": "报告.xlsx"}, output_file=f"job-{job.pk}.xlsx")
        return job

    def test_creator_sees_progress_and_fragment(self, client, users):
        job = job_create(kind="test", title="导入", by=users.bureau)
        c = login(client, users.bureau)
        page = c.get(reverse("jobs:detail", args=[job.pk]))
        assert page.status_code == 200 and "job-progress" in page.content.decode()
        fragment = c.get(reverse("jobs:detail", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
        assert fragment.lstrip().startswith('<div id="job-progress"') and "hx-trigger" in fragment

    def test_the_counts_say_whether_they_count_rows_or_steps(self, client, users):
        job = job_create(kind="test", title="导出", by=users.bureau)
        c = login(client, users.bureau)
        with job_running(job) as progress:
            progress.every = 1
            progress.stage("读取", total=300)
            progress.advance(120)
            assert "120 / 300 行" in c.get(reverse("jobs:detail", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
            progress.stage("绘制", total=6, unit=ProgressUnit.STEPS)
            progress.advance(2)
            fragment = c.get(reverse("jobs:detail", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
        assert "2 / 6 步" in fragment and "6 行" not in fragment

    def test_others_get_404(self, client, users):
        job = self.make_done(users)
        for user in (users.other_bureau, users.town_a, users.resident):
            c = login(client, user)
            assert c.get(reverse("jobs:detail", args=[job.pk])).status_code == 404
            assert c.get(reverse("jobs:download", args=[job.pk])).status_code == 404

    def test_download_only_when_done_and_inside_the_job_folder(self, client, users):
        job = self.make_done(users, b"xlsx-bytes")
        c = login(client, users.bureau)
        response = c.get(reverse("jobs:download", args=[job.pk]))
        assert response.status_code == 200 and b"".join(response.streaming_content) == b"xlsx-bytes"
        assert "attachment" in response["Content-Disposition"]
        Job.objects.filter(pk=job.pk).update(output_file="../../etc/passwd")
        assert c.get(reverse("jobs:download", args=[job.pk])).status_code == 404
        running = job_create(kind="test", title="t", by=users.bureau)
        assert c.get(reverse("jobs:download", args=[running.pk])).status_code == 404
