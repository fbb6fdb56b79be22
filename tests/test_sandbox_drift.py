"""The `inline-errors` and `markup` drifts of Planet VO, reseauxconnect and the extranet, over HTTP.

`inline-errors`: a failed page comes back with status 200 inside the portal's own layout, in
one of its own words (seeded, as an alert or as plain text); a script's call keeps its status,
and the page's script tells it in the same kind of words. `markup`: the next release draws
everything differently, but every name PORTALS.md gives is still there, for the same role.

The names are read from a small accessibility tree built from the HTML (roles, names from
`<label for>`, `aria-labelledby`, `aria-label` or content), as a screen reader would.
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

import httpx
import openpyxl
import pytest

with warnings.catch_warnings():
    # Starlette warns at import when the test client runs on `httpx` rather than `httpx2`.
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from rpa.sandbox.declaration import ALL_FIELDS, prefill
from rpa.sandbox.drift import INLINE_ERRORS, Drift
from rpa.sandbox.faults import UNAVAILABLE_PAGE, FaultKind, Faults
from rpa.sandbox.planetvo.app import build_app as planetvo_app
from rpa.sandbox.planetvo.words import BDC_COLUMNS, BDC_TEXT_FILTERS, MENU, SITE_FIELDS
from rpa.sandbox.reseauxconnect.app import build_app as reseauxconnect_app
from rpa.sandbox.reseauxconnect.layout import DECLARER_URL, FORM_URL
from rpa.sandbox.reseauxconnect.profil import GARANTISSEURS
from rpa.sandbox.server import Sandbox, create_sandbox
from rpa.sandbox.traqueur.app import build_app as traqueur_app
from rpa.sandbox.traqueur.release import DEMANDE_COLUMNS, LINE_COLUMNS, REMOVER_COLUMNS
from rpa.sandbox.traqueur.seed import sixt_vehicles
from rpa.sandbox.traqueur.upload import EXPECTED_HEADER

NAVIGATE = {"sec-fetch-mode": "navigate", "sec-fetch-dest": "document"}
FETCH = {"sec-fetch-mode": "cors", "sec-fetch-dest": "empty"}
PAGE_FAULTS: tuple[FaultKind, ...] = ("http-503", "http-500", "page-indisponible")
SEEDS = range(6)
STELLANTIS = "Garantie Stellantis Assurance"
SIXT = ("flotte@sixt.example", "Sixt-Depose-2024")
TRAMOSA = ("depose@tramosa.example", "Tramosa-EK004")


# -- a small accessibility tree ------------------------------------------------------------
@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    parent: Node | None = None
    children: list[Node | str] = field(default_factory=list)

    def text(self) -> str:
        return " ".join("".join(c if isinstance(c, str) else " " + c.text() + " "
                                for c in self.children).split())

    def walk(self) -> Iterator[Node]:
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.walk()

    def ancestor(self, tag: str) -> Node | None:
        node = self.parent
        while node is not None and node.tag != tag:
            node = node.parent
        return node


class _Builder(HTMLParser):
    VOID = {"br", "hr", "img", "input", "meta", "link", "wbr", "col"}
    INLINE = {"abbr", "span", "a", "strong", "small", "label", "b", "i", "em"}

    def __init__(self) -> None:
        super().__init__()
        self.root = Node("#root", {})
        self.current = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs}, self.current)
        self.current.children.append(node)
        if tag not in self.VOID:
            self.current = node

    def handle_endtag(self, tag: str) -> None:
        node: Node | None = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data: str) -> None:
        if self.current.tag not in ("script", "style"):
            self.current.children.append(data)


def tree(html: str) -> Node:
    builder = _Builder()
    builder.feed(html)
    return builder.root


def _inline_text(node: Node) -> str:
    """Text as a name is computed from content: inline elements join without a space."""
    parts = []
    for child in node.children:
        if isinstance(child, str):
            parts.append(child)
        elif child.tag in _Builder.INLINE:
            parts.append(_inline_text(child))
        else:
            parts.append(" " + _inline_text(child) + " ")
    return " ".join("".join(parts).split())


def role_of(node: Node) -> str:
    if node.attrs.get("role"):
        return node.attrs["role"]
    tag = node.tag
    if tag == "a" and "href" in node.attrs:
        return "link"
    if tag == "button" or (tag == "input" and node.attrs.get("type") in ("submit", "button")):
        return "button"
    if re.fullmatch(r"h[1-6]", tag):
        return "heading"
    if tag == "th":
        return "rowheader" if node.attrs.get("scope") == "row" else "columnheader"
    if tag == "td":
        table = node.ancestor("table")
        return "gridcell" if table is not None and table.attrs.get("role") == "grid" else "cell"
    if tag == "table":
        return "table"
    if tag in ("input", "select", "textarea"):
        return "control"
    if tag == "fieldset":
        return "group"
    return ""


class Page:
    """What assistive technology reads of one HTML page: names by role."""

    def __init__(self, html: str) -> None:
        self.html = html
        self.root = tree(html)
        self.by_id = {n.attrs["id"]: n for n in self.root.walk() if "id" in n.attrs}

    def name(self, node: Node) -> str:
        if node.attrs.get("aria-labelledby"):
            return " ".join(_inline_text(self.by_id[i]) for i in node.attrs["aria-labelledby"].split()
                            if i in self.by_id)
        if node.attrs.get("aria-label"):
            return node.attrs["aria-label"]
        if node.tag in ("input", "select", "textarea"):
            label = next((n for n in self.root.walk()
                          if n.tag == "label" and n.attrs.get("for") == node.attrs.get("id")), None)
            return _inline_text(label) if label is not None else ""
        if node.tag == "fieldset":
            legend = next((c for c in node.children if isinstance(c, Node) and c.tag == "legend"), None)
            return _inline_text(legend) if legend is not None else ""
        return _inline_text(node)

    def names(self, *roles: str) -> set[str]:
        return {self.name(n) for n in self.root.walk() if role_of(n) in roles}

    def nodes(self, role: str, name: str) -> list[Node]:
        return [n for n in self.root.walk() if role_of(n) == role and self.name(n) == name]

    def columns(self) -> list[str]:
        return [self.name(n) for n in self.root.walk() if role_of(n) == "columnheader"]

    def labels(self) -> set[str]:
        return self.names("control")

    def clickables(self) -> set[str]:
        return self.names("button", "link")


def expect_names(page: Page, *, columns: tuple[str, ...] | list[str] = (),
                 labels: tuple[str, ...] | list[str] = (), actions: tuple[str, ...] = (),
                 links: tuple[str, ...] = (), headings: tuple[str, ...] = (),
                 dialogs: tuple[str, ...] = ()) -> None:
    """Every name is there, for its role (an action may be a button or a link); and no
    script was HTML-escaped on its way into the page."""
    for script in re.findall(r"<script>(.*?)</script>", page.html, re.S):
        assert not re.search(r"&(#\d+|lt|gt|amp|quot);", script), script
    assert set(columns) <= set(page.columns()), set(columns) - set(page.columns())
    assert set(labels) <= page.labels(), set(labels) - page.labels()
    assert set(actions) <= page.clickables(), set(actions) - page.clickables()
    assert set(links) <= page.names("link"), set(links) - page.names("link")
    assert set(headings) <= page.names("heading"), set(headings) - page.names("heading")
    assert set(dialogs) <= page.names("dialog"), set(dialogs) - page.names("dialog")


# -- the portals' apps, without a server -----------------------------------------------------
def sandbox_with(drift: str, seed: int, extra_bdcs: int = 0) -> Sandbox:
    box = create_sandbox(drift=Drift.parse(drift, seed), extra_bdcs=extra_bdcs)
    box.ports = {"planetvo": 1, "reseauxconnect": 2, "guidewire": 3, "traqueur": 4}
    return box


def planetvo_client(box: Sandbox) -> TestClient:
    client = TestClient(planetvo_app(box))
    account = box.state.planetvo_account
    client.post("/", data={"username": account.username, "password": account.password})
    return client


def reseauxconnect_client(box: Sandbox, bdc: str = "74602") -> tuple[TestClient, str]:
    """Signed in through a Planet VO handoff: the Profil page's HTML."""
    client = TestClient(reseauxconnect_app(box))
    box.handoffs["t"] = bdc
    return client, client.get("/sso?token=t").text


