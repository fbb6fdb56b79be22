"""What every extranet page shares: the portal's context on its app, the account's banner and
the messages the last action left for the page (flashes), this seed's release markup, the
guard that checks the account and its kind (requester or remover), and the e-mails."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from rpa.sandbox.host import Host
from rpa.sandbox.release import Release, Releases
from rpa.sandbox.traqueur.release import RELEASE_TABLES, extranet_release
from rpa.sandbox.traqueur.state import Demande, DemandeLine, TraqueurAccount, TraqueurState
from rpa.sandbox.web import Endpoint, SessionStore, context

SENDER = "Extranet PRO Traqueur <extranetpro@traqueur.example>"

# A page behind the sign-in: given the request, the session and its account.
Handler = Callable[[Request, dict[str, Any], TraqueurAccount], Awaitable[Response]]


@dataclass
class Extranet:
    """The portal, as its routes find it on `request.app.state.context`."""

    sandbox: Host
    store: SessionStore
    releases: Releases = field(default_factory=lambda: Releases(extranet_release))

    @classmethod
    def of(cls, request: Request) -> Extranet:
        return context(request, cls)

    @property
    def state(self) -> TraqueurState:
        return self.sandbox.state.traqueur

    def release(self) -> Release:
        """This seed's next release (drift `markup`), or today's markup."""
        return self.releases.current(self.sandbox.drift)

    def render(self, template: str, status_code: int = 200, **ctx: Any) -> Response:
        mk = self.release()
        columns = {key: mk.order(key, spec.columns) for key, spec in RELEASE_TABLES.items()}
        return self.sandbox.render(f"traqueur/{template}", status_code=status_code, mk=mk,
                                   columns=columns, **ctx)

    def account_of(self, request: Request) -> tuple[dict[str, Any] | None, TraqueurAccount | None]:
        """The session on this request, and its account (None for either when signed out)."""
        session = self.store.get(request)
        return session, self.state.account(session["email"]) if session else None

    def inline_error(self, request: Request, message: str, role: str) -> Response:
        """A failed page, as the extranet shows it (drift `inline-errors`): status 200, the
        account's banner for a signed-in user, the bare banner otherwise."""
        _session, account = self.account_of(request)
        return self.render("erreur.html", account=account, flashes=[], message=message, role=role)

    def page(self, template: str, session: dict[str, Any], account: TraqueurAccount,
             status_code: int = 200, **ctx: Any) -> Response:
        """An inner page, with the messages left for it by the last action."""
        flashes = session.pop("flash", [])
        return self.render(template, status_code=status_code, account=account, flashes=flashes,
                           **ctx)

    def login_page(self, *, error: str = "", info: str = "", status_code: int = 200) -> Response:
        return self.render("login.html", status_code=status_code, error=error, info=info)

    def not_found(self, session: dict[str, Any], account: TraqueurAccount) -> Response:
        return self.page("message.html", session, account, status_code=404, title="Introuvable",
                         crumb="Introuvable", alert="Demande introuvable.")

    async def mail(self, to: list[str], subject: str, body: str) -> None:
        recipients = list(dict.fromkeys(a for a in to if a))
        await self.sandbox.send_mail(SENDER, recipients, subject, body)

    def requester_addresses(self, demande: Demande) -> list[str]:
        requester = self.state.account(demande.requester)
        return [requester.contact_email if requester else "", demande.email_suivi]


def flash(session: dict[str, Any], role: str, text: str) -> None:
    """A message for the next page this session sees."""
    session.setdefault("flash", []).append({"role": role, "text": text})


def vehicle_block(line: DemandeLine) -> str:
    """A line's vehicle, as the e-mails describe it."""
    return (f"Marque : {line.marque}\nModèle : {line.modele}\nVIN : {line.vin}\n"
            f"Lieu : {line.lieu}\nDate : {line.date_souhaitee}")


def authed(handler: Handler, *, api: bool = False, kind: str | None = None) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        portal = Extranet.of(request)
        session, account = portal.account_of(request)
        if session is None or account is None:
            if api:
                return JSONResponse({"error": "session expirée"}, status_code=401)
            return RedirectResponse("/", status_code=303)
        if kind is not None and account.kind != kind:
            return portal.page("message.html", session, account, status_code=403,
                               title="Accès refusé", crumb="Accès refusé",
                               alert="Cette page n'est pas disponible pour votre compte.")
        return await handler(request, session, account)

    return endpoint


def route(path: str, handler: Handler, methods: tuple[str, ...] = ("GET",), *,
          api: bool = False, kind: str | None = None) -> Route:
    """A page behind the sign-in; `kind`: only for that kind of account."""
    return Route(path, authed(handler, api=api, kind=kind), methods=list(methods))
