"""Seed data: one dealer with about a dozen closed BDCs, including every awkward case.

| BDC      | vehicle   | what makes it interesting                                       |
|----------|-----------|-----------------------------------------------------------------|
| 74601..8 | 59716...  | ordinary closed sales, Spoticar Premium / DS Certified          |
| 74609    | VINCE05   | customer address missing on the BDC (portal validation)         |
| 74610    | VINCE02   | sold by CHARTRES, a site with no Code RRD1                      |
| 74611    | 001003972 | already declared on reseauxconnect, devis still open            |
| 74612    | VINCE07   | `Spoticar Advanced 36 mois`: no GuideWire offer is mapped to it |
| 74613    | VINCE08   | still `En cours`                                                 |
| 74614    | VINCE09   | already declared 25 days ago: its devis has expired             |
| 74615    | VINCE10   | closed but with no Spoticar/DS guarantee                         |

A dealer group (`build_state(points_of_sale=2)`): a second point of sale, the site `AM02`
SPOTICAR AMIENS NORD (Code RRD1 FR10777), buys its GuideWire policies under its own PSA account
(`AMIENS_NORD_USER`); the demo's site PE64 keeps `GUIDEWIRE_USER`. It sells three more
vehicles, all ordinary closed sales:

| BDC      | vehicle   | garantie                                                         |
|----------|-----------|------------------------------------------------------------------|
| 74616    | AMN01     | Spoticar Premium 12 mois                                         |
| 74617    | AMN02     | Spoticar Premium 24 mois                                         |
| 74618    | AMN03     | Spoticar Essential 12 mois                                       |

`buy_by_hand` makes a policy someone bought outside the bot, under the vehicle's account.
"""

from __future__ import annotations

import datetime as dt

from rpa.sandbox.declaration import devis_client, split_garantie
from rpa.sandbox.guidewire.domain import issue_policy, offer_named
from rpa.sandbox.state import (
    HOME_SITE,
    Account,
    Bdc,
    Dealer,
    Declaration,
    Devis,
    Offer,
    Policy,
    SandboxState,
    Site,
    Vehicle,
    today,
)

PLANETVO_USER = Account(username="hakim.ab", password="Jupiter-2021!")
GUIDEWIRE_USER = Account(username="865268J.vo", password="Gw-Stellantis#1")  # site PE64
# The second point of sale of a dealer group: its site, and its own PSA account at GuideWire.
AMIENS_NORD = "AM02"
AMIENS_NORD_USER = Account(username="amiens.gw@psa-dealer.fr", password="Gw-AmiensNord#2")

OFFERS = [
    Offer(name="GVO Premium 7 / 150", price=187.56, duree_mois=12, garantie="SPOTICAR PREMIUM"),
    Offer(name="GVO Premium 7 / 150 - 24", price=329.9, duree_mois=24, garantie="SPOTICAR PREMIUM"),
    Offer(name="GVO Essentielle 10 / 200", price=142.0, duree_mois=12, garantie="SPOTICAR ESSENTIAL"),
    Offer(name="GVO DS Certified 12", price=241.3, duree_mois=12, garantie="DS CERTIFIED"),
    Offer(name="GVO Advanced 36", price=612.0, duree_mois=36, garantie="SPOTICAR ADVANCED",
          carence_mois=1),
]

# What an operator would configure for this dealer: (Garantie|Durée) -> offer name.
# `SPOTICAR ADVANCED|36 mois` is deliberately absent: the bot must refuse to guess.
DEMO_OFFER_MAPPING = {
    "SPOTICAR PREMIUM|12 mois": "GVO Premium 7 / 150",
    "SPOTICAR PREMIUM|24 mois": "GVO Premium 7 / 150 - 24",
    "SPOTICAR ESSENTIAL|12 mois": "GVO Essentielle 10 / 200",
    "DS CERTIFIED|12 mois": "GVO DS Certified 12",
}
DEMO_GARANTISSEURS = ["Garantie Stellantis Assurance"]


def _site(id_: int, code: str, libelle: str, rrd1: str, adresse: str = "AVENUE D'ASSAS",
          code_postal: str = "64000", ville: str = "PAU") -> Site:
    return Site(
        id=id_, code=code, libelle=libelle, rrd1=rrd1, raison_sociale=libelle,
        code_bic_argus="111", adresse=adresse, code_postal=code_postal, ville=ville,
        telephone="03 00 00 00 00", code_dms="442880F", code_constructeur="442880F",
    )


