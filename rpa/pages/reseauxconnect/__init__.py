"""reseauxconnect, the Spoticar "Centralisateur" by Axilog (PORTALS.md §2).

Reached only through the Planet VO popup: these pages wrap that popup window.
"""

from rpa.pages.reseauxconnect.accueil import AccueilPage
from rpa.pages.reseauxconnect.declaration import (
    DeclarationFormPage,
    DeclarationOutcome,
    DeclarerVentePage,
)
from rpa.pages.reseauxconnect.profil import ProfilPage, landing

__all__ = [
    "AccueilPage", "DeclarationFormPage", "DeclarationOutcome", "DeclarerVentePage",
    "ProfilPage", "landing",
]
