"""The home page, the tabs' lists (open devis, policies, accounts), the search box, and the
screens that only say one thing."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from rpa.sandbox.guidewire.classic.layout import Classic, Handler
from rpa.sandbox.guidewire.domain import (
    accounts,
    issued_policies,
    open_devis_rows,
    policy_row,
    search,
    session_user,
    viewed_policies,
)
from rpa.sandbox.guidewire.markup import EXTRA_KEYS


async def home(request: Request, session: dict[str, Any]) -> Response:
    portal = Classic.of(request)
    return portal.render("home.html", tab="", open_count=portal.open_count(session))


async def devis_ouverts(request: Request, session: dict[str, Any]) -> Response:
    portal = Classic.of(request)
    return portal.render("devis_ouverts.html", tab="", open_count=portal.open_count(session))


async def api_devis_ouverts(request: Request, session: dict[str, Any]) -> Response:
    portal = Classic.of(request)
    rows = open_devis_rows(portal.state, session_user(session))
    if not portal.mk.on:  # today's release has no extra columns to fill
        rows = [{k: v for k, v in row.items() if k not in EXTRA_KEYS} for row in rows]
    return JSONResponse(rows)


async def recherche(request: Request, session: dict[str, Any]) -> Response:
    portal = Classic.of(request)
    query = request.query_params.get("q", "").strip()
    return portal.render("recherche.html", tab="", query=query,
                         rows=search(portal.state, query, session_user(session)))


def policies_page(portal: Classic, view: str, session: dict[str, Any]) -> Response:
    s = portal.state
    shown = (issued_policies(s, session_user(session)) if view == "emises"
             else viewed_policies(s, session))
    return portal.render("polices.html", tab="polices", view=view, policies=shown,
                         rows=[policy_row(s, p) for p in shown],
                         open_count=portal.open_count(session))


async def polices(request: Request, session: dict[str, Any]) -> Response:
    return policies_page(Classic.of(request), "consultees", session)


async def polices_emises(request: Request, session: dict[str, Any]) -> Response:
    return policies_page(Classic.of(request), "emises", session)


async def comptes(request: Request, session: dict[str, Any]) -> Response:
    portal = Classic.of(request)
    s = portal.state
    listed = accounts(s, session_user(session))
    rows = [{"compte": name, "devis": str(c["devis"]), "polices": str(c["polices"]),
             "agence": s.dealer.name} for name, c in listed]
    return portal.render("comptes.html", tab="comptes", accounts=listed, rows=rows)


def simple(title: str, message: str, tab: str = "") -> Handler:
    async def handler(request: Request, session: dict[str, Any]) -> Response:
        return Classic.of(request).render("simple.html", tab=tab, title=title, message=message)

    return handler