def _sites() -> list[Site]:
    rows = [
        (20939, "10", "DS CERTIFIED TEST", ""),
        (20522, "100", "GARAGE PEUGEOT", "FR10412"),
        (20530, "300", "Filiale Amiens", "FR10233"),
        (20532, "380", "Olivet", ""),
        (20515, "FO28", "CHARTRES", ""),
        (20523, HOME_SITE, "DEMO CDDS SPOTICAR", "FR10350"),
    ]
    return [_site(id_, code, libelle, rrd1) for id_, code, libelle, rrd1 in rows]


def _vehicle(police: str, immat: str, vin: str, marque: str, modele: str, version: str,
             energie: str, km: int, site: str, age_days: int) -> Vehicle:
    first = today() - dt.timedelta(days=age_days)
    return Vehicle(
        police=police, immat=immat, vin=vin, marque=marque, modele=modele, version=version,
        energie=energie, km=km, site_code=site, premiere_immat=first,
        fin_garantie_constructeur=first + dt.timedelta(days=730),
    )


def _vehicles() -> list[Vehicle]:
    return [
        _vehicle("59716", "EG-702-HQ", "VF3CCHMZ6JT059716", "PEUGEOT", "208", "1.2 PureTech 110 Allure",
                 "ESSENCE", 24784, "PE64", 1500),
        _vehicle("60226", "FA-118-KT", "VF3MRHNS6KS060226", "PEUGEOT", "3008", "1.5 BlueHDi 130 GT Line",
                 "DIESEL", 41250, "PE64", 1300),
        _vehicle("60301", "FB-554-LM", "VF7SXHMZ6KT060301", "CITROEN", "C3", "1.2 PureTech 83 Feel",
                 "ESSENCE", 18900, "PE64", 1100),
        _vehicle("60388", "FC-210-NP", "VR1UCYHZRKW060388", "DS", "DS 7 CROSSBACK", "BlueHDi 180 Rivoli",
                 "DIESEL", 35600, "100", 1000),
        _vehicle("60412", "FD-903-QR", "VF3UPHNS2LS060412", "PEUGEOT", "2008", "1.2 PureTech 130 Allure",
                 "ESSENCE", 12400, "100", 900),
        _vehicle("60455", "FE-377-ST", "VXKUHZKXZL4060455", "OPEL", "CORSA", "1.2 75 Edition",
                 "ESSENCE", 22000, "PE64", 800),
        _vehicle("60501", "FF-640-UV", "VF3LCYHZPLS060501", "PEUGEOT", "508", "1.5 BlueHDi 130 Active",
                 "DIESEL", 56300, "300", 1200),
        _vehicle("60544", "FG-128-WX", "VF7RHYHZ8LL060544", "CITROEN", "C5 AIRCROSS", "BlueHDi 130 Shine",
                 "DIESEL", 30500, "PE64", 950),
        _vehicle("VINCE05", "FH-482-YZ", "VF3CCZMZ6KT071205", "PEUGEOT", "208", "1.5 BlueHDi 100 Active",
                 "DIESEL", 45000, "PE64", 1400),
        _vehicle("VINCE02", "FJ-771-AB", "VF3UPHNS9KS071302", "PEUGEOT", "2008", "1.2 PureTech 110 Active",
                 "ESSENCE", 27000, "FO28", 1250),
        _vehicle("001003972", "CZ-105-XR", "VF3CCHMZ0DT003972", "PEUGEOT", "208", "1.4 HDI FAP Active 5p",
                 "DIESEL", 22051, "PE64", 2187),
        _vehicle("VINCE07", "FK-209-CD", "VF3MJAHXVLS071407", "PEUGEOT", "5008", "1.5 BlueHDi 130 GT",
                 "DIESEL", 15000, "PE64", 600),
        _vehicle("VINCE08", "FL-316-EF", "VF7SXHMZ6LT071508", "CITROEN", "C3", "1.2 PureTech 110 Shine",
                 "ESSENCE", 9000, "PE64", 500),
        _vehicle("VINCE09", "FM-623-GH", "VF3LCYHZPMS071609", "PEUGEOT", "508", "1.6 PureTech 225 GT",
                 "ESSENCE", 31000, "PE64", 700),
        _vehicle("VINCE10", "FN-934-JK", "VF3CCHMZ6MT071710", "PEUGEOT", "208", "1.2 PureTech 75 Like",
                 "ESSENCE", 52000, "PE64", 1600),
    ]