def traqueur_client(box: Sandbox, account: tuple[str, str]) -> TestClient:
    client = TestClient(traqueur_app(box))
    client.post("/login", data={"email": account[0], "password": account[1]})
    return client


def request_file(rows: list[list[str]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(EXPECTED_HEADER))
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# -- inline-errors: a failed page ------------------------------------------------------------
def inline_message(html: str) -> tuple[str, str]:
    """The one portal message a failed page holds, and its role ("" for plain text)."""
    found = [(m, role) for m in INLINE_ERRORS
             for role in re.findall(rf'<div class="[^"]*"(?: role="(alert)")?>{re.escape(m)}</div>', html)]
    assert len(found) == 1, html
    return found[0]


def failed_navigations(portal: str, seed: int, count: int = 12) -> tuple[list[httpx.Response], int]:
    faults = Faults(seed=seed, error_rate=1.0, kinds=PAGE_FAULTS)
    with create_sandbox(drift=Drift.parse("inline-errors,markup", seed), faults=faults) as box, \
            httpx.Client(base_url=box.url(portal)) as client:
        answers = [client.get("/", headers=NAVIGATE) for _ in range(count)]
        return answers, box.faults.total


@pytest.mark.parametrize(("portal", "frame"), [
    ("planetvo", "Planet VO<small>Jupiter</small>"),
    ("reseauxconnect", "SPOTI<span>C</span>AR"),
    ("traqueur", "TRAQUEUR<small>APRÈS-VOL"),
])
def test_a_failed_page_is_shown_in_the_portal_layout_with_status_200(portal: str, frame: str) -> None:
    answers, injected = failed_navigations(portal, seed=4)
    assert injected == len(answers)  # counted as today
    assert {a.status_code for a in answers} == {200}
    assert all(frame in a.text and "<h1>Service momentanément indisponible" not in a.text
               for a in answers)
    shown = [inline_message(a.text) for a in answers]
    assert {role for _, role in shown} == {"alert", ""}  # an alert, or a plain block of text
    assert len({message for message, _ in shown}) > 1
    again, _ = failed_navigations(portal, seed=4)
    assert [inline_message(a.text) for a in again] == shown  # seeded: a session replays


def signed_in_pages(box: Sandbox) -> dict[str, tuple[httpx.Client, str]]:
    """A client signed in on each portal, and a screen to navigate to."""
    pv = httpx.Client(base_url=box.url("planetvo"))
    account = box.state.planetvo_account
    pv.post("/", data={"username": account.username, "password": account.password})
    rc = httpx.Client(base_url=box.url("reseauxconnect"))
    box.handoffs["t"] = "74602"
    rc.get("/sso?token=t")
    tq = httpx.Client(base_url=box.url("traqueur"))
    tq.post("/login", data={"email": SIXT[0], "password": SIXT[1]})
    return {"planetvo": (pv, "/bdc"), "reseauxconnect": (rc, "/Profil"), "traqueur": (tq, "/deposes")}


def test_a_signed_in_user_keeps_the_menu_around_the_failure() -> None:
    with create_sandbox(drift=Drift.parse("inline-errors", 1)) as box:
        clients = signed_in_pages(box)
        box.faults = Faults(error_rate=1.0, kinds=PAGE_FAULTS)
        pages = {portal: Page(client.get(path, headers=NAVIGATE).text)
                 for portal, (client, path) in clients.items()}
        for client, _ in clients.values():
            client.close()
    expect_names(pages["planetvo"], links=tuple(name for name, _ in MENU),
                 headings=("Bon de commande",))
    expect_names(pages["reseauxconnect"],
                 links=("Spoticar", "Accueil", "Déclarer Vente", "Profil", "Support", "Se déconnecter"))
    expect_names(pages["traqueur"], links=("Déconnexion",))
    assert "Mon compte : SIXT SAS" in pages["traqueur"].html
    for page in pages.values():
        inline_message(page.html)


@pytest.mark.parametrize("kind", PAGE_FAULTS)
def test_a_script_call_keeps_its_status(kind: FaultKind) -> None:
    expected = {"http-503": 503, "http-500": 500, "page-indisponible": 200}[kind]
    with create_sandbox(drift=Drift.parse("inline-errors,markup", 2)) as box:
        clients = signed_in_pages(box)
        box.faults = Faults(error_rate=1.0, kinds=(kind,))
        pv, rc, tq = (clients[p][0] for p in ("planetvo", "reseauxconnect", "traqueur"))
        calls = [pv.get("/bdc/lignes", headers=FETCH), pv.get("/vehicules/60226/garantir"),
                 rc.get("/api/declarations", headers=FETCH), tq.get("/api/deposes")]
        for client in (pv, rc, tq):
            client.close()
    assert [c.status_code for c in calls] == [expected] * len(calls)
    # The bare answers of today, for the page's script to tell in its words.
    bare = "Internal Server Error" if kind == "http-500" else UNAVAILABLE_PAGE
    assert [c.text for c in calls] == [bare] * len(calls)


def test_a_lost_answer_and_pages_without_the_drift_stay_as_they_were() -> None:
    faults = Faults(error_rate=1.0, kinds=("reponse-perdue",))
    with create_sandbox(drift=Drift.parse("inline-errors", 0), faults=faults) as box, \
            httpx.Client(base_url=box.url("planetvo")) as client:
        account = box.state.planetvo_account
        answer = client.post("/", headers=NAVIGATE,
                             data={"username": account.username, "password": account.password})
        assert answer.status_code == 502 and len(box.sessions["planetvo"].data) == 1
    with create_sandbox(faults=Faults(error_rate=1.0, kinds=("http-503",))) as box, \
            httpx.Client(base_url=box.url("traqueur")) as client:
        answer = client.get("/", headers=NAVIGATE)
        assert answer.status_code == 503 and answer.text == UNAVAILABLE_PAGE


def test_the_pages_scripts_tell_a_failed_call_in_the_portal_words() -> None:
    box = sandbox_with("inline-errors", 0)
    pages = [planetvo_client(box).get("/bdc").text, planetvo_client(box).get("/vehicules/60226").text]
    rc, _ = reseauxconnect_client(box)
    pages.append(rc.get("/").text)
    pages.append(traqueur_client(box, TRAMOSA).get("/deposes").text)
    for html in pages:
        assert '"Erreur technique' in html and "Veuillez réessayer." in html
        assert "Service momentanément indisponible (" not in html
    # The BDC list tells it in place of the list; a dialog in the dialog, else on the page.
    assert "PVO.get(results.dataset.src, results)" in pages[0]
    assert '#overlay [role=dialog] .body' in pages[1]


# -- markup: the next release keeps every name -----------------------------------------------
@pytest.mark.parametrize("seed", SEEDS)
def test_planetvo_release_keeps_every_name(seed: int) -> None:
    box = sandbox_with("markup", seed, extra_bdcs=25)
    client = planetvo_client(box)
    menu = tuple(name for name, _ in MENU)
    bdc_list = Page(client.get("/bdc").text)
    expect_names(bdc_list, links=menu, actions=("Rechercher", "Créer", "Modifier", "Supprimer", "Exporter"),
                 labels=("N°", "statut", *(label for label, _, _ in BDC_TEXT_FILTERS)),
                 headings=("Bon de commande",))
    rows = Page(client.get("/bdc/lignes").text)
    expect_names(rows, columns=BDC_COLUMNS, links=("Page suivante",))
    assert "Bons de commande: 1 a 25 sur 40" in rows.html and "Page 1 sur 2" in rows.html
    cells = [n for n in rows.root.walk() if role_of(n) in ("cell", "gridcell")]
    assert len(cells) == 25 * (len(BDC_COLUMNS) + 2)

    sites = Page(client.get("/parametrage").text)
    expect_names(sites, columns=("ID", "Code", "Libellé"), headings=("Paramétrage",))
    site = Page(client.get(f"/parametrage/sites/{box.state.sites[0].id}").text)
    expect_names(site, dialogs=("Modifier une localisation",), actions=("Enregistrer", "Fermer"),
                 labels=(*(label for label, _ in SITE_FIELDS), "Site bloqué"),
                 headings=("Modifier une localisation",))

    search = Page(client.get("/vehicules?rechercher=1").text)
    expect_names(search, labels=("Immat.", "VIN", "N° Police"), actions=("Rechercher",),
                 columns=("N° Police", "Immat.", "VIN", "Modèle", "Statut", "Site"))
    vehicle = Page(client.get("/vehicules/60226").text)
    expect_names(vehicle, headings=("Modifier véhicule", "Statut et Prix", "Véhicule",
                                    "Infos Commerciales", "Acteur de la vente"),
                 labels=("Statut", "Immat.", "Modèle", "N° Police"),
                 actions=("Document", "Envoi >> Commerce Box", "BDC(1)", "Imprimer", "Action",
                          "Garantir", "Valider", "Fermer"))
    dialog = Page(client.get("/vehicules/60226/garantir").text)
    expect_names(dialog, dialogs=("Information garantisseur",), actions=("Configurer", "Valider", "Fermer"),
                 labels=("Garantisseur :", "Identifiant", "Mot de passe"))
    form = Page(client.get("/bdc/74602").text)
    expect_names(form, actions=("Annuler", "Imprimer", "Clôturer", "Enregistrer", "Fermer"),
                 labels=("N°Police", "Modèle", "Immat", "Kilométrage", "Garantie", "Nom", "Prénom",
                         "Code Postal", "Ville", "Complément", "Date", "Lieu"))
    assert {"vendeur", "Vente", "Reprise", "Financement VENTE", "Acheteur", "Livraison", "Acompte",
            "Prix de vente"} <= form.names("group")


def test_planetvo_release_changes_the_markup_not_the_export() -> None:
    box = sandbox_with("markup", 19)
    client = planetvo_client(box)
    rows = Page(client.get("/bdc/lignes").text)
    assert rows.columns() != BDC_COLUMNS and "Agence" in rows.columns()
    assert rows.names("gridcell") and not rows.names("cell")  # this release draws a grid
    assert {"Rechercher", "Modifier"} <= Page(client.get("/bdc").text).names("link")
    site = client.get(f"/parametrage/sites/{box.state.sites[0].id}").text
    assert 'aria-labelledby="site-rrd1-label"' in site and '<label for="site-rrd1"' not in site
    assert '<div role="heading" aria-level="2"' in site
    export = openpyxl.load_workbook(io.BytesIO(client.get("/bdc/export").content)).active
    assert export is not None
    assert [c.value for c in export[1]][:len(BDC_COLUMNS)] == BDC_COLUMNS
    # A link that stands for a submit button keeps the button's name and value.
    search = client.get("/vehicules").text
    assert re.search(r'<a href="#"[^>]*data-submit data-name="rechercher" data-value="1">Rechercher</a>', search)


@pytest.mark.parametrize("seed", SEEDS)
def test_reseauxconnect_release_keeps_every_name_and_its_validation(seed: int) -> None:
    box = sandbox_with("markup", seed)
    client, profil_html = reseauxconnect_client(box)
    nav = ("Spoticar", "Accueil", "Déclarer Vente", "Profil", "Support", "Se déconnecter")
    profil = Page(profil_html)
    expect_names(profil, links=nav, headings=("PROFIL", "Configuration des garanties commerciales"),
                 columns=("Garantie", "Identifiant", "Type de gestion"), actions=("Modifier",),
                 labels=(*GARANTISSEURS, "Identifiant *", "Type de gestion"))
    declarer = Page(client.post("/Profil", data={"garantisseurs": [STELLANTIS]}).text)
    expect_names(declarer, headings=("DECLARATION VENTE SPOTICAR", "2. Garantie commerciale Spoticar"),
                 labels=(STELLANTIS,), actions=("Page Suivante",))
    form = Page(client.post(DECLARER_URL, data={"garantisseur": STELLANTIS}).text)
    expect_names(form, labels=[f.label for f in ALL_FIELDS],
                 actions=("Déclarer et Garantir",), headings=("DECLARATION VENTE SPOTICAR",))

    record = box.state.bdc("74602")
    assert record is not None
    values = prefill(box.state, record) | {"type_vehicule": "", "immatriculation": ""}
    refused = Page(client.post(FORM_URL, data=values).text)
    alert = next(n for n in refused.root.walk() if n.attrs.get("role") == "alert")
    assert [line.text() for line in alert.children if isinstance(line, Node)] == [
        "Le champ type véhicule est obligatoire", "Le champ immatriculation est obligatoire"]
    invalid = {refused.name(n) for n in refused.root.walk() if n.attrs.get("aria-invalid") == "true"}
    assert invalid == {"Type véhicule*", "Immatriculation*"}

    done = Page(client.post(FORM_URL, data=prefill(box.state, record)).text)
    expect_names(done, headings=("Bienvenue au garage",), links=("Accéder à GuideWire",))
    accueil = Page(client.get("/").text)
    expect_names(accueil, columns=("Date", "Immatriculation", "VIN", "Client", "Garantie", "Numéro devis"))
    rows = client.get("/api/declarations").json()
    assert {"immat", "vin", "devis", "reference", "marque"} <= set(rows[0])


def test_reseauxconnect_release_draws_required_marks_as_abbr() -> None:
    box = sandbox_with("markup", 29)
    client, _ = reseauxconnect_client(box)
    client.post("/Profil", data={"garantisseurs": [STELLANTIS]})
    html = client.post(DECLARER_URL, data={"garantisseur": STELLANTIS}).text
    assert 'Nom<abbr title="obligatoire">*</abbr>' in html
    assert "Nom*" in Page(html).labels()


@pytest.mark.parametrize("seed", SEEDS)
def test_extranet_release_keeps_every_name(seed: int) -> None:
    box = sandbox_with("markup", seed)
    sixt = traqueur_client(box, SIXT)
    home = Page(sixt.get("/").text)
    expect_names(home, headings=("MON COMPTE : SIXT SAS", "Suivi des véhicules", "Gérer les déposes"),
                 links=("Créer une nouvelle demande de dépose", "Gérer les demandes de déposes",
                        "Déconnexion"))
    upload = Page(sixt.get("/deposes/nouvelle").text)
    expect_names(upload, actions=("OK",), headings=("CRÉER UNE DEMANDE DE DÉPOSE",))
    vehicle = sixt_vehicles(box.state.traqueur)[0]
    review_html = sixt.post("/deposes/nouvelle", files={"fichier": ("f.xlsx", request_file(
        [[vehicle.vin, vehicle.abonnement, "EK004", "Chambery", "30/07/2030", ""]]))}).text
    review = Page(review_html)
    expect_names(review, columns=LINE_COLUMNS, actions=("CONFIRMER",),
                 headings=("GÉRER LES DÉPOSES",))
    assert "Nouvelle" in {review.name(n) for n in review.root.walk() if role_of(n) in ("cell", "gridcell")}
    demandes = Page(sixt.get("/deposes").text)
    expect_names(demandes, columns=DEMANDE_COLUMNS, links=("#63",))
    detail = Page(sixt.get("/deposes/63").text)
    expect_names(detail, columns=LINE_COLUMNS, actions=("Prévenu", "Annuler la demande", "Fermer"))

    tramosa = traqueur_client(box, TRAMOSA)
    removals = Page(tramosa.get("/deposes").text)
    expect_names(removals, columns=REMOVER_COLUMNS,
                 actions=("Accepter la demande", "Refuser la demande", "Signaler la dépose", "OK", "Fermer"),
                 labels=("Motif du refus *",), headings=("GÉRER LES DÉPOSES",))
    signaler = Page(tramosa.get("/deposes/63/0/signaler").text)
    expect_names(signaler, actions=("OK",), headings=("SIGNALER UNE DÉPOSE",),
                 labels=("Date de dépose *", "7 derniers chiffres du numéro de boîtier *",
                         "Nom du technicien *"))
