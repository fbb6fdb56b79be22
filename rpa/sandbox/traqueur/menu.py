"""The extranet's menus, and a page for each entry the bot never needs."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from rpa.sandbox.traqueur.layout import Extranet, Handler
from rpa.sandbox.traqueur.state import TraqueurAccount

# The menus, and where their placeholder pages live: (group, link, path, requester only).
MENU: tuple[tuple[str, tuple[tuple[str, str, bool], ...]], ...] = (
    ("Suivi des véhicules", (
        ("Gérer les véhicules clients", "/vehicules-clients", False),
        ("Gérer les véhicules PEQ/VO", "/vehicules-peq-vo", False),
        ("Créer un nouveau dossier", "/nouveau-dossier", False),
        ("Vérifier qu'un VO est équipé", "/verifier-vo", False),
    )),
    ("Gérer les déposes", (
        ("Créer une nouvelle demande de dépose", "/deposes/nouvelle", True),
        ("Gérer les demandes de déposes", "/deposes", False),
    )),
    ("Espace contact", (
        ("Contacter mon commercial", "/contact/commercial", False),
        ("Contacter la hotline", "/contact/hotline", False),
        ("Contacter le service clientèle", "/contact/service-clientele", False),
    )),
)
PLACEHOLDERS = {
    "/vehicules-clients": ("Gérer les véhicules clients", "Aucun véhicule client à afficher."),
    "/vehicules-peq-vo": ("Gérer les véhicules PEQ/VO", "Aucun véhicule PEQ/VO à afficher."),
    "/nouveau-dossier": ("Créer un nouveau dossier",
                         "La création de dossier n'est pas disponible pour votre compte."),
    "/verifier-vo": ("Vérifier qu'un VO est équipé", "Saisissez un VIN pour vérifier l'équipement."),
    "/contact/commercial": ("Contacter mon commercial", "Benoist GARY - 06 76 09 74 55"),
    "/contact/hotline": ("Contacter la hotline", "Hotline : 0 825 00 00 00"),
    "/contact/service-clientele": ("Contacter le service clientèle",
                                   "Service clientèle : info@traqueur.example"),
}


def placeholder(path: str) -> Handler:
    title, message = PLACEHOLDERS[path]

    async def handler(request: Request, session: dict[str, Any],
                      account: TraqueurAccount) -> Response:
        return Extranet.of(request).page("message.html", session, account, title=title,
                                         crumb=title, message=message)

    return handler
