"""Traqueur Extranet PRO page objects (rpa/pages/traqueur) in real Chromium against the sandbox.

Both sides of PORTALS.md §4. The requester (SIXT SAS) signs in, uploads a request file,
reads the review page (`Nouvelle` / `Rejetée : <motif>`), `CONFIRMER`s, lists its demandes
and cancels a line. The removers (TRAMOSA EK004, WALON JJ020) list their lines and move
them on from the status dialog: Accepter, Refuser, Signaler (`SIGNALER UNE DÉPOSE`). The seed
demande `#63` holds two `Prévenu` lines, one for each remover; the next demande is `#64`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import pytest
from playwright.sync_api import Locator, Page, expect
from pydantic import SecretStr
from workbooks import write_rows

from rpa.config import TraqueurSettings
from rpa.core.errors import BusinessError, PortalRefusal, UsageError
from rpa.pages.traqueur import (
    ConfirmationPage,
    DemandeDetailPage,
    DemandesListPage,
    RemovalsPage,
    ReviewPage,
    SignalerPage,
    StatusDialog,
    TraqueurHome,
    UploadPage,
    open_traqueur,
)
from rpa.sandbox.server import Sandbox
from rpa.sandbox.traqueur.seed import sixt_vehicles
from rpa.sandbox.traqueur.state import DemandeLine, TrackedVehicle
from rpa.sheets.removals import REQUEST_HEADER

pytestmark = pytest.mark.e2e


class Account(NamedTuple):
    email: str
    password: str
    name: str  # `MON COMPTE : <name>`


SIXT = Account("flotte@sixt.example", "Sixt-Depose-2024", "SIXT SAS")
TRAMOSA = Account("depose@tramosa.example", "Tramosa-EK004", "TRAMOSA")
WALON = Account("depose@walon.example", "Walon-JJ020", "WALON LAUTERBOURG")
TRAMOSA_63 = "WBA1T51080P596759"  # seed demande #63: Prévenu, for TRAMOSA (EK004)
WALON_63 = "WBA1T51000P596786"  # seed demande #63: Prévenu, for WALON (JJ020)
HEADER_REFUSED = (
    "Le fichier doit avoir pour première ligne les colonnes : Vin, N° Abonnement, "
    "Code Distributeur, Lieu de dépose, Date de dépose souhaitée, Commentaires"
)


# -- shared navigation ---------------------------------------------------------------------
def portal(sandbox: Sandbox, account: Account, password: str = "") -> TraqueurSettings:
    return TraqueurSettings(url=sandbox.url("traqueur"), username=account.email,
                            password=SecretStr(password or account.password))


def home_of(page: Page, sandbox: Sandbox, account: Account) -> TraqueurHome:
    """Signed in as `account`: another account still signed in on this page signs out first."""
    home = open_traqueur(page, portal(sandbox, account))
    if home.account() == account.name:
        return home
    page.get_by_role("link", name="Déconnexion").click()
    return open_traqueur(page, portal(sandbox, account))


def removals_of(page: Page, sandbox: Sandbox, account: Account) -> RemovalsPage:
    """Remover: home → `Gérer les demandes de déposes` → `GÉRER LES DÉPOSES`."""
    return home_of(page, sandbox, account).open_removals()


def request_file(folder: Path, rows: list[tuple[str, ...]],
                 header: tuple[str, ...] = REQUEST_HEADER) -> Path:
    """A request file as the requester writes it: any title, any sheet name."""
    path = folder / f"demande-{len(list(folder.glob('*.xlsx')))}.xlsx"
    return write_rows(path, [header, *rows], "Mes déposes")


def line(vehicle: TrackedVehicle, code: str = "EK004", abonnement: str = "") -> tuple[str, ...]:
    return (vehicle.vin, abonnement or vehicle.abonnement, code, "Chambery", "30/07/2030", "")


def state_line(sandbox: Sandbox, vin: str) -> DemandeLine:
    """The newest line for `vin` in the sandbox's state."""
    found = [ln for d in sandbox.state.traqueur.demandes for ln in d.lines if ln.vin == vin]
    assert found, vin
    return found[-1]


def statuses(lines: list[dict[str, str]]) -> dict[str, str]:
    return {row["VIN"]: row["Statut"] for row in lines}


def status_button(page: Page, vin: str) -> Locator:
    """The clickable status of the line for `vin` (none once the status is final)."""
    row = page.get_by_role("row").filter(has=page.get_by_role("cell", name=vin, exact=True))
    return row.get_by_role("button")


def mail_subjects(sandbox: Sandbox, to: str) -> list[str]:
    return [m.subject for m in sandbox.mailbox if to in m.to]


