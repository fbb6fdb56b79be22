"""Settings come from RPA_* variables with `__` nesting; secrets stay secret."""

from __future__ import annotations

import pytest

from rpa.config import Settings
from rpa.core.errors import UsageError


def test_nested_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RPA_PLANETVO__URL", "https://planetvo.example/")
    monkeypatch.setenv("RPA_PLANETVO__USERNAME", "hakim")
    monkeypatch.setenv("RPA_PLANETVO__PASSWORD", "s3cret-pvo")
    monkeypatch.setenv("RPA_GUIDEWIRE__URL", "https://gw.example/")
    monkeypatch.setenv("RPA_GUIDEWIRE__USERNAME", "865268J")
    monkeypatch.setenv("RPA_GUIDEWIRE__PASSWORD", "s3cret-gw")
    monkeypatch.setenv("RPA_GUIDEWIRE__OFFERS", '{"SPOTICAR PREMIUM|12 mois": "GVO Premium 7 / 150"}')
    monkeypatch.setenv("RPA_RESEAUXCONNECT__GARANTISSEURS", '["Garantie Stellantis Assurance"]')
    monkeypatch.setenv("RPA_DATA_DIR", "/tmp/rpa-data")
    monkeypatch.setenv("RPA_BROWSER__HEADLESS", "false")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    settings.require_warranty_portals()
    assert settings.guidewire.offer_for("Spoticar Premium", "12 MOIS") == "GVO Premium 7 / 150"
    assert settings.guidewire.offer_for("SPOTICAR ADVANCED", "36 mois") is None
    assert settings.reseauxconnect.garantisseurs == ["Garantie Stellantis Assurance"]
    assert settings.browser.headless is False
    assert str(settings.data_dir) == "/tmp/rpa-data"
    assert "s3cret" not in repr(settings) and "s3cret" not in str(settings.model_dump())


def test_no_portal_url_points_to_the_demo(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("RPA_PLANETVO__URL", "RPA_GUIDEWIRE__URL"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(UsageError, match="rpa demo"):
        Settings(_env_file=None).require_warranty_portals()  # type: ignore[call-arg]


def test_the_shared_ledger_url_is_a_secret_and_its_password_is_masked_in_logs() -> None:

    settings = Settings(_env_file=None, ledger_url="postgresql://rpa:p%40ss@db.local/rpa")  # type: ignore[call-arg]
    assert settings.ledger_location == "postgresql://rpa:p%40ss@db.local/rpa"
    assert "p%40ss" not in repr(settings) and settings.ledger_password == "p@ss"
    assert "p@ss" in settings.secret_values()
    assert Settings(_env_file=None).ledger_location == Settings(_env_file=None).ledger_path  # type: ignore[call-arg]
