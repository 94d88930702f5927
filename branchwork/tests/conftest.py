import os
import subprocess

import pytest

from branchwork.tests.chaos import CHAOS, migrated_template


@pytest.fixture(scope="session")
def chaos_template(tmp_path_factory):
    """A migrated instance folder with the personas, for the fault tests (`make chaos`)."""
    if not CHAOS:
        pytest.skip("fault test: run with `make chaos` (BRANCHWORK_CHAOS=1)")
    return migrated_template(tmp_path_factory.getbasetemp() / "chaos")


def _psql(sql: str, url: str) -> None:
    subprocess.run(["psql", url, "-qc", sql], check=True, capture_output=True, timeout=120)


@pytest.fixture
def pg_database():
    """The URL of a throwaway database on the PostgreSQL server DATABASE_URL names, dropped after
    the test (fault tests whose processes share a PostgreSQL database)."""
    url = os.environ.get("DATABASE_URL", "")
    if not CHAOS:
        pytest.skip("fault test: run with `make chaos` (BRANCHWORK_CHAOS=1)")
    if not url.startswith("postgres"):
        pytest.skip("needs PostgreSQL: set DATABASE_URL (make chaos does, in CI)")
    server = url.rpartition("/")[0]
    name = f"bw_chaos_{os.getpid()}"
    admin = f"{server}/postgres"
    _psql(f"DROP DATABASE IF EXISTS {name}", admin)
    _psql(f"CREATE DATABASE {name}", admin)
    try:
        yield f"{server}/{name}"
    finally:
        _psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", admin)
