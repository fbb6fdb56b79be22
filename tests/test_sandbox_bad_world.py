"""The sandbox's bad-world knobs, at the HTTP level (no browser): what tests of the bot rely on
to check that it fails safe.

- `Sandbox.sign_in_attempts` counts every credential submission a portal saw, right or wrong,
  on every face of its sign-in (GuideWire's pages and its client-side `/api/login`);
- `Sandbox.account_trouble`: a `locked` account refuses even the right password, in the
  portal's alert; an `expired` one takes the right password to `Mot de passe expiré`, with no
  session;
- `Sandbox.garbage`: a portal answers everything with seeded HTML-ish garbage, status 200,
  and the other portals are untouched.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser

import httpx
import pytest

from rpa.sandbox.drift import Drift
from rpa.sandbox.host import PORTALS
from rpa.sandbox.server import Sandbox, create_sandbox
from rpa.sandbox.signin import ACCOUNT_LOCKED
from rpa.sandbox.state import SandboxState

EXPIRED_HEADING = "Mot de passe expiré"
EXPIRED_MESSAGE = "Votre mot de passe a expiré. Veuillez choisir un nouveau mot de passe."


@dataclass(frozen=True)
class SignIn:
    """How one portal's server-rendered sign-in is used: where it posts, its fields, the
    account that is right, and its own refusal."""

    portal: str
    path: str
    user_field: str
    refusal: str

    def credentials(self, state: SandboxState) -> tuple[str, str]:
        if self.portal == "planetvo":
            return state.planetvo_account.username, state.planetvo_account.password
        if self.portal == "guidewire":
            return state.guidewire_account.username, state.guidewire_account.password
        account = state.traqueur.accounts[0]
        return account.email, account.password

    def submit(self, client: httpx.Client, state: SandboxState, *, right: bool) -> httpx.Response:
        user, password = self.credentials(state)
        return client.post(self.path, data={self.user_field: user,
                                            "password": password if right else password + "-faux"})


SIGN_INS = [
    SignIn("planetvo", "/", "username", "Identifiant ou mot de passe incorrect"),
    SignIn("guidewire", "/login", "username", "Nom d'utilisateur ou mot de passe incorrect"),
    SignIn("traqueur", "/login", "email", "Adresse email ou mot de passe incorrect"),
]
SIGN_IN_IDS = [s.portal for s in SIGN_INS]
# The labels and button of each portal's login page (PORTALS.md).
LOGIN_NAMES = {
    "planetvo": {"Identifiant", "Mot de passe", "Se connecter"},
    "guidewire": {"Nom d'utilisateur :", "Mot de passe :", "Connexion"},
    "traqueur": {"Adresse email :", "Mot de passe :", "ACCÉDER À MON COMPTE"},
}


class _Outline(HTMLParser):
    """What a user (or a locator by role) finds on a page: headings, alerts, labels, buttons,
    each with its text."""

    VOID = {"br", "hr", "img", "input", "meta", "link", "wbr"}
    KINDS = {"h1": "heading", "h2": "heading", "h3": "heading", "label": "label", "button": "button"}

    def __init__(self) -> None:
        super().__init__()
        self.open: list[tuple[str, list[str]] | None] = []
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.VOID:
            return
        role = dict(attrs).get("role")
        kind = role if role in ("alert", "heading") else self.KINDS.get(tag)
        self.open.append((kind, []) if kind else None)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID or not self.open:
            return
        entry = self.open.pop()
        if entry is not None:
            self.found.append((entry[0], " ".join(" ".join(entry[1]).split())))

    def handle_data(self, data: str) -> None:
        for entry in self.open:
            if entry is not None:
                entry[1].append(data)


def outline(html: str, kind: str) -> list[str]:
    parser = _Outline()
    parser.feed(html)
    return [text for k, text in parser.found if k == kind]


def is_login_page(portal: str, html: str) -> bool:
    return LOGIN_NAMES[portal] <= {*outline(html, "label"), *outline(html, "button")}


# -- fixtures ---------------------------------------------------------------------------------
@pytest.fixture
def box() -> Iterator[Sandbox]:
    with create_sandbox() as served:
        yield served


@pytest.fixture
def spa() -> Iterator[Sandbox]:
    with create_sandbox(drift=Drift.parse("spa", 0)) as served:
        yield served


def client(box: Sandbox, portal: str) -> httpx.Client:
    return httpx.Client(base_url=box.url(portal), follow_redirects=True, timeout=10)


def session_cookie(box: Sandbox, portal: str, answer: httpx.Response) -> bool:
    """Whether the answer (or one of the redirects before it) set the portal's session."""
    cookie = box.sessions[portal].cookie
    return any(cookie in r.headers.get("set-cookie", "") for r in [*answer.history, answer])


