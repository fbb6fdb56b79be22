"""The sandbox's world: one dealer, its sites, BDCs and vehicles, its declarations and policies.

A dealer group may sell from several points of sale under one Planet VO login, each buying
its GuideWire policies under its own PSA account: `guidewire_account` is the home site's
(`home_site`, PE64), `points_of_sale` the other sites' (empty in the default world). Every
devis and policy belongs to one of these accounts (`account`, a GuideWire username; empty
in a state saved before there were several: the home site's).

All three warranty portals share one state object, as the real ones share one dealer: the
Planet VO popup hands a BDC to reseauxconnect, whose declaration creates a devis at
GuideWire. The state is a pydantic model so it can be saved as JSON after each change and
reloaded, which makes the sandbox behave like a real portal across restarts: what was
bought stays bought.

Every mutation happens on the server's event loop (async handlers only), so no lock is
needed; tests read it from another thread, which is safe for these plain values.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

from pydantic import BaseModel, Field

from rpa.sandbox.traqueur.seed import build_traqueur_state
from rpa.sandbox.traqueur.state import TraqueurState

# The site whose PSA account is `SandboxState.guidewire_account` (the demo's DEMO CDDS SPOTICAR).
HOME_SITE = "PE64"


def today() -> dt.date:
    return dt.date.today()


def fr_date(d: dt.date | None) -> str:
    """Dates on every portal are shown JJ/MM/AAAA."""
    return d.strftime("%d/%m/%Y") if d else ""


def fr_amount(value: float) -> str:
    """Amounts are shown `13 708,33`: space thousands, comma decimals."""
    text = f"{value:,.2f}".replace(",", " ").replace(".", ",")
    return text[:-3] if text.endswith(",00") else text


class Account(BaseModel):
    username: str
    password: str


class Site(BaseModel):
    id: int
    code: str
    libelle: str
    rrd1: str = ""
    code_bic_argus: str = ""
    raison_sociale: str = ""
    adresse: str = ""
    code_postal: str = ""
    ville: str = ""
    pays: str = "France"
    telephone: str = ""
    frais_fixes: str = "250.0"
    frais_fixes_marchand: str = "80.0"
    code_dms: str = ""
    code_constructeur: str = ""
    marques: str = "CITROEN, PEUGEOT, OPEL, DS"
    bloque: bool = False


class Vehicle(BaseModel):
    """A vehicle in Planet VO stock. `police` is its stock number (not an insurance policy)."""

    police: str
    immat: str
    vin: str
    marque: str
    modele: str
    version: str
    energie: str  # DIESEL, ESSENCE, ELECTRIQUE, HYBRIDE
    type_vehicule: str = "VP"  # VP or VU
    puissance_din: int = 110
    puissance_fiscale: int = 6
    puissance_kw: int = 81
    cylindree: int = 1199
    premiere_immat: dt.date
    km: int
    quatre_quatre: bool = False
    fin_garantie_constructeur: dt.date
    km_garantie_constructeur: int = 100000
    statut: str = "Cours Livraison"
    site_code: str


class Bdc(BaseModel):
    """A bon de commande: the sale of one vehicle (`vo_vendu` is the vehicle's stock number)."""

    numero: str
    statut: str  # "En cours" or "Cloturé"
    type: str = "BDC"
    date_creation: dt.date
    date_modification: dt.date
    vendeur: str = "HAKIM AB"
    vo_vendu: str
    origine_vo_vendu: str = "Achat Direct"
    vo_repris: str = ""
    prix_negocie: float
    site_libelle: str
    organisme_financement: str = ""
    garantie: str = ""  # e.g. "Spoticar Premium 24 mois"; empty when none
    # Acheteur
    civilite: str = "Monsieur"
    nom: str = ""
    prenom: str = ""
    adresse: str = ""
    code_postal: str = ""
    ville: str = ""
    complement: str = ""
    email: str = ""
    telephone: str = ""
    # Livraison
    date_livraison: dt.date | None = None
    lieu_livraison: str = ""


class Declaration(BaseModel):
    """A sale declared on reseauxconnect (the Centralisateur)."""

    reference: str  # e.g. SP953617Z100034312
    date: dt.date
    immat: str
    vin: str
    client: str
    garantie: str
    duree: str
    devis: str
    fields: dict[str, str] = Field(default_factory=dict)  # the submitted form, by label


class Offer(BaseModel):
    name: str  # e.g. "GVO Premium 7 / 150"
    price: float
    duree_mois: int
    carence_mois: int = 0
    assistance: bool = True
    relation_client: bool = True
    garantie: str  # declaration Garantie this offer is quoted for, e.g. "SPOTICAR PREMIUM"


class Devis(BaseModel):
    """A quote at GuideWire, created by a reseauxconnect declaration."""

    numero: str  # e.g. 0001006185
    created: dt.date
    expires: dt.date
    vin: str
    immat: str
    client: str  # e.g. "M. DUPONT DURANT"
    garantie: str
    duree: str
    date_livraison: dt.date
    vehicle: dict[str, str] = Field(default_factory=dict)  # wizard `Véhicules` values
    status: str = "Devis en ébauche"  # then "Lié" once bought
    selected_offer: str = ""
    police: str = ""
    account: str = ""  # the GuideWire username it belongs to ("": the home site's)


class Policy(BaseModel):
    numero: str  # e.g. 0001003079
    devis: str
    vin: str
    immat: str
    client: str
    offer: str
    price: float
    start: dt.date
    end: dt.date
    issued_at: dt.datetime
    document_ready_at: dt.datetime  # the PDF appears a little after purchase
    status: str = "En vigueur"
    account: str = ""  # the GuideWire username it belongs to ("": the home site's)
    bought_by: str = ""  # the username signed in when `Oui` was clicked

    def document_name(self, code_vendeur: str) -> str:
        return f"FR-{code_vendeur}_Policy_{self.numero}-{self.issued_at:%Y%m%d}.pdf"


class Purchase(BaseModel):
    """Every `Oui` on the purchase dialog, kept so tests can prove nothing was bought twice."""

    at: dt.datetime
    devis: str
    police: str
    vin: str
    bought_by: str = ""  # the username signed in when `Oui` was clicked


class Dealer(BaseModel):
    name: str
    address_line: str
    postcode_city: str
    code_vendeur: str  # GuideWire seller code used in policy file names, e.g. 865268J


class SandboxState(BaseModel):
    dealer: Dealer
    planetvo_account: Account
    guidewire_account: Account  # the home site's PSA account at GuideWire
    sites: list[Site]
    vehicles: list[Vehicle]
    bdcs: list[Bdc]
    offers: list[Offer]
    # reseauxconnect
    profil_configured: bool = False
    garantisseurs: list[str] = Field(default_factory=list)  # ticked on the Profil page
    declarations: list[Declaration] = Field(default_factory=list)
    # GuideWire
    devis: list[Devis] = Field(default_factory=list)
    policies: list[Policy] = Field(default_factory=list)
    purchases: list[Purchase] = Field(default_factory=list)
    next_devis: int = 1006185
    next_police: int = 1003079
    next_reference: int = 100034312
    document_delay_seconds: float = 2.0
    # Points of sale: the site whose account is `guidewire_account`, and every other site
    # with a GuideWire account of its own, by site code (empty: one account for all).
    home_site: str = HOME_SITE
    points_of_sale: dict[str, Account] = Field(default_factory=dict)
    # Traqueur Extranet PRO (PORTALS.md §4): its own accounts and vehicles, no dealer link.
    traqueur: TraqueurState = Field(default_factory=build_traqueur_state)

    # -- look-ups -------------------------------------------------------------------
    def site_by_libelle(self, libelle: str) -> Site | None:
        return next((s for s in self.sites if s.libelle == libelle), None)

    def site_by_code(self, code: str) -> Site | None:
        return next((s for s in self.sites if s.code == code), None)

    def vehicle(self, police: str) -> Vehicle | None:
        return next((v for v in self.vehicles if v.police == police), None)

    def bdc(self, numero: str) -> Bdc | None:
        return next((b for b in self.bdcs if b.numero == numero), None)

    def bdc_for_vehicle(self, police: str) -> Bdc | None:
        """The newest BDC selling this vehicle."""
        found = [b for b in self.bdcs if b.vo_vendu == police]
        return max(found, key=lambda b: b.date_creation) if found else None

    def declaration_for_vin(self, vin: str) -> Declaration | None:
        return next((d for d in self.declarations if d.vin == vin), None)

    def devis_by_numero(self, numero: str) -> Devis | None:
        return next((d for d in self.devis if d.numero == numero), None)

    def policy_by_numero(self, numero: str) -> Policy | None:
        return next((p for p in self.policies if p.numero == numero), None)

    def policies_for_vin(self, vin: str) -> list[Policy]:
        return [p for p in self.policies if p.vin == vin]

    # -- points of sale -----------------------------------------------------------------
    def guidewire_accounts(self) -> dict[str, Account]:
        """Every GuideWire account, by the code of the site it belongs to."""
        return {self.home_site: self.guidewire_account, **self.points_of_sale}

    def account_for_site(self, site: Site | None) -> Account:
        """A site's own account; the home site's for a site without one (or no site)."""
        own = self.points_of_sale.get(site.code) if site is not None else None
        return own or self.guidewire_account

    def account_for_bdc(self, bdc: Bdc) -> Account:
        """The account of the site that sold (`Site VO Vendu`)."""
        return self.account_for_site(self.site_by_libelle(bdc.site_libelle))

    def account_for_vehicle(self, vehicle: Vehicle) -> Account:
        """The account of the site that sold it (its newest BDC), else of its stock site."""
        bdc = self.bdc_for_vehicle(vehicle.police)
        if bdc is not None and self.site_by_libelle(bdc.site_libelle) is not None:
            return self.account_for_bdc(bdc)
        return self.account_for_site(self.site_by_code(vehicle.site_code))

    def owner(self, item: Devis | Policy) -> str:
        """The GuideWire username a devis or policy belongs to."""
        return item.account or self.guidewire_account.username

    def recode_site(self, old: str, new: str) -> None:
        """A site's code changed (Paramétrage): its account follows it."""
        if old == new:
            return
        if self.home_site == old:
            self.home_site = new
        if old in self.points_of_sale:
            self.points_of_sale[new] = self.points_of_sale.pop(old)

    # -- number sequences -------------------------------------------------------------
    def new_devis_number(self) -> str:
        self.next_devis += 1
        return f"{self.next_devis - 1:010d}"

    def new_police_number(self) -> str:
        self.next_police += 1
        return f"{self.next_police - 1:010d}"

    def new_reference(self) -> str:
        self.next_reference += 1
        return f"SP953617Z{self.next_reference - 1}"

    # -- persistence ------------------------------------------------------------------
    def save(self, path: Path) -> None:
        """Write atomically, so a sandbox killed mid-write keeps its previous state."""
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".state-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(self.model_dump_json(indent=1))
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path) -> SandboxState:
        return cls.model_validate_json(path.read_text(encoding="utf-8"))
