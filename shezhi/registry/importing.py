"""Spreadsheet import of organizations (issue 2 §5): validate every row, report, then write
the valid rows in one transaction when the user confirms.

Two jobs carry an import. The validation job reads the stored upload row by row, checks
each row with the registry's own rules (organization_prepare, organization_check,
full_clean, organization_check_duplicate — the same functions the forms go through) plus
duplicates inside the file, and keeps only the keys needed for that and the first errors;
the full error list goes to an .xlsx report beside the job. The write job, started by the
user's confirmation, reads the file again, validates every row again inside one
transaction and inserts the valid rows in batches through organization_bulk_register. If
the set of valid rows is not exactly the one the user confirmed (someone registered a
duplicate in the meantime), or anything else fails, the transaction is rolled back and
nothing is written.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from shezhi.accounts.models import Role
from shezhi.areas.models import Area, AreaLevel
from shezhi.audit.models import AuditAction
from shezhi.audit.services import audit_record
from shezhi.jobs.models import Job, JobStatus
from shezhi.jobs.services import job_create, job_files_dir, job_finish, job_running
from shezhi.registry.models import (
    CommunityCategory,
    DirectCategory,
    HubKind,
    LegalForm,
    Organization,
    PartyOrganization,
    RegistrationKind,
    ServiceDomain,
    TargetGroup,
)
from shezhi.registry.services import (
    DuplicateOrganizationError,
    organization_bulk_register,
    organization_check,
    organization_check_duplicate,
    organization_prepare,
)
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
    inspect_file,
    is_blank_row,
    iter_rows,
    locate_header,
    parse_bool,
    parse_date,
    parse_decimal,
    split_list,
    stored_path,
)

log = logging.getLogger(__name__)

KIND_VALIDATE = "registry.import.validate"
KIND_WRITE = "registry.import.write"
BATCH_SIZE = 500
MAX_STORED_ERRORS = 1000  # kept on the job for the page; the .xlsx report has them all
MAX_ROWS = 500_000

# Chinese words a spreadsheet uses for each choice. Spreadsheet content is data, so these
# stay Chinese whatever the interface language.
REGISTRATION_WORDS = {
    "登记": RegistrationKind.REGISTERED,
    "已登记": RegistrationKind.REGISTERED,
    "备案": RegistrationKind.FILED,
    "已备案": RegistrationKind.FILED,
}
LEGAL_FORM_WORDS = {
    "社会团体": LegalForm.SOCIAL_GROUP,
    "社团": LegalForm.SOCIAL_GROUP,
    "社会服务机构": LegalForm.SOCIAL_SERVICE_AGENCY,
    "民办非企业单位": LegalForm.SOCIAL_SERVICE_AGENCY,
    "基金会": LegalForm.FOUNDATION,
}
COMMUNITY_CATEGORY_WORDS = {
    "生活服务类": CommunityCategory.LIFE_SERVICE,
    "公益慈善类": CommunityCategory.CHARITY,
    "居民互助类": CommunityCategory.MUTUAL_AID,
    "文体类": CommunityCategory.CULTURE_SPORTS,
    "平安类": CommunityCategory.SAFETY,
    "自治类": CommunityCategory.SELF_GOVERNANCE,
}
DIRECT_CATEGORY_WORDS = {
    "行业协会商会类": DirectCategory.TRADE_ASSOCIATION,
    "科技类": DirectCategory.SCIENCE_TECH,
    "公益慈善类": DirectCategory.CHARITY,
    "城乡社区服务类": DirectCategory.COMMUNITY_SERVICE,
}
HUB_WORDS = {"枢纽型": HubKind.HUB, "支持型": HubKind.SUPPORT}
PARTY_WORDS = {
    "单独建立": PartyOrganization.INDEPENDENT,
    "联合建立": PartyOrganization.JOINT,
    "选派党建指导员": PartyOrganization.INSTRUCTOR,
    "无": PartyOrganization.NONE,
}
_NOTHING = {"无", "否", "-", "—", "/"}

COLUMNS: list[Column] = [
    Column("name", "名称", ("组织名称", "社会组织名称", "单位名称"), required=True, example="东湖社区读书会（示例）"),
    Column("registration", "登记/备案", ("登记或备案", "登记备案"), required=True, example="备案"),
    Column("legal_form", "法人形式", ("社会组织类型",), example=""),
    Column("credit_code", "统一社会信用代码", ("信用代码", "社会信用代码"), example=""),
    Column("filing_number", "备案编号", ("备案号",), example=""),
    Column("is_community_org", "是否社区社会组织", ("社区社会组织",), example="是"),
    Column("community_category", "社区社会组织类别", ("社区社会组织分类",), example="居民互助类"),
    Column("direct_category", "直接登记类别", (), example=""),
    Column("town", "镇街道", ("镇(街道)", "镇/街道", "所属镇街道", "乡镇街道", "镇街"), required=True, example="当湖街道"),
    Column("community", "社区", ("社区(村)", "村(社区)", "社区/村", "所属社区"), example="东湖社区"),
    Column("legal_representative", "法定代表人/负责人", ("法定代表人", "负责人"), example="李四"),
    Column("founded_on", "成立/备案日期", ("成立日期", "备案日期", "登记日期", "成立时间"), example="2020-01-05"),
    Column("address", "住所", ("地址", "住所地址"), example="平湖市当湖街道东湖路1号"),
    Column("phone", "联系电话", ("电话", "联系方式"), example="0573-85000000"),
    Column("supervising_unit", "业务主管单位", (), example=""),
    Column("business_scope", "业务范围", (), example="邻里互助、便民服务"),
    Column("registered_funds", "注册资金(万元)", ("注册资金", "开办资金(万元)", "开办资金"), example=""),
    Column("rating", "评估等级", (), example=""),
    Column("rated_on", "评估日期", (), example=""),
    Column("hub_kind", "枢纽型/支持型", ("枢纽型支持型", "枢纽/支持型"), example=""),
    Column("is_social_work_agency", "社会工作服务机构", (), example="否"),
    Column("is_volunteer_org", "志愿服务组织", (), example="是"),
    Column("is_charity", "慈善组织", (), example="否"),
    Column("party_organization", "党组织", ("党组织建设情况",), example="无"),
    Column("service_domains", "服务领域", (), example="社区治理、志愿服务"),
    Column("target_groups", "服务对象", (), example="老年人、社区居民"),
]
HEADERS = {c.key: c.header for c in COLUMNS}
# Model fields the services may name in an error, and the column the user should look at.
FIELD_COLUMN = {
    **{c.key: c.key for c in COLUMNS},
    "hub_area": "hub_kind",
    "city": "town",
    "rating_valid_until": "rated_on",
    "charity_recognized_on": "is_charity",
    "public_fundraising": "is_charity",
    "sort_key": "name",
    "search_document": "name",
    NON_FIELD_ERRORS: "",
}


def can_import(user) -> bool:
    """The bureau imports for its city, a town officer for their own town; nobody else."""
    if not getattr(user, "is_authenticated", False) or user.area_id is None:
        return False
    if user.role == Role.BUREAU:
        return user.area.level == AreaLevel.CITY
    return user.role == Role.TOWN and user.area.level == AreaLevel.TOWN


def _word_key(value: Any) -> str:
    return header_key(value)


def _choice(words: Mapping[str, str], *, suffix: str = "") -> Callable[[Any], str]:
    """A parser mapping the spreadsheet's words to choice values; blank and 无 are ''.

    `suffix` is an optional ending people often leave off (类 in 文体类)."""
    table = {_word_key(w): v for w, v in words.items()}
    if suffix:
        table.update({_word_key(w[: -len(suffix)]): v for w, v in words.items() if w.endswith(suffix)})

    def parse(value: Any) -> str:
        key = _word_key(value)
        if not key:
            return ""
        if key in table:
            return table[key]
        if key in _NOTHING:
            return ""
        raise CellError(_("“%(value)s” is not one of: %(choices)s.") % {"value": clean_text(value), "choices": "、".join(words)})

    return parse


def _rating(value: Any) -> str:
    """5A, ５Ａ, 5A级, AAAAA all mean 5A."""
    key = clean_code(value).removesuffix("级")
    if not key or key in _NOTHING:
        return ""
    if len(key) == 2 and key[0] in "12345" and key[1] == "A":
        return key
    if key and set(key) == {"A"} and len(key) <= 5:
        return f"{len(key)}A"
    raise CellError(_("“%(value)s” is not a rating: write 1A to 5A.") % {"value": clean_text(value)})


_PARSE_REGISTRATION = _choice(REGISTRATION_WORDS)
_PARSE_LEGAL_FORM = _choice(LEGAL_FORM_WORDS)
_PARSE_COMMUNITY_CATEGORY = _choice(COMMUNITY_CATEGORY_WORDS, suffix="类")
_PARSE_DIRECT_CATEGORY = _choice(DIRECT_CATEGORY_WORDS, suffix="类")
_PARSE_HUB_KIND = _choice(HUB_WORDS)
_PARSE_PARTY_ORGANIZATION = _choice(PARTY_WORDS)


@dataclass(frozen=True)
class RowError:
    row: int
    column: str  # the header as written in the file; '' for the row as a whole
    letter: str  # the column letter in the spreadsheet
    message: str
    name: str = ""  # the row's organization name, to help find it
    existing_id: int | None = None  # the registry record it duplicates

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "column": self.column,
            "letter": self.letter,
            "message": self.message,
            "name": self.name,
            "existing_id": self.existing_id,
        }


@dataclass
class CheckedRow:
    row: int
    name: str
    org: Organization | None = None
    m2m: dict[str, list] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.org is not None and not self.errors


class ImportScope:
    """What one user's import may refer to, loaded once: the towns and communities of their
    city (their own town only may be written to by a town officer) and the catalogues."""

    def __init__(self, user):
        if not can_import(user):
            raise PermissionError("this account cannot import organizations")
        self.user = user
        area = user.area
        self.city = area if area.level == AreaLevel.CITY else Area.objects.get(pk=area.city_id)
        self.is_town_officer = user.role == Role.TOWN
        towns = list(Area.objects.filter(level=AreaLevel.TOWN, city=self.city).order_by("code"))
        self.allowed_town_ids = {area.pk} if self.is_town_officer else {t.pk for t in towns}
        self.towns: dict[str, Area] = {}
        for town in towns:
            self.towns[town.code] = town
            self.towns[_word_key(town.name)] = town
        self.communities: dict[tuple[int, str], Area] = {}
        self.communities_anywhere: dict[str, Area] = {}
        for community in Area.objects.filter(level=AreaLevel.COMMUNITY, city=self.city).order_by("code"):
            for key in (community.code, _word_key(community.name)):
                self.communities[(community.parent_id, key)] = community
                self.communities_anywhere.setdefault(key, community)
        self.domains = _catalogue(ServiceDomain.objects.all())
        self.groups = _catalogue(TargetGroup.objects.all())
        self.today = timezone.localdate()

    def first_town(self) -> Area | None:
        return next((t for t in self.towns.values() if t.pk in self.allowed_town_ids), None)


def _catalogue(objects: Iterable) -> dict[str, Any]:
    table = {}
    for obj in objects:
        table[_word_key(obj.name)] = obj
        table[_word_key(obj.code)] = obj
    return table


class RowChecker:
    """Checks rows one by one; keeps only the keys needed to find duplicates inside the file."""

    def __init__(self, *, scope: ImportScope, header: HeaderMap, batch_size: int = BATCH_SIZE):
        self.scope = scope
        self.header = header
        self.batch_size = max(1, batch_size)
        self.first_with_code: dict[str, int] = {}
        self.first_with_name: dict[tuple[int, str], int] = {}
        self.first_with_filing_number: dict[str, int] = {}

    def check(self, rows: Iterable[tuple[int, tuple]]) -> Iterator[CheckedRow]:
        """The checked rows in file order; blank rows are skipped. Database duplicates are
        looked up a batch at a time."""
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

    # -- one row ------------------------------------------------------------------------

    def _error(self, result: CheckedRow, key: str, message: Any, *, existing_id: int | None = None) -> None:
        column = self.header.headers.get(key) or HEADERS.get(key, "") if key else ""
        letter = self.header.letter(key) if key else ""
        result.errors.append(RowError(result.row, column, letter, str(message), result.name, existing_id))

    def check_row(self, number: int, cells: Mapping[str, Any]) -> CheckedRow:
        scope = self.scope
        result = CheckedRow(row=number, name=clean_text(cells.get("name"))[:100])
        failed: set[str] = set()

        def read(key: str, parse: Callable[[Any], Any]) -> Any:
            try:
                return parse(cells.get(key))
            except CellError as exc:
                self._error(result, key, exc)
                failed.add(key)
                return None

        registration = read("registration", _PARSE_REGISTRATION)
        if registration == "" and "registration" not in failed:
            self._error(result, "registration", _("Write 登记 (registered) or 备案 (filed)."))
            failed.add("registration")
        data: dict[str, Any] = {
            "name": clean_text(cells.get("name")),
            "legal_form": read("legal_form", _PARSE_LEGAL_FORM) or "",
            "credit_code": clean_code(cells.get("credit_code")),
            "community_category": read("community_category", _PARSE_COMMUNITY_CATEGORY) or "",
            "direct_category": read("direct_category", _PARSE_DIRECT_CATEGORY) or "",
            "legal_representative": clean_text(cells.get("legal_representative")),
            "founded_on": read("founded_on", parse_date),
            "address": clean_text(cells.get("address")),
            "phone": clean_text(cells.get("phone")),
            "supervising_unit": clean_text(cells.get("supervising_unit")),
            "business_scope": clean_text(cells.get("business_scope")),
            "registered_funds": read("registered_funds", parse_decimal),
            "rating": read("rating", _rating) or "",
            "rated_on": read("rated_on", parse_date),
            "hub_kind": read("hub_kind", _PARSE_HUB_KIND) or "",
            "is_social_work_agency": bool(read("is_social_work_agency", parse_bool)),
            "is_volunteer_org": bool(read("is_volunteer_org", parse_bool)),
            "is_charity": bool(read("is_charity", parse_bool)),
            "party_organization": read("party_organization", _PARSE_PARTY_ORGANIZATION) or PartyOrganization.NONE,
        }
        community_org = read("is_community_org", parse_bool)
        # A filed organization is a community organization by definition (organization_file
        # sets it); an explicit 否 is kept so the service's rule can refuse it.
        data["is_community_org"] = community_org if community_org is not None else registration == RegistrationKind.FILED
        filing_number = clean_code(cells.get("filing_number"))
        if filing_number and registration == RegistrationKind.REGISTERED:
            self._error(result, "filing_number", _("A registered organization has a credit code, not a filing number."))
            failed.add("filing_number")

        town = self._town(result, cells.get("town"), failed)
        data["town"] = town
        data["community"] = self._community(result, town, cells.get("community"), failed) if town else None
        if data["hub_kind"]:
            # A hub serves the community it stands in, or else its town.
            data["hub_area"] = data["community"] or town
        data["service_domains"] = self._names(result, "service_domains", cells.get("service_domains"), scope.domains, failed)
        data["target_groups"] = self._names(result, "target_groups", cells.get("target_groups"), scope.groups, failed)
        if scope.is_town_officer and registration == RegistrationKind.REGISTERED:
            self._error(
                result,
                "registration",
                _("A town or street officer imports filed (备案) community organizations only; registered ones are entered by the bureau."),
            )
            failed.add("registration")

        if not registration:
            return result
        org = Organization(registration=registration)
        m2m = organization_prepare(org, data)
        if registration == RegistrationKind.FILED:
            org.filing_number = filing_number
            if not org.founded_on:  # as organization_file does
                org.founded_on = scope.today
        try:
            organization_check(org)
        except ValidationError as exc:
            self._service_errors(result, exc, failed)
        # As the services call it, except that the area foreign keys are not looked up again
        # (one query each per row): they are objects ImportScope has just read from the database.
        exclude = ["city", "town", "community", "hub_area"] + ([] if org.filing_number else ["filing_number"])
        try:
            org.full_clean(exclude=exclude, validate_constraints=False)
        except ValidationError as exc:
            self._service_errors(result, exc, failed)
        result.org = org
        result.m2m = {key: list(values) for key, values in m2m.items()}
        self._check_in_file(result, org)
        return result

    def _town(self, result: CheckedRow, value: Any, failed: set[str]) -> Area | None:
        key = clean_code(value) if clean_code(value).isdigit() else _word_key(value)
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
                    _("%(town)s is outside your area: you may import organizations of %(area)s only.")
                    % {"town": town.name, "area": self.scope.user.area.name},
                )
            else:
                return town
        failed.add("town")
        return None

    def _community(self, result: CheckedRow, town: Area, value: Any, failed: set[str]) -> Area | None:
        key = clean_code(value) if clean_code(value).isdigit() else _word_key(value)
        if not key:
            return None
        community = self.scope.communities.get((town.pk, key))
        if community is None:
            # In another town: organization_check says so in its own words.
            community = self.scope.communities_anywhere.get(key)
        if community is None:
            self._error(
                result, "community", _("“%(value)s” is not a community of %(town)s.") % {"value": clean_text(value), "town": town.name}
            )
            failed.add("community")
        return community

    def _names(self, result: CheckedRow, key: str, value: Any, table: Mapping[str, Any], failed: set[str]) -> list:
        found, unknown = [], []
        for name in split_list(value):
            obj = table.get(_word_key(name))
            if obj is None:
                unknown.append(name)
            elif obj not in found:
                found.append(obj)
        if unknown:
            known = sorted({obj.name for obj in table.values()}, key=lambda n: n)
            self._error(
                result,
                key,
                _("Not in the catalogue: %(names)s. Use these names: %(known)s.")
                % {"names": "、".join(unknown), "known": "、".join(known)},
            )
            failed.add(key)
        return found

    def _service_errors(self, result: CheckedRow, exc: ValidationError, failed: set[str]) -> None:
        for field_name, messages in exc.message_dict.items():
            key = FIELD_COLUMN.get(field_name, "")
            if key in failed:
                continue  # already reported from reading the cell
            for message in messages:
                self._error(result, key, message)

    def _check_in_file(self, result: CheckedRow, org: Organization) -> None:
        if org.credit_code:
            first = self.first_with_code.setdefault(org.credit_code, result.row)
            if first != result.row:
                self._error(result, "credit_code", _("Row %(row)d of this file has the same credit code.") % {"row": first})
        if org.name and org.town_id:
            first = self.first_with_name.setdefault((org.town_id, org.name), result.row)
            if first != result.row:
                self._error(result, "name", _("Row %(row)d of this file has the same name in the same town.") % {"row": first})
        if org.filing_number:
            first = self.first_with_filing_number.setdefault(org.filing_number, result.row)
            if first != result.row:
                self._error(result, "filing_number", _("Row %(row)d of this file has the same filing number.") % {"row": first})

    # -- against the registry -----------------------------------------------------------

    def _check_database(self, batch: list[CheckedRow]) -> None:
        """Find rows that may duplicate a registry record with one query per batch, then let
        organization_check_duplicate decide and word the error for each of those rows."""
        orgs = [r.org for r in batch if r.org is not None]
        codes = {o.credit_code for o in orgs if o.credit_code}
        names = {o.name for o in orgs if o.name and o.town_id}
        towns = {o.town_id for o in orgs if o.name and o.town_id}
        numbers = {o.filing_number for o in orgs if o.filing_number}
        # Three queries rather than one with OR, so each can use its index (the explicit
        # non-blank conditions let the partial unique indexes serve).
        hit_codes, hit_names, hit_numbers = set(), set(), {}
        if codes:
            hit_codes = set(
                Organization.objects.filter(credit_code__in=codes).exclude(credit_code="").values_list("credit_code", flat=True)
            )
        if names:
            hit_names = set(Organization.objects.filter(town_id__in=towns, name__in=names).values_list("town_id", "name"))
        if numbers:
            found = (
                Organization.objects.filter(filing_number__in=numbers).exclude(filing_number="").values_list("filing_number", "pk", "name")
            )
            hit_numbers = {number: (pk, name) for number, pk, name in found}
        for result in batch:
            org = result.org
            if org is None:
                continue
            if (org.credit_code and org.credit_code in hit_codes) or (org.town_id, org.name) in hit_names:
                try:
                    organization_check_duplicate(org)
                except DuplicateOrganizationError as exc:
                    key = "credit_code" if org.credit_code and exc.existing.credit_code == org.credit_code else "name"
                    self._error(result, key, exc.messages[0], existing_id=exc.existing.pk)
            if org.filing_number in hit_numbers:
                pk, name = hit_numbers[org.filing_number]
                self._error(
                    result,
                    "filing_number",
                    _("Filing number %(number)s is already used by %(name)s.") % {"number": org.filing_number, "name": name},
                    existing_id=pk,
                )


# --- running a whole file -------------------------------------------------------------


class ValidRows:
    """A fingerprint of which rows are valid: the write pass must find exactly these."""

    def __init__(self):
        self.count = 0
        self._hash = hashlib.sha256()

    def add(self, row: int) -> None:
        self.count += 1
        self._hash.update(b"%d\n" % row)

    @property
    def digest(self) -> str:
        return self._hash.hexdigest()


def open_rows(
    sheet: SheetFile, scope: ImportScope, *, batch_size: int = BATCH_SIZE, row_cache: Path | None = None
) -> tuple[HeaderMap, Iterator[CheckedRow]]:
    """The header and the checked rows of a file; with `row_cache`, a workbook's rows are
    also copied there so that the write pass need not parse the workbook again."""
    raw = iter_rows(sheet)
    if row_cache is not None and sheet.format == XLSX:
        raw = cache_rows(raw, row_cache)
    header, rows = locate_header(raw, COLUMNS)
    return header, RowChecker(scope=scope, header=header, batch_size=batch_size).check(rows)


@dataclass
class Validation:
    header_row: int = 0
    ignored_columns: list[str] = field(default_factory=list)
    rows: int = 0
    valid: int = 0
    invalid_rows: int = 0
    error_count: int = 0
    errors: list[dict] = field(default_factory=list)
    digest: str = ""
    file_error: str = ""


def check_rows(
    opener: Callable[[], tuple[HeaderMap, Iterable[Any]]],
    *,
    report: Validation | None = None,
    on_valid: Callable[[Any], None] | None = None,
    on_error: Callable[[RowError], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> Validation:
    """The check every import runs: read the rows `opener` gives (its header and checked
    rows, each with .ok, .row and .errors), count them, keep the first errors for the
    report and a digest of the valid rows, which the write compares to prove it writes
    what the user confirmed. Nothing is written."""
    report = report if report is not None else Validation()
    valid = ValidRows()
    try:
        header, rows = opener()
        report.header_row = header.row
        report.ignored_columns = header.ignored
        for checked in rows:
            report.rows += 1
            if checked.ok:
                valid.add(checked.row)
                if on_valid is not None:
                    on_valid(checked)
            else:
                report.invalid_rows += 1
                for error in checked.errors:
                    report.error_count += 1
                    if len(report.errors) < MAX_STORED_ERRORS:
                        report.errors.append(error.as_dict())
                    if on_error is not None:
                        on_error(error)
            if on_progress is not None:
                on_progress(checked.row)
    except TabularError as exc:
        report.file_error = str(exc)
        return report
    if report.rows == 0:
        report.file_error = _("The file has a header but no rows of data.")
    report.valid = valid.count
    report.digest = valid.digest
    return report


def validate_sheet(
    sheet: SheetFile,
    *,
    by,
    batch_size: int = BATCH_SIZE,
    on_error: Callable[[RowError], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
    row_cache: Path | None = None,
) -> Validation:
    """Check every row of the file; nothing is written to the registry."""
    scope = ImportScope(by)
    return check_rows(
        lambda: open_rows(sheet, scope, batch_size=batch_size, row_cache=row_cache), on_error=on_error, on_progress=on_progress
    )


class ImportAborted(Exception):
    """The write was stopped and rolled back; the message says why, for the user."""


def write_rows(
    rows: Iterable[Any],
    *,
    expected_rows: int,
    expected_digest: str,
    batch_size: int,
    flush: Callable[[list[Any]], None],
    changed_message: Callable[[RowError | None], str],
) -> None:
    """The write every import runs, inside its transaction: hand the valid rows to `flush`
    in batches, and refuse (ImportAborted, so everything rolls back) unless they are
    exactly the rows the user confirmed — same number, same digest as the check."""
    valid = ValidRows()
    first_problem: RowError | None = None
    pending: list[Any] = []
    for checked in rows:
        if not checked.ok:
            if first_problem is None and checked.errors:
                first_problem = checked.errors[0]
            continue
        valid.add(checked.row)
        if valid.count > expected_rows:
            break
        pending.append(checked)
        if len(pending) >= batch_size:
            flush(pending)
            pending = []
    if valid.count != expected_rows or valid.digest != expected_digest:
        raise ImportAborted(changed_message(first_problem))
    if pending:
        flush(pending)


@contextlib.contextmanager
def write_transaction(what: str, source: str, *, error_text: Callable[[Exception], str] = str):
    """One transaction for a whole import; any failure rolls it back and becomes an
    ImportAborted whose message tells the user that nothing was written, and why."""
    try:
        with transaction.atomic():
            yield
    except ImportAborted:
        raise
    except TabularError as exc:
        raise ImportAborted(_("Nothing was imported: %(reason)s") % {"reason": exc}) from exc
    except ValidationError as exc:
        raise ImportAborted(_("Nothing was imported: %(reason)s") % {"reason": "; ".join(exc.messages)}) from exc
    except Exception as exc:  # the database refused something: roll back, say what
        log.exception("%s import %s failed while writing", what, source)
        raise ImportAborted(_("Nothing was imported: the database refused the data (%(error)s).") % {"error": error_text(exc)}) from exc


def write_confirmed(
    rows: Callable[[], Iterable[Any]],
    *,
    what: str,
    source: str,
    by,
    filename: str,
    action: str,
    changes: Callable[[], dict],
    expected_rows: int,
    expected_digest: str,
    batch_size: int,
    flush: Callable[[list[Any]], None],
    changed_message: Callable[[RowError | None], str],
    error_text: Callable[[Exception], str] = str,
) -> None:
    """The write of a confirmed import, the same for every kind: one transaction in which
    the file is read again (`rows`, opened inside it so a file problem rolls back too), the
    confirmed rows are written through `flush` (write_rows), and one audit entry records
    the file under its job with what `changes` reports once everything is written."""
    with write_transaction(what, source, error_text=error_text):
        write_rows(
            rows(),
            expected_rows=expected_rows,
            expected_digest=expected_digest,
            batch_size=batch_size,
            flush=flush,
            changed_message=changed_message,
        )
        audit_record(
            action=action,
            by=by,
            target_type="jobs.job",
            target_id=source.removeprefix("job:"),
            target_label=filename[:300],
            changes=changes(),
            source=source,
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
    """Validate the file again and write its valid rows, all in one transaction.

    Raises ImportAborted (and writes nothing) when the valid rows are no longer the ones
    the user confirmed, or when the database refuses anything.
    """
    scope = ImportScope(by)
    counts = {"imported": 0, "registered": 0, "filed": 0}

    def flush(pending: list[CheckedRow]) -> None:
        organization_bulk_register(
            items=[(r.org, r.m2m) for r in pending],
            by=by,
            source=source,
            reasons=[_("Imported from %(file)s, row %(row)d.") % {"file": filename, "row": r.row} for r in pending],
            ip=ip,
            user_agent=user_agent,
        )
        for r in pending:
            counts["registered" if r.org.registration == RegistrationKind.REGISTERED else "filed"] += 1
        counts["imported"] += len(pending)
        if on_progress is not None:
            on_progress(counts["imported"])

    write_confirmed(
        lambda: open_rows(sheet, scope, batch_size=batch_size)[1],
        what="organization",
        source=source,
        by=by,
        filename=filename,
        action=AuditAction.ORG_IMPORTED,
        changes=lambda: {"file": [None, filename], "imported": [None, counts["imported"]]},
        expected_rows=expected_rows,
        expected_digest=expected_digest,
        batch_size=batch_size,
        flush=flush,
        changed_message=_changed_message,
    )
    return counts


def _changed_message(problem: RowError | None) -> str:
    message = _(
        "Nothing was imported: the registry or the file changed since the check, so the rows to import are not the ones you confirmed."
    )
    if problem is not None:
        message += " " + _("For example row %(row)d: %(reason)s") % {"row": problem.row, "reason": problem.message}
    return message + " " + _("Upload the file again to check it anew.")


# --- jobs -----------------------------------------------------------------------------


def import_begin(*, upload: StoredUpload, filename: str, by, language: str = "", enqueue: bool = True) -> Job:
    """Create the validation job for a stored upload and queue it."""
    if not can_import(by):
        raise PermissionError("this account cannot import organizations")
    job = job_create(
        kind=KIND_VALIDATE,
        title=_("Check of %(file)s") % {"file": filename},
        by=by,
        params={"filename": filename, "sha256": upload.sha256, "size": upload.size, "language": language or translation.get_language()},
        input_file=upload.name,
    )
    if enqueue:
        organization_import_validate.enqueue(job.pk)
    return job


def sheet_for_job(job: Job) -> SheetFile:
    """The uploaded file of an import job, as it was stored at the upload."""
    path = stored_path(job.input_file)
    if not path.exists():
        raise TabularError(_("The uploaded file is no longer on the server: upload it again."))
    return inspect_file(path, filename=job.params.get("filename") or path.name)


def run_validation(job: Job, *, batch_size: int = BATCH_SIZE) -> Validation:
    """The validation job's work: check every row, write the error report, finish the job."""
    with job_running(job) as progress, translation.override(job.params.get("language") or None):
        report_name = f"import-{job.pk}-{Path(job.input_file).stem}-errors.xlsx"
        cache_name = f"import-{job.pk}-{Path(job.input_file).stem}-rows.jsonl"
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
            "next_url": reverse("registry:import_detail", args=[job.pk]),
        }
        job_finish(job, result=result, output_file=output)
    return report


