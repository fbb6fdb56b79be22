"""Configuration (pydantic-settings)."""

from rpa.config.settings import (
    BrowserSettings,
    GuideWireSettings,
    NightlySettings,
    PlanetVoSettings,
    PortalSettings,
    ReseauxConnectSettings,
    RetrySettings,
    Settings,
    TraqueurSettings,
)

__all__ = [
    "BrowserSettings",
    "GuideWireSettings",
    "NightlySettings",
    "PlanetVoSettings",
    "PortalSettings",
    "ReseauxConnectSettings",
    "RetrySettings",
    "Settings",
    "TraqueurSettings",
]
