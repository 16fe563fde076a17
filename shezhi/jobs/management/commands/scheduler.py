import datetime as dt
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from shezhi.jobs.schedule import due_tasks
from shezhi.jobs.tasks import run_daily_tasks


class Command(BaseCommand):
    help = "Enqueue the day's scheduled tasks once a day at SCHEDULE_DAILY_AT (for the background worker)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="check once and exit")
        parser.add_argument("--interval", type=int, default=60, help="seconds between checks")

    def handle(self, *args, once, interval, **options):
        at = dt.time.fromisoformat(getattr(settings, "SCHEDULE_DAILY_AT", "02:00"))
        enqueued: set[dt.date] = set()
        while True:
            now = timezone.localtime()
            today = now.date()
            if now.time() >= at and today not in enqueued and due_tasks(today):
                run_daily_tasks.enqueue(today.isoformat())
                enqueued.add(today)
                self.stdout.write(f"scheduler: enqueued the daily run for {today}")
            if once:
                return
            time.sleep(interval)
