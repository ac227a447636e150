"""Fuzz the API from its own OpenAPI schema: no 500s, no responses outside the schema."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from communique.store.api.app import create_app
from communique.store.settings import StoreSettings

pytestmark = pytest.mark.integration


CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance, content_type_conformance]


def test_api_never_fails_and_keeps_to_its_schema(seeded_url: str) -> None:
    app = create_app(StoreSettings(database_url=seeded_url, max_page_size=100, max_export_rows=1000))
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 9
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def call(case: Any) -> None:
            case.call_and_validate(checks=CHECKS)

        call()
    app.state.engine.dispose()
