"""Traqueur Extranet PRO: tracker-box removal requests, both sides (PORTALS.md §4)."""

from rpa.pages.traqueur.demandes import DemandeDetailPage, DemandesListPage
from rpa.pages.traqueur.home import TraqueurHome
from rpa.pages.traqueur.login import TraqueurLogin, open_traqueur
from rpa.pages.traqueur.removals import RemovalsPage, SignalerPage, StatusDialog
from rpa.pages.traqueur.request import ConfirmationPage, ReviewPage, UploadPage

__all__ = [
    "ConfirmationPage", "DemandeDetailPage", "DemandesListPage", "RemovalsPage", "ReviewPage",
    "SignalerPage", "StatusDialog", "TraqueurHome", "TraqueurLogin", "UploadPage",
    "open_traqueur",
]
