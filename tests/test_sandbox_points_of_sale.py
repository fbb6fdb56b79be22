"""A dealer group in the sandbox (`build_state(points_of_sale=2)`), HTTP level, no browser.

Several sites sell under one Planet VO login, but each buys its GuideWire policies under its
own PSA account ("identifiants PSA rattachés au point de vente"): a declaration creates the
devis under the account of the site that sold the vehicle, and GuideWire shows each account
only its own devis and policies (search, `DEVIS OUVERTS`, `ÉMISES RÉCEMMENT`, `CONSULTÉ
RÉCEMMENT`, the counts), on both its faces: the server-rendered portal and the client-side
application (`spa` drift). The default world stays as it was: one account for every site.
"""

from __future__ import annotations

import html
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette asks for `httpx2` at import
    from starlette.testclient import TestClient

from rpa.sandbox.declaration import prefill, split_garantie
from rpa.sandbox.drift import Drift
from rpa.sandbox.guidewire.app import build_app as guidewire_app
from rpa.sandbox.guidewire.domain import LOGIN_REFUSED
from rpa.sandbox.planetvo.app import build_app as planetvo_app
from rpa.sandbox.reseauxconnect.app import build_app as reseauxconnect_app
from rpa.sandbox.reseauxconnect.layout import DECLARER_URL, FORM_URL
from rpa.sandbox.seed import (
    AMIENS_NORD_USER,
    DEMO_OFFER_MAPPING,
    GUIDEWIRE_USER,
    build_state,
    buy_by_hand,
)
from rpa.sandbox.server import Sandbox, create_sandbox
from rpa.sandbox.signin import ACCOUNT_LOCKED
from rpa.sandbox.state import Account, Devis, SandboxState

STELLANTIS = "Garantie Stellantis Assurance"
AMN = ("AMN01", "AMN02", "AMN03")
AMN_BDCS = ("74616", "74617", "74618")


# -- the worlds --------------------------------------------------------------------------------
def test_default_world_is_unchanged() -> None:
    state = build_state()
    assert state.points_of_sale == {}
    assert state.guidewire_accounts() == {"PE64": GUIDEWIRE_USER}
    assert [s.code for s in state.sites] == ["10", "100", "300", "380", "FO28", "PE64"]
    assert len(state.vehicles) == 15 and len(state.bdcs) == 15
    assert [b.numero for b in state.bdcs] == [str(n) for n in range(74601, 74616)]
    assert [d.numero for d in state.devis] == ["0001006185", "0001006186"]
    assert {state.owner(d) for d in state.devis} == {GUIDEWIRE_USER.username}
    assert all(state.account_for_vehicle(v) == GUIDEWIRE_USER for v in state.vehicles)
    assert not state.policies and not state.purchases
    assert len(build_state(extra=3).bdcs) == 18
    with pytest.raises(ValueError):
        build_state(points_of_sale=3)


def test_second_point_of_sale_and_its_sales() -> None:
    state = build_state(points_of_sale=2)
    site = state.site_by_code("AM02")
    assert site is not None
    assert (site.libelle, site.rrd1) == ("SPOTICAR AMIENS NORD", "FR10777")
    assert state.points_of_sale == {"AM02": AMIENS_NORD_USER} and len(AMIENS_NORD_USER.password) >= 8
    assert state.guidewire_accounts() == {"PE64": GUIDEWIRE_USER, "AM02": AMIENS_NORD_USER}
    assert len(state.sites) == 7 and len(state.vehicles) == 18 and len(state.bdcs) == 18
    # the default world is all there, unchanged
    assert [b.numero for b in state.bdcs[:15]] == [b.numero for b in build_state().bdcs]
    for police, numero in zip(AMN, AMN_BDCS):
        vehicle, bdc = state.vehicle(police), state.bdc(numero)
        assert vehicle is not None and bdc is not None and bdc.vo_vendu == police
        assert vehicle.site_code == "AM02" and bdc.site_libelle == "SPOTICAR AMIENS NORD"
        assert bdc.statut == "Cloturé" and bdc.date_livraison is not None
        garantie, duree = split_garantie(bdc.garantie)
        assert f"{garantie}|{duree}" in DEMO_OFFER_MAPPING
        assert all((bdc.civilite, bdc.nom, bdc.prenom, bdc.adresse, bdc.code_postal, bdc.ville))
        assert state.account_for_vehicle(vehicle) == AMIENS_NORD_USER
    assert len({v.vin for v in state.vehicles}) == len({v.immat for v in state.vehicles}) == 18
    pe64 = state.vehicle("59716")
    other_site = state.vehicle("60388")  # GARAGE PEUGEOT: no account of its own
    assert pe64 is not None and other_site is not None
    assert state.account_for_vehicle(pe64) == state.account_for_vehicle(other_site) == GUIDEWIRE_USER
    # extra BDCs still come after
    assert len(build_state(extra=2, points_of_sale=2).bdcs) == 20


