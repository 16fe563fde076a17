"""Online affairs (网上办理, 最多跑一次): procedure types as data, filings through one workflow."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ProcedureKind(models.TextChoices):
    """What a procedure does to the registry when approved (the code behind the data)."""

    ESTABLISHMENT = "establishment", _("Establishment registration")  # 成立登记
    CHANGE = "change", _("Change registration")  # 变更登记
    DEREGISTRATION = "deregistration", _("Deregistration")  # 注销登记
    REELECTION = "reelection", _("Leadership re-election")  # 换届
    ANNUAL_REPORT = "annual_report", _("Annual inspection / annual work report")  # 年检年报
    RATING = "rating", _("Rating assessment")  # 等级评估
    TOWN_FILING = "town_filing", _("Filing of a community organization")  # 社区社会组织备案
    TOWN_DEFILING = "town_defiling", _("Cancellation of a filing")  # 撤销备案
    CHARITY_RECOGNITION = "charity_recognition", _("Charity recognition")  # 慈善组织认定
    PUBLIC_FUNDRAISING = "public_fundraising", _("Public fundraising qualification")  # 公开募捐资格


class HandlingRole(models.TextChoices):
    """Who accepts and decides: the city's bureau, or the town of the filing."""

    BUREAU = "bureau", _("Civil affairs bureau")
    TOWN = "town", _("Town / street officer")


class ApplicantKind(models.TextChoices):
    ORGANIZATION = "organization", _("An organization's account, for itself")
    PROSPECTIVE = "prospective", _("A person's account, for an organization being set up")


class ProcedureType(models.Model):
    """One procedure the public can file online, with everything the bureau may change
    without a deploy: its form, its materials checklist, its time limits, who handles it
    and the titles of the documents it issues.

    `form_fields` and `decision_fields` are lists of field specs:
    {"name": "legal_representative", "label": "新任法定代表人", "type": "text", "required": false,
     "choices": [["合格", "合格"], ...], "help": "...", "registry_field": "legal_representative"}
    with type one of text, textarea, date, integer, decimal, choice, town. A form field with
    `registry_field` is written to the registry on approval (change, establishment, filing).
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=ProcedureKind.choices)
    name = models.CharField(_("name"), max_length=60)
    description = models.TextField(_("description"), blank=True)
    applicant = models.CharField(_("who applies"), max_length=20, choices=ApplicantKind.choices, default=ApplicantKind.ORGANIZATION)
    handled_by = models.CharField(_("who accepts and decides"), max_length=10, choices=HandlingRole.choices, default=HandlingRole.BUREAU)
    # Only for organizations of this registration kind (registered / filed); blank for any.
    for_registration = models.CharField(_("for organizations"), max_length=12, blank=True)
    statutory_days = models.PositiveSmallIntegerField(_("statutory time limit (working days)"))  # 法定时限
    promised_days = models.PositiveSmallIntegerField(_("promised time limit (working days)"))  # 承诺时限
    limits_verified = models.BooleanField(
        _("time limits verified"), default=False, help_text=_("Untick while the limits are defaults still to be checked against the rules.")
    )
    correction_days = models.PositiveSmallIntegerField(
        _("working days to supply missing materials"),
        default=15,
        help_text=_("After this the applicant can no longer resubmit, and the daily run closes the filing as withdrawn."),
    )
    remind_days = models.PositiveSmallIntegerField(_("remind the handlers this many working days before the promised date"), default=2)
    form_fields = models.JSONField(_("form fields"), default=list, blank=True)
    decision_fields = models.JSONField(_("decision fields"), default=list, blank=True)
    approval_title = models.CharField(_("title of the approval document"), max_length=40)
    refusal_title = models.CharField(_("title of the refusal document"), max_length=40)
    active = models.BooleanField(_("open for new filings"), default=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("procedure type")
        verbose_name_plural = _("procedure types")
        ordering = ["position", "code"]
        constraints = [models.CheckConstraint(condition=Q(promised_days__lte=models.F("statutory_days")), name="promised_within_statutory")]

    def __str__(self) -> str:
        return self.name


class MaterialRequirement(models.Model):
    """One item of a procedure's materials checklist."""

    procedure = models.ForeignKey(ProcedureType, on_delete=models.CASCADE, related_name="materials", verbose_name=_("procedure"))
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    description = models.CharField(_("description"), max_length=300, blank=True)
    required = models.BooleanField(_("required"), default=True)
    required_when = models.CharField(
        _("required only when this form field is filled"), max_length=40, blank=True, help_text=_("A form field name, or blank.")
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("required material")
        verbose_name_plural = _("materials checklist")
        ordering = ["procedure", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["procedure", "code"], name="material_code_unique")]

    def __str__(self) -> str:
        return self.name

    def is_required_for(self, data: dict) -> bool:
        if not self.required:
            return False
        if self.required_when:
            value = data.get(self.required_when)
            return value not in (None, "", [])
        return True


class FilingStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    CORRECTION = "correction", _("Materials to supply")  # 补正
    ACCEPTED = "accepted", _("Accepted")  # 受理
    NOT_ACCEPTED = "not_accepted", _("Not accepted")  # 不予受理
    UNDER_REVIEW = "under_review", _("Under review")  # 审查中
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")
    DONE = "done", _("Done")  # 办结
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_STATUSES = (
    FilingStatus.DRAFT,
    FilingStatus.SUBMITTED,
    FilingStatus.CORRECTION,
    FilingStatus.ACCEPTED,
    FilingStatus.UNDER_REVIEW,
    FilingStatus.APPROVED,
    FilingStatus.REFUSED,
)
# The time limit runs in these states (it starts at acceptance and stops for a correction).
CLOCK_RUNNING = (FilingStatus.ACCEPTED, FilingStatus.UNDER_REVIEW)