_BUYERS = [
    # (nom, prenom, civilite, adresse, cp, ville, email)
    ("DUPONT", "Durant", "Monsieur", "12 RUE SPOTICAR", "75010", "PARIS", "durant.dupont@example.fr"),
    ("MARTIN", "Claire", "Madame", "4 ALLEE DES TILLEULS", "64000", "PAU", "claire.martin@example.fr"),
    ("BERNARD", "Louis", "Monsieur", "87 AVENUE JEAN JAURES", "31000", "TOULOUSE", ""),
    ("PETIT", "Aurélie", "Madame", "3 PLACE DU MARCHE", "64100", "BAYONNE", "a.petit@example.fr"),
    ("DURAND", "Hugo", "Monsieur", "15 CHEMIN DES VIGNES", "33000", "BORDEAUX", ""),
    ("LEROY", "Manon", "Madame", "9 RUE VICTOR HUGO", "40100", "DAX", "manon.leroy@example.fr"),
    ("MOREAU", "Théo", "Monsieur", "21 BOULEVARD GAMBETTA", "80000", "AMIENS", ""),
    ("SIMON", "Inès", "Madame", "6 IMPASSE DES LILAS", "64140", "LONS", "ines.simon@example.fr"),
    ("LAURENT", "Paul", "Monsieur", "", "", "", ""),  # customer address missing
    ("MICHEL", "Sarah", "Madame", "2 RUE DE LA GARE", "28000", "CHARTRES", ""),
    ("DUPONT", "Stéphane", "Mademoiselle", "1 RUE DU MOULIN", "68460", "LUTTERBACH", ""),
    ("GARCIA", "Lucas", "Monsieur", "44 RUE DES ECOLES", "64000", "PAU", ""),
    ("DAVID", "Emma", "Madame", "10 RUE NEUVE", "64000", "PAU", ""),
    ("ROUX", "Nathan", "Monsieur", "5 COURS BOSQUET", "64000", "PAU", ""),
    ("FOURNIER", "Léa", "Madame", "18 RUE CARNOT", "64000", "PAU", ""),
]

# (numero, vehicle police, statut, garantie, days since sale, has delivery date, site libelle)
_SALES = [
    ("74601", "59716", "Cloturé", "Spoticar Premium 12 mois", 12, "DEMO CDDS SPOTICAR"),
    ("74602", "60226", "Cloturé", "Spoticar Premium 24 mois", 11, "DEMO CDDS SPOTICAR"),
    ("74603", "60301", "Cloturé", "Spoticar Essential 12 mois", 10, "DEMO CDDS SPOTICAR"),
    ("74604", "60388", "Cloturé", "DS Certified 12 mois", 9, "GARAGE PEUGEOT"),
    ("74605", "60412", "Cloturé", "Spoticar Premium 12 mois", 8, "GARAGE PEUGEOT"),
    ("74606", "60455", "Cloturé", "Spoticar Premium 12 mois", 7, "DEMO CDDS SPOTICAR"),
    ("74607", "60501", "Cloturé", "Spoticar Premium 24 mois", 6, "Filiale Amiens"),
    ("74608", "60544", "Cloturé", "Spoticar Essential 12 mois", 5, "DEMO CDDS SPOTICAR"),
    ("74609", "VINCE05", "Cloturé", "Spoticar Premium 12 mois", 5, "DEMO CDDS SPOTICAR"),
    ("74610", "VINCE02", "Cloturé", "Spoticar Premium 12 mois", 4, "CHARTRES"),
    ("74611", "001003972", "Cloturé", "Spoticar Premium 12 mois", 4, "DEMO CDDS SPOTICAR"),
    ("74612", "VINCE07", "Cloturé", "Spoticar Advanced 36 mois", 3, "DEMO CDDS SPOTICAR"),
    ("74613", "VINCE08", "En cours", "Spoticar Premium 12 mois", 2, "DEMO CDDS SPOTICAR"),
    ("74614", "VINCE09", "Cloturé", "Spoticar Premium 12 mois", 40, "DEMO CDDS SPOTICAR"),
    ("74615", "VINCE10", "Cloturé", "", 1, "DEMO CDDS SPOTICAR"),
]


