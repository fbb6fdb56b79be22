"""Configuration (pydantic-settings)."""

from rpa.config.settings import (
    HEADLESS_SHELL,
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
    "HEADLESS_SHELL",
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
