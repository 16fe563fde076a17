"""Identity document numbers: normalization and validation.

The mainland resident ID number (公民身份号码) follows GB 11643-1999: 6-digit address code,
8-digit birth date (YYYYMMDD), 3-digit sequence (odd for men, even for women) and a check
character computed with ISO 7064 MOD 11-2 (X stands for 10). The same structure is used by
the residence permit for Hong Kong, Macao and Taiwan residents (address code 810000 / 820000 /
830000) and, with a leading 9, by the 2023 foreign permanent resident ID card.

15-digit first-generation ID numbers are refused: the first-generation cards stopped being
valid on 1 January 2013 (居民身份证法, 2011 amendment), so every living holder has an
18-digit number. `upgrade_15` gives the conversion (insert 19, add the check character) for
a clerk who wants to check an old paper record with the person; it is never applied silently,
and error messages never repeat an ID number (they end up in import reports).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))  # 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2
CHECK_CHARS = "10X98765432"  # index: sum mod 11
# First two digits of mainland address codes (provinces, autonomous regions, municipalities).
MAINLAND_PROVINCES = frozenset(
    [
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
    ]
)
HMT_PREFIXES = ("810000", "820000", "830000")
EARLIEST_BIRTH = dt.date(1900, 1, 1)


def normalize(value: str) -> str:
    """Full-width digits and letters become ASCII, spaces go, letters become upper case."""
    value = unicodedata.normalize("NFKC", value or "")
    return re.sub(r"\s+", "", value).upper()


def check_char(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character of 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def _birth_date(digits: str, *, today: dt.date | None = None) -> dt.date:
    try:
        born = dt.date(int(digits[0:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        raise ValidationError(_("The birth date in the ID number (digits 7 to 14) is not a real date."), code="id_birth_date")
    today = today or timezone.localdate()
    if born > today:
        raise ValidationError(_("The birth date in the ID number is in the future."), code="id_birth_future")
    if born < EARLIEST_BIRTH:
        raise ValidationError(_("The birth date in the ID number is before 1900."), code="id_birth_past")
    return born


def _gb11643(value: str, *, today: dt.date | None = None) -> tuple[str, dt.date, str]:
    """Common structure check; returns (normalized, birth date, gender)."""
    if len(value) != 18:
        raise ValidationError(_("An ID number has 18 characters; this one has %(n)d.") % {"n": len(value)}, code="id_length")
    if not re.fullmatch(r"\d{17}[\dX]", value):
        raise ValidationError(_("An ID number is 17 digits followed by a digit or X."), code="id_format")
    born = _birth_date(value[6:14], today=today)
    if value[17] != check_char(value[:17]):
        raise ValidationError(_("The ID number's check character is wrong: please check every digit."), code="id_check")
    gender = "male" if int(value[16]) % 2 == 1 else "female"
    return value, born, gender


def upgrade_15(value: str) -> str:
    """The 18-digit number a 15-digit first-generation number converts to (born 19xx)."""
    first17 = value[:6] + "19" + value[6:]
    return first17 + check_char(first17)


def validate_mainland_id(value: str, *, today: dt.date | None = None) -> tuple[str, dt.date, str]:
    """Validate a resident ID number (GB 11643-1999). Returns (normalized, birth_date, gender).

    Raises ValidationError with a message that says what is wrong.
    """
    value = normalize(value)
    if not value:
        raise ValidationError(_("Enter the ID number."), code="required")
    if len(value) == 15 and value.isdigit():
        raise ValidationError(
            _(
                "15-digit first-generation ID numbers are no longer valid (since 1 January 2013): "
                "enter the 18-digit number on the current card."
            ),
            code="id_legacy",
        )
    value, born, gender = _gb11643(value, today=today)
    if value[:2] not in MAINLAND_PROVINCES or value[2:6] == "0000":
        raise ValidationError(_("The ID number does not start with a valid address code (%(code)s).") % {"code": value[:6]}, code="id_area")
    return value, born, gender


def validate_id(id_type: str, value: str, *, today: dt.date | None = None) -> tuple[str, dt.date | None, str | None]:
    """Validate an identity document number of any accepted type.

    Returns (normalized, birth_date or None, gender or None): the birth date and gender are
    read from numbers that carry them (ID card, residence permit, 2023 permanent residence card).
    """
    from shezhi.volunteers.models import IdType

    if id_type == IdType.ID_CARD:
        return validate_mainland_id(value, today=today)
    value = normalize(value)
    if not value:
        raise ValidationError(_("Enter the ID number."), code="required")
    if id_type == IdType.HMT_RESIDENCE:
        value, born, gender = _gb11643(value, today=today)
        if not value.startswith(HMT_PREFIXES):
            raise ValidationError(_("A residence permit number starts with 810000, 820000 or 830000."), code="id_area")
        return value, born, gender
    if id_type == IdType.HK_MACAO:
        if not re.fullmatch(r"[HM]\d{8}(\d{2})?", value):
            raise ValidationError(_("A Hong Kong or Macao travel permit number is H or M followed by 8 (or 10) digits."), code="id_format")
        return value, None, None
    if id_type == IdType.TAIWAN:
        if not re.fullmatch(r"\d{8}|[0-9A-Z]{10}", value):
            raise ValidationError(_("A Taiwan travel permit number has 8 digits (or 10 characters on older permits)."), code="id_format")
        return value, None, None
    if id_type == IdType.FOREIGN_PR:
        if re.fullmatch(r"[A-Z]{3}\d{12}", value):
            return value, None, None
        if re.fullmatch(r"9\d{16}[\dX]", value):
            born = _birth_date(value[6:14], today=today)
            if value[17] != check_char(value[:17]):
                raise ValidationError(_("The ID number's check character is wrong: please check every digit."), code="id_check")
            return value, born, "male" if int(value[16]) % 2 == 1 else "female"
        raise ValidationError(
            _("A permanent residence card number has 15 characters (3 letters and 12 digits) or 18 digits starting with 9."),
            code="id_format",
        )
    if id_type == IdType.PASSPORT:
        if not re.fullmatch(r"[A-Z0-9]{5,17}", value):
            raise ValidationError(_("A passport number has 5 to 17 letters and digits."), code="id_format")
        return value, None, None
    raise ValidationError(_("Unknown ID type."), code="id_type")


def compose_mainland_id(area_code: str, born: dt.date, sequence: int) -> str:
    """An 18-digit number with its check character: 6-digit area code, birth date, the
    3-digit sequence (odd for men). For test and demo data only — real numbers are issued
    by the police, never made up."""
    if not 0 <= sequence <= 999:
        raise ValueError("the sequence code has three digits")
    first17 = f"{area_code[:6]}{born:%Y%m%d}{sequence:03d}"
    return first17 + check_char(first17)
