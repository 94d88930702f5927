"""The migration from one undated status to a dated history, run on data of the old shape."""

import datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("core", "0002_audit_import")]
AFTER = [("core", "0004_derive_status_history")]
D = datetime.date


def _migrate_to_the_latest() -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.fixture
def back_to_the_latest():
    """Whatever happens, the database ends with every migration applied: the tests after this
    one (on the same database) need today's tables."""
    yield
    _migrate_to_the_latest()


@pytest.mark.django_db(transaction=True)
def test_the_migration_derives_a_dated_history_and_reports_what_it_cannot(capsys, back_to_the_latest,
                                                                          time_machine):
    # The migration derives from "today": this test runs it on the day its cases are written for.
    time_machine.move_to(datetime.datetime(2026, 11, 16, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8))))
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Person = old.get_model("core", "Person")
    people = {
        # name: (status, joined) in the old shape
        "老党员": ("full", D(2001, 7, 1)),
        "新转正": ("full", D(2026, 3, 1)),  # full less than a year after joining (today 2026-11-16)
        "预备期内": ("probationary", D(2026, 5, 20)),
        "预备超期": ("probationary", D(2024, 9, 1)),
        "无入党日期": ("full", None),
        "群众": ("none", None),
    }
    ids = {name: Person.objects.create(name=name, membership_status=status, joined_party_on=joined).pk
           for name, (status, joined) in people.items()}

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    printed = capsys.readouterr().out

    new = executor.loader.project_state(AFTER).apps
    Person = new.get_model("core", "Person")
    Change = new.get_model("core", "MembershipStatusChange")
    assert Person.objects.count() == 6  # no person lost
    history = {name: [(c.status, c.effective_on) for c in
                      Change.objects.filter(person_id=pk).order_by("effective_on", "pk")]
               for name, pk in ids.items()}
    assert history == {
        "老党员": [("probationary", D(2001, 7, 1)), ("full", D(2002, 7, 1))],
        "新转正": [("probationary", D(2026, 3, 1)), ("full", D(2026, 11, 16))],
        "预备期内": [("probationary", D(2026, 5, 20))],
        "预备超期": [("probationary", D(2024, 9, 1))],
        "无入党日期": [("full", None)],
        "群众": [],
    }
    # Today's status is where each history ends; the cache on Person is unchanged.
    assert dict(Person.objects.values_list("name", "membership_status")) == {
        name: status for name, (status, _joined) in people.items()}
    for name in ("新转正", "预备超期", "无入党日期"):
        assert f"{ids[name]} {name}:" in printed
    assert "老党员" not in printed and "预备期内" not in printed
    assert "3 people could not be derived in full" in printed

    # The report command (today's models) lists the same gaps once every migration is applied.
    _migrate_to_the_latest()
    call_command("status_history_report")
    report = capsys.readouterr().out
    assert all(name in report for name in ("新转正", "预备超期", "无入党日期"))
    assert "老党员" not in report and "群众" not in report

    # Reversible: back to the old shape and forward again gives the same history.
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    Change = MigrationExecutor(connection).loader.project_state(AFTER).apps.get_model(
        "core", "MembershipStatusChange")
    assert Change.objects.count() == 7
