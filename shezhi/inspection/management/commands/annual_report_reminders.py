"""Remind organizations of their annual-report deadlines. Run it daily (cron or a timer);
running it more often, or twice at once, sends nothing twice."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from shezhi.inspection.services import annual_report_reminders_send
from shezhi.inspection.tasks import send_annual_report_reminders


class Command(BaseCommand):
    help = "Send the annual-report reminders due today (or on --date) to organizations that have not reported."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Act as if today were this date (YYYY-MM-DD).")
        parser.add_argument("--enqueue", action="store_true", help="Queue the run for the background worker instead.")

    def handle(self, *args, date=None, enqueue=False, **options):
        try:
            on = dt.date.fromisoformat(date) if date else None
        except ValueError:
            raise CommandError(f"--date {date!r}: use YYYY-MM-DD") from None
        if enqueue:
            result = send_annual_report_reminders.enqueue(on.isoformat() if on else None)
            self.stdout.write(f"queued: {result.id}")
            return
        outcome = annual_report_reminders_send(today=on)
        self.stdout.write(
            f"year {outcome.year}: {outcome.sent} sent, {outcome.already_sent} already sent, "
            f"{outcome.without_account} organizations without an account"
        )
