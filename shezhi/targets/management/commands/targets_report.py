from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shezhi.areas.models import Area, AreaLevel
from shezhi.jobs.models import Job
from shezhi.jobs.services import job_create
from shezhi.targets import tasks
from shezhi.targets.exports import area_title
from shezhi.targets.forms import AsOfForm


class Command(BaseCommand):
    help = (
        "Write the targets dashboard of a city or a town as of a day to a file: the .xlsx workbook "
        "(one sheet per view) or the PDF report. The same work as the dashboard's export buttons, "
        "recorded as a job."
    )

    def add_arguments(self, parser):
        parser.add_argument("--area", required=True, help="the city's or town's area code, or its id")
        parser.add_argument("--on", default="", help="YYYY-MM-DD (default: today)")
        parser.add_argument("--format", choices=tasks.FORMATS, required=True)
        parser.add_argument("--out", required=True, type=Path, help="the file to write")

    def handle(self, *args, area, on, out, **options):
        fmt, out = options["format"], Path(out)
        areas = Area.objects.filter(level__in=[AreaLevel.CITY, AreaLevel.TOWN])
        chosen = areas.filter(code=area).first() or (areas.filter(pk=int(area)).first() if area.isdigit() else None)
        if chosen is None:
            raise CommandError(f"No city or town with the code or id {area!r}.")
        form = AsOfForm({"on": on or ""})
        if not form.is_valid():
            raise CommandError(f"--on {on}: {' '.join(form.errors['on'])}")
        on = form.day()
        if not out.parent.is_dir():
            raise CommandError(f"The folder {out.parent} does not exist.")
        job = job_create(
            kind=tasks.JOB_KIND,
            title=f"{area_title(chosen)} {on.isoformat()} .{fmt} (manage.py targets_report)",
            by=None,
            params={"area": chosen.pk, "on": on.isoformat(), "fmt": fmt, "out": str(out)},
        )
        try:
            tasks.run_export(job, out=out)
        except Exception as exc:
            raise CommandError(f"The export failed: {exc}") from exc
        result = Job.objects.get(pk=job.pk).result
        size = f"{len(result['sheets'])} sheets" if "sheets" in result else f"{result['bytes']:,} bytes"
        self.stdout.write(f"{out}: {area_title(chosen)} as of {on.isoformat()}, {size} (job {job.pk})")
