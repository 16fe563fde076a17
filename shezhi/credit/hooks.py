"""What this app adds to the rest of the site: menu links, organization page sections, demo data."""

from __future__ import annotations


def register() -> None:
    pass