# -- Planet VO -----------------------------------------------------------------------------------
def group(drift: str = "") -> Sandbox:
    sb = create_sandbox(points_of_sale=2, drift=Drift.parse(drift, seed=3) if drift else None)
    sb.ports = {"planetvo": 1, "reseauxconnect": 2, "guidewire": 3, "traqueur": 4}
    return sb


def signed_in_planetvo(sandbox: Sandbox) -> TestClient:
    client = TestClient(planetvo_app(sandbox))
    account = sandbox.state.planetvo_account
    client.post("/", data={"username": account.username, "password": account.password})
    return client


def test_planetvo_lists_the_site_and_its_sales() -> None:
    sandbox = group()
    with signed_in_planetvo(sandbox) as pvo:
        sites = pvo.get("/parametrage/lignes").text
        assert "AM02" in sites and "SPOTICAR AMIENS NORD" in sites
        dialog = pvo.get("/parametrage/sites/20541").text
        assert "Modifier une localisation" in dialog and 'value="FR10777"' in dialog
        rows = pvo.get("/bdc/lignes", params={"statut": "Cloturé"}).text
        for numero in AMN_BDCS:
            assert f'data-numero="{numero}"' in rows
        answer = pvo.post("/vehicules/AMN01/garantir",
                          data={"garantisseur": "Déclaration SPOTICAR (stellantis)"}).json()
        assert sandbox.handoffs[str(answer["url"]).split("token=")[1]] == "74616"


def test_recoding_a_site_keeps_its_account() -> None:
    sandbox = group()
    state = sandbox.state
    site = state.site_by_code("AM02")
    assert site is not None
    form = {attr: str(getattr(site, attr)) for attr in (
        "rrd1", "code_bic_argus", "code", "libelle", "raison_sociale", "adresse", "code_postal",
        "ville", "pays", "telephone", "frais_fixes", "frais_fixes_marchand", "code_dms",
        "code_constructeur", "marques")}
    with signed_in_planetvo(sandbox) as pvo:
        answer = pvo.post("/parametrage/sites/20541", data=form | {"code": "AM03"})
        assert answer.json()["ok"] is True
    assert site.code == "AM03" and state.points_of_sale == {"AM03": AMIENS_NORD_USER}
    vehicle = state.vehicle("AMN01")
    assert vehicle is not None and state.account_for_vehicle(vehicle) == AMIENS_NORD_USER
    assert state.guidewire_accounts() == {"PE64": GUIDEWIRE_USER, "AM03": AMIENS_NORD_USER}


# -- GuideWire, on both its faces -------------------------------------------------------------
@dataclass
class Face:
    """One GuideWire face, driven as its pages or its JSON calls."""

    spa: bool
    client: TestClient

    def sign_in(self, account: Account) -> None:
        credentials = {"username": account.username, "password": account.password}
        if self.spa:
            answer = self.client.post("/api/login", json=credentials)
            assert answer.status_code == 200 and answer.json() == {"user": account.username}
        else:
            page = self.client.post("/login", data=credentials).text
            assert "<h1>Tableau de gestion</h1>" in page

    def search(self, query: str) -> list[tuple[str, str, str]]:
        """(type, numéro, VIN) of every row the search box lists."""
        if self.spa:
            rows = self.client.get("/api/recherche", params={"q": query}).json()["rows"]
            return [(r["type"], r["numero"], r["vin"]) for r in rows]
        page = self.client.get("/recherche", params={"q": query}).text
        return re.findall(r'<tr><td>(Devis|Police)</td><td><a href="[^"]+">(\d+)</a></td>'
                          r"<td>[^<]*</td><td>[^<]*</td><td>([A-Z0-9]*)</td></tr>", page)

    def open_devis(self) -> list[str]:
        path = "/api/devis-ouverts"
        rows = self.client.get(path).json()
        return [r["numero"] for r in (rows["rows"] if self.spa else rows)]

    def open_count(self) -> int:
        if self.spa:
            return int(self.client.get("/api/accueil").json()["open_count"])
        match = re.search(r'DEVIS OUVERTS</span> <span class="count">(\d+)</span>',
                          self.client.get("/").text)
        assert match
        return int(match.group(1))

    def policies(self, view: str) -> list[str]:
        """`ÉMISES RÉCEMMENT` (`emises`) or `CONSULTÉ RÉCEMMENT` (`consultees`)."""
        if self.spa:
            rows = self.client.get("/api/polices", params={"vue": view}).json()["rows"]
            return [r["numero"] for r in rows]
        page = self.client.get("/polices/emises" if view == "emises" else "/polices").text
        return re.findall(r'<a href="/police/(\d+)">', page)

    def devis_status(self, numero: str) -> int:
        return int(self.client.get(f"{'/api' if self.spa else ''}/devis/{numero}").status_code)

    def policy_status(self, numero: str) -> int:
        return int(self.client.get(f"{'/api' if self.spa else ''}/police/{numero}").status_code)

    def buy(self, numero: str, offer: str) -> int:
        """Select the offer, then `Oui`: the purchase's HTTP status."""
        base = f"{'/api' if self.spa else ''}/devis/{numero}"
        if self.spa:
            self.client.post(f"{base}/offres", json={"offer": offer})
        else:
            self.client.post(f"{base}/offres", data={"offer": offer})
        return int(self.client.post(f"{base}/acheter").status_code)


