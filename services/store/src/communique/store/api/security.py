"""API keys: stored as SHA-256 hashes, with ``read`` and ``admin`` scopes.

Keys are random tokens (``communique store new-key`` prints one with its hash),
so a plain SHA-256 is enough to make the stored form useless to a reader of the
configuration; comparison is constant-time.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, Field, TypeAdapter, ValidationError

from communique.store.settings import StoreSettings

Scope = Literal["read", "admin"]


class ApiKeyConfigError(ValueError):
    """The API key configuration is invalid."""


class _KeyEntry(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    scopes: list[Scope] = Field(default=["read"], min_length=1)


@dataclass(frozen=True)
class ApiKey:
    """A configured key: who, the hash of the secret, and what it may do."""

    name: str
    sha256: str
    scopes: frozenset[str]

    def allows(self, scope: Scope) -> bool:
        """Admin keys may also read."""
        return scope in self.scopes or "admin" in self.scopes


def hash_key(secret: str) -> str:
    """The stored form of a key."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def new_key() -> tuple[str, str]:
    """A fresh random key and its hash."""
    secret = "cq_" + secrets.token_urlsafe(32)
    return secret, hash_key(secret)


def parse_keys(raw: str, origin: str) -> list[ApiKey]:
    """Keys from a JSON list of ``{"name", "sha256", "scopes"}``."""
    try:
        entries = TypeAdapter(list[_KeyEntry]).validate_python(json.loads(raw))
    except (ValueError, ValidationError) as exc:
        raise ApiKeyConfigError(f"invalid API keys in {origin}: {str(exc).splitlines()[0]}") from exc
    return [ApiKey(e.name, e.sha256, frozenset(e.scopes)) for e in entries]


def load_keys(settings: StoreSettings) -> list[ApiKey]:
    """Keys from ``STORE_API_KEYS`` and ``STORE_API_KEYS_FILE``."""
    keys: list[ApiKey] = []
    if settings.api_keys:
        keys += parse_keys(settings.api_keys, "STORE_API_KEYS")
    if settings.api_keys_file:
        try:
            raw = settings.api_keys_file.read_text(encoding="utf-8")
        except OSError as exc:
            raise ApiKeyConfigError(f"cannot read STORE_API_KEYS_FILE: {exc}") from exc
        keys += parse_keys(raw, str(settings.api_keys_file))
    return keys


def find_key(keys: Sequence[ApiKey], secret: str) -> ApiKey | None:
    """The key whose hash matches ``secret``, if any."""
    digest = hash_key(secret)
    found = None
    for key in keys:
        if hmac.compare_digest(key.sha256, digest):
            found = key
    return found
