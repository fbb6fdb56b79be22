"""Configuration (pydantic-settings)."""

from rpa.config.settings import (
    BrowserSettings,
    GuideWireSettings,
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
    "PlanetVoSettings",
    "PortalSettings",
    "ReseauxConnectSettings",
    "RetrySettings",
    "Settings",
    "TraqueurSettings",
]