def depose_time() -> str:
    return (dt.datetime.now() - dt.timedelta(hours=1)).strftime("%d/%m/%Y %H:%M:%S")


# -- sign-in and home ----------------------------------------------------------------------
@pytest.mark.parametrize("account", [SIXT, TRAMOSA, WALON], ids=lambda a: a.name)
def test_open_traqueur_signs_in_once(page: Page, sandbox: Sandbox, account: Account) -> None:
    name = account.name
    home = home_of(page, sandbox, account)
    assert isinstance(home, TraqueurHome)
    assert home.account() == name
    expect(page.get_by_role("heading", name=f"MON COMPTE : {name}")).to_be_visible()
    expect(page.get_by_role("button", name="ACCÉDER À MON COMPTE")).to_have_count(0)
    sessions = set(sandbox.sessions["traqueur"].data)
    assert len(sessions) == 1

    again = home_of(page, sandbox, account)  # still signed in: no second login
    assert again.account() == name
    assert set(sandbox.sessions["traqueur"].data) == sessions


def test_wrong_password_is_a_usage_error(page: Page, sandbox: Sandbox) -> None:
    with pytest.raises(UsageError, match="Adresse email ou mot de passe incorrect") as refused:
        open_traqueur(page, portal(sandbox, SIXT, password="pas-le-bon"))
    assert "RPA_TRAQUEUR__" in str(refused.value)
    expect(page.get_by_role("button", name="ACCÉDER À MON COMPTE")).to_be_visible()
    assert not sandbox.sessions["traqueur"].data


def test_home_actions_of_each_account(page: Page, sandbox: Sandbox) -> None:
    upload = home_of(page, sandbox, SIXT).open_new_request()
    assert isinstance(upload, UploadPage)
    field = upload.file_field()  # the only file field, whatever its label says
    expect(field).to_have_attribute("type", "file")
    expect(upload.landmark()).to_be_visible()

    listing = home_of(page, sandbox, SIXT).open_my_requests()
    assert isinstance(listing, DemandesListPage)
    expect(page.get_by_role("heading", name="LISTE DES DEMANDES DES DÉPOSES")).to_be_visible()

    removals = removals_of(page, sandbox, TRAMOSA)
    assert isinstance(removals, RemovalsPage)
    expect(page.get_by_role("heading", name="GÉRER LES DÉPOSES")).to_be_visible()
    home_of(page, sandbox, TRAMOSA)  # a remover has no `Créer une nouvelle demande de dépose`
    expect(page.get_by_role("link", name="Créer une nouvelle demande de dépose")).to_have_count(0)


# -- the requester: a new request --------------------------------------------------------
def test_wrong_header_refuses_the_whole_file(
    page: Page, sandbox: Sandbox, tmp_path: Path
) -> None:
    vehicle = sixt_vehicles(sandbox.state.traqueur)[0]
    swapped = ("N° Abonnement", "Vin", *REQUEST_HEADER[2:])
    path = request_file(tmp_path, [line(vehicle)], header=swapped)
    upload = home_of(page, sandbox, SIXT).open_new_request()
    with pytest.raises(BusinessError, match=re.escape(HEADER_REFUSED)) as refused:
        upload.upload(path)
    assert isinstance(refused.value, PortalRefusal)
    expect(page.get_by_role("alert")).to_have_text(HEADER_REFUSED)
    expect(page.get_by_role("button", name="CONFIRMER")).to_have_count(0)

    # Again from the same screen, alert and all: a file whose every line is rejected.
    review = upload.upload(request_file(tmp_path, [line(vehicle, "ZZ999")]))
    assert statuses(review.lines()) == {vehicle.vin: "Rejetée : Code distributeur inconnu"}
    with pytest.raises(BusinessError, match="Aucune ligne valide") as nothing:
        review.confirm()
    assert isinstance(nothing.value, PortalRefusal)
    assert [d.numero for d in sandbox.state.traqueur.demandes] == [63]


