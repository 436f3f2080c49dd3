import pytest


@pytest.fixture(scope="session", autouse=True)
def _flush_restores_the_migrated_database():
    """The benchmarks run in subprocesses on their own databases: no test database to snapshot.

    pytest-django sets up only the databases the collected tests ask for (none here), so the
    suite-wide fixture of the same name would read tables that were never created.
    """
    return
