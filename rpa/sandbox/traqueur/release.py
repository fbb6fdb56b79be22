"""The extranet's lists (PORTALS.md §4), and its next release (drift `markup`): `OK`,
`CONFIRMER` and the dialogs' `Fermer` as links, every list with columns a release adds."""

from __future__ import annotations

from rpa.sandbox.drift import Drift
from rpa.sandbox.release import Release, TableSpec

PORTAL = "traqueur"

LINE_COLUMNS = (
    "Marque", "Modèle", "VIN", "N° Abonnement", "Code distributeur", "Nom du distributeur",
    "Adresse email", "Lieu de dépose", "Date souhaitée", "Statut",
)
DEMANDE_COLUMNS = (
    "N° demande", "Date de création", "Demandeur", "email de suivi", "description", "Résumé (nb)",
)
REMOVER_COLUMNS = (
    "Demandeur", "Code distributeur demandeur", "Marque", "Modèle", "VIN", "Emplacement déclaré",
    "N° Abonnement", "Lieu de dépose", "Date souhaitée", "Statut",
)
RELEASE_TABLES = {
    "review": TableSpec(LINE_COLUMNS, ("Commentaires",)),
    "detail": TableSpec(LINE_COLUMNS, ("Commentaires", "Date de dépose")),
    "demandes": TableSpec(DEMANDE_COLUMNS, ("Nb véhicules",)),
    "deposeur": TableSpec(REMOVER_COLUMNS, ("N° demande", "Commentaires")),
}
# `Statut` stands for the clickable statuses of a list.
RELEASE_MAYBE_LINKS = ("Statut", "Accepter la demande", "Refuser la demande", "Signaler la dépose",
                       "Annuler la demande")


def extranet_release(drift: Drift) -> Release:
    """The extranet's next release (drift `markup`): `OK`, `CONFIRMER`, `Fermer` as links."""
    return Release.draw(drift, PORTAL, links=("OK", "CONFIRMER", "Fermer"),
                        maybe_links=RELEASE_MAYBE_LINKS, tables=RELEASE_TABLES,
                        forms=("nouvelle", "refus", "signaler"))