class _ErrorReport:
    """Every error of a check, streamed into an .xlsx sheet (write-only mode keeps it on disk)."""

    def __init__(self):
        self.workbook = None

    def add(self, error: RowError) -> None:
        if self.workbook is None:
            from openpyxl import Workbook

            self.workbook = Workbook(write_only=True)
            self.sheet = self.workbook.create_sheet(_("Errors"))
            self.sheet.append([_("Row"), _("Column"), _("Column name"), _("Organization"), _("Reason")])
        self.sheet.append([error.row, error.letter, error.column, error.name, error.message])

    def save(self, path: Path) -> bool:
        if self.workbook is None:
            return False
        self.workbook.save(path)
        return True


class ImportRefused(Exception):
    """The confirmation cannot be accepted; the message says why."""


def import_confirm(*, job: Job, by, ip: str | None = None, user_agent: str = "", enqueue: bool = True) -> Job:
    """The user confirms importing the valid rows of a checked file: start the write job.

    Guarded: only the person who uploaded, only a finished check with valid rows, and only
    once (unless the earlier write failed, which wrote nothing).
    """
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
        organization_import_write.enqueue(write.pk)
    return write


def run_write(job: Job, *, batch_size: int = BATCH_SIZE) -> dict[str, int]:
    """The write job's work. On failure the job is marked failed with the reason and the
    exception is raised again; nothing has been written then."""
    check = Job.objects.get(pk=job.params["validation_job"])
    language = job.params.get("language") or None
    with job_running(job) as progress, translation.override(language):
        expected = check.result.get("valid", 0)
        progress.stage(_("Writing rows"), total=expected)
        # The copy of the workbook's rows made by the check, if complete; else the file itself.
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
        job_finish(job, result={**counts, "validation_job": check.pk, "next_url": reverse("registry:import_detail", args=[job.pk])})
    # The data is in the registry now; the uploaded file and the copy of its rows (with
    # phone numbers) are not needed any more.
    try:
        stored_path(job.input_file).unlink(missing_ok=True)
        if cache is not None:
            cache.unlink(missing_ok=True)
    except (TabularError, OSError):
        log.warning("could not remove the upload of job %s", job.pk)
    return counts


