"""The files last generated for each open dataset, with the data version they were made from.

A download compares the version stored here with the version of the data now
(shezhi.opendata.versions) and regenerates the files first when they differ, so a stored
file is served only while it still matches the database.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class GeneratedDataset(models.Model):
    dataset = models.CharField(_("dataset"), max_length=30, unique=True)
    version = models.CharField(_("data version"), max_length=64)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    as_of = models.DateField(_("as of"))
    generated_at = models.DateTimeField(_("generated"))
    seconds = models.FloatField(_("seconds to generate"), default=0)
    # {"csv": {"name": "registry-….csv", "size": 1234}, "xlsx": …, "json": …}
    files = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("generated open dataset")
        verbose_name_plural = _("generated open datasets")

    def __str__(self) -> str:
        return f"{self.dataset} {self.version[:12]}"