def test_review_then_confirm_creates_the_new_lines_only(
    page: Page, sandbox: Sandbox, tmp_path: Path
) -> None:
    state = sandbox.state.traqueur
    x1, second, other, wrong_abo = sixt_vehicles(state)[:4]
    ada = next(v for v in state.vehicles if v not in sixt_vehicles(state))
    path = request_file(tmp_path, [
        line(x1, "EK004"),
        line(second, "JJ020"),
        line(ada),  # not SIXT's
        line(wrong_abo, abonnement="999999Z99"),
        line(other, "ZZ999"),
        line(state.vehicle(TRAMOSA_63) or x1),  # still Prévenu in demande #63
    ])
    review = home_of(page, sandbox, SIXT).open_new_request().upload(path)
    assert isinstance(review, ReviewPage)
    expect(page.get_by_text("Veuillez vérifier les éléments saisies :")).to_be_visible()
    rows = review.lines()
    assert statuses(rows) == {
        x1.vin: "Nouvelle",
        second.vin: "Nouvelle",
        ada.vin: "Rejetée : Véhicule inconnu sur votre compte",
        wrong_abo.vin: "Rejetée : Abonnement non conforme",
        other.vin: "Rejetée : Code distributeur inconnu",
        TRAMOSA_63: "Rejetée : Demande de dépose déjà en cours",
    }
    assert [(r["N° Abonnement"], r["Code distributeur"]) for r in rows[:2]] == [
        (x1.abonnement, "EK004"), (second.abonnement, "JJ020"),
    ]
    assert [d.numero for d in state.demandes] == [63]  # nothing until CONFIRMER

    done = review.confirm()
    assert isinstance(done, ConfirmationPage)
    expect(page.get_by_role("heading", name="DEMANDE ENREGISTRÉE")).to_be_visible()
    expect(page.get_by_role("link", name="ALLER À L'ACCUEIL")).to_be_visible()
    demande = state.demande(64)
    assert demande is not None
    assert [(ln.vin, ln.code_distributeur, ln.statut) for ln in demande.lines] == [
        (x1.vin, "EK004", "Prévenu"), (second.vin, "JJ020", "Prévenu"),
    ]
    assert demande.description == path.name
    # Each remover named in the file is told.
    assert mail_subjects(sandbox, "logistique@tramosa.example") == ["Nouvelle demande de dépose"]
    assert mail_subjects(sandbox, "lauterbourg@walon.example") == ["Nouvelle demande de dépose"]


# -- the requester: demandes and cancelling -----------------------------------------------
def test_demandes_list_detail_and_cancel(page: Page, sandbox: Sandbox) -> None:
    state_line(sandbox, WALON_63).apply("accepter", WALON.email)
    listing = home_of(page, sandbox, SIXT).open_my_requests()
    records = listing.records()
    assert [(r["N° demande"], r["Date de création"], r["Résumé (nb)"]) for r in records] == [
        ("#63", "08/07/2014", "Total : 2 dont acceptées : 1 dont effectuées : 0"),
    ]
    assert records[0]["Demandeur"] == "SIXT SAS"

    detail = listing.open("63")
    assert isinstance(detail, DemandeDetailPage)
    expect(page.get_by_role("heading", name="Demande #63")).to_be_visible()
    assert statuses(detail.lines()) == {TRAMOSA_63: "Prévenu", WALON_63: "Acceptée"}

    after = detail.cancel(TRAMOSA_63, "Prévenu")
    assert isinstance(after, DemandeDetailPage)
    assert statuses(after.lines()) == {TRAMOSA_63: "Annulée", WALON_63: "Acceptée"}
    expect(status_button(page, TRAMOSA_63)).to_have_count(0)  # Annulée is final
    expect(status_button(page, WALON_63)).to_have_count(1)
    assert state_line(sandbox, TRAMOSA_63).statut == "Annulée"
    assert state_line(sandbox, WALON_63).statut == "Acceptée"
    assert mail_subjects(sandbox, "logistique@tramosa.example") == [
        f"Annulation de la demande de dépose {TRAMOSA_63}"
    ]
    assert mail_subjects(sandbox, "lauterbourg@walon.example") == []

    # An `Acceptée` line may be cancelled too.
    assert statuses(after.cancel(WALON_63, "Acceptée").lines()) == {
        TRAMOSA_63: "Annulée", WALON_63: "Annulée",
    }
    assert state_line(sandbox, WALON_63).statut == "Annulée"
    assert mail_subjects(sandbox, "lauterbourg@walon.example") == [
        f"Annulation de la demande de dépose {WALON_63}"
    ]


def test_empty_lists_on_both_sides(page: Page, sandbox: Sandbox) -> None:
    sandbox.state.traqueur.demandes.clear()
    assert home_of(page, sandbox, SIXT).open_my_requests().records() == []
    assert removals_of(page, sandbox, WALON).lines() == []


# -- the remover ---------------------------------------------------------------------------
def test_remover_lists_its_own_lines(page: Page, sandbox: Sandbox) -> None:
    rows = removals_of(page, sandbox, TRAMOSA).lines()
    assert [(r["Demandeur"], r["VIN"], r["N° Abonnement"], r["Statut"]) for r in rows] == [
        ("SIXT SAS", TRAMOSA_63, "140200C28", "Prévenu"),
    ]
    assert rows[0]["Lieu de dépose"] == "Chambery"
    assert statuses(removals_of(page, sandbox, WALON).lines()) == {WALON_63: "Prévenu"}


