"""Webhook delivery: JSON POST signed with HMAC-SHA256."""

from __future__ import annotations

import hashlib
import hmac

import httpx

SIGNATURE_HEADER = "X-Communique-Signature"


def sign(body: bytes, secret: str) -> str:
    """``sha256=<hex>`` HMAC of the body, as receivers verify it."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


async def post_alert(client: httpx.AsyncClient, url: str, alert_id: str, body: bytes, secret: str | None) -> bool:
    """POST one alert; True on a 2xx answer."""
    headers = {"Content-Type": "application/json", "X-Communique-Alert-Id": alert_id}
    if secret:
        headers[SIGNATURE_HEADER] = sign(body, secret)
    try:
        resp = await client.post(url, content=body, headers=headers)
    except httpx.HTTPError:
        return False
    return 200 <= resp.status_code < 300
