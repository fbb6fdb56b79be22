"""Stage 1 of the warranty chain: what Planet VO must say before anything is declared.
Every rule here is the process's own: breaking one is a business failure, never retried."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rpa.config import GuideWireSettings
from rpa.core.errors import BusinessError
from rpa.core.text import same
from rpa.pages.planetvo import MenuPage
from rpa.sheets.queue import WarrantyItem

# A BDC's `Garantie` must be one of these for the Centralisateur to take it (tutorial).
ELIGIBLE_GARANTIE_RE = re.compile(r"spoticar|ds\s*certified", re.I)


@dataclass(frozen=True)
class Sale:
    """What stage 1 learned of the sale: its BDC, the point of sale, its GuideWire account."""

    bdc: str
    site: str
    account: str


@dataclass(frozen=True)
class Site:
    libelle: str
    code: str
    rrd1: str


class Prerequisites:
    def __init__(self, guidewire: GuideWireSettings) -> None:
        self.guidewire = guidewire
        self._sites: dict[str, Site] = {}  # libellé -> its Paramétrage record, read once per run

    def check(self, home: MenuPage, item: WarrantyItem) -> Sale:
        """The BDC is `Cloturé`, carries a Spoticar/DS garantie and a delivery date, its site
        has a Code RRD1 and, in a dealer group, a GuideWire account of its own."""
        criteria = {"N°": item.bdc} if item.bdc else {"vo vendu": item.vo_vendu}
        listing = home.open_bons_de_commande().search(**criteria)
        rows = [
            r for r in listing.all_records()
            if r.get("Vo Vendu", "").strip() == item.vo_vendu
            and (not item.bdc or r.get("N°", "").strip() == item.bdc)
        ]
        if not rows:
            raise BusinessError(
                f"Aucun bon de commande pour le véhicule {item.vo_vendu}"
                + (f" (BDC {item.bdc})" if item.bdc else ""),
                code="bdc_unknown",
            )
        row = max(rows, key=lambda r: (_date_key(r.get("Date de création", "")), r.get("N°", "")))
        numero, statut = row.get("N°", "").strip(), row.get("Statut", "").strip()
        if not same(statut, "Cloturé"):
            raise BusinessError(
                f"Bon de commande {numero} non clôturé (statut : {statut})", code="bdc_not_closed"
            )
        form = listing.open_bdc(numero)
        garantie, livraison = form.garantie(), form.date_livraison()
        form.close()
        if not ELIGIBLE_GARANTIE_RE.search(garantie):
            raise BusinessError(
                f"Bon de commande {numero} : aucune garantie Spoticar / DS Certified"
                f" (Garantie : « {garantie} »)",
                code="no_spoticar_garantie",
            )
        if not livraison:
            raise BusinessError(
                f"Bon de commande {numero} : date de livraison manquante", code="no_delivery_date"
            )
        site = self._site(home, row.get("Site VO Vendu", "").strip())
        if not site.rrd1:
            raise BusinessError(f"Code RRD1 SPOTICAR manquant pour le site {site.libelle}", code="rrd1_missing")
        account = self.guidewire.account_for(site.code, site.libelle, site.rrd1)
        if account is None:  # never bought under another site's account
            raise BusinessError(
                f"Aucun compte GuideWire pour le point de vente {site.libelle} (code {site.code}, RRD1 "
                f"{site.rrd1}) dans RPA_GUIDEWIRE__ACCOUNTS", code="account_missing")
        return Sale(numero, site.code or site.libelle, account)

    def _site(self, home: MenuPage, libelle: str) -> Site:
        """Read once per site and run: every vehicle of a site shares its Code RRD1."""
        if libelle not in self._sites:
            dialog = home.open_parametrage().open_site(libelle)
            self._sites[libelle] = Site(libelle, dialog.value("Code").strip(), dialog.code_rrd1().strip())
            dialog.close()
        return self._sites[libelle]


def _date_key(text: str) -> str:
    """`JJ/MM/AAAA` sorted as a date."""
    parts = text.strip().split("/")
    return "".join(reversed(parts)) if len(parts) == 3 else text
