"""Open data: the page, the downloads in three formats with the same rows, public fields
only, a field dictionary for every column, and files that follow the data."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from shezhi.areas.models import Area, PopulationCount
from shezhi.credit.services import entry_include, entry_remove
from shezhi.jobs.schedule import run_daily
from shezhi.opendata import services
from shezhi.opendata.datasets import DATASETS, FORMATS, REBUILT, Source
from shezhi.opendata.models import GeneratedDataset
from shezhi.opendata.versions import dataset_version
from shezhi.opendata.writers import DICTIONARY_SHEET
from shezhi.portal.exports import COLUMNS as PORTAL_COLUMNS
from shezhi.registry.models import Organization
from shezhi.registry.services import organization_update
from shezhi.testing import make_filed, make_registered
from shezhi.volunteers.testing import make_id_number, make_volunteer

pytestmark = pytest.mark.django_db

PHONE = "13800138000"  # every organization the fixtures make has it
VOLUNTEER_PHONE = "13900139000"
FILED_PERSON = "李四"  # the person in charge of the fixtures' filed organizations
REGISTERED_PERSON = "张三"


@pytest.fixture(autouse=True)
def files_dir(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def world(orgs, areas):
    """Organizations, one on a credit list, and a volunteer with an ID number."""
    entry_include(
        organization=orgs.reg_b,
        list_kind="abnormal",
        ground="address_unreachable",
        included_on=dt.date(2025, 3, 1),
        decision_number="平民异〔2025〕1号",
        by=None,
    )
    volunteer = make_volunteer(town=areas.town_a, id_number=make_id_number(born=dt.date(1988, 8, 8)))
    return type("World", (), {"orgs": orgs, "areas": areas, "volunteer": volunteer})


# --- reading the three formats back ----------------------------------------------------------


def _canon(value, kind: str) -> str:
    """One text form of a cell, whatever format it came from."""
    if value is None or value == "":
        return ""
    if kind == "boolean":
        if isinstance(value, bool):
            return "是" if value else "否"
        return str(value)
    if kind in ("decimal", "integer"):
        return str(Decimal(str(value)).normalize())
    if kind == "date":
        return value.date().isoformat() if isinstance(value, dt.datetime) else str(value)
    return str(value)


def _read_csv(content: bytes) -> tuple[list[str], list[list[str]]]:
    text = content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    return rows[0], rows[1:]


def _read_xlsx(content: bytes) -> tuple[list[str], list[list], list[list]]:
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    data, dictionary = book.worksheets[0], book[DICTIONARY_SHEET]
    rows = [list(r) for r in data.iter_rows(values_only=True)]
    return rows[0], rows[1:], [list(r) for r in dictionary.iter_rows(values_only=True)]


def _download(client, key: str, fmt: str):
    response = client.get(f"/open-data/{key}.{fmt}")
    assert response.status_code == 200, (key, fmt)
    return b"".join(response.streaming_content), response


def _all_files(client) -> dict[tuple[str, str], bytes]:
    return {(key, fmt): _download(client, key, fmt)[0] for key in DATASETS for fmt in FORMATS}


def _xlsx_text(content: bytes) -> str:
    _header, rows, dictionary = _read_xlsx(content)
    return "\n".join(" ".join("" if v is None else str(v) for v in row) for row in rows + dictionary)


# --- the page ------------------------------------------------------------------------------------


def test_page_is_public_and_shows_each_dictionary(client, world):
    response = client.get("/open-data/")
    assert response.status_code == 200
    html = response.content.decode()
    for key, dataset in DATASETS.items():
        assert f'data-testid="dataset-{key}"' in html
        for fmt in FORMATS:
            assert f'href="/open-data/{key}.{fmt}"' in html
        assert f'href="/open-data/{key}/fields.json"' in html and f'href="/open-data/{key}/fields.csv"' in html
        for field in dataset.fields:
            assert f"<code>{field.name}</code>" in html
            assert field.meaning in html


def test_page_is_in_the_public_menu(client, world):
    html = client.get("/").content.decode()
    assert 'data-nav="open_data"' in html and 'href="/open-data/"' in html


def test_page_shows_what_was_generated(client, world):
    services.regenerate_changed()
    with translation.override("en"):
        html = client.get("/open-data/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    record = GeneratedDataset.objects.get(dataset="registry")
    assert f"{record.rows} rows as of {record.as_of.isoformat()}" in html


# --- the files ------------------------------------------------------------------------------------


def test_three_formats_hold_the_same_rows(client, world):
    for key, dataset in DATASETS.items():
        kinds = [f.type for f in dataset.fields]
        csv_header, csv_rows = _read_csv(_download(client, key, "csv")[0])
        xlsx_header, xlsx_rows, _dictionary = _read_xlsx(_download(client, key, "xlsx")[0])
        body = json.loads(_download(client, key, "json")[0])
        assert csv_header == xlsx_header == dataset.labels
        assert [f["name"] for f in body["fields"]] == dataset.names
        json_rows = [[row[name] for name in dataset.names] for row in body["rows"]]
        assert all(list(row) == dataset.names for row in body["rows"])
        canon = [[[_canon(v, k) for v, k in zip(row, kinds, strict=True)] for row in rows] for rows in (csv_rows, xlsx_rows, json_rows)]
        assert canon[0] == canon[1] == canon[2], key
        assert len(csv_rows) == GeneratedDataset.objects.get(dataset=key).rows
        assert body["dataset"] == key and body["version"] == GeneratedDataset.objects.get(dataset=key).version
    # Something in each, so that the comparison compared something.
    assert {len(_read_csv(_download(client, key, "csv")[0])[1]) > 0 for key in DATASETS} == {True}


def test_registry_rows_are_the_public_export(client, world):
    _header, rows = _read_csv(_download(client, "registry", "csv")[0])
    assert len(rows) == Organization.objects.count() == 5
    by_id = {int(r[0]): r for r in rows}
    labels = DATASETS["registry"].labels
    filed = dict(zip(labels, by_id[world.orgs.filed_a.pk], strict=True))
    registered = dict(zip(labels, by_id[world.orgs.reg_a.pk], strict=True))
    assert filed["名称"] == "东湖社区邻里互助会" and filed["登记或备案"] == "备案"
    assert filed["法定代表人（负责人）"] == "李*"
    assert registered["法定代表人（负责人）"] == REGISTERED_PERSON
    assert registered["统一社会信用代码"] == world.orgs.reg_a.credit_code


def test_no_personal_data_in_any_file(client, world):
    files = _all_files(client)
    for (key, fmt), content in files.items():
        text = _xlsx_text(content) if fmt == "xlsx" else content.decode("utf-8")
        for secret in (PHONE, VOLUNTEER_PHONE, world.volunteer.id_number, world.volunteer.name, FILED_PERSON):
            assert secret not in text, (key, fmt, secret)
    # The JSON has no key for them either.
    for key in DATASETS:
        names = set(DATASETS[key].names)
        assert not names & {"phone", "id_number", "created_by", "party_organization", "legal_representative"}


def test_credit_file_is_the_current_lists(client, world):
    _header, rows = _read_csv(_download(client, "credit_lists", "csv")[0])
    assert rows == [
        ["活动异常名录", str(world.orgs.reg_b.pk), "乍浦镇老年协会", world.orgs.reg_b.credit_code, "乍浦镇"]
        + ["通过登记的住所无法与社会组织取得联系", "2025-03-01", "平民异〔2025〕1号"]
    ]
    entry = world.orgs.reg_b.list_entries.get()
    entry_remove(entry=entry, removed_on=dt.date(2025, 9, 1), reason="已恢复联系", by=None)
    _header, rows = _read_csv(_download(client, "credit_lists", "csv")[0])
    assert rows == []


def test_targets_file_has_each_city_and_its_towns(client, world):
    body = json.loads(_download(client, "targets", "json")[0])
    today = timezone.localdate().isoformat()
    assert body["as_of"] == today
    rows = body["rows"]
    assert {r["as_of"] for r in rows} == {today}
    areas = {(r["city_code"], r["area_code"]) for r in rows}
    assert {("330482", "330482"), ("330482", "330482001"), ("330482", "330482101"), ("330481", "330481"), ("330481", "330481001")} == areas
    city_t1 = next(r for r in rows if r["area_code"] == "330482" and r["code"] == "T1")
    assert city_t1["target"] == 1980 and city_t1["due_on"] == "2020-12-31" and city_t1["actual"] == 2
    assert city_t1["met"] is False and city_t1["gap"] == 1978
    # A town has the targets set per town, never the city-only ones (T1, T7, T8, T11).
    town_codes = {r["code"] for r in rows if r["area_code"] == "330482001"}
    assert town_codes == {"T2", "T3", "T4", "T5", "T6", "T9", "T10"}


# --- the field dictionary -----------------------------------------------------------------------------


def test_dictionary_covers_every_column(client, world):
    for key, dataset in DATASETS.items():
        assert len(set(dataset.names)) == len(dataset.names) and len(set(dataset.labels)) == len(dataset.labels)
        for field in dataset.fields:
            assert field.meaning and field.source, (key, field.name)
        as_json = client.get(f"/open-data/{key}/fields.json")
        assert as_json.status_code == 200 and as_json["Content-Disposition"].startswith("attachment")
        assert [f["name"] for f in as_json.json()["fields"]] == dataset.names
        header, rows = _read_csv(client.get(f"/open-data/{key}/fields.csv").content)
        assert header[:5] == ["字段名", "列名", "含义", "单位", "来源"]
        assert [r[1] for r in rows] == dataset.labels
        # and the workbook carries it on its second sheet
        xlsx_header, _rows, dictionary = _read_xlsx(_download(client, key, "xlsx")[0])
        assert [r[1] for r in dictionary[1:]] == xlsx_header


def test_registry_columns_are_the_portal_exports(world):
    assert DATASETS["registry"].labels == ["组织编号"] + [header for header, _get in PORTAL_COLUMNS]


@pytest.mark.parametrize(
    "url",
    [
        "/open-data/nope.csv",
        "/open-data/registry.pdf",
        "/open-data/registry.XLSX",
        "/open-data/registry",
        "/open-data/nope/fields.json",
        "/open-data/registry/fields.xlsx",
        "/open-data/registry/fields.pdf",
    ],
)
def test_unknown_dataset_or_format_is_404(client, world, url):
    assert client.get(url).status_code == 404


def test_downloads_are_get_only(client, world):
    assert client.post("/open-data/registry.csv").status_code == 405
    assert client.head("/open-data/registry.csv").status_code == 200


# --- following the data ---------------------------------------------------------------------------------


def test_a_new_organization_is_in_the_next_download(client, world):
    _download(client, "registry", "csv")
    first = GeneratedDataset.objects.get(dataset="registry")
    new = make_filed(town=world.areas.town_b, community=world.areas.community_b1, name="乍浦社区新成立读书会")
    for fmt in FORMATS:
        content, response = _download(client, "registry", fmt)
        text = _xlsx_text(content) if fmt == "xlsx" else content.decode()
        assert "乍浦社区新成立读书会" in text and str(new.pk) in text, fmt
    second = GeneratedDataset.objects.get(dataset="registry")
    assert second.version != first.version and second.rows == first.rows + 1
    assert response["ETag"].startswith(f'"{second.version[:32]}')


def test_a_stale_csv_or_json_is_streamed_from_the_database(client, world, django_capture_on_commit_callbacks):
    _download(client, "registry", "xlsx")
    first = GeneratedDataset.objects.get(dataset="registry")
    make_filed(town=world.areas.town_b, community=world.areas.community_b1, name="乍浦社区新成立合唱团")
    for fmt in ("csv", "json"):
        response = client.get(f"/open-data/registry.{fmt}")
        assert response.status_code == 200
        if fmt == "csv":  # the first download after the change: made as it is sent
            assert type(response).__name__ == "StreamingHttpResponse"
        assert "乍浦社区新成立合唱团" in b"".join(response.streaming_content).decode(), fmt
        assert response["Content-Disposition"].startswith("attachment")
    # The files were made again in the background (run inline by the tests' task backend),
    # so the next download is the stored file again.
    second = GeneratedDataset.objects.get(dataset="registry")
    assert second.version != first.version
    response = client.get("/open-data/registry.csv")
    assert response.streaming and response.get("ETag", "").startswith(f'"{second.version[:32]}')
    assert type(response).__name__ == "FileResponse"


def test_a_stale_xlsx_that_takes_long_is_503_never_the_old_file(client, world, monkeypatch):
    _download(client, "registry", "xlsx")
    GeneratedDataset.objects.filter(dataset="registry").update(seconds=services.SYNC_SECONDS + 100)
    enqueued = []
    monkeypatch.setattr(services, "regenerate_soon", enqueued.append)
    make_filed(town=world.areas.town_b, community=world.areas.community_b1, name="乍浦社区新成立棋社")
    response = client.get("/open-data/registry.xlsx")
    assert response.status_code == 503
    assert int(response["Retry-After"]) >= services.SYNC_SECONDS + 100
    assert [d.key for d in enqueued] == ["registry"]
    # Once made again (the background task), the download is the new file.
    services.regenerate_changed(only="registry")
    content, _response = _download(client, "registry", "xlsx")
    assert "乍浦社区新成立棋社" in _xlsx_text(content)


def test_a_changed_or_deleted_organization_is_in_the_next_download(client, world):
    _download(client, "registry", "csv")
    organization_update(organization=world.orgs.reg_a, data={"name": "平湖市当湖颐养服务中心"}, by=None, reason="更名")
    text = _download(client, "registry", "csv")[0].decode()
    assert "平湖市当湖颐养服务中心" in text and "平湖市当湖养老服务中心" not in text
    Organization.objects.filter(pk=world.orgs.reg_other.pk).delete()
    text = _download(client, "registry", "csv")[0].decode()
    assert "海宁市志愿者协会" not in text


def test_a_renamed_town_is_in_the_next_download(client, world):
    _download(client, "registry", "csv")
    Area.objects.filter(pk=world.areas.town_b.pk).update(name="乍浦街道")  # a table without updated_at
    text = _download(client, "registry", "csv")[0].decode()
    assert "乍浦街道" in text and ",乍浦镇," not in text


def test_unchanged_data_serves_the_stored_file(client, world, django_assert_max_num_queries):
    _download(client, "registry", "xlsx")
    first = GeneratedDataset.objects.get(dataset="registry")
    with django_assert_max_num_queries(6):  # the stored record and the version's queries
        _download(client, "registry", "xlsx")
    assert GeneratedDataset.objects.get(dataset="registry").generated_at == first.generated_at


def test_version_sees_a_write_committed_after_a_later_one(world):
    """An import that saved a row early and commits after a quicker edit leaves the newest
    `updated_at` unchanged; the version must still change."""
    dataset = DATASETS["registry"]
    today = timezone.localdate()
    newest = Organization.objects.order_by("-updated_at").first()
    other = Organization.objects.exclude(pk=newest.pk).order_by("updated_at").first()
    before = dataset_version(dataset, today)
    earlier = newest.updated_at - dt.timedelta(microseconds=1)
    assert other.updated_at < earlier
    Organization.objects.filter(pk=other.pk).update(name="迟到的修改", updated_at=earlier)
    assert Organization.objects.order_by("-updated_at").first().pk == newest.pk
    assert dataset_version(dataset, today) != before


def test_targets_version_changes_with_a_population_count(world):
    """A figure per resident divides by the population of its day: a new count for a past
    day changes the targets' files even when the area's present figure stays the same."""
    dataset = DATASETS["targets"]
    today = timezone.localdate()
    before = dataset_version(dataset, today)
    PopulationCount.objects.create(area=world.areas.town_a, on=dt.date(2015, 1, 1), population=120000)
    assert dataset_version(dataset, today) != before


def test_targets_version_changes_with_the_day(world):
    dataset = DATASETS["targets"]
    today = timezone.localdate()
    assert dataset_version(dataset, today) == dataset_version(dataset, today)
    assert dataset_version(dataset, today) != dataset_version(dataset, today - dt.timedelta(days=1))
    # The registry's files do not depend on the day.
    assert dataset_version(DATASETS["registry"], today) == dataset_version(DATASETS["registry"], today - dt.timedelta(days=1))


def test_a_file_removed_from_storage_is_made_again(client, world, files_dir):
    _download(client, "credit_lists", "json")
    record = GeneratedDataset.objects.get(dataset="credit_lists")
    (services.files_dir() / record.files["json"]["name"]).unlink()
    body = json.loads(_download(client, "credit_lists", "json")[0])
    assert len(body["rows"]) == 1


TABLE = re.compile(r'\b(?:FROM|JOIN)\s+"?([a-z_]+)"?', re.IGNORECASE)


def test_each_dataset_versions_every_table_it_reads(world):
    """The version covers the tables the rows come from: a formula that starts reading a new
    table must add it to its dataset's sources."""
    today = timezone.localdate()
    for key, dataset in DATASETS.items():
        with CaptureQueriesContext(connection) as queries:
            rows = list(dataset.rows(today))
        assert rows, key
        read = {t for q in queries.captured_queries for t in TABLE.findall(q["sql"])}
        versioned = {s.model._meta.db_table for s in dataset.sources}
        assert read <= versioned, (key, read - versioned)


