"""GuideWire's rules, shared by its two faces: the server-rendered portal (classic/) and the
client-side application (spa/). PORTALS.md §3.

Everything that reads or changes the world lives here, once: which devis are open, what the
search box finds, how the wizard validates, how a purchase happens (at most once per devis),
and when the policy document appears (how sessions end: sessions.py). The two apps only
decide how to show it (HTML pages or JSON).

Each point of sale signs in with its own PSA account, and sees only its own: every look-up,
list and count here is for the signed-in account (`user`, the session's username). A devis or
policy of another account is not found, as if it did not exist.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from rpa.sandbox.dates import add_months, parse_fr_date
from rpa.sandbox.declaration import guidewire_vehicle, prefill
from rpa.sandbox.state import (
    Account,
    Devis,
    Offer,
    Policy,
    Purchase,
    SandboxState,
    fr_amount,
    fr_date,
    today,
)

PORTAL = "guidewire"
PRODUCT = "GVO France"
LOGIN_REFUSED = "Nom d'utilisateur ou mot de passe incorrect"
EXPIRED = "Ce devis a expiré"
VIN_HINT = "17 caractères alphanumériques en majuscules"
IMMAT_HINT = (
    "9 caractères alphanumériques, en majuscules XX-XXX-XX, sans espace, "
    "sans caractères spéciaux (!,&,-)"
)


@dataclass(frozen=True)
class GwField:
    name: str
    label: str
    kind: str = "text"  # text | select
    options: tuple[str, ...] = ()
    hint: str = ""

    @property
    def key(self) -> str:
        """The key in `Devis.vehicle`: the label without its required mark."""
        return self.label.removesuffix(" *")

    @property
    def required(self) -> bool:
        return self.label.endswith(" *")


VEHICLE_FIELDS = (
    GwField("vin", "VIN *", hint=VIN_HINT),
    GwField("immatriculation", "Immatriculation *", hint=IMMAT_HINT),
    GwField("type_vehicule", "Type de véhicule *", "select",
            ("", "Véhicule Particulier (VP)", "Véhicule Utilitaire (VU)")),
    GwField("date_immat", "Première date d'immatriculation *"),
    GwField("marque", "Marque *"),
    GwField("modele", "Modèle *"),
    GwField("energie", "Type d'énergie *"),
    GwField("puissance", "Puissance de la voiture *"),
    GwField("km", "Kilométrage *"),
    GwField("fin_gtie", "Garantie constructeur - date de fin *"),
    GwField("km_gtie", "Garantie constructeur - kilomètres *"),
    GwField("specificites", "Spécificités du véhicule *", "select", ("", "Non 4x4", "4x4")),
    GwField("vendeur", "Vendeur véhicule d'occasion"),
)

STEPS = (
    ("contrat", "Contrat"),
    ("vehicules", "Véhicules"),
    ("offres", "Devis"),
    ("police", "Informations sur la police"),
    ("confirmation", "Confirmation"),
)


# -- what the screens show ----------------------------------------------------------------
def devis_status(devis: Devis) -> str:
    if devis.police:
        return "Lié"
    if devis.status == "Supprimé":
        return "Supprimé"
    if today() > devis.expires:
        return "Expiré"
    return "Devis en ébauche"


def is_open(devis: Devis) -> bool:
    """Open devis are listed and editable; a bought or deleted one is neither."""
    return not devis.police and devis.status != "Supprimé"


def session_user(session: dict[str, Any]) -> str:
    """The GuideWire username this session signed in with."""
    return str(session["user"])


def find_devis(state: SandboxState, numero: str, user: str) -> Devis | None:
    """The signed-in account's devis of that number; another account's is not found."""
    devis = state.devis_by_numero(numero)
    return devis if devis is not None and state.owner(devis) == user else None


def find_policy(state: SandboxState, numero: str, user: str) -> Policy | None:
    """The signed-in account's policy of that number; another account's is not found."""
    policy = state.policy_by_numero(numero)
    return policy if policy is not None and state.owner(policy) == user else None


def own_devis(state: SandboxState, user: str) -> list[Devis]:
    return [d for d in state.devis if state.owner(d) == user]


def own_policies(state: SandboxState, user: str) -> list[Policy]:
    return [p for p in state.policies if state.owner(p) == user]


def open_devis(state: SandboxState, user: str) -> list[Devis]:
    """`Devis ouverts au cours des 30 derniers jours`, newest first."""
    recent = [
        (i, d) for i, d in enumerate(state.devis)
        if state.owner(d) == user and is_open(d) and (today() - d.created).days <= 30
    ]
    return [d for _, d in sorted(recent, key=lambda item: (item[1].created, item[0]), reverse=True)]


def account_name(state: SandboxState, devis: Devis) -> str:
    """`Compte client : DURANT DUPONT`: first name then name, as the account is titled."""
    declaration = next((d for d in state.declarations if d.devis == devis.numero), None)
    if declaration is not None and declaration.fields.get("Nom*"):
        return f"{declaration.fields.get('Prenom*', '')} {declaration.fields['Nom*']}".strip().upper()
    words = devis.client.split()[1:]  # drop the civilité
    return " ".join(words[1:] + words[:1]) if words else devis.client


def vehicle_values(state: SandboxState, devis: Devis) -> dict[str, str]:
    """The `Véhicules` step as saved on the devis, or as the declaration would have sent it."""
    if devis.vehicle:
        return dict(devis.vehicle)
    vehicle = next((v for v in state.vehicles if v.vin == devis.vin), None)
    bdc = state.bdc_for_vehicle(vehicle.police) if vehicle is not None else None
    if bdc is None:
        return {"VIN": devis.vin, "Immatriculation": devis.immat}
    return guidewire_vehicle(prefill(state, bdc))


def offers_for(state: SandboxState, devis: Devis) -> list[Offer]:
    return [o for o in state.offers if o.garantie == devis.garantie]


def offer_named(state: SandboxState, name: str) -> Offer | None:
    return next((o for o in state.offers if o.name == name), None)


def selected_offer(state: SandboxState, devis: Devis) -> Offer | None:
    return offer_named(state, devis.selected_offer) if devis.selected_offer else None


def euros(value: float) -> str:
    return f"{fr_amount(value)} €"


def policy_period(devis: Devis, offer: Offer) -> tuple[dt.date, dt.date]:
    return devis.date_livraison, add_months(devis.date_livraison, offer.duree_mois)


def document_count(policy: Policy) -> int:
    """The PDF is made a little after the purchase (PORTALS.md): until then, none."""
    return 1 if dt.datetime.now() >= policy.document_ready_at else 0


def agency(state: SandboxState) -> str:
    """The point of sale a list names in its `AGENCE` column (markup drift's extra column)."""
    return state.dealer.name


# -- lists ------------------------------------------------------------------------------------
def open_devis_rows(state: SandboxState, user: str) -> list[dict[str, str]]:
    """`DEVIS OUVERTS`: one row per open devis, keyed by column."""
    rows = []
    for d in open_devis(state, user):
        offer = selected_offer(state, d)
        rows.append({
            "cree": fr_date(d.created), "produit": PRODUCT, "numero": d.numero,
            "href": f"/devis/{d.numero}", "compte": d.client,
            "premium": euros(offer.price) if offer else "-", "statut": devis_status(d),
            "effet": fr_date(d.date_livraison), "agence": agency(state),
        })
    return rows


def search(state: SandboxState, query: str, user: str) -> list[dict[str, str]]:
    """The top bar's `Rechercher`: a devis number, a police number or a VIN, any case."""
    q = query.strip().upper()
    rows: list[dict[str, str]] = []
    if not q:
        return rows
    for d in own_devis(state, user):
        if q in (d.numero.upper(), d.vin.upper(), d.police.upper()):
            rows.append({"type": "Devis", "numero": d.numero, "href": f"/devis/{d.numero}",
                         "statut": devis_status(d), "compte": d.client, "vin": d.vin,
                         "effet": fr_date(d.date_livraison), "agence": agency(state)})
    for p in own_policies(state, user):
        if q in (p.numero.upper(), p.vin.upper(), p.devis.upper()):
            rows.append({"type": "Police", "numero": p.numero,
                         "href": f"/police/{p.numero}", "statut": p.status,
                         "compte": p.client, "vin": p.vin,
                         "effet": fr_date(p.start), "agence": agency(state)})
    return rows


def issued_policies(state: SandboxState, user: str) -> list[Policy]:
    """`ÉMISES RÉCEMMENT`: newest first."""
    return sorted(own_policies(state, user), key=lambda p: p.issued_at, reverse=True)


def viewed_policies(state: SandboxState, session: dict[str, Any]) -> list[Policy]:
    """`CONSULTÉ RÉCEMMENT`: the policies this session opened, last opened first."""
    user = session_user(session)
    return [p for n in session["viewed"] if (p := find_policy(state, n, user)) is not None]


def note_viewed(session: dict[str, Any], policy: Policy) -> None:
    if policy.numero in session["viewed"]:
        session["viewed"].remove(policy.numero)
    session["viewed"].insert(0, policy.numero)


def policy_row(state: SandboxState, policy: Policy) -> dict[str, str]:
    return {"produit": PRODUCT, "couverture": policy.offer, "statut": policy.status,
            "numero": policy.numero, "href": f"/police/{policy.numero}",
            "compte": policy.client, "effet": fr_date(policy.start), "agence": agency(state)}


def accounts(state: SandboxState, user: str) -> list[tuple[str, dict[str, int]]]:
    """`Comptes`: per customer account, its devis and policies."""
    found: dict[str, dict[str, int]] = {}
    for d in own_devis(state, user):
        entry = found.setdefault(d.client, {"devis": 0, "polices": 0})
        entry["devis"] += 1
        entry["polices"] += 1 if d.police else 0
    return sorted(found.items())


# -- what the user changes ----------------------------------------------------------------------
def signed_in_account(state: SandboxState, username: str, password: str) -> Account | None:
    """The account these credentials open: any point of sale's, with its own password."""
    return next((a for a in state.guidewire_accounts().values()
                 if username.strip() == a.username and password == a.password), None)


def credentials_ok(state: SandboxState, username: str, password: str) -> bool:
    return signed_in_account(state, username, password) is not None


def delete_devis(devis: Devis) -> bool:
    """`Supprimer le devis`: only an open one; True when something changed."""
    if not is_open(devis):
        return False
    devis.status = "Supprimé"
    return True


def save_delivery(devis: Devis, value: str) -> str:
    """`Contrat` → `Suivant`: the delivery date, or the portal's message against it."""
    value = value.strip()
    delivery = parse_fr_date(value)
    if delivery is None:
        return ("Date de livraison : Champ obligatoire" if not value
                else "Date de livraison : format attendu JJ/MM/AAAA")
    devis.date_livraison = delivery
    return ""


def vehicle_form(get: Callable[[str], str]) -> dict[str, str]:
    """The `Véhicules` values a form sent, by label (`get` reads one field by its name)."""
    return {f.key: get(f.name).strip() for f in VEHICLE_FIELDS}


def vehicle_errors(values: dict[str, str]) -> tuple[list[str], set[str]]:
    """`Véhicules` → `Suivant`: the portal's messages, and the fields they mark invalid."""
    errors: list[str] = []
    invalid: set[str] = set()
    for f in VEHICLE_FIELDS:
        if f.required and not values.get(f.key):
            errors.append(f"{f.key} : Champ obligatoire")
            invalid.add(f.name)
    vin = values.get("VIN", "")
    if vin and not re.fullmatch(r"[A-Z0-9]{17}", vin):
        errors.append(f"VIN : {VIN_HINT}")
        invalid.add("vin")
    return errors, invalid


def choose_offer(state: SandboxState, devis: Devis, name: str) -> Offer | None:
    """`Sélectionner`: only an offer quoted for this devis's garantie."""
    offer = offer_named(state, name)
    if offer is None or offer not in offers_for(state, devis):
        return None
    devis.selected_offer = offer.name
    return offer


def police_alerts(devis: Devis, errors: list[str] | None = None) -> list[str]:
    """What `Informations sur la police` says against buying."""
    alerts = list(errors or [])
    if today() > devis.expires and EXPIRED not in alerts:
        alerts.append(EXPIRED)
    return alerts


BuyOutcome = Literal["bought", "already-bought", "deleted", "no-offer", "expired"]


def issue_policy(state: SandboxState, devis: Devis, offer: Offer, bought_by: str,
                 at: dt.datetime) -> Policy:
    """The purchase itself: the policy, under the devis's account, the devis linked to it, and
    the purchase recorded with who bought it."""
    start, end = policy_period(devis, offer)
    vehicle = vehicle_values(state, devis)
    policy = Policy(
        numero=state.new_police_number(), devis=devis.numero, vin=devis.vin,
        immat=vehicle.get("Immatriculation") or devis.immat, client=devis.client,
        offer=offer.name, price=offer.price, start=start, end=end, issued_at=at,
        document_ready_at=at + dt.timedelta(seconds=state.document_delay_seconds),
        account=state.owner(devis), bought_by=bought_by,
    )
    state.policies.append(policy)
    devis.selected_offer = offer.name
    devis.police = policy.numero
    devis.status = "Lié"
    state.purchases.append(Purchase(at=at, devis=devis.numero, police=policy.numero,
                                    vin=devis.vin, bought_by=bought_by))
    return policy


def buy(state: SandboxState, devis: Devis, user: str) -> BuyOutcome:
    """`Oui` on the purchase dialog, signed in as `user`: buys once, whatever is retried. On
    "bought" and "already-bought", `devis.police` is the policy."""
    if devis.police:
        # Already bought (a double click, a retry after a crash): show it, never rebuy.
        return "already-bought"
    if devis.status == "Supprimé":
        return "deleted"
    offer = selected_offer(state, devis)
    if offer is None:
        return "no-offer"
    if today() > devis.expires:
        return "expired"
    issue_policy(state, devis, offer, user, dt.datetime.now())
    return "bought"