class Decision(models.TextChoices):
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")
    NOT_ACCEPTED = "not_accepted", _("Not accepted")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Filing(models.Model):
    """One application (办件) through the online-affairs workflow."""

    number = models.CharField(_("case number"), max_length=20, unique=True, null=True, blank=True)
    procedure = models.ForeignKey(ProcedureType, on_delete=models.PROTECT, related_name="filings", verbose_name=_("procedure"))
    organization = models.ForeignKey(
        "registry.Organization", on_delete=models.PROTECT, null=True, blank=True, related_name="filings", verbose_name=_("organization")
    )
    # The name the filing is about: the organization's, or the one an establishment or filing applies for.
    subject_name = models.CharField(_("organization name"), max_length=100)
    city = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("city"))
    town = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("town / street"))
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="filings", verbose_name=_("applicant"))
    status = models.CharField(_("status"), max_length=20, choices=FilingStatus.choices, default=FilingStatus.DRAFT)
    data = models.JSONField(_("application"), default=dict, blank=True)

    submitted_at = models.DateTimeField(_("first submitted"), null=True, blank=True)
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    due_on = models.DateField(_("due (promised)"), null=True, blank=True)
    statutory_due_on = models.DateField(_("due (statutory)"), null=True, blank=True)
    paused_workdays = models.PositiveIntegerField(_("working days paused"), default=0)
    correction_items = models.JSONField(_("materials asked for"), default=list, blank=True)
    correction_requested_at = models.DateTimeField(_("correction requested"), null=True, blank=True)
    correction_due_on = models.DateField(_("supply materials by"), null=True, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("reviewer")
    )

    decision = models.CharField(_("decision"), max_length=20, choices=Decision.choices, blank=True)
    decision_data = models.JSONField(_("decision details"), default=dict, blank=True)
    decision_reason = models.TextField(_("reason"), blank=True)
    legal_ground = models.CharField(_("legal ground"), max_length=300, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    workdays_taken = models.PositiveIntegerField(_("working days taken"), null=True, blank=True)
    on_time = models.BooleanField(_("on time"), null=True, blank=True)
    # 最多跑一次: false once the applicant had to come in person (original papers, on-site check).
    fully_online = models.BooleanField(_("handled fully online"), default=True)

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("filing")
        verbose_name_plural = _("filings")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["city", "status", "due_on"], name="filing_city_status_idx"),
            models.Index(fields=["town", "status", "due_on"], name="filing_town_status_idx"),
            models.Index(fields=["organization", "-created_at"], name="filing_org_idx"),
            models.Index(fields=["applicant", "-created_at"], name="filing_applicant_idx"),
            models.Index(fields=["procedure", "submitted_at"], name="filing_received_idx"),
            models.Index(fields=["procedure", "done_on"], name="filing_done_idx"),
            # The targets dashboard's service panel: decisions of a city or a town in a period.
            models.Index(fields=["city", "done_on"], name="filing_city_done_idx"),
            models.Index(fields=["town", "done_on"], name="filing_town_done_idx"),
        ]
        constraints = [
            # One open filing of a procedure per organization (a second one would race the first).
            models.UniqueConstraint(
                fields=["organization", "procedure"],
                condition=Q(organization__isnull=False, status__in=[s.value for s in OPEN_STATUSES]),
                name="one_open_filing_per_procedure",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number or _('draft')} {self.procedure} {self.subject_name}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class ClockStop(models.Model):
    """A period in which the time limit did not run (the applicant was supplying materials)."""

    filing = models.ForeignKey(Filing, on_delete=models.CASCADE, related_name="clock_stops")
    started_on = models.DateField(_("stopped on"))
    ended_on = models.DateField(_("resumed on"), null=True, blank=True)
    workdays = models.PositiveIntegerField(_("working days"), default=0)

    class Meta:
        verbose_name = _("clock stop")
        verbose_name_plural = _("clock stops")
        ordering = ["started_on", "id"]


class Material(models.Model):
    """An uploaded file of a filing, stored under MEDIA_ROOT/affairs (never served directly)."""

    filing = models.ForeignKey(Filing, on_delete=models.CASCADE, related_name="materials", verbose_name=_("filing"))
    requirement = models.ForeignKey(
        MaterialRequirement, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("checklist item")
    )
    original_name = models.CharField(_("file name"), max_length=200)
    stored_name = models.CharField(max_length=200, unique=True)
    content_type = models.CharField(_("type"), max_length=40)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class FilingSequence(models.Model):
    """The last filing number issued in a year (row locked while a number is taken)."""

    year = models.PositiveSmallIntegerField(unique=True)
    last = models.PositiveIntegerField(default=0)


class DueReminder(models.Model):
    """A reminder already sent to a filing's handlers, so the daily run sends each only once."""

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", _("Due soon")
        OVERDUE = "overdue", _("Overdue")

    filing = models.ForeignKey(Filing, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    due_on = models.DateField()  # the date the reminder was about: a new date (after a pause) earns a new reminder
    sent_on = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["filing", "kind", "due_on"], name="due_reminder_once")]
