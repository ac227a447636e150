"""Admin API of the alerts service: list, create, replace and delete rules."""

# No `from __future__ import annotations`: FastAPI reads route annotations at runtime.
import hmac
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, HTTPException

from communique.alerts.adapters.state import AlertStore
from communique.alerts.domain.rules import RuleSpec
from communique.alerts.settings import AlertsSettings


def admin_app(store: AlertStore, settings: AlertsSettings) -> FastAPI:
    """FastAPI app with /v1/rules; requires ``X-API-Key`` when ``ALERTS_ADMIN_API_KEY`` is set."""
    app = FastAPI(title="Communique alerts admin", version="1.0")
    key = settings.admin_api_key.get_secret_value() if settings.admin_api_key else None

    def require_key(x_api_key: Annotated[str | None, Header()] = None) -> None:
        if key is None:
            return
        if x_api_key is None or not hmac.compare_digest(x_api_key, key):
            raise HTTPException(401, "missing or wrong X-API-Key")

    auth = [Depends(require_key)]

    @app.get("/v1/rules", dependencies=auth)
    def list_rules() -> list[dict[str, Any]]:
        """Every rule with its origin (file or api)."""
        return [{**spec.model_dump(mode="json"), "origin": origin} for spec, origin in store.rule_specs()]

    @app.put("/v1/rules/{name}", dependencies=auth)
    def put_rule(name: str, spec: RuleSpec) -> dict[str, Any]:
        """Create or replace a rule; it applies from the next batch of events."""
        if spec.name != name:
            raise HTTPException(422, "rule name in the path and the body differ")
        store.put_rule(spec, "api")
        return spec.model_dump(mode="json")

    @app.delete("/v1/rules/{name}", dependencies=auth, status_code=204)
    def delete_rule(name: str) -> None:
        """Delete a rule."""
        if not store.delete_rule(name):
            raise HTTPException(404, "no such rule")

    return app
