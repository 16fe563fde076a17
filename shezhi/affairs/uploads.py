"""Checking and storing uploaded materials.

The type is read from the file's first bytes, never from its name or the browser's
claim: a renamed executable is refused whatever it is called.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
SIGNATURES = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
)


@dataclass(frozen=True)
class CheckedFile:
    content_type: str
    extension: str
    size: int


def max_upload_bytes() -> int:
    return getattr(settings, "AFFAIRS_MAX_UPLOAD_BYTES", DEFAULT_MAX_BYTES)


def materials_dir() -> Path:
    """Under MEDIA_ROOT, which is outside the web root: files are served only by a view that checks access."""
    path = Path(settings.MEDIA_ROOT) / "affairs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def sniff(head: bytes) -> tuple[str, str] | None:
    for magic, content_type, extension in SIGNATURES:
        if head.startswith(magic):
            return content_type, extension
    return None


def check_upload(upload) -> CheckedFile:
    limit = max_upload_bytes()
    size = upload.size or 0
    if size == 0:
        raise ValidationError({"file": _("The file is empty.")})
    if size > limit:
        raise ValidationError(
            {"file": _("The file is %(size).1f MB; the limit is %(limit).0f MB.") % {"size": size / 1048576, "limit": limit / 1048576}}
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    found = sniff(head)
    if found is None:
        raise ValidationError({"file": _("Only PDF, PNG and JPEG files are accepted; this file is none of them.")})
    return CheckedFile(content_type=found[0], extension=found[1], size=size)


def store(upload, checked: CheckedFile, *, filing_id: int) -> tuple[str, str]:
    """Write the upload under a random name; returns (stored name relative to materials_dir, sha256)."""
    folder = materials_dir() / str(filing_id)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{filing_id}/{secrets.token_hex(16)}.{checked.extension}"
    digest = hashlib.sha256()
    with open(materials_dir() / name, "wb") as out:
        for chunk in upload.chunks():
            digest.update(chunk)
            out.write(chunk)
    return name, digest.hexdigest()


def stored_path(stored_name: str) -> Path | None:
    root = materials_dir().resolve()
    path = (root / stored_name).resolve()
    if root not in path.parents or not path.exists():
        return None
    return path
