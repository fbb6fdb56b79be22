"""Seed world of the Traqueur Extranet PRO replica (PORTALS.md §4). Deterministic: the same
accounts, vehicles and demande on every build.

| account (sign-in / password)                  | name              | kind      | code  |
|-----------------------------------------------|-------------------|-----------|-------|
| flotte@sixt.example / Sixt-Depose-2024        | SIXT SAS          | demandeur | JJ019 |
| parc@ada.example / Ada-2024                   | ADA LOCATION      | demandeur | AD017 |
| depose@tramosa.example / Tramosa-EK004        | TRAMOSA           | déposeur  | EK004 |
| depose@walon.example / Walon-JJ020            | WALON LAUTERBOURG | déposeur  | JJ020 |

Distributors a request file may name: EK004 TRAMOSA, JJ020 WALON LAUTERBOURG, KT075 STVA
and AA001 TRAQUEUR (the last two have no account: their lines just wait). Any other code
is `Code distributeur inconnu`.

Vehicles: 80 belong to SIXT SAS (`sixt_vehicles()`), in this order: `WBAVY11010VV02339`
(BMW X1, 131100899, the guide's example), 77 generated BMW / PEUGEOT / RENAULT with
17-character VINs and subscriptions like `140200C28`, then the guide's two BMW SERIE 1
(`WBA1T51080P596759` 140200C28, `WBA1T51000P596786` 140200C27), which demande `#63`
(08/07/2014, two lines `Prévenu`: one for EK004 at Chambery, one for JJ020 at Paris)
already covers, so a new request for them is `Demande de dépose déjà en cours`. Five more
belong to ADA LOCATION: for SIXT they are `Véhicule inconnu sur votre compte`. The next
demande is `#64`.
"""

from __future__ import annotations

import datetime as dt
import random

from rpa.sandbox.traqueur.state import (
    PREVENU,
    Demande,
    DemandeLine,
    Distributor,
    StatusChange,
    TrackedVehicle,
    TraqueurAccount,
    TraqueurState,
)

SIXT = TraqueurAccount(
    email="flotte@sixt.example", password="Sixt-Depose-2024", name="SIXT SAS",
    kind="demandeur", distributor_code="JJ019", contact_email="suivi.deposes@sixt.example",
)
ADA = TraqueurAccount(
    email="parc@ada.example", password="Ada-2024", name="ADA LOCATION",
    kind="demandeur", distributor_code="AD017", contact_email="parc@ada.example",
)
TRAMOSA = TraqueurAccount(
    email="depose@tramosa.example", password="Tramosa-EK004", name="TRAMOSA",
    kind="deposeur", distributor_code="EK004", contact_email="logistique@tramosa.example",
)
WALON = TraqueurAccount(
    email="depose@walon.example", password="Walon-JJ020", name="WALON LAUTERBOURG",
    kind="deposeur", distributor_code="JJ020", contact_email="lauterbourg@walon.example",
)

DISTRIBUTORS = (
    Distributor(code="EK004", name="TRAMOSA", email="logistique@tramosa.example"),
    Distributor(code="JJ020", name="WALON LAUTERBOURG", email="lauterbourg@walon.example"),
    Distributor(code="KT075", name="STVA", email="deposes@stva.example"),
    Distributor(code="AA001", name="TRAQUEUR", email="logistique@traqueur.example"),
)

# (marque, WMI, {modèle: model code})
MAKES = (
    ("BMW", "WBA", {"SERIE 1": "1T51", "SERIE 3": "8E31", "X1": "VY11", "X3": "WX31"}),
    ("PEUGEOT", "VF3", {"208": "CCHM", "308": "LBHN", "2008": "CUHZ", "3008": "MCYH"}),
    ("RENAULT", "VF1", {"CLIO": "RJA0", "MEGANE": "RFB0", "CAPTUR": "RJB0", "KADJAR": "RFE0"}),
)
VIN_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"  # no I, O, Q in a VIN

