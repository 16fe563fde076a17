import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from shezhi.jobs.schedule import daily_tasks, run_daily


class Command(BaseCommand):
    help = "Run the daily scheduled tasks (credit detection, reminders, ...) not yet run for the day."

    def add_arguments(self, parser):
        parser.add_argument("--on", help="the day to run for (YYYY-MM-DD); today if not given")
        parser.add_argument("--only", help="run only this task (see --list)")
        parser.add_argument("--force", action="store_true", help="run even if the task already ran for the day")
        parser.add_argument("--list", action="store_true", help="list the registered daily tasks")

    def handle(self, *args, on, only, force, list, **options):
        if list:
            for task in daily_tasks():
                self.stdout.write(f"{task.key}\t{task.label}")
            return
        try:
            day = dt.date.fromisoformat(on) if on else None
        except ValueError as exc:
            raise CommandError(f"--on: not a date (YYYY-MM-DD): {on}") from exc
        try:
            jobs = run_daily(on=day, only=only, force=force)
        except KeyError as exc:
            raise CommandError(f"no daily task named {only}; see --list") from exc
        if not jobs:
            self.stdout.write("run_daily: nothing due")
        for job in jobs:
            self.stdout.write(f"run_daily: {job.title}: {job.status} {job.result}")
