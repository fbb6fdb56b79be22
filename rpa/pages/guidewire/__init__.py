"""GuideWire, the Stellantis Assurance policy portal (PORTALS.md §3)."""

from rpa.pages.guidewire.devis import DevisPage, OpenDevisPage
from rpa.pages.guidewire.frame import GwHomePage, GwPage, SearchResultsPage
from rpa.pages.guidewire.login import GwLoginPage, open_guidewire
from rpa.pages.guidewire.polices import PoliciesPage, PolicyPage, RecentPoliciesPage
from rpa.pages.guidewire.wizard import (
    ConfirmationStep,
    ContratStep,
    OffersStep,
    PolicyInfoStep,
    PurchaseDialog,
    VehiculesStep,
)

__all__ = [
    "ConfirmationStep", "ContratStep", "DevisPage", "GwHomePage", "GwLoginPage", "GwPage",
    "OffersStep", "OpenDevisPage", "PoliciesPage", "PolicyInfoStep", "PolicyPage",
    "PurchaseDialog", "RecentPoliciesPage", "SearchResultsPage", "VehiculesStep",
    "open_guidewire",
]
