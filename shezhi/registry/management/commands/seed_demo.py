import argparse

from django.core.management.base import BaseCommand, CommandError

from shezhi.extensions import demo_seeders
from shezhi.jobs.models import Job
from shezhi.jobs.services import job_create, job_finish, job_running
from shezhi.registry import demo

JOB_KIND = "seed_demo"


class Command(BaseCommand):
    help = (
        "Fill an empty registry with deterministic demo data: --scale city (Pinghu-sized) or "
        "--scale province (Zhejiang-sized). Demo areas and organizations are marked as demo."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(demo.SCALES), default="city", help="city or province (tiny is for tests)")
        parser.add_argument("--seed", type=int, default=1, help="the same seed gives the same data")
        parser.add_argument("--if-empty", action="store_true", help="do nothing when the registry already has organizations")
        # Custom sizes for tests; not part of the documented interface.
        for name in ("cities", "communities", "filed", "registered"):
            parser.add_argument(f"--{name}", type=int, default=None, help=argparse.SUPPRESS)

    def handle(self, *args, scale, seed, if_empty, **options):
        base = demo.SCALES[scale]
        sizes = {name: options[name] for name in ("cities", "communities", "filed", "registered") if options[name] is not None}
        if any(v < 0 for v in sizes.values()) or sizes.get("cities") == 0:
            raise CommandError("sizes must be positive")
        chosen = demo.Scale(base.name if not sizes else f"{base.name}-custom", **{**_sizes(base), **sizes})
        if not demo.registry_is_empty():
            if if_empty:
                self.stdout.write("seed_demo: the registry already has organizations; nothing to do")
                return
            raise CommandError("The registry already has organizations: seed_demo only fills an empty registry (use --if-empty to skip).")
        params = {"scale": chosen.name, "seed": seed, **_sizes(chosen)}
        job = job_create(kind=JOB_KIND, title=f"Demo data: {chosen.name}, seed {seed}", by=None, params=params)
        with job_running(job):
            result = demo.seed(scale=chosen, seed=seed, log=lambda message: self.stdout.write(f"seed_demo: {message}"))
            # Other sections add their demo data on top of the registry (volunteers, credit, ...).
            for seeder in demo_seeders():
                seeder.run(base.name, seed, lambda message, key=seeder.key: self.stdout.write(f"seed_demo [{key}]: {message}"))
            job_finish(
                job,
                result={
                    "cities": result.cities,
                    "towns": result.towns,
                    "communities": result.communities,
                    "filed": result.filed,
                    "registered": result.registered,
                    "seconds": result.seconds,
                },
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"seed_demo: {result.organizations} organizations ({result.registered} registered, {result.filed} filed) "
                f"in {result.cities} cities, {result.towns} towns, {result.communities} communities "
                f"({result.communities_created} new) in {result.seconds} s"
            )
        )


def _sizes(scale: demo.Scale) -> dict[str, int]:
    return {"cities": scale.cities, "communities": scale.communities, "filed": scale.filed, "registered": scale.registered}


def last_seed_job(*, scale: str, seed: int) -> Job | None:
    """The finished seed_demo run of this scale and seed, if any (bench reuses its data)."""
    return Job.objects.filter(kind=JOB_KIND, status="done", params__scale=scale, params__seed=seed).order_by("-id").first()