def _bdcs(vehicles: list[Vehicle]) -> list[Bdc]:
    by_police = {v.police: v for v in vehicles}
    bdcs = []
    for (numero, police, statut, garantie, days, site), buyer in zip(_SALES, _BUYERS):
        nom, prenom, civilite, adresse, cp, ville, email = buyer
        sold = today() - dt.timedelta(days=days)
        vehicle = by_police[police]
        bdcs.append(
            Bdc(
                numero=numero, statut=statut, date_creation=sold, date_modification=sold,
                vo_vendu=police, prix_negocie=9000 + (int(police[-3:]) if police[-3:].isdigit() else 500) * 17,
                site_libelle=site, garantie=garantie, civilite=civilite, nom=nom, prenom=prenom,
                adresse=adresse, code_postal=cp, ville=ville, email=email,
                origine_vo_vendu="Constructeur" if vehicle.marque == "DS" else "Achat Direct",
                date_livraison=sold + dt.timedelta(days=2) if statut == "Cloturé" else None,
                lieu_livraison="Concession",
            )
        )
    return bdcs


def extra_bdcs(state: SandboxState, count: int) -> None:
    """Add `count` ordinary closed sales (for pagination and load tests)."""
    for i in range(count):
        police = f"7{i:05d}"
        vin = f"VF3CCHMZ6PT{700000 + i:06d}"
        immat = f"GA-{i % 1000:03d}-{chr(65 + i // 1000 % 26)}{chr(65 + i // 26 % 26)}"
        vehicle = _vehicle(police, immat, vin, "PEUGEOT", "208", "1.2 PureTech 100 Active",
                           "ESSENCE", 10000 + i, "PE64", 900)
        state.vehicles.append(vehicle)
        sold = today() - dt.timedelta(days=3)
        state.bdcs.append(
            Bdc(
                numero=str(80000 + i), statut="Cloturé", date_creation=sold,
                date_modification=sold, vo_vendu=police, prix_negocie=12000 + i,
                site_libelle="DEMO CDDS SPOTICAR", garantie="Spoticar Premium 12 mois",
                nom=f"CLIENT{i:04d}", prenom="Alex", adresse=f"{i + 1} RUE DU TEST",
                code_postal="64000", ville="PAU", date_livraison=sold + dt.timedelta(days=1),
            )
        )


def _declare(state: SandboxState, bdc: Bdc, days_ago: int) -> Devis:
    """Declare the sale on reseauxconnect, `days_ago` days ago: the declaration and its devis
    at GuideWire, under the account of the vehicle's point of sale."""
    assert bdc.date_livraison is not None
    vehicle = state.vehicle(bdc.vo_vendu)
    assert vehicle is not None
    garantie, duree = split_garantie(bdc.garantie)
    created = today() - dt.timedelta(days=days_ago)
    devis = Devis(
        numero=state.new_devis_number(), created=created,
        expires=created + dt.timedelta(days=14), vin=vehicle.vin, immat=vehicle.immat,
        client=devis_client(bdc.civilite, bdc.nom, bdc.prenom), garantie=garantie,
        duree=duree, date_livraison=bdc.date_livraison,
        account=state.account_for_vehicle(vehicle).username,
    )
    state.devis.append(devis)
    state.declarations.append(
        Declaration(
            reference=state.new_reference(), date=created, immat=vehicle.immat, vin=vehicle.vin,
            client=f"{bdc.nom} {bdc.prenom}", garantie=garantie, duree=duree,
            devis=devis.numero,
        )
    )
    return devis


def _declare_before(state: SandboxState, numero: str, days_ago: int) -> None:
    """A sale someone already declared by hand, `days_ago` days ago."""
    bdc = state.bdc(numero)
    assert bdc is not None
    _declare(state, bdc, days_ago)


def buy_by_hand(state: SandboxState, vo_vendu: str, *, days_ago: int = 2) -> Policy:
    """A policy someone bought outside the bot, `days_ago` days ago: the vehicle's sale is
    declared (unless it already was) and its devis bought under the vehicle's account, at the
    offer the demo's mapping names for its garantie; the document is ready."""
    bdc = state.bdc_for_vehicle(vo_vendu)
    vehicle = state.vehicle(vo_vendu)
    if bdc is None or vehicle is None:
        raise ValueError(f"aucun BDC ne vend le véhicule {vo_vendu}")
    declared = state.declaration_for_vin(vehicle.vin)
    devis = state.devis_by_numero(declared.devis) if declared is not None else None
    if devis is None:
        devis = _declare(state, bdc, days_ago)
    at = dt.datetime.now() - dt.timedelta(days=days_ago)
    if devis.police or devis.status == "Supprimé" or not devis.created <= at.date() <= devis.expires:
        raise ValueError(f"le devis {devis.numero} du véhicule {vo_vendu} ne peut être acheté "
                         f"il y a {days_ago} jours")
    offer = offer_named(state, DEMO_OFFER_MAPPING.get(f"{devis.garantie}|{devis.duree}", ""))
    if offer is None:
        raise ValueError(f"aucune offre pour {devis.garantie} {devis.duree} ({vo_vendu})")
    policy = issue_policy(state, devis, offer, state.owner(devis), at)
    policy.document_ready_at = at
    return policy


