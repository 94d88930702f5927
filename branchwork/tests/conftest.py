import pytest

from branchwork.tests.chaos import CHAOS, migrated_template


@pytest.fixture(scope="session")
def chaos_template(tmp_path_factory):
    """A migrated instance folder with the personas, for the fault tests (`make chaos`)."""
    if not CHAOS:
        pytest.skip("fault test: run with `make chaos` (BRANCHWORK_CHAOS=1)")
    return migrated_template(tmp_path_factory.getbasetemp() / "chaos")
