"""The Centralisateur's declaration form (PORTALS.md §2), and what a declaration hands GuideWire
(PORTALS.md §3). Shared by both replicas: reseauxconnect shows and checks the form, and
GuideWire shows a devis's vehicle as the declaration would have sent it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rpa.sandbox.dates import add_months
from rpa.sandbox.state import Bdc, SandboxState, fr_amount, fr_date


@dataclass(frozen=True)
class FormField:
    """One control of the declaration form; `label` is the portal's text, `*` included."""

    name: str
    label: str
    kind: str = "text"  # text | date | select | checkbox
    options: tuple[str, ...] = ()

    @property
    def required(self) -> bool:
        return self.label.endswith("*")

    @property
    def missing_message(self) -> str:
        return f"Le champ {self.label.rstrip('*').strip().lower()} est obligatoire"


def _f(name: str, label: str, kind: str = "text", *options: str) -> FormField:
    return FormField(name, label, kind, ("", *options) if kind == "select" else ())


TOP_FIELDS = (
    _f("consentement", "Consentement du client (FOCUS)*", "select",
       "Oui Email", "Oui SMS", "Oui Email et SMS", "Non"),
    _f("origine", "Origine de la vente*", "select",
       "Reprise VO sur VN", "Reprise VO sur VO", "Sans reprise"),
    _f("vendeur", "Vendeur véhicule d'occasion*"),
)
CLIENT_FIELDS = (
    _f("civilite", "Civilité*", "select", "Monsieur", "Madame", "Mademoiselle"),
    _f("nom", "Nom*"),
    _f("prenom", "Prenom*"),
    _f("email", "Email"),
    _f("tel_fixe", "Tel. Fixe"),
    _f("tel_mobile", "Tel. Mobile"),
    _f("adresse", "Adresse*"),
    _f("complement1", "Complément adresse 1"),
    _f("complement2", "Complément adresse 2"),
    _f("code_postal", "Code Postal*"),
    _f("ville", "Ville*"),
    _f("pays", "Pays*"),
    _f("date_naissance", "Date de naissance", "date"),
    _f("ville_naissance", "Ville de naissance"),
    _f("profession", "Profession"),
)
VEHICLE_FIELDS = (
    _f("type_vehicule", "Type véhicule*", "select", "VP", "VU"),
    _f("immatriculation", "Immatriculation*"),
    _f("marque", "Marque*"),
    _f("type_carte_grise", "Type carte grise"),
    _f("date_immat", "Date première immat.*", "date"),
    _f("modele", "Modèle véhicule*"),
    _f("energie", "Energie*", "select", "DIESEL", "ESSENCE", "ELECTRIQUE", "HYBRIDE"),
    _f("cylindree", "Cylindrée"),
    _f("version", "Version*"),
    _f("puissance_fiscale", "Puissance Fiscale"),
    _f("puissance_din", "Puissance Din*"),
    _f("puissance_kw", "Puissance KW"),
    _f("vin", "VIN*"),
    _f("quatre_quatre", "4x4", "checkbox"),
    _f("km", "Km jour de la vente*"),
    _f("prix_vente", "Prix de vente"),
    _f("date_livraison", "Date de livraison*", "date"),
    _f("valeur_reprise", "Valeur de reprise"),
    _f("fin_gtie", "Date fin gtie constructeur*", "date"),
    _f("km_gtie", "Km gtie constructeur*"),
    _f("cote", "Côte du véhicule"),
)
GUARANTEE_FIELDS = (
    _f("garantie", "Garantie*", "select",
       "SPOTICAR PREMIUM", "SPOTICAR ESSENTIAL", "SPOTICAR ADVANCED", "DS CERTIFIED"),
    _f("duree", "Durée*", "select", "12 mois", "24 mois", "36 mois"),
    _f("debut_garantie", "Date début de garantie*", "date"),
    _f("fin_garantie", "Date fin de garantie*", "date"),
)
GROUPS = (
    ("Données client", CLIENT_FIELDS),
    ("Données véhicule", VEHICLE_FIELDS),
    ("Garantie", GUARANTEE_FIELDS),
)
ALL_FIELDS = TOP_FIELDS + CLIENT_FIELDS + VEHICLE_FIELDS + GUARANTEE_FIELDS
FIELD_BY_NAME = {f.name: f for f in ALL_FIELDS}
DATE_FIELDS = ("date_livraison", "debut_garantie", "fin_garantie")


def months_of(duree: str) -> int | None:
    match = re.match(r"\s*(\d+)\s*mois", duree)
    return int(match.group(1)) if match else None