# -- sign-in attempts --------------------------------------------------------------------------
@pytest.mark.parametrize("sign_in", SIGN_INS, ids=SIGN_IN_IDS)
def test_every_submission_is_counted_right_or_wrong(box: Sandbox, sign_in: SignIn) -> None:
    with client(box, sign_in.portal) as c:
        wrong = sign_in.submit(c, box.state, right=False)
        assert sign_in.refusal in outline(wrong.text, "alert")
        assert box.sign_in_attempts == {sign_in.portal: 1}
        right = sign_in.submit(c, box.state, right=True)
    assert right.status_code == 200 and session_cookie(box, sign_in.portal, right)
    assert box.sign_in_attempts == {sign_in.portal: 2}  # and nothing for the other portals


def test_the_client_side_sign_in_is_counted_too(spa: Sandbox) -> None:
    account = spa.state.guidewire_account
    with client(spa, "guidewire") as c:
        wrong = c.post("/api/login", json={"username": account.username, "password": "faux"})
        assert wrong.status_code == 400 and spa.sign_in_attempts["guidewire"] == 1
        right = c.post("/api/login", json={"username": account.username, "password": account.password})
    assert right.status_code == 200 and right.json() == {"user": account.username}
    assert spa.sign_in_attempts == {"guidewire": 2}


# -- a locked account --------------------------------------------------------------------------
@pytest.mark.parametrize("sign_in", SIGN_INS, ids=SIGN_IN_IDS)
def test_a_locked_account_refuses_even_the_right_password(box: Sandbox, sign_in: SignIn) -> None:
    box.account_trouble[sign_in.portal] = "locked"
    with client(box, sign_in.portal) as c:
        for right in (True, False):
            answer = sign_in.submit(c, box.state, right=right)
            assert answer.status_code == 200 and outline(answer.text, "alert") == [ACCOUNT_LOCKED]
            assert not session_cookie(box, sign_in.portal, answer)
    assert not box.sessions[sign_in.portal].data
    assert box.sign_in_attempts[sign_in.portal] == 2


def test_a_locked_account_refuses_the_client_side_sign_in(spa: Sandbox) -> None:
    spa.account_trouble["guidewire"] = "locked"
    account = spa.state.guidewire_account
    with client(spa, "guidewire") as c:
        answer = c.post("/api/login", json={"username": account.username, "password": account.password})
    assert answer.status_code == 403 and answer.json() == {"errors": [ACCOUNT_LOCKED]}
    assert "set-cookie" not in answer.headers and spa.sign_in_attempts["guidewire"] == 1


