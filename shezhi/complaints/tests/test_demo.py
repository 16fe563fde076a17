"""Demo complaints: one in each state, deterministic, marked as demo."""

import pytest

from shezhi.complaints.demo import PLAN, seed_complaints
from shezhi.complaints.models import Complaint
from shezhi.registry import demo

pytestmark = pytest.mark.django_db


def test_demo_complaints_in_every_state(db):
    demo.seed(scale=demo.SCALES["tiny"], seed=1)
    lines = []
    seed_complaints(scale_name="tiny", seed=1, log=lines.append)
    states = sorted(Complaint.objects.values_list("status", flat=True))
    assert states == sorted(["received", "accepted", "investigating", "answered", "closed", "not_accepted"])
    assert Complaint.objects.filter(is_demo=True).count() == len(PLAN) == len(lines)
    numbers = sorted(Complaint.objects.values_list("number", flat=True))
    seed_complaints(scale_name="tiny", seed=1, log=lines.append)  # a second run adds nothing
    assert Complaint.objects.count() == len(PLAN)
    Complaint.objects.all().delete()
    seed_complaints(scale_name="tiny", seed=1, log=lines.append)
    assert sorted(Complaint.objects.values_list("number", flat=True)) == numbers
    # The printed codes open them.
    from shezhi.complaints.services import complaint_track

    number, code = lines[-1].split(" (query code ")[0], lines[-1].split(" (query code ")[1].split(")")[0]
    assert complaint_track(number=number, code=code) is not None
