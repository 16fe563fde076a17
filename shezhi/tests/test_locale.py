"""The UI is Chinese by default and English on request; the catalogue is complete."""

from pathlib import Path

import polib
import pytest
from django.urls import reverse

PO = Path(__file__).resolve().parents[2] / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_catalogue_has_no_untranslated_or_fuzzy_entries():
    catalogue = polib.pofile(str(PO))
    untranslated = [e.msgid for e in catalogue.untranslated_entries()]
    fuzzy = [e.msgid for e in catalogue.fuzzy_entries()]
    assert not untranslated, f"{len(untranslated)} untranslated, e.g. {untranslated[:5]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy, e.g. {fuzzy[:5]}"


def test_no_leftover_previous_strings():
    """A `#| msgctxt` left on a translated entry (a cleared fuzzy match) makes msgmerge, and
    so `make messages`, fail with a syntax error."""
    leftovers = [e.msgid for e in polib.pofile(str(PO)) if (e.previous_msgctxt or e.previous_msgid) and not e.fuzzy]
    assert not leftovers, f"previous strings on translated entries: {leftovers[:5]}"


def test_compiled_catalogue_matches_source():
    source = {(e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural for e in polib.pofile(str(PO)) if not e.obsolete}
    compiled = {(e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural for e in polib.mofile(str(PO.with_suffix(".mo")))}
    missing = {k for k in source if k not in compiled or compiled[k] != source[k]}
    assert not missing, f"django.mo is stale: run `make messages` ({len(missing)} entries differ)"


@pytest.mark.django_db
def test_pages_are_chinese_by_default_and_english_on_request(client):
    zh = client.get(reverse("accounts:login")).content.decode()
    assert "登录" in zh and 'lang="zh-hans"' in zh
    en = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Log in" in en and 'lang="en"' in en
