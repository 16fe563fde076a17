"""Spreadsheet import of volunteers: check every row, report, then write the valid rows in
one transaction when the user confirms — the registry import's pattern and machinery
(shezhi.tabular, the Job model, the error report by row and column, the fingerprint of the
valid rows), with the volunteer section's own rules.

Each row goes through the same checks as a registration form (services.prepare_identity,
check_area, check_phone, check_age, full_clean); duplicates are reported per row, inside the
file (same ID type and number as an earlier row) and against the database (already
registered, with the volunteer number). Error messages never repeat an ID number: they are
kept on the job. The uploaded file and the copy of its rows hold personal data and are
deleted once the import is written.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from shezhi.accounts.models import Role
from shezhi.areas.models import Area, AreaLevel
from shezhi.audit.models import AuditAction
from shezhi.jobs.models import Job, JobStatus
from shezhi.jobs.services import job_create, job_files_dir, job_finish, job_running
from shezhi.privacy import keyed_hash
from shezhi.registry.importing import (
    ImportAborted,
    ImportRefused,
    OutsideProgress,
    RowError,
    Validation,
    check_rows,
    sheet_for_job,
    write_confirmed,
)
from shezhi.registry.models import ServiceDomain
from shezhi.tabular import (
    XLSX,
    CellError,
    Column,
    HeaderMap,
    SheetFile,
    StoredUpload,
    TabularError,
    cache_rows,
    cached_sheet,
    clean_code,
    clean_text,
    count_rows,
    header_key,
    is_blank_row,
    iter_rows,
    locate_header,
    parse_date,
    split_list,
    stored_path,
)
from shezhi.volunteers.models import Availability, Gender, IdType, Skill, Volunteer, VolunteerStatus
from shezhi.volunteers.services import (
    age_rules_book,
    check_age,
    check_area,
    check_phone,
    prepare_identity,
    volunteer_bulk_register,
)
from shezhi.volunteers.validators import compose_mainland_id

log = logging.getLogger(__name__)

KIND_VALIDATE = "volunteers.import.validate"
KIND_WRITE = "volunteers.import.write"
BATCH_SIZE = 1000
MAX_STORED_ERRORS = 1000
MAX_ROWS = 200_000

ID_TYPE_WORDS = {
    "居民身份证": IdType.ID_CARD,
    "身份证": IdType.ID_CARD,
    "港澳居民来往内地通行证": IdType.HK_MACAO,
    "回乡证": IdType.HK_MACAO,
    "台湾居民来往大陆通行证": IdType.TAIWAN,
    "台胞证": IdType.TAIWAN,
    "港澳台居民居住证": IdType.HMT_RESIDENCE,
    "护照": IdType.PASSPORT,
    "外国人永久居留身份证": IdType.FOREIGN_PR,
    "外国人永久居留证": IdType.FOREIGN_PR,
}
GENDER_WORDS = {"男": Gender.MALE, "女": Gender.FEMALE}
AVAILABILITY_WORDS = {
    "不限": Availability.ANYTIME,
    "随时": Availability.ANYTIME,
    "工作日": Availability.WEEKDAYS,
    "周末": Availability.WEEKENDS,
    "周末及节假日": Availability.WEEKENDS,
    "节假日": Availability.WEEKENDS,
    "晚上": Availability.EVENINGS,
    "晚间": Availability.EVENINGS,
    "另行约定": Availability.BY_ARRANGEMENT,
}

COLUMNS: list[Column] = [
    Column("name", "姓名", ("志愿者姓名",), required=True, example="张三（示例）"),
    Column("id_type", "证件类型", (), example="居民身份证"),
    Column("id_number", "证件号码", ("身份证号", "身份证号码", "公民身份号码"), required=True, example=""),
    Column("birth_date", "出生日期", (), example=""),
    Column("gender", "性别", (), example=""),
    Column("phone", "手机号码", ("联系电话", "电话", "手机"), example="13800000000"),
    Column("town", "镇街道", ("镇(街道)", "镇/街道", "所属镇街道", "乡镇街道", "居住镇街道"), required=True, example="当湖街道"),
    Column("community", "社区", ("社区(村)", "村(社区)", "社区/村", "居住社区"), example="东湖社区"),
    Column("skills", "技能特长", ("技能", "特长"), example="医疗护理、摄影摄像"),
    Column("skills_note", "其他技能", (), example=""),
    Column("preferences", "服务意向", ("服务领域", "意向服务领域"), example=""),
    Column("availability", "服务时间", ("可服务时间",), example="周末"),
    Column("guardian_name", "监护人姓名", ("监护人",), example=""),
    Column("guardian_phone", "监护人电话", (), example=""),
    Column("guardian_consent_on", "监护人同意日期", (), example=""),
    Column("registered_on", "注册日期", ("登记日期",), example="2024-03-05"),
]
HEADERS = {c.key: c.header for c in COLUMNS}
FIELD_COLUMN = {**{c.key: c.key for c in COLUMNS}, "city": "town", NON_FIELD_ERRORS: ""}
_NOTHING = {"无", "-", "—", "/"}


def can_import(user) -> bool:
    """The bureau imports for its city, a town officer for their own town; nobody else."""
    if not getattr(user, "is_authenticated", False) or user.area_id is None:
        return False
    if user.role == Role.BUREAU:
        return user.area.level == AreaLevel.CITY
    return user.role == Role.TOWN and user.area.level == AreaLevel.TOWN


def _choice(words: Mapping[str, str], label: str) -> Callable[[Any], str]:
    table = {header_key(w): v for w, v in words.items()}

    def parse(value: Any) -> str:
        key = header_key(value)
        if not key or key in _NOTHING:
            return ""
        if key in table:
            return table[key]
        raise CellError(_("“%(value)s” is not one of: %(choices)s.") % {"value": clean_text(value), "choices": "、".join(words)})

    return parse


_PARSE_ID_TYPE = _choice(ID_TYPE_WORDS, "id_type")
_PARSE_GENDER = _choice(GENDER_WORDS, "gender")
_PARSE_AVAILABILITY = _choice(AVAILABILITY_WORDS, "availability")


def _catalogue(objects: Iterable) -> dict[str, Any]:
    table = {}
    for obj in objects:
        table[header_key(obj.name)] = obj
        table[header_key(obj.code)] = obj
    return table


class ImportScope:
    """What one user's import may refer to, loaded once: the towns and communities of their
    city (a town officer may write to their own town only) and the catalogues."""

    def __init__(self, user):
        if not can_import(user):
            raise PermissionError("this account cannot import volunteers")
        self.user = user
        area = user.area
        self.city = area if area.level == AreaLevel.CITY else Area.objects.get(pk=area.city_id)
        towns = list(Area.objects.filter(level=AreaLevel.TOWN, city=self.city).order_by("code"))
        for t in towns:
            t.city = self.city  # check_area reads town.city: no query per town
        self.allowed_town_ids = {area.pk} if user.role == Role.TOWN else {t.pk for t in towns}
        self.towns: dict[str, Area] = {}
        for town in towns:
            self.towns[town.code] = town
            self.towns[header_key(town.name)] = town
        self.communities: dict[tuple[int, str], Area] = {}
        for community in Area.objects.filter(level=AreaLevel.COMMUNITY, city=self.city).order_by("code"):
            for key in (community.code, header_key(community.name)):
                self.communities[(community.parent_id, key)] = community
        self.skills = _catalogue(Skill.objects.all())
        self.domains = _catalogue(ServiceDomain.objects.all())
        self.today = timezone.localdate()
        self.age_rules = age_rules_book()

    def first_town(self) -> Area | None:
        return next((t for t in self.towns.values() if t.pk in self.allowed_town_ids), None)


@dataclass
class CheckedRow:
    row: int
    name: str
    volunteer: Volunteer | None = None
    m2m: dict[str, list] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.volunteer is not None and not self.errors


class RowChecker:
    """Checks rows one by one; remembers only (ID type, hash) → first row, for duplicates
    inside the file; looks up database duplicates a batch at a time."""

    def __init__(self, *, scope: ImportScope, header: HeaderMap, batch_size: int = BATCH_SIZE):
        self.scope = scope
        self.header = header
        self.batch_size = max(1, batch_size)
        self.first_with_id: dict[tuple[str, str], int] = {}

    def check(self, rows: Iterable[tuple[int, tuple]]) -> Iterator[CheckedRow]:
        batch: list[CheckedRow] = []
        count = 0
        for number, values in rows:
            if is_blank_row(values):
                continue
            count += 1
            if count > MAX_ROWS:
                raise TabularError(_("The file has more than %(n)d rows: split it into smaller files.") % {"n": MAX_ROWS})
            batch.append(self.check_row(number, self.header.cells(values)))
            if len(batch) >= self.batch_size:
                self._check_database(batch)
                yield from batch
                batch = []
        if batch:
            self._check_database(batch)
            yield from batch

    def _error(self, result: CheckedRow, key: str, message: Any, *, existing_id: int | None = None) -> None:
        column = (self.header.headers.get(key) or HEADERS.get(key, "")) if key else ""
        letter = self.header.letter(key) if key else ""
        result.errors.append(RowError(result.row, column, letter, str(message), result.name, existing_id))

    def check_row(self, number: int, cells: Mapping[str, Any]) -> CheckedRow:
        scope = self.scope
        result = CheckedRow(row=number, name=clean_text(cells.get("name"))[:60])
        failed: set[str] = set()

        def read(key: str, parse: Callable[[Any], Any]) -> Any:
            try:
                return parse(cells.get(key))
            except CellError as exc:
                self._error(result, key, exc)
                failed.add(key)
                return None

        if not result.name:
            self._error(result, "name", _("Enter the name."))
            failed.add("name")
        id_type = read("id_type", _PARSE_ID_TYPE) or IdType.ID_CARD
        birth_date = read("birth_date", parse_date)
        gender = read("gender", _PARSE_GENDER) or None
        registered_on = read("registered_on", parse_date) or scope.today
        if registered_on > scope.today:
            self._error(result, "registered_on", _("The registration date cannot be in the future."))
            failed.add("registered_on")
        guardian_consent_on = read("guardian_consent_on", parse_date)
        availability = read("availability", _PARSE_AVAILABILITY) or Availability.ANYTIME
        town = self._town(result, cells.get("town"), failed)
        community = self._community(result, town, cells.get("community"), failed) if town else None
        skills = self._names(result, "skills", cells.get("skills"), scope.skills, failed)
        preferences = self._names(result, "preferences", cells.get("preferences"), scope.domains, failed)

        try:
            number_, id_hash, birth_date, gender = prepare_identity(
                id_type=id_type, id_number=clean_code(cells.get("id_number")), birth_date=birth_date, gender=gender, today=scope.today
            )
        except ValidationError as exc:
            self._service_errors(result, exc, failed)
            return result
        phone = guardian_phone = ""
        try:
            phone = check_phone(clean_text(cells.get("phone")), required=False)
        except ValidationError as exc:
            self._service_errors(result, exc, failed)
        try:
            guardian_phone = check_phone(clean_text(cells.get("guardian_phone")), field="guardian_phone", required=False)
        except ValidationError as exc:
            self._service_errors(result, exc, failed)
        guardian_name = clean_text(cells.get("guardian_name"))
        if "registered_on" not in failed:
            try:
                check_age(
                    birth_date=birth_date,
                    on=registered_on,
                    guardian_name=guardian_name,
                    guardian_phone=guardian_phone,
                    guardian_consent_on=guardian_consent_on,
                    self_service=False,
                    book=scope.age_rules,
                )
            except ValidationError as exc:
                self._service_errors(result, exc, failed)
        v = Volunteer(
            name=result.name,
            id_type=id_type,
            id_number=number_,
            id_hash=id_hash,
            birth_date=birth_date,
            gender=gender,
            phone=phone,
            phone_hash=keyed_hash(phone) if phone else "",
            town=town,
            community=community,
            skills_note=clean_text(cells.get("skills_note"))[:200],
            availability=availability,
            guardian_name=guardian_name,
            guardian_phone=guardian_phone,
            guardian_consent_on=guardian_consent_on,
            registered_on=registered_on,
            volunteer_number="pending",
        )
        if town is not None:
            try:
                v.city = check_area(town=town, community=community)
            except ValidationError as exc:
                self._service_errors(result, exc, failed)
        # As the service calls it, except the area keys (objects ImportScope has just read).
        try:
            v.full_clean(
                exclude=["city", "town", "community", "volunteer_number", "id_hash", "phone_hash", "user", "registered_by", "merged_into"],
                validate_constraints=False,
            )
        except ValidationError as exc:
            self._service_errors(result, exc, failed)
        result.volunteer = v
        result.m2m = {"skills": skills, "preferences": preferences}
        key = (id_type, id_hash)
        first = self.first_with_id.setdefault(key, result.row)
        if first != result.row:
            self._error(result, "id_number", _("Row %(row)d of this file has the same ID number.") % {"row": first})
        return result

    def _town(self, result: CheckedRow, value: Any, failed: set[str]) -> Area | None:
        key = clean_code(value) if clean_code(value).isdigit() else header_key(value)
        if not key:
            self._error(result, "town", _("Enter the town or street (name or area code)."))
        else:
            town = self.scope.towns.get(key)
            if town is None:
                self._error(
                    result,
                    "town",
                    _("“%(value)s” is not a town or street of %(city)s.") % {"value": clean_text(value), "city": self.scope.city.name},
                )
            elif town.pk not in self.scope.allowed_town_ids:
                self._error(
                    result,
                    "town",
                    _("%(town)s is outside your area: you may import volunteers of %(area)s only.")
                    % {"town": town.name, "area": self.scope.user.area.name},
                )
            else:
                return town
        failed.add("town")
        return None

    def _community(self, result: CheckedRow, town: Area, value: Any, failed: set[str]) -> Area | None:
        key = clean_code(value) if clean_code(value).isdigit() else header_key(value)
        if not key or key in _NOTHING:
            return None
        community = self.scope.communities.get((town.pk, key))
        if community is None:
            self._error(
                result, "community", _("“%(value)s” is not a community of %(town)s.") % {"value": clean_text(value), "town": town.name}
            )
            failed.add("community")
        return community

    def _names(self, result: CheckedRow, key: str, value: Any, table: Mapping[str, Any], failed: set[str]) -> list:
        found, unknown = [], []
        for name in split_list(value):
            obj = table.get(header_key(name))
            if obj is None:
                unknown.append(name)
            elif obj not in found:
                found.append(obj)
        if unknown:
            known = sorted({obj.name for obj in table.values()})
            self._error(
                result,
                key,
                _("Not in the catalogue: %(names)s. Use these names: %(known)s.")
                % {"names": "、".join(unknown), "known": "、".join(known)},
            )
            failed.add(key)
        return found

    def _service_errors(self, result: CheckedRow, exc: ValidationError, failed: set[str]) -> None:
        if not hasattr(exc, "error_dict"):
            for message in exc.messages:
                self._error(result, "", message)
            return
        for field_name, messages in exc.message_dict.items():
            key = FIELD_COLUMN.get(field_name, "")
            if key in failed:
                continue
            for message in messages:
                self._error(result, key, message)

    def _check_database(self, batch: list[CheckedRow]) -> None:
        """Rows whose ID is already registered: one query per batch, by the keyed hash."""
        by_type: dict[str, set[str]] = {}
        for r in batch:
            if r.volunteer is not None:
                by_type.setdefault(r.volunteer.id_type, set()).add(r.volunteer.id_hash)
        if not by_type:
            return
        # (id_type, id_hash) in the condition so the one-person-once unique index serves.
        condition = Q()
        for id_type, hashes in by_type.items():
            condition |= Q(id_type=id_type, id_hash__in=hashes)
        found = {
            (id_type, id_hash): (pk, number)
            for id_type, id_hash, pk, number in Volunteer.objects.filter(condition)
            .exclude(status=VolunteerStatus.MERGED)
            .values_list("id_type", "id_hash", "pk", "volunteer_number")
        }
        for r in batch:
            if r.volunteer is None:
                continue
            hit = found.get((r.volunteer.id_type, r.volunteer.id_hash))
            if hit is not None:
                self._error(
                    r,
                    "id_number",
                    _("This ID number is already registered (volunteer number %(number)s).") % {"number": hit[1]},
                    existing_id=hit[0],
                )


# --- running a whole file -------------------------------------------------------------------


def open_rows(
    sheet: SheetFile, scope: ImportScope, *, batch_size: int = BATCH_SIZE, row_cache: Path | None = None
) -> tuple[HeaderMap, Iterator[CheckedRow]]:
    raw = iter_rows(sheet)
    if row_cache is not None and sheet.format == XLSX:
        raw = cache_rows(raw, row_cache)
    header, rows = locate_header(raw, COLUMNS)
    return header, RowChecker(scope=scope, header=header, batch_size=batch_size).check(rows)


def validate_sheet(
    sheet: SheetFile,
    *,
    by,
    batch_size: int = BATCH_SIZE,
    on_error: Callable[[RowError], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
    row_cache: Path | None = None,
) -> Validation:
    """Check every row of the file; nothing is written."""
    scope = ImportScope(by)
    return check_rows(
        lambda: open_rows(sheet, scope, batch_size=batch_size, row_cache=row_cache), on_error=on_error, on_progress=on_progress
    )


def write_sheet(
    sheet: SheetFile,
    *,
    by,
    source: str,
    expected_rows: int,
    expected_digest: str,
    filename: str = "",
    batch_size: int = BATCH_SIZE,
    on_progress: Callable[[int], None] | None = None,
    ip: str | None = None,
    user_agent: str = "",
) -> dict[str, int]:
    """Check the file again and write its valid rows, all in one transaction.

    Raises ImportAborted (and writes nothing) when the valid rows are no longer the ones the
    user confirmed (e.g. someone registered one of the people meanwhile), or when the
    database refuses anything. The database's own message is not shown: it may quote
    personal data.
    """
    scope = ImportScope(by)
    counts = {"imported": 0}

    def flush(pending: list[CheckedRow]) -> None:
        volunteer_bulk_register(
            items=[(r.volunteer, r.m2m) for r in pending],
            by=by,
            source=source,
            reasons=[_("Imported from %(file)s, row %(row)d.") % {"file": filename, "row": r.row} for r in pending],
            ip=ip,
            user_agent=user_agent,
        )
        counts["imported"] += len(pending)
        if on_progress is not None:
            on_progress(counts["imported"])

    write_confirmed(
        lambda: open_rows(sheet, scope, batch_size=batch_size)[1],
        what="volunteer",
        source=source,
        by=by,
        filename=filename,
        action=AuditAction.VOLUNTEERS_IMPORTED,
        changes=lambda: {"file": [None, filename], "imported": [None, counts["imported"]]},
        expected_rows=expected_rows,
        expected_digest=expected_digest,
        batch_size=batch_size,
        flush=flush,
        changed_message=_changed_message,
        error_text=lambda exc: type(exc).__name__,  # the database's message may quote personal data
    )
    return counts


def _changed_message(problem: RowError | None) -> str:
    message = _(
        "Nothing was imported: the records or the file changed since the check, so the rows to import are not the ones you confirmed."
    )
    if problem is not None:
        message += " " + _("For example row %(row)d: %(reason)s") % {"row": problem.row, "reason": problem.message}
    return message + " " + _("Upload the file again to check it anew.")


# --- jobs -------------------------------------------------------------------------------------


def import_begin(*, upload: StoredUpload, filename: str, by, language: str = "", enqueue: bool = True) -> Job:
    if not can_import(by):
        raise PermissionError("this account cannot import volunteers")
    job = job_create(
        kind=KIND_VALIDATE,
        title=_("Check of %(file)s") % {"file": filename},
        by=by,
        params={"filename": filename, "sha256": upload.sha256, "size": upload.size, "language": language or translation.get_language()},
        input_file=upload.name,
    )
    if enqueue:
        volunteer_import_validate.enqueue(job.pk)
    return job


class _ErrorReport:
    """Every error of a check, streamed into an .xlsx sheet."""

    def __init__(self):
        self.workbook = None

    def add(self, error: RowError) -> None:
        if self.workbook is None:
            from openpyxl import Workbook

            self.workbook = Workbook(write_only=True)
            self.sheet = self.workbook.create_sheet(_("Errors"))
            self.sheet.append([_("Row"), _("Column"), _("Column name"), _("Full name"), _("Reason")])
        self.sheet.append([error.row, error.letter, error.column, error.name, error.message])

    def save(self, path: Path) -> bool:
        if self.workbook is None:
            return False
        self.workbook.save(path)
        return True


def run_validation(job: Job, *, batch_size: int = BATCH_SIZE) -> Validation:
    with job_running(job) as progress, translation.override(job.params.get("language") or None):
        report_name = f"vimport-{job.pk}-{Path(job.input_file).stem}-errors.xlsx"
        cache_name = f"vimport-{job.pk}-{Path(job.input_file).stem}-rows.jsonl"
        error_report = _ErrorReport()
        try:
            sheet = sheet_for_job(job)
            progress.stage(_("Checking rows"), total=count_rows(sheet))
            report = validate_sheet(
                sheet,
                by=job.created_by,
                batch_size=batch_size,
                on_error=error_report.add,
                on_progress=progress.advance,
                row_cache=job_files_dir() / cache_name,
            )
        except TabularError as exc:
            report = Validation(file_error=str(exc))
        output = report_name if error_report.save(job_files_dir() / report_name) else ""
        if report.file_error or not report.valid:
            (job_files_dir() / cache_name).unlink(missing_ok=True)
        result = {
            **report.__dict__,
            "filename": f"{Path(job.params.get('filename', 'import')).stem}-errors.xlsx",
            "row_cache": cache_name if (job_files_dir() / cache_name).exists() else "",
            "next_url": reverse("volunteers:import_detail", args=[job.pk]),
        }
        job_finish(job, result=result, output_file=output)
    return report


def import_confirm(*, job: Job, by, ip: str | None = None, user_agent: str = "", enqueue: bool = True) -> Job:
    """The user confirms importing the valid rows of a checked file: start the write job.
    Only the uploader, only a finished check with valid rows, only once."""
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
            params={**check.params, "validation_job": check.pk, "ip": ip, "user_agent": (user_agent or "")[:300]},
            input_file=check.input_file,
        )
        check.result = {**check.result, "import_job": write.pk}
        check.save(update_fields=["result"])
    if enqueue:
        volunteer_import_write.enqueue(write.pk)
    return write


def run_write(job: Job, *, batch_size: int = BATCH_SIZE) -> dict[str, int]:
    check = Job.objects.get(pk=job.params["validation_job"])
    with job_running(job) as progress, translation.override(job.params.get("language") or None):
        expected = check.result.get("valid", 0)
        progress.stage(_("Writing rows"), total=expected)
        cache = job_files_dir() / check.result["row_cache"] if check.result.get("row_cache") else None
        try:
            sheet = (cached_sheet(cache) if cache else None) or sheet_for_job(job)
        except TabularError as exc:
            raise ImportAborted(_("Nothing was imported: %(reason)s") % {"reason": exc}) from exc
        with OutsideProgress(job) as side:
            counts = write_sheet(
                sheet,
                by=job.created_by,
                source=f"job:{job.pk}",
                expected_rows=expected,
                expected_digest=check.result.get("digest", ""),
                filename=job.params.get("filename", ""),
                batch_size=batch_size,
                on_progress=side.update,
                ip=job.params.get("ip"),
                user_agent=job.params.get("user_agent", ""),
            )
        job_finish(job, result={**counts, "validation_job": check.pk, "next_url": reverse("volunteers:import_detail", args=[job.pk])})
    # The people are in the database now; the upload and the copy of its rows (ID numbers,
    # phones) are not needed any more.
    try:
        stored_path(job.input_file).unlink(missing_ok=True)
        if cache is not None:
            cache.unlink(missing_ok=True)
    except (TabularError, OSError):
        log.warning("could not remove the upload of job %s", job.pk)
    return counts


@task()
def volunteer_import_validate(job_id: int) -> None:
    run_validation(Job.objects.select_related("created_by__area").get(pk=job_id))


@task()
def volunteer_import_write(job_id: int) -> None:
    with contextlib.suppress(ImportAborted):
        run_write(Job.objects.select_related("created_by__area").get(pk=job_id))


# --- the template -----------------------------------------------------------------------------


def template_rows(scope: ImportScope | None) -> list[list[Any]]:
    """One example row, with a real town and community of the user's area where possible."""
    example = {c.key: c.example for c in COLUMNS}
    town = scope.first_town() if scope else None
    if town is not None:
        example["town"] = town.name
        community = next((c for (town_id, _key), c in scope.communities.items() if town_id == town.pk), None)
        example["community"] = community.name if community else ""
    # A valid but obviously made-up number (born 1990-01-01), so the example row checks.
    example["id_number"] = compose_mainland_id(scope.city.code if scope else "330482", dt.date(1990, 1, 1), 1)
    example["registered_on"] = dt.date(2024, 3, 5)
    return [[example[c.key] for c in COLUMNS]]