def test_rebuilt_sources_are_only_the_target_facts():
    rebuilt = {s.model._meta.label for d in DATASETS.values() for s in d.sources if s.how == REBUILT}
    assert rebuilt == {"targets.OrganizationFact"}
    saved = [s for d in DATASETS.values() for s in d.sources if s.how == "saved"]
    for source in saved:
        assert source.model._meta.get_field("updated_at").auto_now, source
    assert isinstance(saved[0], Source)


# --- the daily task and the command -----------------------------------------------------------------------


def test_daily_task_regenerates_only_what_changed(world):
    day = timezone.localdate()
    (job,) = run_daily(on=day, only="open_data")
    assert set(job.result["regenerated"]) == set(DATASETS)
    make_registered(town=world.areas.town_a, name="平湖市新成立协会")
    (job,) = run_daily(on=day, only="open_data", force=True)
    assert "registry" in job.result["regenerated"]
    assert "平湖市新成立协会" in (services.files_dir() / GeneratedDataset.objects.get(dataset="registry").files["csv"]["name"]).read_text()
    (job,) = run_daily(on=day, only="open_data", force=True)
    assert job.result["regenerated"] == {} and set(job.result["unchanged"]) == set(DATASETS)


def test_command_regenerates_one_dataset(world):
    out = io.StringIO()
    call_command("open_data", "--dataset", "credit_lists", stdout=out)
    assert list(GeneratedDataset.objects.values_list("dataset", flat=True)) == ["credit_lists"]
    assert out.getvalue().startswith("credit_lists: 1 rows")
    call_command("open_data", "--if-changed", stdout=out)
    assert "credit_lists: unchanged" in out.getvalue()
    assert GeneratedDataset.objects.count() == 3
