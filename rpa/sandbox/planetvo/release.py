"""Planet VO's next release (drift `markup`): the buttons the bot clicks become links, a few
others by chance; its lists get columns a release adds (PORTALS.md's columns stay, in
another order)."""

from __future__ import annotations

from rpa.sandbox.drift import Drift
from rpa.sandbox.planetvo.words import BDC_COLUMNS
from rpa.sandbox.release import Release, TableSpec

RELEASE_LINKS = ("Rechercher", "Modifier", "Garantir", "Valider", "Fermer")
RELEASE_MAYBE_LINKS = ("Exporter", "Créer", "Supprimer", "Configurer", "Enregistrer", "Clôturer")
RELEASE_TABLES = {
    "bdc": TableSpec(tuple(BDC_COLUMNS), ("Agence", "Kilométrage")),
    "vehicules": TableSpec(("N° Police", "Immat.", "VIN", "Modèle", "Statut", "Site"),
                           ("Énergie", "Date 1ère immat.")),
    "sites": TableSpec(("ID", "Code", "Libellé"), ("Ville", "Raison sociale")),
}
RELEASE_FORMS = ("recherche-bdc", "recherche-vehicules", "bdc", "vehicule", "site", "garantir")


def planetvo_release(drift: Drift) -> Release:
    """Planet VO's next release (drift `markup`), the same for a seed whatever is visited first."""
    return Release.draw(drift, "planetvo", links=RELEASE_LINKS, maybe_links=RELEASE_MAYBE_LINKS,
                        tables=RELEASE_TABLES, forms=RELEASE_FORMS)
