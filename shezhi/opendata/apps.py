from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpenDataConfig(AppConfig):
    name = "shezhi.opendata"
    label = "opendata"
    verbose_name = _("Open data")

    def ready(self):
        from shezhi.extensions import bench_step, nav_item
        from shezhi.jobs.schedule import daily
        from shezhi.opendata.services import regenerate_changed

        nav_item("open_data", _("Open data"), "opendata:index", public=True, order=90, group="public")
        # Late in the day's run, after the credit detection and the other tasks that change data.
        daily("open_data", "Open data files", lambda on: regenerate_changed(), order=900)

        def bench(figure, say, rounds):
            from shezhi.opendata.bench import run

            run(figure, say, rounds)

        bench_step("open_data", bench, order=200)
