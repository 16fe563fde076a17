from django.db import migrations


def forwards(apps, schema_editor):
    from shezhi.workdays.services import package_calendar

    CalendarDay = apps.get_model("workdays", "CalendarDay")
    CalendarYear = apps.get_model("workdays", "CalendarYear")
    years, rows = package_calendar()
    CalendarDay.objects.bulk_create([CalendarDay(date=d, is_workday=w, name=n) for d, w, n in rows], ignore_conflicts=True)
    CalendarYear.objects.bulk_create([CalendarYear(year=y, source="chinese_calendar 1.11") for y in years], ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [("workdays", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
