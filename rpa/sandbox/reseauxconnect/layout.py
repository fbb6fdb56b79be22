"""What every Centralisateur screen shares: the portal's context on its app, the session a
Planet VO handoff opened (none: `no_session.html`), this seed's release markup."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from rpa.sandbox.host import Host
from rpa.sandbox.release import Release, Releases
from rpa.sandbox.reseauxconnect.release import centralisateur_release
from rpa.sandbox.state import SandboxState
from rpa.sandbox.web import SessionStore, context

DECLARER_URL = "/VenteGarantie/CreerVenteGarantie"
FORM_URL = "/VenteGarantie/Formulaire"


@dataclass
class Centralisateur:
    """The portal, as its routes find it on `request.app.state.context`."""

    sandbox: Host
    store: SessionStore
    releases: Releases = field(default_factory=lambda: Releases(centralisateur_release))

    @classmethod
    def of(cls, request: Request) -> Centralisateur:
        return context(request, cls)

    @property
    def state(self) -> SandboxState:
        return self.sandbox.state  # looked up each time: tests may swap the state object

    def release(self) -> Release:
        """This seed's next release (drift `markup`), or today's markup."""
        return self.releases.current(self.sandbox.drift)

    def render(self, template: str, status_code: int = 200, **ctx: Any) -> Response:
        return self.sandbox.render(f"reseauxconnect/{template}", status_code=status_code,
                                   mk=self.release(), **ctx)

    def no_session(self) -> Response:
        return self.render("no_session.html")

    def session_of(self, request: Request) -> dict[str, Any] | None:
        return self.store.get(request)

    def page(self, template: str, session: dict[str, Any], status_code: int = 200,
             **ctx: Any) -> Response:
        return self.render(template, status_code=status_code, session=session, **ctx)

    def inline_error(self, request: Request, message: str, role: str) -> Response:
        """A failed page, as the Centralisateur shows it (drift `inline-errors`): status 200,
        its top links and the dealer for a signed-in user, the bare frame otherwise."""
        return self.render("erreur.html", session=self.session_of(request), message=message,
                           role=role)
