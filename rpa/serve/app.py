"""The console's pages: runs, a run, an item, vehicles, the audit log, signing in, and the
two actions. Read-only over the data folder and the ledger, except through `Launcher`."""

from __future__ import annotations

import urllib.parse
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from rpa.config import Settings
from rpa.core.errors import ActionRefused
from rpa.runs.outcome import Outcome
from rpa.serve.actions import Launcher
from rpa.serve.audit import AuditLog
from rpa.serve.catalog import SHOWN, Catalog
from rpa.serve.gate import HEADERS, REPORT_CSP, Gate
from rpa.serve.hosts import loopback
from rpa.serve.sessions import COOKIE, Session, Sessions, Throttle
from rpa.serve.users import accounts, check

HERE = Path(__file__).parent


def trace_viewer_dir() -> Path:
    """Playwright's own trace viewer, the static build shipped inside the Python package."""
    import playwright

    return Path(playwright.__file__).parent / "driver" / "package" / "lib" / "vite" / "traceViewer"


class Console:
    def __init__(self, settings: Settings, *, open_access: bool, secure: bool = False) -> None:
        self.settings = settings
        self.catalog = Catalog(settings)
        self.audit = AuditLog(settings.data_dir / "serve" / "audit.jsonl")
        self.sessions = Sessions(settings.serve.session_hours)
        self.throttle = Throttle()
        self.gate = Gate(self.sessions, self.audit, open_access=open_access, secure=secure)
        self.launcher = Launcher(settings, self.audit)
        self.templates = Jinja2Templates(directory=str(HERE / "templates"))

    def render(self, request: Request, session: Session | None, name: str, status: int = 200,
               **values: Any) -> Response:
        return self.templates.TemplateResponse(request, name, {
            "session": session, "open_access": self.gate.open_access, "shown": SHOWN, **values,
        }, status_code=status, headers=HEADERS)

    # -- runs ---------------------------------------------------------------------------------
    def runs(self, request: Request, session: Session, form: dict[str, Any], *, status: int = 200,
             message: str = "") -> Response:
        number = _int(request.query_params.get("page"), 1)
        lines, pages = self.catalog.page(number)
        return self.render(request, session, "runs.html", status, lines=lines, page=number, pages=pages,
                           message=message)

    def live(self, request: Request, session: Session, form: dict[str, Any]) -> Response:
        """Runs under way, for the pages' short poll (and one asked for by `?run=`)."""
        wanted = request.query_params.get("run", "")
        runs = [line.live() for line in self.catalog.under_way()]
        if wanted and all(run["run_id"] != wanted for run in runs):
            line = self.catalog.line(wanted)
            launched = self.launcher.started.get(wanted)
            if line is not None:
                runs.append(line.live())
            elif launched is not None:  # started from here, its folder not written yet
                state = "démarrage" if launched.process.poll() is None else "arrêté"
                runs.append({"run_id": wanted, "state": state, "total": None, "ended": 0, "counts": {},
                             "working": []})
        return JSONResponse({"runs": runs})

    def run(self, request: Request, session: Session, form: dict[str, Any]) -> Response:
        run_id = request.path_params["run_id"]
        summary, progress = self.catalog.run(run_id)
        launched = self.launcher.started.get(run_id)
        if summary is None and progress is None and launched is None:
            return self.render(request, session, "missing.html", 404, what=f"Aucun run {run_id}.")
        links = {o.row: {k: self.catalog.link(getattr(o, k)) for k in ("pdf", "trace", "screenshot")}
                 for o in (summary.outcomes if summary else [])}
        files = {name: self.catalog.run_file(run_id, name) is not None
                 for name in ("resultats.xlsx", "rapport.html", "rapprochement.xlsx")}
        ended = launched is not None and launched.process.poll() is not None
        said = launched.said() if launched is not None and ended else ""
        return self.render(request, session, "run.html", run_id=run_id, s=summary, progress=progress,
                           links=links, files=files, launched=launched, said=said, ended=ended)

    def item(self, request: Request, session: Session, form: dict[str, Any], *, status: int = 200,
             message: str = "") -> Response:
        run_id, outcome = self._outcome(request.path_params["run_id"], request.path_params["row"])
        if outcome is None:
            return self.render(request, session, "missing.html", 404, what="Aucun véhicule à cette ligne.")
        links = {k: self.catalog.link(getattr(outcome, k)) for k in ("pdf", "trace", "screenshot")}
        viewer = None
        if links["trace"]:
            viewer = "/trace-viewer/index.html?" + urllib.parse.urlencode(
                {"trace": str(request.base_url).rstrip("/") + links["trace"]})
        # Its service worker needs a secure context: HTTPS, or this machine itself.
        blocked = request.url.scheme != "https" and not loopback(request.url.hostname or "")
        return self.render(request, session, "item.html", status, run_id=run_id, o=outcome, links=links,
                           viewer=viewer, viewer_blocked=blocked, message=message)

    def file(self, request: Request, session: Session, form: dict[str, Any]) -> Response:
        run_id, relative = request.path_params["run_id"], request.path_params["path"]
        path = self.catalog.run_file(run_id, relative)
        if path is None:
            return self.render(request, session, "missing.html", 404, what="Aucun fichier à cette adresse.")
        response = FileResponse(path)
        if path.suffix == ".html":
            response.headers["Content-Security-Policy"] = REPORT_CSP
        return response

    def policy(self, request: Request, session: Session, form: dict[str, Any]) -> Response:
        path = self.catalog.policy_file(request.path_params["path"])
        if path is None:
            return self.render(request, session, "missing.html", 404, what="Aucune police à cette adresse.")
        return FileResponse(path, media_type="application/pdf")

    # -- vehicles and audit ---------------------------------------------------------------------
    def vehicles(self, request: Request, session: Session, form: dict[str, Any]) -> Response:
        text = request.query_params.get("q", "").strip()
        found = [(item, events, self.catalog.runs_of(item.key), self.catalog.link(item.pdf))
                 for item, events in self.catalog.vehicles(text)] if text else []
        return self.render(request, session, "vehicles.html", q=text, found=found)

    def journal(self, request: Request, session: Session, form: dict[str, Any]) -> Response:
        return self.render(request, session, "audit.html", entries=self.audit.last())

    # -- actions ----------------------------------------------------------------------------------
    def rerun(self, request: Request, session: Session, form: dict[str, Any]) -> Response:
        run_id, outcome = self._outcome(str(form.get("run", "")), str(form.get("row", "")))
        if outcome is None:
            return self.render(request, session, "missing.html", 404, what="Aucun véhicule à relancer.")
        try:
            launched = self.launcher.rerun(session.user, run_id, outcome, confirmed=form.get("confirm") == "oui")
        except ActionRefused as refused:
            request.path_params.update(run_id=run_id, row=str(outcome.row))
            return self.item(request, session, form, status=409, message=refused.message)
        return RedirectResponse(f"/runs/{launched.run_id}", status_code=303)

    def night(self, request: Request, session: Session, form: dict[str, Any]) -> Response:
        try:
            launched = self.launcher.night(session.user)
        except ActionRefused as refused:
            return self.runs(request, session, form, status=409, message=refused.message)
        return RedirectResponse(f"/runs/{launched.run_id}", status_code=303)

    def _outcome(self, run_id: str, row: str) -> tuple[str, Outcome | None]:
        summary, _ = self.catalog.run(run_id)
        number = _int(row, -1)
        found = next((o for o in summary.outcomes if o.row == number), None) if summary else None
        return run_id, found

    # -- signing in -------------------------------------------------------------------------------
    def signin_page(self, request: Request) -> Response:
        return self.render(request, None, "signin.html", next=_local(request.query_params.get("next", "/")))

    async def signin(self, request: Request) -> Response:
        form = await request.form()
        name, password = str(form.get("name", "")).strip(), str(form.get("password", ""))
        target = _local(str(form.get("next", "/")))
        ip = request.client.host if request.client else ""
        if self.throttle.blocked(name):
            self.audit.write(name, "connexion refusée : trop d'essais", ip=ip)
            return self.render(request, None, "signin.html", 429, next=target,
                               message="Trop d'essais pour ce compte : réessayez dans un quart d'heure.")
        user = check(accounts(self.settings), name, password)
        if user is None:
            self.throttle.failed(name)
            self.audit.write(name, "connexion refusée", ip=ip)
            return self.render(request, None, "signin.html", 401, next=target,
                               message="Nom ou mot de passe incorrect.")
        self.throttle.succeeded(name)
        sid, _ = self.sessions.open(name, user.role)
        self.audit.write(name, "connexion", role=user.role.value, ip=ip)
        response = RedirectResponse(target, status_code=303)
        self.gate.set_cookie(response, sid)
        return response

    def signout(self, request: Request, session: Session, form: dict[str, Any]) -> Response:
        self.sessions.close(request.cookies.get(COOKIE))
        self.audit.write(session.user, "déconnexion")
        response = RedirectResponse("/signin" if not self.gate.open_access else "/runs", status_code=303)
        response.delete_cookie(COOKIE, path="/")
        return response