class OutsideProgress:
    """Progress written while the import's transaction is open.

    On PostgreSQL it goes through a second connection, so the progress page sees it before
    the commit. SQLite allows one writer at a time, so there the page shows the stage only
    until the transaction ends.
    """

    def __init__(self, job: Job):
        self.job_id = job.pk
        self.conn = None

    def __enter__(self) -> OutsideProgress:
        if connection.vendor == "postgresql":
            self.conn = connections.create_connection(DEFAULT_DB_ALIAS)
        return self

    def update(self, done: int) -> None:
        if self.conn is None:
            return
        try:
            with self.conn.cursor() as cursor:
                cursor.execute(f"UPDATE {Job._meta.db_table} SET done = %s WHERE id = %s", [done, self.job_id])
        except Exception:  # progress is a courtesy; never let it stop the import
            log.warning("could not write import progress", exc_info=True)

    def __exit__(self, *exc) -> None:
        if self.conn is not None:
            self.conn.close()


@task()
def organization_import_validate(job_id: int) -> None:
    run_validation(Job.objects.select_related("created_by__area").get(pk=job_id))


@task()
def organization_import_write(job_id: int) -> None:
    # On ImportAborted the job row says why; nothing was written.
    with contextlib.suppress(ImportAborted):
        run_write(Job.objects.select_related("created_by__area").get(pk=job_id))