# -- an expired password -------------------------------------------------------------------------
@pytest.mark.parametrize("sign_in", SIGN_INS, ids=SIGN_IN_IDS)
def test_an_expired_password_shows_its_page_and_opens_no_session(box: Sandbox, sign_in: SignIn) -> None:
    box.account_trouble[sign_in.portal] = "expired"
    with client(box, sign_in.portal) as c:
        answer = sign_in.submit(c, box.state, right=True)
        assert answer.status_code == 200 and not answer.history  # this page, not a redirect home
        assert outline(answer.text, "heading")[-1] == EXPIRED_HEADING
        assert EXPIRED_MESSAGE in answer.text
        assert outline(answer.text, "label") == ["Nouveau mot de passe", "Confirmation du mot de passe"]
        assert "Enregistrer" in outline(answer.text, "button")
        assert not session_cookie(box, sign_in.portal, answer) and not box.sessions[sign_in.portal].data
        again = c.get("/")  # still signed out: the login page
        assert is_login_page(sign_in.portal, again.text)
        wrong = sign_in.submit(c, box.state, right=False)  # a wrong password is just refused
        assert outline(wrong.text, "alert") == [sign_in.refusal]
    assert box.sign_in_attempts[sign_in.portal] == 2


def test_an_expired_password_answers_the_client_side_screen_without_a_session(spa: Sandbox) -> None:
    spa.account_trouble["guidewire"] = "expired"
    account = spa.state.guidewire_account
    with client(spa, "guidewire") as c:
        answer = c.post("/api/login", json={"username": account.username, "password": account.password})
        assert answer.status_code == 200 and "set-cookie" not in answer.headers
        words = answer.json()["password_expired"]
        assert (words["heading"], words["message"]) == (EXPIRED_HEADING, EXPIRED_MESSAGE)
        assert (words["new_password"], words["confirmation"], words["button"]) == (
            "Nouveau mot de passe", "Confirmation du mot de passe", "Enregistrer")
        assert c.get("/api/accueil").status_code == 401
    assert not spa.sessions["guidewire"].data


# -- garbage --------------------------------------------------------------------------------------
PROBES = [("GET", "/"), ("POST", "/"), ("GET", "/login"), ("POST", "/login"), ("GET", "/accueil"),
          ("GET", "/api/devis-ouverts"), ("POST", "/api/login"), ("PUT", "/nulle/part?x=1"),
          ("DELETE", "/bdc/1"), ("HEAD", "/")]
# Nothing of a page a user could act on or that PORTALS.md names.
NOT_IN_GARBAGE = ("<form", "<input", "<button", "<label", "<select", "role=", "aria-",
                  "identifiant", "mot de passe", "connexion", "se connecter", "adresse email",
                  "accéder à mon compte", "accueil", "rechercher", "erreur", "indisponible")


@pytest.mark.parametrize("portal", PORTALS)
def test_a_garbled_portal_answers_garbage_to_everything(box: Sandbox, portal: str) -> None:
    box.garbage.add(portal)
    bodies = []
    with client(box, portal) as c:
        for method, path in PROBES:
            answer = c.request(method, path, data={"username": "a", "password": "b"}
                               if method == "POST" else None)
            assert answer.status_code == 200, (method, path)
            assert answer.headers["content-type"].startswith("text/html")
            if method != "HEAD":
                bodies.append(answer.text)
    for body in bodies:
        assert "<" in body and not body.rstrip().endswith(">")  # markup, cut short
        assert not [word for word in NOT_IN_GARBAGE if word in body.lower()], body
    assert len(set(bodies)) == len(bodies)  # random, not one canned page
    assert not box.sign_in_attempts  # no sign-in happened behind it


@pytest.mark.parametrize("portal", ["planetvo", "guidewire", "traqueur"])
def test_garbage_leaves_the_other_portals_alone(box: Sandbox, portal: str) -> None:
    box.garbage = set(PORTALS) - {portal}
    with client(box, portal) as c:
        answer = c.get("/")
    assert answer.status_code == 200 and is_login_page(portal, answer.text)


def test_garbage_is_seeded() -> None:
    def first_pages(seed: int) -> list[str]:
        with create_sandbox(drift=Drift(seed=seed)) as served:
            served.garbage = {"reseauxconnect"}
            with client(served, "reseauxconnect") as c:
                return [c.get(f"/page/{n}").text for n in range(3)]

    assert first_pages(1) == first_pages(1) != first_pages(2)