def split_garantie(garantie: str) -> tuple[str, str]:
    """`Spoticar Premium 24 mois` (Planet VO) -> (`SPOTICAR PREMIUM`, `24 mois`) (this form)."""
    match = re.match(r"\s*(.*?)\s+(\d+)\s*mois\s*$", garantie, re.IGNORECASE)
    if not match:
        return "", ""
    name, duree = match.group(1).upper(), f"{int(match.group(2))} mois"
    return (
        name if name in FIELD_BY_NAME["garantie"].options else "",
        duree if duree in FIELD_BY_NAME["duree"].options else "",
    )


def prefill(state: SandboxState, bdc: Bdc) -> dict[str, str]:
    """The form as the popup opens it: what Planet VO knows of the sale, by field name."""
    values = {f.name: "" for f in ALL_FIELDS}
    vehicle = state.vehicle(bdc.vo_vendu)
    garantie, duree = split_garantie(bdc.garantie)
    values.update(
        consentement="Oui Email",
        origine="Reprise VO sur VN" if bdc.vo_repris else "Sans reprise",
        vendeur=bdc.vendeur,
        civilite=bdc.civilite if bdc.civilite in FIELD_BY_NAME["civilite"].options else "",
        nom=bdc.nom,
        prenom=bdc.prenom,
        email=bdc.email,
        tel_mobile=bdc.telephone,
        adresse=bdc.adresse,
        complement1=bdc.complement,
        code_postal=bdc.code_postal,
        ville=bdc.ville,
        pays="France",
        prix_vente=fr_amount(bdc.prix_negocie) if bdc.prix_negocie else "",
        date_livraison=fr_date(bdc.date_livraison),
        garantie=garantie,
        duree=duree,
        debut_garantie=fr_date(bdc.date_livraison),
    )
    months = months_of(duree)
    if bdc.date_livraison and months:
        values["fin_garantie"] = fr_date(add_months(bdc.date_livraison, months))
    if vehicle is not None:
        values.update(
            type_vehicule=vehicle.type_vehicule,
            immatriculation=vehicle.immat,
            marque=vehicle.marque,
            date_immat=fr_date(vehicle.premiere_immat),
            modele=vehicle.modele,
            energie=vehicle.energie,
            cylindree=str(vehicle.cylindree),
            version=vehicle.version,
            puissance_fiscale=str(vehicle.puissance_fiscale),
            puissance_din=str(vehicle.puissance_din),
            puissance_kw=str(vehicle.puissance_kw),
            vin=vehicle.vin,
            quatre_quatre="on" if vehicle.quatre_quatre else "",
            km=str(vehicle.km),
            fin_gtie=fr_date(vehicle.fin_garantie_constructeur),
            km_gtie=str(vehicle.km_garantie_constructeur),
        )
    return values


def by_label(values: dict[str, str]) -> dict[str, str]:
    out = {}
    for f in ALL_FIELDS:
        value = values.get(f.name, "")
        out[f.label] = ("Oui" if value else "") if f.kind == "checkbox" else value
    return out


def _brand(text: str) -> str:
    # GuideWire writes makes like a name ("Peugeot"), keeping short acronyms ("DS").
    return text.capitalize() if len(text) > 2 else text


def guidewire_vehicle(values: dict[str, str]) -> dict[str, str]:
    """What the declaration hands GuideWire: its `Véhicules` step, keyed by label (no `*`)."""
    return {
        "VIN": values.get("vin", "").strip().upper(),
        "Immatriculation": values.get("immatriculation", "").strip().upper(),
        "Type de véhicule": {
            "VP": "Véhicule Particulier (VP)", "VU": "Véhicule Utilitaire (VU)"
        }.get(values.get("type_vehicule", ""), ""),
        "Première date d'immatriculation": values.get("date_immat", ""),
        "Marque": _brand(values.get("marque", "").strip()),
        "Modèle": values.get("modele", ""),
        "Type d'énergie": values.get("energie", "").capitalize(),
        "Puissance de la voiture": values.get("puissance_din", ""),
        "Kilométrage": values.get("km", ""),
        "Garantie constructeur - date de fin": values.get("fin_gtie", ""),
        "Garantie constructeur - kilomètres": values.get("km_gtie", ""),
        "Spécificités du véhicule": "4x4" if values.get("quatre_quatre") else "Non 4x4",
        "Vendeur véhicule d'occasion": values.get("vendeur", ""),
    }


def devis_client(civilite: str, nom: str, prenom: str) -> str:
    """GuideWire's account name, e.g. `M. DUPONT DURANT`."""
    civ = "M." if civilite == "Monsieur" else "MME"
    return f"{civ} {nom.strip().upper()} {prenom.strip().upper()}"
