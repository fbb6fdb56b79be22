"""The home screen's counts, the tabs' lists (open devis, policies, accounts), the search box,
and the screens that only say one thing, as JSON."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from rpa.sandbox.guidewire.domain import (
    accounts,
    issued_policies,
    open_devis,
    open_devis_rows,
    policy_row,
    search,
    session_user,
    viewed_policies,
)
from rpa.sandbox.guidewire.spa.layout import Spa, not_found, ok
from rpa.sandbox.state import SandboxState

# The screens that only say one thing, by path.
SIMPLE_PAGES = {
    "sinistres": ("Sinistres", "Aucun sinistre", "sinistres"),
    "activites": ("Activités", "Aucune activité", "activites"),
    "souscription": ("Nouvelle souscription",
                     "Les devis GVO France sont créés depuis le Centralisateur Spoticar.", ""),
    "annulations": ("Annulations ouvertes", "Aucun résultat", ""),
}
# A scripted wait the answer prescribes to the script, counted in `Sandbox.scripted_seconds`
# as it is served: the list `DEVIS OUVERTS` is drawn a moment after its answer, like the
# server-rendered grid.
LIST_DELAY_MS = 200


def counts(state: SandboxState, session: dict[str, Any]) -> dict[str, int]:
    """The cards' counts: the signed-in account's."""
    return {"open_count": len(open_devis(state, session_user(session))), "annulations": 0}


async def accueil(request: Request, session: dict[str, Any]) -> Response:
    return ok(counts(Spa.of(request).state, session))


async def devis_ouverts(request: Request, session: dict[str, Any]) -> Response:
    portal = Spa.of(request)
    return ok(counts(portal.state, session) | {
        "rows": open_devis_rows(portal.state, session_user(session)),
        "draw_after_ms": portal.sandbox._waits(LIST_DELAY_MS)})


async def recherche(request: Request, session: dict[str, Any]) -> Response:
    query = request.query_params.get("q", "").strip()
    return ok({"query": query, "rows": search(Spa.of(request).state, query, session_user(session))})


async def polices(request: Request, session: dict[str, Any]) -> Response:
    s = Spa.of(request).state
    view = "emises" if request.query_params.get("vue") == "emises" else "consultees"
    shown = (issued_policies(s, session_user(session)) if view == "emises"
             else viewed_policies(s, session))
    heading = "Polices émises récemment" if view == "emises" else "Polices consultées récemment"
    return ok(counts(s, session) | {"view": view, "heading": heading,
                                    "rows": [policy_row(s, p) for p in shown]})


async def comptes(request: Request, session: dict[str, Any]) -> Response:
    s = Spa.of(request).state
    return ok({"rows": [{"compte": name, "devis": str(c["devis"]), "polices": str(c["polices"]),
                         "agence": s.dealer.name}
                        for name, c in accounts(s, session_user(session))]})


async def simple(request: Request, session: dict[str, Any]) -> Response:
    page = SIMPLE_PAGES.get(request.path_params["name"])
    if page is None:
        return not_found("Page")
    title, message, tab = page
    return ok({"title": title, "message": message, "tab": tab})
