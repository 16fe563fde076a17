import csv
import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand

from shezhi.areas.services import KIND_WORDS, area_save

DATA = Path(__file__).resolve().parents[2] / "data" / "pinghu.csv"


class Command(BaseCommand):
    help = "Load the reference areas (Pinghu's city, towns and streets). Existing areas are updated, none removed."

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(DATA))

    def handle(self, *args, file, **options):
        created = 0
        with open(file, encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.DictReader(fh))
        from shezhi.areas.models import Area

        for row in rows:
            parent = Area.objects.get(code=row["上级区划代码"]) if row["上级区划代码"] else None
            data = {
                "name": row["名称"],
                "kind": KIND_WORDS[row["类型"]],
                "parent": parent,
                "population": int(row["常住人口"]) if row["常住人口"] else None,
                "population_date": dt.date.fromisoformat(row["人口统计日期"]) if row["人口统计日期"] else None,
                "authority_name": row.get("登记管理机关", "") or "",
            }
            existing = Area.objects.filter(code=row["区划代码"]).first()
            if existing is not None:
                # Reference data never overwrites what the bureau has since edited.
                continue
            area_save(code=row["区划代码"], data=data, by=None, source="reference:pinghu")
            created += 1
        self.stdout.write(f"reference areas: {created} created, {len(rows) - created} already present")
