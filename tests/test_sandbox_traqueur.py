"""HTTP-level checks of the Traqueur Extranet PRO replica (PORTALS.md §4), no browser.

They pin the rules the bot relies on: the upload file's header row, each `Rejetée :`
motif, one demande per CONFIRMER whatever is retried, the remover's legal and illegal
transitions, final statuses that never change, the requester's cancel, and the e-mails
each step sends (through the sandbox's real SMTP server).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import warnings
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
import pytest
from openpyxl import Workbook

with warnings.catch_warnings():
    # Starlette warns at import when the test client runs on `httpx` rather than `httpx2`.
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from rpa.sandbox.server import Sandbox, create_sandbox
from rpa.sandbox.state import SandboxState
from rpa.sandbox.traqueur.app import build_app as traqueur_app
from rpa.sandbox.traqueur.demandes import NO_FILE, NOTHING_TO_CONFIRM
from rpa.sandbox.traqueur.deposes import BOITIER_ERROR
from rpa.sandbox.traqueur.seed import ADA, SIXT, TRAMOSA, WALON, sixt_vehicles
from rpa.sandbox.traqueur.state import TrackedVehicle
from rpa.sandbox.traqueur.upload import HEADER_ERROR, NO_LINES, UNREADABLE

HEADER = ["Vin", "N° Abonnement", "Code Distributeur", "Lieu de dépose",
          "Date de dépose souhaitée", "Commentaires"]
IN_DEMANDE_63 = "WBA1T51080P596759"  # seed: Prévenu, for TRAMOSA (EK004)
WALON_63 = "WBA1T51000P596786"  # seed: Prévenu, for WALON (JJ020)


# -- helpers ---------------------------------------------------------------------------------
class _Page(HTMLParser):
    """Table body rows (cell texts), alert texts and status texts of one HTML page."""

    VOID = {"br", "hr", "img", "input", "meta", "link", "wbr"}

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.alerts: list[str] = []
        self.statuses: list[str] = []
        self._in_tbody = False
        self._cell: list[str] | None = None
        self._role_stack: list[tuple[str | None, list[str]]] = []
        self._template = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "template":
            self._template += 1
        if self._template:
            return
        if tag == "tbody":
            self._in_tbody = True
        elif tag == "tr" and self._in_tbody:
            self.rows.append([])
        elif tag == "td" and self._in_tbody:
            self._cell = []
        if tag not in self.VOID:
            self._role_stack.append((dict(attrs).get("role"), []))

    def handle_endtag(self, tag: str) -> None:
        if tag == "template":
            self._template -= 1
            return
        if self._template:
            return
        if tag == "tbody":
            self._in_tbody = False
        elif tag == "td" and self._cell is not None:
            self.rows[-1].append(" ".join(" ".join(self._cell).split()))
            self._cell = None
        if tag not in self.VOID and self._role_stack:
            role, text = self._role_stack.pop()
            joined = " ".join(" ".join(text).split())
            if role == "alert":
                self.alerts.append(joined)
            elif role == "status":
                self.statuses.append(joined)

    def handle_data(self, data: str) -> None:
        if self._template:
            return
        if self._cell is not None:
            self._cell.append(data)
        for _, text in self._role_stack:
            text.append(data)


def parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def xlsx(rows: list[list[Any]], header: list[str] = HEADER, sheet: str = "Feuil1") -> bytes:
    workbook = Workbook()
    ws = workbook.active
    assert ws is not None
    ws.title = sheet
    ws.append(header)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def line(v: TrackedVehicle, code: str = "EK004", date: Any = "30/07/2030",
         lieu: str = "Chambery", comment: str = "") -> list[Any]:
    return [v.vin, v.abonnement, code, lieu, date, comment]


def login(client: TestClient | httpx.Client, email: str, password: str) -> str:
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 200
    return response.text


def upload(client: TestClient | httpx.Client, data: bytes,
           name: str = "demande.xlsx") -> tuple[_Page, str]:
    response = client.post("/deposes/nouvelle", files={"fichier": (name, data)})
    assert response.status_code == 200
    token = re.search(r'name="token" value="([^"]+)"', response.text)
    return parse(response.text), token.group(1) if token else ""


def statut(row: list[str]) -> str:
    return row[-1]


# -- fixtures ---------------------------------------------------------------------------------
@pytest.fixture
def box(tmp_path: Path) -> Sandbox:
    """The app without a server: mail sending is then a no-op."""
    sb = create_sandbox(tmp_path / "state.json")
    sb.ports = {"planetvo": 1, "reseauxconnect": 2, "guidewire": 3, "traqueur": 4}
    return sb


@pytest.fixture
def sixt(box: Sandbox) -> Iterator[TestClient]:
    with TestClient(traqueur_app(box)) as client:
        login(client, SIXT.email, SIXT.password)
        yield client


@pytest.fixture
def tramosa(box: Sandbox) -> Iterator[TestClient]:
    with TestClient(traqueur_app(box)) as client:
        login(client, TRAMOSA.email, TRAMOSA.password)
        yield client


@pytest.fixture
def free(box: Sandbox) -> list[TrackedVehicle]:
    """SIXT vehicles with no request open on them."""
    state = box.state.traqueur
    return [v for v in sixt_vehicles(state) if state.active_line(v.vin) is None]


def remover_rows(client: TestClient) -> dict[str, dict[str, Any]]:
    response = client.get("/api/deposes")
    assert response.status_code == 200
    return {row["vin"]: row for row in response.json()}


def act(client: TestClient, row: dict[str, Any], action: str, **form: str) -> _Page:
    response = client.post(f"/deposes/{row['numero']}/{row['index']}/{action}", data=form)
    assert response.status_code == 200
    return parse(response.text)


# -- sign-in and home ------------------------------------------------------------------------------
def test_login_rejects_bad_credentials_and_shows_each_kind_of_home(box: Sandbox) -> None:
    with TestClient(traqueur_app(box)) as client:
        page = client.get("/").text
        assert "BIENVENUE SUR L'EXTRANET PRO" in page
        bad = parse(login(client, SIXT.email, "wrong"))
        assert bad.alerts == ["Adresse email ou mot de passe incorrect"]
        home = login(client, SIXT.email.upper(), SIXT.password)
        assert "MON COMPTE : SIXT SAS" in home
        assert "Créer une nouvelle demande de dépose" in home
        assert ">Déconnexion<" in home
        client.get("/deconnexion")
        assert "BIENVENUE SUR L'EXTRANET PRO" in client.get("/deposes").text
        home = login(client, TRAMOSA.email, TRAMOSA.password)
        assert "MON COMPTE : TRAMOSA" in home
        assert "Gérer les demandes de déposes" in home
        assert "Créer une nouvelle demande de dépose" not in home
        assert client.get("/deposes/nouvelle").status_code == 403


# -- the request file --------------------------------------------------------------------------------
@pytest.mark.parametrize("header", [
    HEADER[:5],
    [HEADER[1], HEADER[0], *HEADER[2:]],
    ["VIN", *HEADER[1:]],
    [*HEADER, "Remarque"],
])
def test_a_wrong_header_row_refuses_the_whole_file(
        sixt: TestClient, box: Sandbox, free: list[TrackedVehicle], header: list[str]) -> None:
    page, token = upload(sixt, xlsx([line(free[0])], header=header))
    assert page.alerts == [HEADER_ERROR]
    assert "Vin, N° Abonnement, Code Distributeur, Lieu de dépose, Date de dépose souhaitée, " \
           "Commentaires" in HEADER_ERROR
    assert token == "" and page.rows == []
    assert len(box.state.traqueur.demandes) == 1


def test_unreadable_or_missing_file_is_refused(sixt: TestClient) -> None:
    page, _ = upload(sixt, b"not a spreadsheet at all", name="demande.xls")
    assert page.alerts == [UNREADABLE]
    page, _ = upload(sixt, b"PK\x03\x04broken zip", name="demande.xlsx")
    assert page.alerts == [UNREADABLE]
    response = sixt.post("/deposes/nouvelle", files={"fichier": ("", b"")})
    assert parse(response.text).alerts == [NO_FILE]
    page, _ = upload(sixt, xlsx([]))
    assert page.alerts == [NO_LINES]


def test_each_rejection_motif_and_confirm_creates_one_demande(
        sixt: TestClient, box: Sandbox, free: list[TrackedVehicle]) -> None:
    state = box.state.traqueur
    ada = state.vehicles_of(ADA.email)[0]
    rows = [
        line(free[0], "EK004", dt.date(2030, 7, 30), comment="A faire ASAP"),
        [ada.vin, ada.abonnement, "EK004", "Paris", "30/07/2030", ""],
        [free[1].vin, "999999Z99", "EK004", "Paris", "30/07/2030", ""],
        line(free[2], "ZZ999"),
        line(free[3], date="31/02/2030"),
        [IN_DEMANDE_63, "140200C28", "EK004", "Chambery", "30/07/2030", ""],
        line(free[0], "JJ020"),
        line(free[4], "JJ020", lieu="Lauterbourg"),
        line(free[5], "KT075", date=dt.datetime(2030, 8, 1)),
    ]
    page, token = upload(sixt, xlsx(rows, sheet="N'importe quel nom"), name="sixt-juillet.xlsx")
    assert page.alerts == []
    assert [r[2] for r in page.rows] == [r[0] for r in rows]
    assert [statut(r) for r in page.rows] == [
        "Nouvelle",
        "Rejetée : Véhicule inconnu sur votre compte",
        "Rejetée : Abonnement non conforme",
        "Rejetée : Code distributeur inconnu",
        "Rejetée : Date invalide",
        "Rejetée : Demande de dépose déjà en cours",
        "Rejetée : Véhicule en double dans le fichier",
        "Nouvelle",
        "Nouvelle",
    ]
    first = page.rows[0]
    assert first == [free[0].marque, free[0].modele, free[0].vin, free[0].abonnement, "EK004",
                     "TRAMOSA", "logistique@tramosa.example", "Chambery", "30/07/2030",
                     "Nouvelle"]
    assert page.rows[8][8] == "01/08/2030"

    done = sixt.post("/deposes/confirmer", data={"token": token})
    assert "DEMANDE ENREGISTRÉE" in done.text
    assert parse(done.text).statuses == ["Votre demande a bien été enregistrée"]
    assert "ALLER À L'ACCUEIL" in done.text
    again = sixt.post("/deposes/confirmer", data={"token": token})
    assert "DEMANDE ENREGISTRÉE" in again.text
    assert [d.numero for d in state.demandes] == [63, 64]
    demande = state.demandes[-1]
    assert demande.description == "sixt-juillet.xlsx"
    assert [(ln.vin, ln.code_distributeur, ln.statut) for ln in demande.lines] == [
        (free[0].vin, "EK004", "Prévenu"), (free[4].vin, "JJ020", "Prévenu"),
        (free[5].vin, "KT075", "Prévenu"),
    ]
    assert demande.lines[0].commentaires == "A faire ASAP"
    # The same file again: every line is now in progress, so nothing can be confirmed.
    page, token = upload(sixt, xlsx([line(free[0])]))
    assert [statut(r) for r in page.rows] == ["Rejetée : Demande de dépose déjà en cours"]
    refused = parse(sixt.post("/deposes/confirmer", data={"token": token}).text)
    assert refused.alerts == [NOTHING_TO_CONFIRM]
    assert len(state.demandes) == 2
    # Saved: a restart finds the demande.
    assert box.state_path is not None
    assert SandboxState.load(box.state_path).traqueur.demande(64) is not None


def test_list_and_detail_show_the_demandes_newest_first(
        sixt: TestClient, box: Sandbox, free: list[TrackedVehicle]) -> None:
    page = parse(sixt.get("/deposes").text)
    assert page.rows == [["#63", "08/07/2014", "SIXT SAS", "SUIVI.DEPOSES@SIXT.EXAMPLE", "",
                          "Total : 2 dont acceptées : 0 dont effectuées : 0"]]
    _, token = upload(sixt, xlsx([line(free[0])]))
    sixt.post("/deposes/confirmer", data={"token": token})
    page = parse(sixt.get("/deposes").text)
    assert [r[0] for r in page.rows] == ["#64", "#63"]
    detail = sixt.get("/deposes/63").text
    assert "Demande #63" in detail
    assert [(r[2], r[5], statut(r)) for r in parse(detail).rows] == [
        (IN_DEMANDE_63, "TRAMOSA", "Prévenu"), (WALON_63, "WALON LAUTERBOURG", "Prévenu"),
    ]
    assert sixt.get("/deposes/999").status_code == 404


def test_xls_files_are_accepted(sixt: TestClient, box: Sandbox,
                                free: list[TrackedVehicle]) -> None:
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook()
    sheet = book.add_sheet("Demandes")
    for col, title in enumerate(HEADER):
        sheet.write(0, col, title)
    date_style = xlwt.easyxf(num_format_str="DD/MM/YYYY")
    sheet.write(1, 0, free[0].vin)
    sheet.write(1, 1, free[0].abonnement)
    sheet.write(1, 2, "JJ020")
    sheet.write(1, 3, "Lauterbourg")
    sheet.write(1, 4, dt.date(2030, 9, 1), date_style)
    sheet.write(2, 0, free[1].vin)
    sheet.write(2, 1, free[1].abonnement)
    sheet.write(2, 2, "EK004")
    sheet.write(2, 3, "Chambery")
    sheet.write(2, 4, "02/09/2030")
    out = io.BytesIO()
    book.save(out)
    page, token = upload(sixt, out.getvalue(), name="demande.xls")
    assert page.alerts == []
    assert [(r[2], r[8], statut(r)) for r in page.rows] == [
        (free[0].vin, "01/09/2030", "Nouvelle"), (free[1].vin, "02/09/2030", "Nouvelle"),
    ]


# -- the remover -----------------------------------------------------------------------------------
def test_remover_sees_only_its_lines(tramosa: TestClient, box: Sandbox) -> None:
    page = tramosa.get("/deposes").text
    assert "Veuillez cliquez sur le statut afin de faire évoluer l'état de la demande :" in page
    rows = remover_rows(tramosa)
    assert list(rows) == [IN_DEMANDE_63]
    row = rows[IN_DEMANDE_63]
    assert (row["demandeur"], row["code_demandeur"], row["abonnement"], row["statut"],
            row["emplacement"]) == ("SIXT SAS", "JJ019", "140200C28", "Prévenu", "Y4B")
    # WALON's line of the same demande is not TRAMOSA's to touch.
    assert tramosa.post("/deposes/63/1/accepter").status_code == 404
    assert box.state.traqueur.demandes[0].lines[1].statut == "Prévenu"


def test_accept_then_refuse_then_nothing_more(tramosa: TestClient, box: Sandbox) -> None:
    line63 = box.state.traqueur.demandes[0].lines[0]
    row = remover_rows(tramosa)[IN_DEMANDE_63]
    assert act(tramosa, row, "accepter").statuses
    assert line63.statut == "Acceptée"
    page = act(tramosa, row, "accepter")
    assert page.alerts == ["Action impossible : la demande est Acceptée"]
    page = act(tramosa, row, "refuser", motif="  ")
    assert page.alerts == ["Le champ motif du refus est obligatoire"]
    assert line63.statut == "Acceptée"
    act(tramosa, row, "refuser", motif="Véhicule introuvable sur parc")
    assert (line63.statut, line63.motif_refus) == ("Refusée", "Véhicule introuvable sur parc")
    for action in ("accepter", "refuser"):
        page = act(tramosa, row, action, motif="encore")
        assert page.alerts == ["Action impossible : la demande est Refusée"]
    page = parse(tramosa.get("/deposes/63/0/signaler").text)
    assert page.alerts == ["Action impossible : la demande est Refusée"]
    page = act(tramosa, row, "signaler", date_depose="01/01/2024 10:00:00", boitier="1234567",
               technicien="Martin")
    assert page.alerts == ["Action impossible : la demande est Refusée"]
    assert line63.statut == "Refusée" and line63.motif_refus == "Véhicule introuvable sur parc"
    assert [(h.old, h.new, h.by) for h in line63.history] == [
        ("", "Prévenu", SIXT.email), ("Prévenu", "Acceptée", TRAMOSA.email),
        ("Acceptée", "Refusée", TRAMOSA.email),
    ]
    assert remover_rows(tramosa)[IN_DEMANDE_63]["final"] is True


def test_signaler_validates_then_marks_effectuee(tramosa: TestClient, box: Sandbox) -> None:
    line63 = box.state.traqueur.demandes[0].lines[0]
    form = tramosa.get("/deposes/63/0/signaler").text
    assert "SIGNALER UNE DÉPOSE" in form
    assert "vous avez bien démonté le boitier du véhicule." in form
    prefilled = re.search(r'id="date_depose" name="date_depose" value="([^"]+)"', form)
    assert prefilled and re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d:\d\d", prefilled.group(1))
    row = remover_rows(tramosa)[IN_DEMANDE_63]
    page = act(tramosa, row, "signaler", date_depose=prefilled.group(1), boitier="123456",
               technicien="")
    assert page.alerts == [f"{BOITIER_ERROR} "
                           "Le champ nom du technicien est obligatoire"]
    page = act(tramosa, row, "signaler", date_depose="31/13/2024", boitier="12345678",
               technicien="Martin")
    assert "La date de dépose doit être au format JJ/MM/AAAA hh:mm:ss" in page.alerts[0]
    assert line63.statut == "Prévenu"
    # Straight from Prévenu, as the guide allows.
    act(tramosa, row, "signaler", date_depose="01/07/2024 09:30:00", boitier="0012345",
        technicien="Martin")
    assert (line63.statut, line63.date_depose, line63.boitier, line63.technicien) == (
        "Effectuée", "01/07/2024 09:30:00", "0012345", "Martin")
    page = act(tramosa, row, "refuser", motif="trop tard")
    assert page.alerts == ["Action impossible : la demande est Effectuée"]
    assert line63.statut == "Effectuée"
    assert box.state_path is not None
    saved = SandboxState.load(box.state_path).traqueur.demandes[0].lines[0]
    assert saved.statut == "Effectuée" and saved.history[-1].new == "Effectuée"
    sixt_view = TestClient(traqueur_app(box))
    login(sixt_view, SIXT.email, SIXT.password)
    assert parse(sixt_view.get("/deposes").text).rows[0][-1] == \
        "Total : 2 dont acceptées : 0 dont effectuées : 1"


# -- the requester's cancel ---------------------------------------------------------------------------
def test_requester_cancels_prevenu_and_acceptee_but_not_final(
        sixt: TestClient, tramosa: TestClient, box: Sandbox) -> None:
    lines = box.state.traqueur.demandes[0].lines
    act(tramosa, remover_rows(tramosa)[IN_DEMANDE_63], "accepter")
    detail = sixt.get("/deposes/63").text
    assert 'class="statut"' in detail and ">Acceptée</button>" in detail
    page = parse(sixt.post("/deposes/63/0/annuler").text)
    assert page.statuses and lines[0].statut == "Annulée"
    page = parse(sixt.post("/deposes/63/1/annuler").text)
    assert lines[1].statut == "Annulée"
    page = parse(sixt.post("/deposes/63/1/annuler").text)
    assert page.alerts == ["Action impossible : la demande est Annulée"]
    detail = sixt.get("/deposes/63").text
    assert 'class="statut"' not in detail
    assert [statut(r) for r in parse(detail).rows] == ["Annulée", "Annulée"]
    # Once cancelled, the vehicles can be requested again.
    assert box.state.traqueur.active_line(IN_DEMANDE_63) is None
    page = act(tramosa, remover_rows(tramosa)[IN_DEMANDE_63], "accepter")
    assert page.alerts == ["Action impossible : la demande est Annulée"]


def test_other_requesters_cannot_see_or_cancel(box: Sandbox) -> None:
    with TestClient(traqueur_app(box)) as ada:
        login(ada, ADA.email, ADA.password)
        assert parse(ada.get("/deposes").text).rows == [["Aucune demande"]]
        assert ada.get("/deposes/63").status_code == 404
        assert ada.post("/deposes/63/0/annuler").status_code == 404
    assert box.state.traqueur.demandes[0].lines[0].statut == "Prévenu"


def test_state_saved_before_the_portal_existed_gets_the_seed(tmp_path: Path) -> None:
    path = tmp_path / "old.json"
    create_sandbox(path)
    raw = SandboxState.load(path).model_dump(mode="json")
    del raw["traqueur"]
    state = SandboxState.model_validate(raw)
    assert state.traqueur.demande(63) is not None and len(sixt_vehicles(state.traqueur)) == 80


# -- e-mails, through the real SMTP server --------------------------------------------------------------
def test_every_step_is_emailed(tmp_path: Path) -> None:
    box = create_sandbox(tmp_path / "state.json").start()
    try:
        state = box.state.traqueur
        free = [v for v in sixt_vehicles(state) if state.active_line(v.vin) is None]
        with httpx.Client(base_url=box.url("traqueur"), follow_redirects=True) as sixt:
            login(sixt, SIXT.email, SIXT.password)
            _, token = upload(sixt, xlsx([line(free[0], "EK004", lieu="Chambery"),
                                          line(free[1], "JJ020", lieu="Lauterbourg"),
                                          line(free[2], "EK004", lieu="Chambery")]))
            sixt.post("/deposes/confirmer", data={"token": token})
            sixt.post("/deposes/confirmer", data={"token": token})
        new = [m for m in box.mailbox if m.subject == "Nouvelle demande de dépose"]
        assert sorted(m.to for m in new) == [("lauterbourg@walon.example",),
                                             ("logistique@tramosa.example",)]
        to_tramosa = next(m for m in new if m.to == ("logistique@tramosa.example",))
        assert free[0].vin in to_tramosa.body and free[2].vin in to_tramosa.body
        assert free[1].vin not in to_tramosa.body
        assert "Lieu : Chambery" in to_tramosa.body and "Date : 30/07/2030" in to_tramosa.body
        assert "connectez-vous pour accepter, refuser ou confirmer la dépose" in to_tramosa.body

        with httpx.Client(base_url=box.url("traqueur"), follow_redirects=True) as tramosa:
            login(tramosa, TRAMOSA.email, TRAMOSA.password)
            rows = {r["vin"]: r for r in tramosa.get("/api/deposes").json()}
            tramosa.post(f"/deposes/{rows[free[0].vin]['numero']}/{rows[free[0].vin]['index']}"
                         "/accepter")
            tramosa.post(f"/deposes/{rows[free[2].vin]['numero']}/{rows[free[2].vin]['index']}"
                         "/refuser", data={"motif": "Hors zone"})
        accepted = next(m for m in box.mailbox
                        if m.subject == f"Acceptation de votre demande de dépose {free[0].vin}")
        assert accepted.to == ("suivi.deposes@sixt.example",)
        assert "Le mandataire TRAMOSA a accepté la demande de dépose suivante :" in accepted.body
        assert f"VIN : {free[0].vin}" in accepted.body
        assert f"Marque : {free[0].marque}" in accepted.body
        refused = next(m for m in box.mailbox
                       if m.subject == f"Refus de votre demande de dépose {free[2].vin}")
        assert "Hors zone" in refused.body
        assert len(box.mailbox) == 4
    finally:
        box.stop()
    assert box.smtp_port is None


def test_walon_account_acts_on_its_own_line(box: Sandbox) -> None:
    with TestClient(traqueur_app(box)) as walon:
        login(walon, WALON.email, WALON.password)
        rows = remover_rows(walon)
        assert list(rows) == [WALON_63]
        act(walon, rows[WALON_63], "accepter")
    assert [ln.statut for ln in box.state.traqueur.demandes[0].lines] == ["Prévenu", "Acceptée"]
