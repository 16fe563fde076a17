import pytest


@pytest.fixture(autouse=True)
def default_targets(db):
    """The defaults the migration installs; tests that flush the database lose them."""
    from shezhi.targets.defaults import install_defaults
    from shezhi.targets.models import Milestone, Target

    install_defaults(Target, Milestone)