def add_point_of_sale(state: SandboxState) -> None:
    """A dealer group's second point of sale: the site AM02 with its own GuideWire account,
    and three closed sales of its own, ready to guarantee."""
    state.sites.append(_site(20541, AMIENS_NORD, "SPOTICAR AMIENS NORD", "FR10777",
                             adresse="ZAC DE LA VALLEE DES VACHES", code_postal="80000",
                             ville="AMIENS"))
    state.points_of_sale[AMIENS_NORD] = AMIENS_NORD_USER
    sales = [  # vehicle, then its BDC: (numero, garantie, days since sale), then the buyer
        (_vehicle("AMN01", "GB-101-AN", "VF3MRHNS6MS077101", "PEUGEOT", "3008",
                  "1.2 PureTech 130 Allure", "ESSENCE", 28400, AMIENS_NORD, 1000),
         ("74616", "Spoticar Premium 12 mois", 6),
         ("LEFEBVRE", "Julien", "Monsieur", "7 RUE DES JACOBINS", "80000", "AMIENS",
          "julien.lefebvre@example.fr")),
        (_vehicle("AMN02", "GB-202-AN", "VF7SXHMZ6MT077202", "CITROEN", "C3",
                  "1.2 PureTech 83 Shine", "ESSENCE", 19750, AMIENS_NORD, 850),
         ("74617", "Spoticar Premium 24 mois", 5),
         ("DUBOIS", "Camille", "Madame", "31 BOULEVARD DE BEAUVILLE", "80000", "AMIENS",
          "camille.dubois@example.fr")),
        (_vehicle("AMN03", "GB-303-AN", "VF3UPHNS4MS077303", "PEUGEOT", "2008",
                  "1.5 BlueHDi 110 Active", "DIESEL", 33900, AMIENS_NORD, 1150),
         ("74618", "Spoticar Essential 12 mois", 4),
         ("LAMBERT", "Antoine", "Monsieur", "12 RUE SAINT-LEU", "80000", "AMIENS",
          "a.lambert@example.fr")),
    ]
    for vehicle, (numero, garantie, days), buyer in sales:
        nom, prenom, civilite, adresse, cp, ville, email = buyer
        sold = today() - dt.timedelta(days=days)
        state.vehicles.append(vehicle)
        state.bdcs.append(
            Bdc(
                numero=numero, statut="Cloturé", date_creation=sold, date_modification=sold,
                vo_vendu=vehicle.police, prix_negocie=14500 + vehicle.km % 1000,
                site_libelle="SPOTICAR AMIENS NORD", garantie=garantie, civilite=civilite,
                nom=nom, prenom=prenom, adresse=adresse, code_postal=cp, ville=ville,
                email=email, date_livraison=sold + dt.timedelta(days=2),
                lieu_livraison="Concession",
            )
        )


def build_state(extra: int = 0, points_of_sale: int = 1) -> SandboxState:
    """The seed world; with `points_of_sale=2`, a dealer group (`add_point_of_sale`)."""
    if points_of_sale not in (1, 2):
        raise ValueError(f"points_of_sale = {points_of_sale}: 1 or 2")
    vehicles = _vehicles()
    state = SandboxState(
        dealer=Dealer(
            name="AUTOMOBILES DE LA MADELEINE", address_line="Lieudit La Fosse Au Bossu",
            postcode_city="27930 Angerville-La-Campagne", code_vendeur="865268J",
        ),
        planetvo_account=PLANETVO_USER,
        guidewire_account=GUIDEWIRE_USER,
        sites=_sites(),
        vehicles=vehicles,
        bdcs=_bdcs(vehicles),
        offers=OFFERS,
    )
    _declare_before(state, "74611", days_ago=3)
    _declare_before(state, "74614", days_ago=25)
    if points_of_sale == 2:
        add_point_of_sale(state)
    if extra:
        extra_bdcs(state, extra)
    return state