def create_app(settings: Settings, *, open_access: bool, secure: bool = False) -> Starlette:
    console = Console(settings, open_access=open_access, secure=secure)
    gate = console.gate
    routes = [
        Route("/", lambda request: RedirectResponse("/runs", status_code=303)),
        Route("/signin", console.signin_page, methods=["GET"]),
        Route("/signin", console.signin, methods=["POST"]),
        Route("/signout", gate.page(console.signout), methods=["POST"]),
        Route("/runs", gate.page(console.runs)),
        Route("/runs/live.json", gate.page(console.live)),
        Route("/runs/{run_id}", gate.page(console.run)),
        Route("/runs/{run_id}/items/{row}", gate.page(console.item)),
        Route("/runs/{run_id}/{path:path}", gate.page(console.file)),
        Route("/policies/{path:path}", gate.page(console.policy)),
        Route("/vehicles", gate.page(console.vehicles)),
        Route("/audit", gate.page(console.journal)),
        Route("/actions/rerun", gate.page(console.rerun, act=True), methods=["POST"]),
        Route("/actions/night", gate.page(console.night, act=True), methods=["POST"]),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
        Mount("/trace-viewer", gate.files(StaticFiles(directory=trace_viewer_dir(), html=True))),
    ]
    app = Starlette(routes=routes)
    app.state.console = console
    return app


def _int(text: str | None, default: int) -> int:
    try:
        return max(1, int(text or "")) if default > 0 else int(text or "")
    except ValueError:
        return default


def _local(target: str) -> str:
    """Where to go after signing in: a path of this console, never another site."""
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else "/"
