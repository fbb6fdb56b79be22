"""Configuration (pydantic-settings)."""

from rpa.config.settings import (
    BrowserSettings,
    GuideWireSettings,
    NightlySettings,
    NotifySettings,
    PlanetVoSettings,
    PortalSettings,
    ReseauxConnectSettings,
    RetrySettings,
    Settings,
    TracePolicy,
    TraqueurSettings,
    read_settings,
)

__all__ = [
    "BrowserSettings",
    "GuideWireSettings",
    "NightlySettings",
    "NotifySettings",
    "PlanetVoSettings",
    "PortalSettings",
    "ReseauxConnectSettings",
    "RetrySettings",
    "Settings",
    "TracePolicy",
    "TraqueurSettings",
    "read_settings",
]
