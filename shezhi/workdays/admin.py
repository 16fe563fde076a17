from django.contrib import admin

from shezhi.workdays.models import CalendarDay, CalendarYear
from shezhi.workdays.services import invalidate


class _Invalidating(admin.ModelAdmin):
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        invalidate()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        invalidate()


@admin.register(CalendarYear)
class CalendarYearAdmin(_Invalidating):
    list_display = ["year", "source", "entered_at"]


@admin.register(CalendarDay)
class CalendarDayAdmin(_Invalidating):
    list_display = ["date", "is_workday", "name"]
    list_filter = ["is_workday"]
    date_hierarchy = "date"
