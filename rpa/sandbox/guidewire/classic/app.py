"""The server-rendered GuideWire's app: the portal's context on it, and its routes."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.routing import Route

from rpa.sandbox.guidewire.classic import auth, lists, policies, wizard
from rpa.sandbox.guidewire.classic.layout import Classic, route
from rpa.sandbox.guidewire.markup import Markup
from rpa.sandbox.guidewire.sessions import GwSessions
from rpa.sandbox.host import Host


def build_pages_app(sandbox: Host) -> Starlette:
    """Today's GuideWire: every screen a page the server renders."""
    sessions = GwSessions(sandbox)
    portal = Classic(sandbox, sessions, sessions.store, Markup.draw(sandbox.drift))
    get_post = ("GET", "POST")
    app = Starlette(routes=[
        Route("/login", auth.login, methods=["GET", "POST"]),
        Route("/logout", auth.logout),
        route("/", lists.home),
        route("/devis", lists.devis_ouverts),
        route("/api/devis-ouverts", lists.api_devis_ouverts, api=True),
        route("/recherche", lists.recherche),
        route("/comptes", lists.comptes),
        route("/polices", lists.polices),
        route("/polices/emises", lists.polices_emises),
        route("/sinistres", lists.simple("Sinistres", "Aucun sinistre", "sinistres")),
        route("/activites", lists.simple("Activités", "Aucune activité", "activites")),
        route("/souscription", lists.simple(
            "Nouvelle souscription",
            "Les devis GVO France sont créés depuis le Centralisateur Spoticar.")),
        route("/annulations", lists.simple("Annulations ouvertes", "Aucun résultat")),
        route("/devis/{numero}", wizard.devis_page),
        route("/devis/{numero}/supprimer", wizard.devis_supprimer, ("POST",)),
        route("/devis/{numero}/contrat", wizard.step_contrat, get_post),
        route("/devis/{numero}/vehicules", wizard.step_vehicules, get_post),
        route("/devis/{numero}/offres", wizard.step_offres, get_post),
        route("/devis/{numero}/police", wizard.step_police, get_post),
        route("/devis/{numero}/acheter", wizard.acheter, ("POST",)),
        route("/devis/{numero}/confirmation", wizard.step_confirmation),
        route("/police/{numero}", policies.police_page),
        route("/police/{numero}/documents/{filename}", policies.police_document),
    ])
    app.state.context = portal
    return app
