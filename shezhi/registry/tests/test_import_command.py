"""manage.py import_organizations: the same check and write as the web import."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from shezhi.audit.models import AuditEntry
from shezhi.jobs.models import Job
from shezhi.registry.importing import KIND_WRITE
from shezhi.registry.models import Organization
from shezhi.registry.tests.test_import_support import as_lists, filed_row, make_csv, make_xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def rows_file(tmp_path):
    rows = [filed_row(**{"名称": f"命令导入{i}"}) for i in range(6)] + [filed_row(**{"名称": "坏行", "成立/备案日期": "某天"})]
    return make_csv(tmp_path / "cmd.csv", as_lists(rows))


def test_yes_imports_the_valid_rows_and_reports_the_rest(users, tmp_path, capsys):
    call_command("import_organizations", str(rows_file(tmp_path)), user="bureau", yes=True, batch_size=4)
    out = capsys.readouterr().out
    assert "checked 7 rows" in out and "6 valid, 1 with 1 problems" in out
    assert "row 8 · 成立/备案日期(L) ·" in out
    assert "imported 6 organizations" in out
    write = Job.objects.get(kind=KIND_WRITE)
    assert Organization.objects.filter(name__startswith="命令导入", created_by=users.bureau).count() == 6
    assert AuditEntry.objects.filter(source=f"job:{write.pk}", target_type="registry.organization").count() == 6


def test_answering_no_writes_nothing(users, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("builtins.input", lambda prompt: "n")
    call_command("import_organizations", str(rows_file(tmp_path)), user="bureau")
    assert "nothing imported" in capsys.readouterr().out
    assert not Organization.objects.filter(name__startswith="命令导入").exists()


def test_refusals(users, tmp_path):
    path = rows_file(tmp_path)
    with pytest.raises(CommandError, match="cannot import"):
        call_command("import_organizations", str(path), user="department", yes=True)
    with pytest.raises(CommandError, match="no account"):
        call_command("import_organizations", str(path), user="nobody", yes=True)
    with pytest.raises(CommandError, match="Required columns are missing"):
        call_command("import_organizations", str(make_xlsx(tmp_path / "x.xlsx", [["名称", "住所"], ["a", "b"]])), user="bureau", yes=True)
    bad = make_csv(tmp_path / "bad.csv", as_lists([filed_row(**{"镇街道": "乍浦镇", "社区": ""})]))
    with pytest.raises(CommandError, match="no valid rows"):
        call_command("import_organizations", str(bad), user="town_a", yes=True)
    assert not Organization.objects.filter(name="东湖社区读书会").exists()