@pytest.fixture(params=["classic", "spa"])
def sandbox(request: pytest.FixtureRequest) -> Sandbox:
    """Overrides conftest's served sandbox: a dealer group, with GuideWire as pages or as a
    client-side application."""
    return group("spa" if request.param == "spa" else "")


@pytest.fixture
def rc(sandbox: Sandbox) -> Iterator[TestClient]:
    with TestClient(reseauxconnect_app(sandbox)) as client:
        yield client


def signed_in_guidewire(sandbox: Sandbox, user: Account) -> Iterator[Face]:
    """GuideWire, as pages or as the client-side application, signed in as `user`'s point of sale."""
    with TestClient(guidewire_app(sandbox)) as client:
        face = Face(sandbox.drift.on("spa"), client)
        face.sign_in(user)
        yield face


@pytest.fixture
def amiens(sandbox: Sandbox) -> Iterator[Face]:
    yield from signed_in_guidewire(sandbox, AMIENS_NORD_USER)


@pytest.fixture
def pau(sandbox: Sandbox) -> Iterator[Face]:
    yield from signed_in_guidewire(sandbox, GUIDEWIRE_USER)


def declare(rc: TestClient, sandbox: Sandbox, numero: str) -> Devis:
    """Planet VO's popup → (Profil) → Déclarer Vente → the pre-filled form, sent as it is."""
    token = f"tok-{numero}"
    sandbox.handoffs[token] = numero
    if "<h1>PROFIL</h1>" in rc.get(f"/sso?token={token}").text:
        rc.post("/Profil", data={"garantisseurs": [STELLANTIS]})
    rc.post(DECLARER_URL, data={"garantisseur": STELLANTIS})
    bdc = sandbox.state.bdc(numero)
    assert bdc is not None
    page = rc.post(FORM_URL, data=prefill(sandbox.state, bdc)).text
    assert "<h1>Bienvenue au garage</h1>" in page
    return sandbox.state.devis[-1]


def test_each_account_signs_in_as_itself(sandbox: Sandbox) -> None:
    with TestClient(guidewire_app(sandbox)) as client:
        face = Face(sandbox.drift.on("spa"), client)
        for account in (AMIENS_NORD_USER, GUIDEWIRE_USER):
            face.sign_in(account)
            assert [s["user"] for s in sandbox.sessions["guidewire"].data.values()] == [account.username]
        # one account's password does not open the other
        wrong = {"username": AMIENS_NORD_USER.username, "password": GUIDEWIRE_USER.password}
        if face.spa:
            assert client.post("/api/login", json=wrong).json()["errors"] == [LOGIN_REFUSED]
        else:
            assert LOGIN_REFUSED in html.unescape(client.post("/login", data=wrong).text)
        assert sandbox.sign_in_attempts["guidewire"] == 3
        sandbox.account_trouble["guidewire"] = "locked"
        locked = {"username": AMIENS_NORD_USER.username, "password": AMIENS_NORD_USER.password}
        if face.spa:
            assert client.post("/api/login", json=locked).json()["errors"] == [ACCOUNT_LOCKED]
        else:
            assert ACCOUNT_LOCKED in html.unescape(client.post("/login", data=locked).text)
        assert sandbox.sign_in_attempts["guidewire"] == 4


