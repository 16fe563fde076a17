from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkflowEvent(models.Model):
    """One step of one item through its workflow: the item's own timeline.

    Every approval flow in the project (filings, purchases, needs, venture rounds,
    volunteer hours) writes here through workflow.engine.run, so timelines, "who decided",
    and elapsed working days are computed the same way everywhere.
    """

    item_type = models.CharField(_("item type"), max_length=60)
    item_id = models.CharField(_("item id"), max_length=40)
    transition = models.CharField(_("step"), max_length=40)
    from_status = models.CharField(_("from"), max_length=30, blank=True)
    to_status = models.CharField(_("to"), max_length=30)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    by_label = models.CharField(_("by"), max_length=150, blank=True)
    at = models.DateTimeField(_("time"), auto_now_add=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("workflow step")
        verbose_name_plural = _("workflow steps")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["item_type", "item_id", "at"], name="wf_item_idx")]

    def __str__(self) -> str:
        return f"{self.item_type}:{self.item_id} {self.from_status}→{self.to_status}"
