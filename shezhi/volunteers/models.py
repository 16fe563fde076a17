"""Volunteers (志愿者), volunteer teams, memberships and service stations (志愿服务站点).

Personal data: the ID number and phones are encrypted at rest (shezhi.privacy); lookups go
through keyed hashes. A person registers once: (id_type, id_hash) is unique among the
records that are not merged into another.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shezhi.privacy import EncryptedCharField


class IdType(models.TextChoices):
    ID_CARD = "id_card", _("Resident identity card")  # 居民身份证
    HK_MACAO = "hk_macao", _("Mainland travel permit for Hong Kong and Macao residents")  # 港澳居民来往内地通行证
    TAIWAN = "taiwan", _("Mainland travel permit for Taiwan residents")  # 台湾居民来往大陆通行证
    HMT_RESIDENCE = "hmt_residence", _("Residence permit for Hong Kong, Macao and Taiwan residents")  # 港澳台居民居住证
    PASSPORT = "passport", _("Passport")  # 护照
    FOREIGN_PR = "foreign_pr", _("Foreign permanent resident ID card")  # 外国人永久居留身份证


class Gender(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class Availability(models.TextChoices):
    ANYTIME = "anytime", _("Any time")
    WEEKDAYS = "weekdays", _("Weekdays")
    WEEKENDS = "weekends", _("Weekends and holidays")
    EVENINGS = "evenings", _("Evenings")
    BY_ARRANGEMENT = "by_arrangement", _("By arrangement")


class VolunteerStatus(models.TextChoices):
    ACTIVE = "active", _("Active registration")
    CANCELLED = "cancelled", _("Registration cancelled")  # 注销
    MERGED = "merged", _("Merged into another record")


class AgeRules(models.Model):
    """Age rules for registration, as data (the row in force is the latest valid_from ≤ today).

    Defaults follow the 志愿服务条例 (2017: a minor takes part with the guardian's consent) and
    the 中国注册志愿者管理办法 (2013: from 14 to 18 with the legal representative's consent):
    under `adult_age` the guardian's name, phone and consent date are required; under
    `self_registration_age` a child cannot register alone on the public pages: staff register
    them with the guardian present.
    """

    valid_from = models.DateField(_("valid from"), unique=True)
    adult_age = models.PositiveSmallIntegerField(
        _("age of majority"), default=18, help_text=_("Below this age a guardian's consent is recorded.")
    )
    self_registration_age = models.PositiveSmallIntegerField(
        _("minimum age to register alone"),
        default=14,
        help_text=_("Below this age only staff can register the child, with the guardian present."),
    )
    note = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("volunteer age rules")
        verbose_name_plural = _("volunteer age rules")
        ordering = ["-valid_from"]
        constraints = [
            models.CheckConstraint(condition=Q(self_registration_age__lte=models.F("adult_age")), name="age_rules_order"),
        ]

    def __str__(self) -> str:
        return f"{self.valid_from}: {self.self_registration_age}/{self.adult_age}"


class VolunteerTargets(models.Model):
    """The plan's targets for the volunteer numbers, as shares of the resident population
    (the row in force is the latest valid_from ≤ the date counted). Pinghu's plan: registered
    volunteers ≥ 20% of residents (T10), volunteer organizations ≥ 0.3% (T9)."""

    valid_from = models.DateField(_("valid from"), unique=True)
    volunteers_percent = models.DecimalField(_("registered volunteers, % of residents"), max_digits=5, decimal_places=2, default=20)
    organizations_percent = models.DecimalField(
        _("volunteer organizations and teams, % of residents"), max_digits=5, decimal_places=3, default=Decimal("0.3")
    )
    note = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("volunteer targets")
        verbose_name_plural = _("volunteer targets")
        ordering = ["-valid_from"]

    def __str__(self) -> str:
        return f"{self.valid_from}: {self.volunteers_percent}% / {self.organizations_percent}%"


class Skill(models.Model):
    """A skill a volunteer offers (catalogue data the bureau maintains)."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=40, unique=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.name


class VolunteerSequence(models.Model):
    """The last volunteer number issued in a city; the row is locked while a number is issued."""

    city = models.OneToOneField("areas.Area", on_delete=models.PROTECT, related_name="+")
    last = models.PositiveIntegerField(default=0)


class Volunteer(models.Model):
    """A registered volunteer (注册志愿者): one real person, real-name registered once."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="volunteer", verbose_name=_("account")
    )
    volunteer_number = models.CharField(_("volunteer number"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=60)
    id_type = models.CharField(_("ID type"), max_length=16, choices=IdType.choices, default=IdType.ID_CARD)
    id_number = EncryptedCharField(_("ID number"))
    id_hash = models.CharField(max_length=64, editable=False)
    birth_date = models.DateField(_("date of birth"))
    gender = models.CharField(_("gender"), max_length=6, choices=Gender.choices)
    phone = EncryptedCharField(_("phone"), blank=True)
    phone_hash = models.CharField(max_length=64, blank=True, editable=False, db_index=True)

    city = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("city"))
    town = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("town / street"))
    community = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("community")
    )

    skills = models.ManyToManyField(Skill, blank=True, related_name="volunteers", verbose_name=_("skills"))
    skills_note = models.CharField(_("other skills"), max_length=200, blank=True)
    preferences = models.ManyToManyField(
        "registry.ServiceDomain", blank=True, related_name="volunteers", verbose_name=_("service preferences")
    )
    availability = models.CharField(_("availability"), max_length=16, choices=Availability.choices, default=Availability.ANYTIME)

    guardian_name = models.CharField(_("guardian's name"), max_length=60, blank=True)
    guardian_phone = EncryptedCharField(_("guardian's phone"), blank=True)
    guardian_consent_on = models.DateField(_("guardian's consent given on"), null=True, blank=True)

    registered_on = models.DateField(_("registered on"))
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("registered by")
    )
    status = models.CharField(_("status"), max_length=10, choices=VolunteerStatus.choices, default=VolunteerStatus.ACTIVE)
    cancelled_on = models.DateField(_("cancelled on"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged_records", verbose_name=_("merged into")
    )
    merged_on = models.DateField(_("merged on"), null=True, blank=True)

    is_demo = models.BooleanField(_("demo data"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        ordering = ["-registered_on", "-id"]
        indexes = [
            # The counts "as of D" filter by area and registered_on, then by the end dates.
            models.Index(fields=["city", "registered_on"], name="vol_city_reg_idx"),
            models.Index(fields=["town", "registered_on"], name="vol_town_reg_idx"),
            models.Index(fields=["community", "registered_on"], name="vol_comm_reg_idx"),
            models.Index(fields=["registered_on", "id"], name="vol_reg_idx"),
            models.Index(fields=["status", "registered_on"], name="vol_status_idx"),
            models.Index(fields=["name"], name="vol_name_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["id_type", "id_hash"], condition=~Q(status="merged"), name="volunteer_one_person_once"),
            models.CheckConstraint(
                condition=~Q(status="merged") | Q(merged_into__isnull=False, merged_on__isnull=False), name="volunteer_merged_has_target"
            ),
            models.CheckConstraint(condition=~Q(status="cancelled") | Q(cancelled_on__isnull=False), name="volunteer_cancelled_has_date"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.volunteer_number})"

    @property
    def masked_id_number(self) -> str:
        from shezhi.volunteers.selectors import mask_id_number

        return mask_id_number(self.id_number, self.id_type)

    @property
    def masked_phone(self) -> str:
        from shezhi.privacy import mask_phone

        return mask_phone(self.phone)

    def age_on(self, on: dt.date) -> int:
        b = self.birth_date
        return on.year - b.year - ((on.month, on.day) < (b.month, b.day))

    @property
    def age(self) -> int:
        from django.utils import timezone

        return self.age_on(timezone.localdate())

    @property
    def is_active(self) -> bool:
        return self.status == VolunteerStatus.ACTIVE


class VolunteerTeam(models.Model):
    """A volunteer team (志愿服务队) filed under a volunteer service organization."""

    organization = models.ForeignKey(
        "registry.Organization", on_delete=models.PROTECT, related_name="volunteer_teams", verbose_name=_("organization")
    )
    name = models.CharField(_("name"), max_length=100)
    city = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("city"))
    town = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("town / street"))
    community = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("community")
    )
    founded_on = models.DateField(_("founded on"))
    dissolved_on = models.DateField(_("dissolved on"), null=True, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("volunteer team")
        verbose_name_plural = _("volunteer teams")
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["city", "founded_on"], name="team_city_idx"),
            models.Index(fields=["town", "founded_on"], name="team_town_idx"),
            models.Index(fields=["community", "founded_on"], name="team_comm_idx"),
            models.Index(fields=["organization", "name"], name="team_org_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="team_name_unique_in_org"),
            models.CheckConstraint(
                condition=Q(dissolved_on__isnull=True) | Q(dissolved_on__gte=models.F("founded_on")), name="team_dates_order"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A volunteer's membership of a volunteer organization, or of one of its teams."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("volunteer"))
    organization = models.ForeignKey(
        "registry.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="volunteer_memberships",
        verbose_name=_("organization"),
    )
    team = models.ForeignKey(
        VolunteerTeam, on_delete=models.PROTECT, null=True, blank=True, related_name="memberships", verbose_name=_("team")
    )
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["-joined_on", "-id"]
        indexes = [
            models.Index(fields=["organization", "left_on"], name="member_org_idx"),
            models.Index(fields=["team", "left_on"], name="member_team_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(organization__isnull=False) | Q(team__isnull=False), name="membership_has_group"),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("joined_on")), name="membership_dates_order"
            ),
            models.UniqueConstraint(
                fields=["volunteer", "organization"],
                condition=Q(team__isnull=True, left_on__isnull=True),
                name="membership_one_open_per_org",
            ),
            models.UniqueConstraint(
                fields=["volunteer", "team"], condition=Q(team__isnull=False, left_on__isnull=True), name="membership_one_open_per_team"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer_id} @ {self.team or self.organization}"

    @property
    def group(self):
        return self.team or self.organization


class Station(models.Model):
    """A volunteer service station (志愿服务站点), normally one or more per community."""

    name = models.CharField(_("name"), max_length=100)
    city = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("city"))
    town = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("town / street"))
    community = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("community")
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    operator = models.ForeignKey(
        "registry.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="volunteer_stations",
        verbose_name=_("operated by"),
    )
    opened_on = models.DateField(_("opened on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("volunteer service station")
        verbose_name_plural = _("volunteer service stations")
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["city", "opened_on"], name="station_city_idx"),
            models.Index(fields=["town", "opened_on"], name="station_town_idx"),
            models.Index(fields=["community", "opened_on"], name="station_comm_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=models.F("opened_on")), name="station_dates_order"
            ),
        ]

    def __str__(self) -> str:
        return self.name