def test_a_devis_is_its_point_of_sale_s_only(rc: TestClient, sandbox: Sandbox, amiens: Face,
                                              pau: Face) -> None:
    seed_open = pau.open_devis()
    assert amiens.open_devis() == [] and amiens.open_count() == 0
    devis = declare(rc, sandbox, "74616")  # AMN01, sold by SPOTICAR AMIENS NORD
    assert devis.account == AMIENS_NORD_USER.username
    mine = declare(rc, sandbox, "74601")  # 59716, sold by DEMO CDDS SPOTICAR (PE64)
    assert mine.account == GUIDEWIRE_USER.username

    for query in (devis.numero, devis.vin, devis.vin.lower()):
        assert amiens.search(query) == [("Devis", devis.numero, devis.vin)]
        assert pau.search(query) == []
    assert amiens.open_devis() == [devis.numero] and amiens.open_count() == 1
    assert devis.numero not in pau.open_devis() and pau.open_count() == len(seed_open) + 1
    assert pau.devis_status(devis.numero) == 404 and amiens.devis_status(devis.numero) == 200
    # and the other way round
    for query in (mine.numero, mine.vin):
        assert pau.search(query) == [("Devis", mine.numero, mine.vin)]
        assert amiens.search(query) == []
    assert pau.open_devis() == [mine.numero, *seed_open]
    assert amiens.devis_status(mine.numero) == 404
    assert amiens.devis_status(seed_open[0]) == 404  # the seed's devis are PE64's
    # another account cannot buy it either
    assert pau.buy(devis.numero, "GVO Premium 7 / 150") == 404
    assert not sandbox.state.purchases and not devis.police


def test_a_purchase_records_who_bought(rc: TestClient, sandbox: Sandbox, amiens: Face,
                                       pau: Face) -> None:
    devis = declare(rc, sandbox, "74617")  # AMN02: Spoticar Premium 24 mois
    amiens.buy(devis.numero, "GVO Premium 7 / 150 - 24")
    amiens.buy(devis.numero, "GVO Premium 7 / 150 - 24")  # a retry buys nothing more
    [policy] = sandbox.state.policies
    [purchase] = sandbox.state.purchases
    assert policy.account == policy.bought_by == purchase.bought_by == AMIENS_NORD_USER.username
    assert devis.police == policy.numero == purchase.police
    assert amiens.search(devis.vin) == [("Devis", devis.numero, devis.vin),
                                        ("Police", policy.numero, devis.vin)]
    assert pau.search(devis.vin) == [] and pau.search(policy.numero) == []
    assert amiens.policies("emises") == [policy.numero] and pau.policies("emises") == []
    assert pau.policy_status(policy.numero) == 404
    assert amiens.policy_status(policy.numero) == 200
    assert amiens.policies("consultees") == [policy.numero] and pau.policies("consultees") == []
    # PE64's own purchase is PE64's
    mine = declare(rc, sandbox, "74601")
    pau.buy(mine.numero, "GVO Premium 7 / 150")
    assert sandbox.state.policies[-1].bought_by == GUIDEWIRE_USER.username
    assert pau.policies("emises") == [mine.police] and amiens.policies("emises") == [policy.numero]


def test_a_policy_bought_by_hand(sandbox: Sandbox, amiens: Face, pau: Face) -> None:
    policy = buy_by_hand(sandbox.state, "AMN03", days_ago=2)
    state = sandbox.state
    devis = state.devis_by_numero(policy.devis)
    declaration = state.declaration_for_vin(policy.vin)
    vehicle = state.vehicle("AMN03")
    assert devis is not None and declaration is not None and vehicle is not None
    assert policy.vin == vehicle.vin and declaration.devis == devis.numero
    assert policy.account == policy.bought_by == AMIENS_NORD_USER.username
    assert (devis.status, devis.police, devis.account) == ("Lié", policy.numero, policy.account)
    assert policy.offer == "GVO Essentielle 10 / 200"  # Spoticar Essential 12 mois, mapped
    assert policy.document_ready_at <= policy.issued_at and (
        devis.created - policy.issued_at.date()).days == 0
    assert [p.bought_by for p in state.purchases] == [AMIENS_NORD_USER.username]
    assert amiens.policies("emises") == [policy.numero] and pau.policies("emises") == []
    # its number finds the policy (and the devis it was bought from), the VIN shown
    assert amiens.search(policy.numero) == [("Devis", devis.numero, vehicle.vin),
                                            ("Police", policy.numero, vehicle.vin)]
    assert pau.search(policy.numero) == [] and pau.search(vehicle.vin) == []
    assert devis.numero not in amiens.open_devis()
    # a PE64 vehicle bought by hand is PE64's
    other = buy_by_hand(state, "60226", days_ago=5)
    assert other.account == GUIDEWIRE_USER.username
    assert pau.policies("emises") == [other.numero] and amiens.policies("emises") == [policy.numero]
    with pytest.raises(ValueError):
        buy_by_hand(state, "AMN03")  # already bought


def test_buy_by_hand_reuses_a_declared_devis() -> None:
    state: SandboxState = build_state()
    declared = state.devis[0]  # 74611's open devis, declared 3 days ago
    vehicle = next(v for v in state.vehicles if v.vin == declared.vin)
    policy = buy_by_hand(state, vehicle.police, days_ago=1)
    assert policy.devis == declared.numero and len(state.devis) == 2
    assert policy.bought_by == GUIDEWIRE_USER.username
    with pytest.raises(ValueError):
        buy_by_hand(state, "VINCE09")  # its devis has expired
