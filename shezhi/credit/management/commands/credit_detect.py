import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from shezhi.credit.detection import detect, detectors


class Command(BaseCommand):
    help = "Detect credit-list grounds for a day and put new cases in the bureau's review queue (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--on", help="the day to detect for, YYYY-MM-DD (default: today)")
        parser.add_argument("--only", help="run one detector: " + ", ".join(detectors()))

    def handle(self, *args, on=None, only=None, **options):
        try:
            day = dt.date.fromisoformat(on) if on else timezone.localdate()
        except ValueError:
            raise CommandError("--on: write the date as YYYY-MM-DD") from None
        if only is not None and only not in detectors():
            raise CommandError(f"--only: no detector {only!r}; known: {', '.join(detectors())}")
        result = detect(day, only=only)
        self.stdout.write(
            f"credit_detect {day.isoformat()}: {result.proposed} proposed, {result.already_proposed} already proposed, "
            f"{result.already_listed} already listed, {result.ignored} ignored"
        )
        for key, count in result.by_detector.items():
            self.stdout.write(f"  {key}: {count}")
