"""Schemathesis over every operation of the API's OpenAPI schema, with each persona's token.

Bounded and repeatable: a few examples per operation (SCHEMATHESIS_EXAMPLES, default 10),
derandomized, in-process through WSGI against the test database. Each persona sends valid
requests (positive) and invalid ones (negative); every answer must be no server error, a status
the schema documents, a body matching the schema, and invalid input must be refused. Every
finding is collected and reported together, with the counts of what ran.
"""

import os
from collections import Counter

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    negative_data_rejection,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from branchwork.core import services

pytestmark = [pytest.mark.django_db, pytest.mark.schemathesis]

# Examples per operation and mode (valid, invalid): 2 × 5 = 10 per operation by default.
EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "5"))
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


@pytest.fixture
def wsgi():
    """The site as WSGI, sharing the test's database connection (as Django's test client
    does: the connection is not closed at the end of each request)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _short(error: BaseException) -> str:
    return " ".join(str(error).split())[:400]


@pytest.mark.parametrize("persona", ["alice", "bob", "carol", "dan"])
def test_every_operation_for_each_persona(personas, wsgi, persona, record_property):
    user = getattr(personas, persona)
    token = {"Authorization": f"Token {services.api_token_issue(user=user).key}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", wsgi, headers=token)
    ran, failures, skipped = Counter(), [], []

    def exercise(operation, mode) -> None:
        checks = CHECKS + ([negative_data_rejection] if mode == GenerationMode.NEGATIVE else [])

        @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                  phases=[Phase.explicit, Phase.generate],
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy(generation_mode=mode, headers=token))
        def run(case):
            ran[(operation.label, mode.value)] += 1
            response = case.call()
            try:
                case.validate_response(response, checks=checks, headers=token)
            except BaseException as error:  # a FailureGroup: every finding is collected
                if isinstance(error, (KeyboardInterrupt, SystemExit)):
                    raise
                failures.append(f"{persona} {mode.value} {case.method} {case.formatted_path}"
                                f" → {response.status_code}: {_short(error)}")

        try:
            run()
        except Unsatisfiable:  # nothing invalid to send (no parameters, no body)
            skipped.append((operation.label, mode.value))

    for result in schema.get_all_operations():
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            exercise(result.ok(), mode)

    operations = {label for label, _mode in ran}
    record_property("schemathesis", {"operations": len(operations), "cases": sum(ran.values())})
    print(f"\nschemathesis {persona}: {len(operations)} operations, {sum(ran.values())} cases, "
          f"{len(failures)} findings; nothing invalid to send to {len(skipped)}")
    assert len(operations) >= 20
    assert not failures, "\n".join(dict.fromkeys(failures))
