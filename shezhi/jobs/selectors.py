from __future__ import annotations

from django.http import Http404

from shezhi.jobs.models import Job


def job_for(user, pk: int) -> Job:
    """A job its creator may watch; anyone else's is not found."""
    if not getattr(user, "is_authenticated", False):
        raise Http404
    try:
        return Job.objects.get(pk=pk, created_by=user)
    except Job.DoesNotExist:
        raise Http404 from None
