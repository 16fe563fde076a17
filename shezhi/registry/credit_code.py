"""Unified social credit code (统一社会信用代码), GB 32100-2015.

18 characters over the 31-character alphabet 0-9 A-H J-N P-R T U W-Y (no I, O, S, V, Z):
1st the registering authority (5 = civil affairs), 2nd the organization type under it
(1 social group, 2 social service agency, 3 foundation, 9 other), 3rd-8th the
administrative division, 9th-17th the organization code, 18th a check character with
weights 3^(i-1) mod 31 and check = (31 - sum mod 31) mod 31.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
WEIGHTS = [pow(3, i, 31) for i in range(17)]
CIVIL_AFFAIRS = "5"
TYPE_DIGITS = {"1", "2", "3", "9"}


@dataclass(frozen=True)
class CodeProblem:
    rule: str  # machine-readable: length, charset, authority, type, legal_form, check
    message: str


def normalize(raw: str) -> str:
    """Full-width to half-width, spaces removed, upper case. Nothing else is guessed."""
    return "".join(unicodedata.normalize("NFKC", raw or "").split()).upper()


def check_character(first17: str) -> str:
    total = sum(VALUE[ch] * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def problems(code: str, *, type_digit: str | None = None) -> list[CodeProblem]:
    """Every rule the (normalized) code breaks, in the order a reader would check them.

    `type_digit` is the 2nd character the organization's legal form requires, if known.
    """
    from django.utils.translation import gettext as _

    found: list[CodeProblem] = []
    if len(code) != 18:
        return [CodeProblem("length", _("The code must have 18 characters; this one has %(n)d.") % {"n": len(code)})]
    bad = sorted({ch for ch in code if ch not in VALUE})
    if bad:
        return [
            CodeProblem(
                "charset",
                _("The code contains characters that are not allowed: %(chars)s (only digits and capital letters except I, O, S, V, Z).")
                % {"chars": " ".join(bad)},
            )
        ]
    if code[0] != CIVIL_AFFAIRS:
        found.append(
            CodeProblem(
                "authority",
                _("The 1st character must be 5 (registered by civil affairs); it is %(c)s.") % {"c": code[0]},
            )
        )
    if code[1] not in TYPE_DIGITS:
        found.append(
            CodeProblem(
                "type",
                _("The 2nd character must be 1, 2, 3 or 9 (the organization type); it is %(c)s.") % {"c": code[1]},
            )
        )
    elif type_digit is not None and code[1] != type_digit:
        found.append(
            CodeProblem(
                "legal_form",
                _("The 2nd character is %(c)s but this legal form needs %(want)s (1 group, 2 service agency, 3 foundation).")
                % {"c": code[1], "want": type_digit},
            )
        )
    expected = check_character(code[:17])
    if code[17] != expected:
        found.append(
            CodeProblem(
                "check",
                _("The check character (18th) is %(c)s but should be %(want)s: a character is probably mistyped.")
                % {"c": code[17], "want": expected},
            )
        )
    return found


def make_code(*, type_digit: str, division: str, org_code: str) -> str:
    """Build a valid civil-affairs code (used by demo data and tests)."""
    first17 = f"{CIVIL_AFFAIRS}{type_digit}{division}{org_code}"
    if len(first17) != 17 or any(ch not in VALUE for ch in first17):
        raise ValueError(f"cannot build a credit code from {first17!r}")
    return first17 + check_character(first17)
