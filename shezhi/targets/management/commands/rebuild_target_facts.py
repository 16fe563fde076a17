from django.core.management.base import BaseCommand

from shezhi.targets.facts import rebuild_facts


class Command(BaseCommand):
    help = (
        "Derive the targets' history of organizations afresh from their present state (each fact from the "
        "registration date to the organization's end). Changes recorded since by the running system are replaced."
    )

    def handle(self, *args, **options):
        n = rebuild_facts(log=self.stdout.write)
        self.stdout.write(f"{n} facts written")
