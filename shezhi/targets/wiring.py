"""How the targets plug into the rest: the registry's write signals keep the history, the
menu gets the dashboard, seeding rebuilds the history, and `make bench` measures the views."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


def _written(sender, *, organization, on, founded_on_before=None, **kwargs) -> None:
    from shezhi.targets.facts import sync_organization

    sync_organization(organization, on=on, founded_on_before=founded_on_before)


def _created(sender, *, organizations, served=None, **kwargs) -> None:
    from shezhi.targets.facts import record_new

    record_new(organizations, served=served or {})


def _seed(scale_name: str, seed: int, log) -> None:
    from shezhi.targets.defaults import install_defaults
    from shezhi.targets.facts import rebuild_facts
    from shezhi.targets.models import Milestone, Target

    install_defaults(Target, Milestone)

    n = rebuild_facts(log=log)
    log(f"target facts: {n:,}")


def register() -> None:
    from shezhi.accounts.models import Role
    from shezhi.extensions import bench_step, demo_seeder, nav_item
    from shezhi.registry.signals import organization_written, organizations_created

    organization_written.connect(_written, dispatch_uid="targets.facts.written")
    organizations_created.connect(_created, dispatch_uid="targets.facts.created")
    nav_item(
        "targets",
        _("Targets"),
        "targets:dashboard",
        roles=[Role.BUREAU, Role.DEPARTMENT, Role.TOWN, Role.COMMUNITY],
        order=5,
        group="",
    )
    demo_seeder("targets", _seed, order=900)

    def bench(figure, say, rounds):
        from shezhi.targets.bench import run

        run(figure, say, rounds)

    bench_step("targets", bench)