GUIDE_X1 = ("WBAVY11010VV02339", "131100899", "BMW", "X1", "Y4B")
GUIDE_DEMANDE_63 = (
    ("WBA1T51080P596759", "140200C28", "EK004", "Chambery", "A faire ASAP", "Y4B"),
    ("WBA1T51000P596786", "140200C27", "JJ020", "Paris", "pas de caractère d'urgence", "Y4C"),
)


def _generated(rng: random.Random, count: int, owner: str,
               taken: set[str], subscriptions: set[str]) -> list[TrackedVehicle]:
    vehicles: list[TrackedVehicle] = []
    while len(vehicles) < count:
        marque, wmi, models = MAKES[len(vehicles) % len(MAKES)]
        modele = rng.choice(sorted(models))
        serial = f"{rng.randrange(10**6):06d}"
        vin = (f"{wmi}{models[modele]}{rng.randrange(100):02d}0"
               f"{rng.choice(VIN_LETTERS)}{serial}")
        abonnement = (f"{rng.randrange(13, 16)}{rng.randrange(1, 13):02d}00"
                      f"{rng.choice('ABCDE')}{rng.randrange(100):02d}")
        if vin in taken or abonnement in subscriptions:
            continue
        taken.add(vin)
        subscriptions.add(abonnement)
        emplacement = f"{rng.choice(VIN_LETTERS)}{rng.randrange(1, 10)}{rng.choice('ABCD')}"
        vehicles.append(TrackedVehicle(vin=vin, abonnement=abonnement, marque=marque,
                                       modele=modele, owner_email=owner,
                                       emplacement=emplacement))
    return vehicles


def build_traqueur_state() -> TraqueurState:
    rng = random.Random(63)
    taken = {GUIDE_X1[0]} | {row[0] for row in GUIDE_DEMANDE_63}
    subscriptions = {GUIDE_X1[1]} | {row[1] for row in GUIDE_DEMANDE_63}
    vin, abo, marque, modele, emplacement = GUIDE_X1
    sixt = [TrackedVehicle(vin=vin, abonnement=abo, marque=marque, modele=modele,
                           owner_email=SIXT.email, emplacement=emplacement)]
    sixt += _generated(rng, 77, SIXT.email, taken, subscriptions)
    sixt += [
        TrackedVehicle(vin=vin, abonnement=abo, marque="BMW", modele="SERIE 1",
                       owner_email=SIXT.email, emplacement=emplacement)
        for vin, abo, _, _, _, emplacement in GUIDE_DEMANDE_63
    ]
    ada = _generated(rng, 5, ADA.email, taken, subscriptions)

    created = dt.datetime(2014, 7, 8, 15, 58, 12)
    demande = Demande(
        numero=63, created=created.date(), requester=SIXT.email,
        email_suivi=SIXT.contact_email, description="",
        lines=[
            DemandeLine(
                vin=vin, abonnement=abo, marque="BMW", modele="SERIE 1", code_distributeur=code,
                lieu=lieu, date_souhaitee="30/07/2014", commentaires=comment, statut=PREVENU,
                history=[StatusChange(when=created, old="", new=PREVENU, by=SIXT.email)],
            )
            for vin, abo, code, lieu, comment, _ in GUIDE_DEMANDE_63
        ],
    )
    return TraqueurState(
        accounts=[SIXT.model_copy(), ADA.model_copy(), TRAMOSA.model_copy(), WALON.model_copy()],
        distributors=[d.model_copy() for d in DISTRIBUTORS],
        vehicles=sixt + ada,
        demandes=[demande],
        next_demande=64,
    )


def sixt_vehicles(state: TraqueurState | None = None) -> list[TrackedVehicle]:
    """SIXT SAS's vehicles (the seed's, or those of `state`), in seed order."""
    return (state or build_traqueur_state()).vehicles_of(SIXT.email)
