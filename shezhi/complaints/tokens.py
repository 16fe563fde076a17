"""Tracking numbers and query codes.

Both are drawn from an alphabet without the characters people confuse (0/O, 1/I), in
groups of four: TS2026-7KQM-C4XH and 9RTE-WB2N. Each random part carries 40 bits, so the
number alone is not guessable and the pair is far out of reach of trial; the code is
stored only as a salted hash (Django's password hasher) and shown once.
"""

from __future__ import annotations

import random
import re
import secrets

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # 32 characters: 5 bits each
PREFIX = "TS"
_NUMBER = re.compile(rf"^{PREFIX}(\d{{4}})([{ALPHABET}]{{4}})([{ALPHABET}]{{4}})$")
_CODE = re.compile(rf"^([{ALPHABET}]{{4}})([{ALPHABET}]{{4}})$")


def _group(n: int, rng: random.Random | None) -> str:
    if rng is not None:  # demo data: the same seed gives the same numbers
        return "".join(rng.choice(ALPHABET) for _ in range(n))
    return "".join(secrets.choice(ALPHABET) for _ in range(n))


def new_number(year: int, rng: random.Random | None = None) -> str:
    return f"{PREFIX}{year:04d}-{_group(4, rng)}-{_group(4, rng)}"


def new_code(rng: random.Random | None = None) -> str:
    return f"{_group(4, rng)}-{_group(4, rng)}"


def _squeeze(text: str) -> str:
    return re.sub(r"[\s\-_—–·.]", "", (text or "").upper())[:40]


def normalize_number(text: str) -> str | None:
    """The number as stored, from what a person typed (any case, with or without dashes and
    spaces); None if it cannot be a tracking number."""
    match = _NUMBER.match(_squeeze(text))
    if match is None:
        return None
    return f"{PREFIX}{match[1]}-{match[2]}-{match[3]}"


def normalize_code(text: str) -> str | None:
    match = _CODE.match(_squeeze(text))
    if match is None:
        return None
    return f"{match[1]}-{match[2]}"