# --- the template -----------------------------------------------------------------------


def template_rows(scope: ImportScope | None) -> list[list[Any]]:
    """One example row, with a real town and community of the user's area where possible."""
    import datetime as dt

    example = {c.key: c.example for c in COLUMNS}
    town = scope.first_town() if scope else None
    if town is not None:
        example["town"] = town.name
        community = next((c for (town_id, _key), c in scope.communities.items() if town_id == town.pk), None)
        example["community"] = community.name if community else ""
    example["founded_on"] = dt.date(2020, 1, 5)
    return [[example[c.key] for c in COLUMNS]]


def template_notes(workbook) -> None:
    """A second sheet explaining each column and the accepted values."""
    notes = workbook.create_sheet("填写说明")
    notes.append(["列名", "说明"])
    rows = [
        ("名称", "必填。组织全称。"),
        ("登记/备案", "必填。填“登记”（依法登记的法人）或“备案”（镇街道备案的社区社会组织）。"),
        ("法人形式", "登记的组织必填：" + "、".join(LEGAL_FORM_WORDS) + "。备案的组织留空。"),
        ("统一社会信用代码", "登记的组织必填，18位，按GB 32100-2015校验。备案的组织留空。"),
        ("备案编号", "备案的组织可留空，系统按镇街道和年份自动编号。"),
        ("是否社区社会组织", "是/否。备案的组织均为社区社会组织。"),
        ("社区社会组织类别", "社区社会组织必填：" + "、".join(COMMUNITY_CATEGORY_WORDS) + "。"),
        ("直接登记类别", "可填：" + "、".join(DIRECT_CATEGORY_WORDS) + "。"),
        ("镇街道", "必填。镇街道名称或区划代码。"),
        ("社区", "社区名称或区划代码，须在所填镇街道内。"),
        ("成立/备案日期", "如 2020-01-05、2020/1/5、2020年1月5日、20200105。"),
        ("注册资金(万元)", "数字。"),
        ("评估等级", "1A至5A；填写时须同时填评估日期。"),
        ("枢纽型/支持型", "枢纽型或支持型，服务于所填社区（未填社区时为镇街道）。"),
        ("社会工作服务机构、志愿服务组织、慈善组织", "是/否。"),
        ("党组织", "、".join(PARTY_WORDS) + "。"),
        ("服务领域、服务对象", "多个名称用“、”或逗号分隔，须为系统目录中的名称。"),
        ("示例行", "第2行是示例，导入前请删除或改为真实数据。"),
    ]
    for row in rows:
        notes.append(list(row))
