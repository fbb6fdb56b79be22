"""Configuration (pydantic-settings)."""

from rpa.config.settings import (
    BrowserSettings,
    GuideWireAccount,
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
    "GuideWireAccount",
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
