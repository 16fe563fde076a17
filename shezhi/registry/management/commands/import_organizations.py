"""Import organizations from a spreadsheet by hand, with the same checks as the web import.

    manage.py import_organizations FILE --user USERNAME [--yes]

The file is checked first and the problems are printed (the full list is written as an
.xlsx report). Nothing is written unless you answer yes, or pass --yes; the valid rows are
then written in one transaction, all or none.
"""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shezhi.accounts.models import User
from shezhi.jobs.services import job_files_dir
from shezhi.registry.importing import (
    BATCH_SIZE,
    ImportAborted,
    ImportRefused,
    can_import,
    import_begin,
    import_confirm,
    run_validation,
    run_write,
)
from shezhi.tabular import TabularError, store_upload

SHOWN_ERRORS = 20


def _chunks(path: Path, size: int = 1 << 20):
    with path.open("rb") as fh:
        while chunk := fh.read(size):
            yield chunk


class Command(BaseCommand):
    help = "Check a spreadsheet of organizations and, once confirmed, import its valid rows (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("file", help=".xlsx or .csv file with the template's Chinese headers")
        parser.add_argument("--user", required=True, help="the bureau or town account the import is made as (scope and audit)")
        parser.add_argument("--yes", action="store_true", help="import the valid rows without asking")
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE, help="rows per database batch")

    def handle(self, *args, file, user, yes, batch_size, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        account = User.objects.select_related("area").filter(username=user).first()
        if account is None:
            raise CommandError(f"no account named {user!r}")
        if not can_import(account):
            raise CommandError(f"{user} cannot import organizations: only the bureau (for its city) and town officers (for their town) can")
        try:
            stored = store_upload(_chunks(path), filename=path.name)
        except TabularError as exc:
            raise CommandError(str(exc)) from None

        started = time.monotonic()
        check = import_begin(upload=stored, filename=path.name, by=account, enqueue=False)
        report = run_validation(check, batch_size=batch_size)
        checked_in = time.monotonic() - started
        if report.file_error:
            raise CommandError(report.file_error)
        self.stdout.write(
            f"checked {report.rows} rows in {checked_in:.1f}s ({report.rows / max(checked_in, 1e-9):.0f} rows/s): "
            f"{report.valid} valid, {report.invalid_rows} with {report.error_count} problems"
        )
        if report.ignored_columns:
            self.stdout.write("ignored columns: " + "、".join(report.ignored_columns))
        for error in report.errors[:SHOWN_ERRORS]:
            column = f"{error['column']}({error['letter']})" if error["letter"] else error["column"] or "-"
            self.stdout.write(f"  row {error['row']} · {column} · {error['message']}")
        if report.error_count > SHOWN_ERRORS:
            check.refresh_from_db()
            self.stdout.write(f"  … {report.error_count - SHOWN_ERRORS} more; full report: {job_files_dir() / check.output_file}")
        if not report.valid:
            raise CommandError("no valid rows: nothing imported")
        if not yes:
            answer = input(f"Import the {report.valid} valid rows? [y/N] ").strip().lower()
            if answer not in ("y", "yes", "是"):
                self.stdout.write("nothing imported")
                return
        check.refresh_from_db()
        try:
            write = import_confirm(job=check, by=account, enqueue=False)
            started = time.monotonic()
            counts = run_write(write, batch_size=batch_size)
        except (ImportAborted, ImportRefused) as exc:
            raise CommandError(str(exc)) from None
        written_in = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"imported {counts['imported']} organizations ({counts['registered']} registered, {counts['filed']} filed) "
                f"in {written_in:.1f}s ({counts['imported'] / max(written_in, 1e-9):.0f} rows/s); audit source job:{write.pk}"
            )
        )
