"""The bureau's area pages: the tree list, export, import with check and confirm; 404 for others."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from shezhi.areas.models import Area, AreaKind
from shezhi.testing import make_area

pytestmark = pytest.mark.django_db

HEADER = "区划代码,名称,类型,上级区划代码,常住人口,人口统计日期,登记管理机关"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def login(client, user):
    client.force_login(user)
    return client


def csv_upload(text: str, name: str = "areas.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8-sig"))


class TestAccess:
    @pytest.mark.parametrize("name", ["department", "town_a", "community_a1", "org_a", "reviewer", "resident"])
    def test_only_the_bureau(self, client, users, name):
        c = login(client, getattr(users, name))
        assert c.get(reverse("areas:list")).status_code == 404
        assert c.get(reverse("areas:export", args=["csv"])).status_code == 404
        assert c.get(reverse("areas:import")).status_code == 404
        assert c.post(reverse("areas:import"), {"file": csv_upload(HEADER)}).status_code == 404
        assert c.post(reverse("areas:import_confirm"), {"token": "x"}).status_code == 404

    def test_anonymous_goes_to_log_in(self, client, db):
        assert client.get(reverse("areas:list")).status_code == 302


class TestList:
    def test_tree_order_populations_and_demo_marker(self, client, users, areas):
        make_area("330482001301", "演示社区", AreaKind.URBAN, areas.town_a, population=1200)
        Area.objects.filter(code="330482001301").update(is_demo=True)
        html = login(client, users.bureau).get(reverse("areas:list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        codes = [line.split('data-code="')[1].split('"')[0] for line in html.split("<tr ")[1:] if 'data-code="' in line]
        assert codes == ["330482", "330482001", "330482001001", "330482001201", "330482001301", "330482101", "330482101001"]
        assert "海宁市" not in html and "硖石街道" not in html  # another city's tree
        assert "150,000" in html and 'class="demo"' in html

    def test_paginated_with_bounded_queries(self, client, users, areas, django_assert_max_num_queries):
        for i in range(150):
            make_area(f"330482101{i + 100:03d}", f"乍浦村{i}", AreaKind.RURAL, areas.town_b, population=1000 + i)
        c = login(client, users.bureau)
        with django_assert_max_num_queries(8):  # session, user, area, count, totals, page; the layout may add a few
            first = c.get(reverse("areas:list")).content.decode()
        with django_assert_max_num_queries(8):  # session, user, area, count, totals, page; the layout may add a few
            second = c.get(reverse("areas:list") + "?page=2").content.decode()
        assert first.count('data-code="') == 100 and second.count('data-code="') == 156 - 100
        assert "乍浦村149" in second

    def test_search_by_name_or_code(self, client, users, areas):
        html = login(client, users.bureau).get(reverse("areas:list") + "?q=虹霓").content.decode()
        assert 'data-code="330482001201"' in html and 'data-code="330482001001"' not in html


class TestExport:
    def test_csv(self, client, users, areas):
        response = login(client, users.bureau).get(reverse("areas:export", args=["csv"]))
        rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
        assert ",".join(rows[0]) == HEADER
        assert rows[1] == ["330482", "平湖市", "县级市", "330000", "680000", "2020-11-01", ""]
        assert len(rows) == 1 + 6

    def test_xlsx(self, client, users, areas):
        response = login(client, users.bureau).get(reverse("areas:export", args=["xlsx"]))
        sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).worksheets[0]
        rows = list(sheet.iter_rows(values_only=True))
        assert ",".join(rows[0]) == HEADER and rows[2][:3] == ("330482001", "当湖街道", "街道")

    def test_unknown_format(self, client, users):
        assert login(client, users.bureau).get(reverse("areas:export", args=["json"])).status_code == 404


class TestImport:
    def test_check_then_confirm(self, client, users, areas):
        c = login(client, users.bureau)
        text = "\n".join(
            [
                "平湖市行政区划",
                HEADER,
                "330482003,曹桥街道,街道,330482,45000,2023-06-30,",
                "330482003001,曹桥村,行政村,330482003,2800,2023-06-30,",
                "330000,浙江省,省,,,,",
            ]
        )
        response = c.post(reverse("areas:import"), {"file": csv_upload(text)}, HTTP_ACCEPT_LANGUAGE="en")
        html = response.content.decode()
        assert response.status_code == 200 and 'id="confirm-form"' in html
        assert 'data-row="5"' in html and "outside 平湖市" in html
        assert not Area.objects.filter(code="330482003").exists()
        token = html.split('name="token" value="')[1].split('"')[0]

        done = c.post(reverse("areas:import_confirm"), {"token": token})
        assert done.status_code == 302 and done["Location"] == reverse("areas:list")
        assert Area.objects.get(code="330482003001").town.code == "330482003"
        # A token works once.
        again = c.post(reverse("areas:import_confirm"), {"token": token})
        assert again["Location"] == reverse("areas:import")

    def test_another_bureau_cannot_use_the_token(self, client, users, areas):
        c = login(client, users.bureau)
        html = c.post(reverse("areas:import"), {"file": csv_upload(HEADER + "\n330482003,曹桥街道,街道,330482,1,,")}).content.decode()
        token = html.split('name="token" value="')[1].split('"')[0]
        other = login(client.__class__(), users.other_bureau)
        assert other.post(reverse("areas:import_confirm"), {"token": token})["Location"] == reverse("areas:import")
        assert not Area.objects.filter(code="330482003").exists()

    def test_bad_files(self, client, users, areas):
        c = login(client, users.bureau)
        response = c.post(reverse("areas:import"), {"file": SimpleUploadedFile("a.xlsx", b"not a workbook")}, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 400 and "not an Excel workbook" in response.content.decode()
        html = c.post(reverse("areas:import"), {"file": csv_upload("名称,类型\n甲,镇")}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert 'id="file-error"' in html and 'id="confirm-form"' not in html
