"""Settings validation, CloudEvents headers and dead-letter records."""

from __future__ import annotations

import pytest

from communique.runtime.consumer import PermanentError, Record, TransientError, dead_letter, is_transient
from communique.runtime.kafka import cloudevent_headers, header_dict
from communique.runtime.settings import KafkaSettings, SettingsError, load_settings


def test_kafka_settings_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "a:1, b:2")
    monkeypatch.setenv("KAFKA_PARTITIONS", "8")
    k = load_settings(KafkaSettings)
    assert k.bootstrap_servers == "a:1,b:2"
    assert k.partitions == 8
    assert k.enable_idempotence is False  # the embedded broker lacks it


@pytest.mark.parametrize(
    ("var", "value", "message"),
    [
        ("KAFKA_BOOTSTRAP_SERVERS", "no-port", "bootstrap_servers"),
        ("KAFKA_PARTITIONS", "0", "partitions"),
        ("KAFKA_SECURITY_PROTOCOL", "TLS", "security_protocol"),
    ],
)
def test_invalid_settings_fail_with_the_setting_named(
    monkeypatch: pytest.MonkeyPatch, var: str, value: str, message: str
) -> None:
    monkeypatch.setenv(var, value)
    with pytest.raises(SettingsError, match=message):
        load_settings(KafkaSettings)


def test_store_settings_reject_unknown_databases(monkeypatch: pytest.MonkeyPatch) -> None:
    from communique.store.settings import StoreSettings

    monkeypatch.setenv("STORE_DATABASE_URL", "mysql://x")
    with pytest.raises(SettingsError, match="database_url"):
        load_settings(StoreSettings)


def test_cloudevent_headers() -> None:
    h = header_dict(cloudevent_headers(ce_type="org.communique.event.v1", ce_source="communique/extract",
                                       ce_id="abc", extra={"ce_source_actor": "CHN"}))
    assert h["ce_specversion"] == "1.0"
    assert h["ce_id"] == "abc"
    assert h["ce_type"] == "org.communique.event.v1"
    assert h["ce_source"] == "communique/extract"
    assert h["content-type"] == "application/json"
    assert h["ce_time"].endswith("+00:00")
    assert h["ce_source_actor"] == "CHN"


def test_dead_letter_keeps_bytes_and_names_the_error() -> None:
    rec = Record("t", 2, 41, b"k", b"\x00bad", {"ce_id": "x"}, 0)
    msg = dead_letter(rec, PermanentError("not valid JSON"), service="store", attempts=1)
    h = header_dict(msg.headers)
    assert msg.topic == "t.dlq" and msg.value == b"\x00bad" and msg.key == b"k"
    assert h["ce_id"] == "x"
    assert (h["error_class"], h["error_service"], h["original_offset"]) == ("PermanentError", "store", "41")


def test_error_classification() -> None:
    assert is_transient(TransientError("db down"))
    assert is_transient(ConnectionResetError())
    assert not is_transient(PermanentError("bad"))
    assert not is_transient(ValueError("bug"))
