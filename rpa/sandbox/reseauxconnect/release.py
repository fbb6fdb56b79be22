"""The Centralisateur's next release (drift `markup`): its three submit buttons as links, the
`Accueil` list with its columns shuffled and extra ones."""

from __future__ import annotations

from rpa.sandbox.drift import Drift
from rpa.sandbox.release import Release, TableSpec

PORTAL = "reseauxconnect"

# `Accueil`'s list: (column title, key in /api/declarations), and what a drifted release adds.
DECLARATION_COLUMNS = (
    ("Date", "date"), ("Immatriculation", "immat"), ("VIN", "vin"), ("Client", "client"),
    ("Garantie", "garantie"), ("Numéro devis", "devis"),
)
RELEASE_DECLARATION_EXTRAS = (("Référence", "reference"), ("Marque", "marque"))
RELEASE_TABLES = {"declarations": TableSpec(
    tuple(title for title, _ in DECLARATION_COLUMNS),
    tuple(title for title, _ in RELEASE_DECLARATION_EXTRAS),
)}


def centralisateur_release(drift: Drift) -> Release:
    """The Centralisateur's next release (drift `markup`): its three submit buttons as links."""
    return Release.draw(drift, PORTAL, links=("Modifier", "Page Suivante", "Déclarer et Garantir"),
                        maybe_links=(), tables=RELEASE_TABLES, other_tables=("profil",),
                        forms=("profil", "declarer", "formulaire"))
