"""Signals the registry's services send inside the transaction of each write, so that other
sections can keep what they derive from organizations (e.g. the targets' history) in step,
atomically, without the registry knowing them.

- organization_written(organization, on, founded_on_before): after a registration, filing,
  change or status change; `on` is the day the change takes effect.
- organizations_created(organizations, served): after a bulk insert (the spreadsheet import);
  `served` maps each organization's id to the communities it serves (social work agencies).
"""

from django.dispatch import Signal

organization_written = Signal()
organizations_created = Signal()