def test_accept_then_report_the_removal(page: Page, sandbox: Sandbox) -> None:
    removals = removals_of(page, sandbox, TRAMOSA)
    removals.lines()
    dialog = removals.open_status(TRAMOSA_63, "Prévenu")
    assert isinstance(dialog, StatusDialog)
    expect(dialog.dialog).to_contain_text("N° Abo 140200C28")
    expect(dialog.dialog).to_contain_text("Veuillez cliquer sur l'action souhaitée :")

    accepted = dialog.accept(TRAMOSA_63)
    assert isinstance(accepted, RemovalsPage)
    assert statuses(accepted.lines()) == {TRAMOSA_63: "Acceptée"}
    assert state_line(sandbox, TRAMOSA_63).statut == "Acceptée"
    assert mail_subjects(sandbox, "suivi.deposes@sixt.example") == [
        f"Acceptation de votre demande de dépose {TRAMOSA_63}"
    ]

    form = accepted.open_status(TRAMOSA_63, "Acceptée").report()
    assert isinstance(form, SignalerPage)
    expect(page.get_by_role("heading", name="SIGNALER UNE DÉPOSE")).to_be_visible()
    with pytest.raises(BusinessError, match="Le numéro de boîtier doit comporter 7 chiffres"):
        form.submit(TRAMOSA_63, depose_time(), "123", "Jean Martin")
    assert state_line(sandbox, TRAMOSA_63).statut == "Acceptée"

    when = depose_time()
    done = form.submit(TRAMOSA_63, when, "1234567", "Jean Martin")
    assert isinstance(done, RemovalsPage)
    assert statuses(done.lines()) == {TRAMOSA_63: "Effectuée"}
    expect(status_button(page, TRAMOSA_63)).to_have_count(0)  # Effectuée is final
    final = state_line(sandbox, TRAMOSA_63)
    assert (final.statut, final.date_depose, final.boitier, final.technicien) == (
        "Effectuée", when, "1234567", "Jean Martin",
    )
    assert mail_subjects(sandbox, "suivi.deposes@sixt.example")[-1] == f"Dépose effectuée {TRAMOSA_63}"


def test_report_straight_from_prevenu_and_refuse(page: Page, sandbox: Sandbox) -> None:
    removals = removals_of(page, sandbox, WALON)
    refused = removals.open_status(WALON_63, "Prévenu").refuse(WALON_63, "Véhicule absent du parc")
    assert statuses(refused.lines()) == {WALON_63: "Refusée"}
    expect(status_button(page, WALON_63)).to_have_count(0)  # Refusée is final
    line_63 = state_line(sandbox, WALON_63)
    assert (line_63.statut, line_63.motif_refus) == ("Refusée", "Véhicule absent du parc")
    assert mail_subjects(sandbox, "suivi.deposes@sixt.example") == [
        f"Refus de votre demande de dépose {WALON_63}"
    ]

    reported = removals_of(page, sandbox, TRAMOSA).open_status(TRAMOSA_63, "Prévenu").report()
    done = reported.submit(TRAMOSA_63, depose_time(), "7654321", "Luc Petit")
    assert statuses(done.lines()) == {TRAMOSA_63: "Effectuée"}
    assert state_line(sandbox, TRAMOSA_63).statut == "Effectuée"


STALE_ACTIONS: dict[str, Callable[[StatusDialog], object]] = {
    "accept": lambda dialog: dialog.accept(TRAMOSA_63),
    "refuse": lambda dialog: dialog.refuse(TRAMOSA_63, "Boîtier introuvable"),
    "report": lambda dialog: dialog.report(),
}


@pytest.mark.parametrize("action", sorted(STALE_ACTIONS))
def test_a_transition_the_status_no_longer_allows_is_refused(
    page: Page, sandbox: Sandbox, action: str
) -> None:
    removals = removals_of(page, sandbox, TRAMOSA)
    assert statuses(removals.lines()) == {TRAMOSA_63: "Prévenu"}
    dialog = removals.open_status(TRAMOSA_63, "Prévenu")
    # Meanwhile the requester cancels the line: the open page is stale.
    state_line(sandbox, TRAMOSA_63).apply("annuler", SIXT.email)
    with pytest.raises(BusinessError, match="Action impossible : la demande est Annulée") as refused:
        STALE_ACTIONS[action](dialog)
    assert isinstance(refused.value, PortalRefusal)
    assert statuses(RemovalsPage(page).lines()) == {TRAMOSA_63: "Annulée"}
    expect(status_button(page, TRAMOSA_63)).to_have_count(0)
    line_63 = state_line(sandbox, TRAMOSA_63)
    assert (line_63.statut, line_63.motif_refus) == ("Annulée", "")
