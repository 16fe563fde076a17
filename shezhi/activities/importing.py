"""Spreadsheet import of volunteer service records (志愿服务记录导入).

Same flow as the registry import (shezhi.registry.importing): a check job reads the stored
upload row by row and reports every refused row with its reason (row, column, message; the
full list as an .xlsx report); nothing is written until the user confirms; the write job
checks the file again and writes the valid rows in one transaction — if they are not
exactly the rows the user confirmed, or the database refuses anything, nothing is written.

Imported records are source "imported" and are confirmed by the importing officer: the
import itself is their decision, audited once for the file (one audit entry naming the job
and the number of records), not one workflow step per row.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from shezhi.accounts.models import Role
from shezhi.activities.models import HoursRecord, HoursSource, HoursStatus
from shezhi.areas.models import Area, AreaLevel
from shezhi.audit.models import AuditAction
from shezhi.jobs.models import Job, JobStatus
from shezhi.jobs.services import job_create, job_files_dir, job_finish, job_running
from shezhi.registry.importing import (
    ImportAborted,
    ImportRefused,
    RowError,
    check_rows,
    sheet_for_job,
    write_confirmed,
)
from shezhi.registry.importing import Validation as BaseValidation
from shezhi.registry.models import Organization
from shezhi.tabular import (
    CellError,
    Column,
    HeaderMap,
    SheetFile,
    StoredUpload,
    TabularError,
    clean_code,
    clean_text,
    count_rows,
    header_key,
    is_blank_row,
    iter_rows,
    locate_header,
    parse_date,
    parse_decimal,
    stored_path,
)
from shezhi.volunteers.models import Volunteer, VolunteerStatus
from shezhi.volunteers.services import id_hash_of
from shezhi.volunteers.validators import normalize

KIND_VALIDATE = "activities.import.validate"
KIND_WRITE = "activities.import.write"
BATCH_SIZE = 500
MAX_STORED_ERRORS = 1000
MAX_ROWS = 500_000
# One record is one day's service: more than a day's hours in one row is a typing error.
MAX_HOURS_PER_ROW = Decimal("24")

COLUMNS: list[Column] = [
    Column("volunteer_number", "志愿者编号", ("编号", "志愿者号"), example="33048200000001"),
    Column("id_number", "证件号码", ("身份证号码", "身份证号", "公民身份号码", "证件号"), example=""),
    Column("name", "姓名", ("志愿者姓名",), example="张三"),
    Column("served_on", "服务日期", ("日期", "服务时间"), required=True, example="2026-03-05"),
    Column("hours", "服务时长(小时)", ("服务时长", "时长", "小时数", "时长(小时)"), required=True, example="2.5"),
    Column("content", "服务内容", ("内容", "活动名称"), required=True, example="社区环境整治"),
    Column("organization", "记录组织", ("组织", "组织名称", "志愿服务组织", "服务组织", "统一社会信用代码"), required=True, example=""),
]
HEADERS = {c.key: c.header for c in COLUMNS}


def can_import(user) -> bool:
    """The bureau imports for its city, a town officer for the organizations of their town."""
    if not getattr(user, "is_authenticated", False) or user.area_id is None:
        return False
    if user.role == Role.BUREAU:
        return user.area.level == AreaLevel.CITY
    return user.role == Role.TOWN and user.area.level == AreaLevel.TOWN


class ImportScope:
    """What one user's import may refer to: the volunteers of their city and the
    organizations in their area (a town officer: their town's)."""

    def __init__(self, user):
        if not can_import(user):
            raise PermissionError("this account cannot import service records")
        self.user = user
        area = user.area
        self.city = area if area.level == AreaLevel.CITY else Area.objects.get(pk=area.city_id)
        org_q = Q(city=self.city) if user.role == Role.BUREAU else Q(town=area)
        self.organizations: dict[str, Organization] = {}
        self.ambiguous: set[str] = set()
        for org in Organization.objects.filter(org_q).only("pk", "name", "credit_code", "filing_number", "city_id", "town_id"):
            for key in {header_key(org.name), org.credit_code, org.filing_number} - {""}:
                if key in self.organizations and self.organizations[key].pk != org.pk:
                    self.ambiguous.add(key)
                self.organizations[key] = org
        self.today = timezone.localdate()


@dataclass
class CheckedRow:
    row: int
    name: str
    record: HoursRecord | None = None
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.record is not None and not self.errors


class RowChecker:
    def __init__(self, *, scope: ImportScope, header: HeaderMap, batch_size: int = BATCH_SIZE):
        self.scope = scope
        self.header = header
        self.batch_size = max(1, batch_size)
        self.seen: dict[tuple, int] = {}

    def _error(self, result: CheckedRow, key: str, message: Any) -> None:
        column = (self.header.headers.get(key) or HEADERS.get(key, "")) if key else ""
        letter = self.header.letter(key) if key else ""
        result.errors.append(RowError(result.row, column, letter, str(message), result.name))

    def check(self, rows: Iterable[tuple[int, tuple]]) -> Iterator[CheckedRow]:
        batch: list[tuple[CheckedRow, dict]] = []
        count = 0
        for number, values in rows:
            if is_blank_row(values):
                continue
            count += 1
            if count > MAX_ROWS:
                raise TabularError(_("The file has more than %(n)d rows: split it into smaller files.") % {"n": MAX_ROWS})
            batch.append(self._read(number, self.header.cells(values)))
            if len(batch) >= self.batch_size:
                yield from self._finish(batch)
                batch = []
        if batch:
            yield from self._finish(batch)

    def _read(self, number: int, cells: Mapping[str, Any]) -> tuple[CheckedRow, dict]:
        """The row's own values; volunteers are looked up a batch at a time."""
        result = CheckedRow(row=number, name=clean_text(cells.get("name"))[:60])
        values: dict[str, Any] = {
            "number": clean_code(cells.get("volunteer_number")),
            "id_number": normalize(clean_text(cells.get("id_number"))),
            "content": clean_text(cells.get("content")),
        }
        try:
            served_on = parse_date(cells.get("served_on"))
            if served_on is None:
                self._error(result, "served_on", _("Enter the date of service."))
            elif served_on > self.scope.today:
                self._error(result, "served_on", _("The date of service is in the future."))
            values["served_on"] = served_on
        except CellError as exc:
            self._error(result, "served_on", exc)
        try:
            hours = parse_decimal(cells.get("hours"))
            if hours is None:
                self._error(result, "hours", _("Enter the hours."))
            elif hours <= 0:
                self._error(result, "hours", _("Enter a number of hours greater than 0."))
            elif hours > MAX_HOURS_PER_ROW:
                self._error(result, "hours", _("One record is one day's service: at most %(n)s hours.") % {"n": MAX_HOURS_PER_ROW})
            elif hours != hours.quantize(Decimal("0.01")):
                self._error(result, "hours", _("Hours have at most two decimals."))
            values["hours"] = hours
        except CellError as exc:
            self._error(result, "hours", exc)
        if not values["content"]:
            self._error(result, "content", _("Describe the service."))
        elif len(values["content"]) > 300:
            self._error(result, "content", _("At most 300 characters."))
        org_text = clean_text(cells.get("organization"))
        org_key = clean_code(org_text) if clean_code(org_text) in self.scope.organizations else header_key(org_text)
        if not org_text:
            self._error(result, "organization", _("Enter the organization that recorded the service (name or credit code)."))
        elif org_key in self.scope.ambiguous:
            self._error(result, "organization", _("Several organizations are called “%(name)s”: use the credit code.") % {"name": org_text})
        elif org_key not in self.scope.organizations:
            self._error(
                result,
                "organization",
                _("“%(name)s” is not an organization in your area (write its name or credit code as in the registry).")
                % {"name": org_text},
            )
        else:
            values["organization"] = self.scope.organizations[org_key]
        if not values["number"] and not values["id_number"]:
            self._error(result, "volunteer_number", _("Enter the volunteer number or the ID number."))
        return result, values

    def _finish(self, batch: list[tuple[CheckedRow, dict]]) -> Iterator[CheckedRow]:
        numbers = {v["number"] for _r, v in batch if v["number"]}
        hashes = {id_hash_of(v["id_number"]) for _r, v in batch if v["id_number"]}
        found = Volunteer.objects.filter(Q(volunteer_number__in=numbers) | Q(id_hash__in=hashes)).only(
            "pk", "volunteer_number", "name", "id_hash", "status", "city_id", "merged_into_id"
        )
        by_number, by_hash = {}, {}
        for v in found:
            by_number[v.volunteer_number] = v
            if v.status != VolunteerStatus.MERGED:
                by_hash[v.id_hash] = v
        keys = []
        for result, values in batch:
            volunteer = self._volunteer(result, values, by_number, by_hash)
            if volunteer is not None and not result.errors:
                result.record = HoursRecord(
                    volunteer=volunteer,
                    organization=values["organization"],
                    served_on=values["served_on"],
                    hours=values["hours"],
                    content=values["content"],
                    source=HoursSource.IMPORTED,
                    status=HoursStatus.CONFIRMED,
                )
                key = (volunteer.pk, values["served_on"], values["organization"].pk, values["content"], values["hours"])
                first = self.seen.setdefault(key, result.row)
                if first != result.row:
                    self._error(result, "", _("Row %(row)d of this file has the same record.") % {"row": first})
                else:
                    keys.append((result, key))
        if keys:
            existing = set(
                HoursRecord.objects.filter(
                    volunteer_id__in={k[0] for _r, k in keys}, served_on__in={k[1] for _r, k in keys}, source=HoursSource.IMPORTED
                )
                .exclude(status=HoursStatus.REJECTED)
                .values_list("volunteer_id", "served_on", "organization_id", "content", "hours")
            )
            for result, key in keys:
                if key in existing:
                    self._error(result, "", _("This record was imported before."))
        for result, _values in batch:
            yield result

    def _volunteer(self, result: CheckedRow, values: dict, by_number: dict, by_hash: dict) -> Volunteer | None:
        by_num = by_number.get(values["number"]) if values["number"] else None
        by_id = by_hash.get(id_hash_of(values["id_number"])) if values["id_number"] else None
        if values["number"] and by_num is None:
            self._error(result, "volunteer_number", _("No volunteer has the number %(n)s.") % {"n": values["number"]})
            return None
        if values["id_number"] and by_id is None:
            self._error(result, "id_number", _("No registered volunteer has this ID number."))
            return None
        volunteer = by_num or by_id
        if volunteer is None:  # neither given: reported when the row was read
            return None
        if by_num is not None and by_id is not None and by_num.pk != by_id.pk:
            self._error(result, "id_number", _("The ID number belongs to another volunteer than the volunteer number."))
            return None
        if volunteer.status == VolunteerStatus.MERGED:
            target = Volunteer.objects.filter(pk=volunteer.merged_into_id).values_list("volunteer_number", flat=True).first()
            self._error(
                result, "volunteer_number", _("This record was merged into volunteer %(n)s: use that number.") % {"n": target or "?"}
            )
            return None
        if volunteer.city_id != self.scope.city.pk:
            self._error(result, "volunteer_number", _("The volunteer is registered in another city."))
            return None
        if result.name and result.name != volunteer.name:
            self._error(result, "name", _("The name does not match volunteer %(n)s.") % {"n": volunteer.volunteer_number})
            return None
        return volunteer


# --- a whole file -----------------------------------------------------------------------------


def open_rows(sheet: SheetFile, scope: ImportScope, *, batch_size: int = BATCH_SIZE) -> tuple[HeaderMap, Iterator[CheckedRow]]:
    header, rows = locate_header(iter_rows(sheet), COLUMNS)
    return header, RowChecker(scope=scope, header=header, batch_size=batch_size).check(rows)


@dataclass
class Validation(BaseValidation):
    hours: str = "0"  # the hours of the valid rows, for the report


def validate_sheet(sheet: SheetFile, *, by, batch_size: int = BATCH_SIZE, on_error: Callable[[RowError], None] | None = None) -> Validation:
    """Check every row of the file; nothing is written."""
    scope = ImportScope(by)
    total = [Decimal(0)]

    def add_hours(checked: CheckedRow) -> None:
        total[0] += checked.record.hours

    report = check_rows(lambda: open_rows(sheet, scope, batch_size=batch_size), report=Validation(), on_valid=add_hours, on_error=on_error)
    if not report.file_error:
        report.hours = str(total[0])
    return report


def _changed_message(problem: RowError | None) -> str:
    message = _("Nothing was imported: the records or the file changed since the check, so the rows are not the ones you confirmed.")
    if problem is not None:
        message += " " + _("For example row %(row)d: %(reason)s") % {"row": problem.row, "reason": problem.message}
    return message


def write_sheet(
    sheet: SheetFile, *, by, source: str, expected_rows: int, expected_digest: str, filename: str = "", batch_size: int = BATCH_SIZE
) -> dict[str, Any]:
    """Check the file again and write its valid rows, all in one transaction (or nothing)."""
    scope = ImportScope(by)
    now = timezone.now()
    counts = {"written": 0, "hours": Decimal(0)}

    def flush(pending: list[CheckedRow]) -> None:
        records = [checked.record for checked in pending]
        for record in records:
            record.submitted_by = by
            record.decided_by = by
            record.decided_at = now
        HoursRecord.objects.bulk_create(records)
        counts["written"] += len(records)
        counts["hours"] += sum((r.hours for r in records), Decimal(0))

    write_confirmed(
        lambda: open_rows(sheet, scope, batch_size=batch_size)[1],
        what="service record",
        source=source,
        by=by,
        filename=filename,
        action=AuditAction.HOURS_RECORDED,
        changes=lambda: {"file": [None, filename], "imported": [None, counts["written"]], "hours": [None, str(counts["hours"])]},
        expected_rows=expected_rows,
        expected_digest=expected_digest,
        batch_size=batch_size,
        flush=flush,
        changed_message=_changed_message,
    )
    return {"imported": counts["written"], "hours": str(counts["hours"])}


# --- jobs -------------------------------------------------------------------------------------


class _ErrorReport:
    def __init__(self):
        self.workbook = None

    def add(self, error: RowError) -> None:
        if self.workbook is None:
            from openpyxl import Workbook

            self.workbook = Workbook(write_only=True)
            self.sheet = self.workbook.create_sheet(_("Errors"))
            self.sheet.append([_("Row"), _("Column"), _("Column name"), _("Volunteer"), _("Reason")])
        self.sheet.append([error.row, error.letter, error.column, error.name, error.message])

    def save(self, path: Path) -> bool:
        if self.workbook is None:
            return False
        self.workbook.save(path)
        return True


def import_begin(*, upload: StoredUpload, filename: str, by, language: str = "", enqueue: bool = True) -> Job:
    if not can_import(by):
        raise PermissionError("this account cannot import service records")
    job = job_create(
        kind=KIND_VALIDATE,
        title=_("Check of %(file)s") % {"file": filename},
        by=by,
        params={"filename": filename, "sha256": upload.sha256, "size": upload.size, "language": language or translation.get_language()},
        input_file=upload.name,
    )
    if enqueue:
        hours_import_validate.enqueue(job.pk)
    return job


def run_validation(job: Job, *, batch_size: int = BATCH_SIZE) -> Validation:
    with job_running(job) as progress, translation.override(job.params.get("language") or None):
        report_name = f"hours-import-{job.pk}-errors.xlsx"
        errors = _ErrorReport()
        try:
            sheet = sheet_for_job(job)
            progress.stage(_("Checking rows"), total=count_rows(sheet))
            report = validate_sheet(sheet, by=job.created_by, batch_size=batch_size, on_error=errors.add)
        except TabularError as exc:
            report = Validation(file_error=str(exc))
        output = report_name if errors.save(job_files_dir() / report_name) else ""
        result = {
            **report.__dict__,
            "filename": f"{Path(job.params.get('filename', 'import')).stem}-errors.xlsx",
            "next_url": reverse("activities:import_detail", args=[job.pk]),
        }
        job_finish(job, result=result, output_file=output)
    return report


def import_confirm(*, job: Job, by, enqueue: bool = True) -> Job:
    """The uploader confirms writing the valid rows of a checked file, once."""
    with transaction.atomic():
        check = Job.objects.select_for_update().get(pk=job.pk)
        if check.kind != KIND_VALIDATE or check.created_by_id != getattr(by, "pk", None) or not can_import(by):
            raise ImportRefused(_("This import is not yours to confirm."))
        if check.status != JobStatus.DONE or check.result.get("file_error"):
            raise ImportRefused(_("The file has not been checked successfully."))
        if not check.result.get("valid"):
            raise ImportRefused(_("The file has no valid rows to import."))
        earlier = check.result.get("import_job")
        if earlier and Job.objects.filter(pk=earlier).exclude(status=JobStatus.FAILED).exists():
            raise ImportRefused(_("This file's import has already been started."))
        write = job_create(
            kind=KIND_WRITE,
            title=_("Import of %(file)s") % {"file": check.params.get("filename", "")},
            by=by,
            params={**check.params, "validation_job": check.pk},
            input_file=check.input_file,
        )
        check.result = {**check.result, "import_job": write.pk}
        check.save(update_fields=["result"])
    if enqueue:
        hours_import_write.enqueue(write.pk)
    return write


def run_write(job: Job, *, batch_size: int = BATCH_SIZE) -> dict[str, Any]:
    check = Job.objects.get(pk=job.params["validation_job"])
    with job_running(job) as progress, translation.override(job.params.get("language") or None):
        progress.stage(_("Writing rows"), total=check.result.get("valid", 0))
        try:
            sheet = sheet_for_job(job)
        except TabularError as exc:
            raise ImportAborted(_("Nothing was imported: %(reason)s") % {"reason": exc}) from exc
        counts = write_sheet(
            sheet,
            by=job.created_by,
            source=f"job:{job.pk}",
            expected_rows=check.result.get("valid", 0),
            expected_digest=check.result.get("digest", ""),
            filename=job.params.get("filename", ""),
            batch_size=batch_size,
        )
        job_finish(job, result={**counts, "validation_job": check.pk, "next_url": reverse("activities:import_detail", args=[job.pk])})
    with contextlib.suppress(TabularError, OSError):
        stored_path(job.input_file).unlink(missing_ok=True)
    return counts


@task()
def hours_import_validate(job_id: int) -> None:
    run_validation(Job.objects.select_related("created_by__area").get(pk=job_id))


@task()
def hours_import_write(job_id: int) -> None:
    with contextlib.suppress(ImportAborted):
        run_write(Job.objects.select_related("created_by__area").get(pk=job_id))


def template_rows() -> list[list[Any]]:
    example = {c.key: c.example for c in COLUMNS}
    example["served_on"] = dt.date(2026, 3, 5)
    return [[example[c.key] for c in COLUMNS]]


def template_notes(workbook) -> None:
    notes = workbook.create_sheet("填写说明")
    notes.append(["列名", "说明"])
    for row in [
        ("志愿者编号、证件号码", "至少填一项；两项都填时须为同一志愿者。志愿者须已在本市注册。"),
        ("姓名", "可填；填写时须与注册姓名一致。"),
        ("服务日期", "如 2026-03-05、2026/3/5、2026年3月5日。不得晚于今天。"),
        ("服务时长(小时)", "大于0、最多两位小数；一行为一天的服务，最多24小时。"),
        ("服务内容", "必填，最多300字。"),
        ("记录组织", "必填。记录该服务的组织名称或统一社会信用代码，须在本辖区登记或备案。"),
        ("示例行", "第2行是示例，导入前请删除或改为真实数据。"),
    ]:
        notes.append(list(row))