def template_notes(workbook) -> None:
    notes = workbook.create_sheet("填写说明")
    notes.append(["列名", "说明"])
    for row in (
        ("姓名", "必填。与证件上一致。"),
        ("证件类型", "可填：" + "、".join(ID_TYPE_WORDS) + "。留空为居民身份证。"),
        ("证件号码", "必填。居民身份证为18位，按GB 11643校验出生日期和校验码；15位旧号码不再有效。"),
        ("出生日期、性别", "居民身份证和居住证从号码读取，可留空；其他证件必填。性别填男或女。"),
        ("手机号码", "11位手机号码或带区号的固定电话。本人找回账号时需要。"),
        ("镇街道", "必填。镇街道名称或区划代码。"),
        ("社区", "社区（村）名称或区划代码，须在所填镇街道内。"),
        ("技能特长、服务意向", "多个名称用“、”或逗号分隔，须为系统目录中的名称。"),
        ("服务时间", "、".join(AVAILABILITY_WORDS) + "。"),
        ("监护人姓名、监护人电话、监护人同意日期", "未满18周岁的志愿者必填（年龄规则可由民政局调整）。"),
        ("注册日期", "如 2024-03-05；留空为导入当天。"),
        ("重复", "同一证件号码在文件中出现两次，或已在系统中注册的，该行不导入，并给出已有的志愿者编号。"),
        ("示例行", "第2行是示例，导入前请删除或改为真实数据。"),
    ):
        notes.append(list(row))
