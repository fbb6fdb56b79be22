"""Work items read off Planet VO itself: the `Exporter` file, or one vehicle looked up."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Protocol, TypeVar

from rpa.core.errors import BusinessError, UsageError
from rpa.core.files import private_file
from rpa.flows.tabs import PortalTabs
from rpa.pages.planetvo import MenuPage
from rpa.sheets.queue import WarrantyItem, normalise_plate, read_queue

T = TypeVar("T")


def export_bdcs(home: MenuPage, destination: Path, statut: str = "") -> Path:
    """Bon de commande → search (optionally by `statut`) → `Exporter`: the queue file."""
    listing = home.open_bons_de_commande()
    criteria = {"statut": statut} if statut else {}
    with private_file(destination) as tmp:  # buyers' names: a private file
        listing.search(**criteria).export(tmp)
    return destination


def resolve_vehicle(home: MenuPage, *, immat: str = "", vin: str = "", bdc: str = "") -> WarrantyItem:
    """One vehicle named on the command line, as a work item built from its BDC row."""
    if sum(bool(v) for v in (immat, vin, bdc)) != 1:
        raise UsageError("Indiquez exactement un véhicule : --immat, --vin ou --bdc.")
    police = ""
    if not bdc:
        rows = home.open_gestion_vehicules().search(
            immat=normalise_plate(immat) if immat else "", vin=vin.upper()
        )
        if not rows:
            raise BusinessError(f"Aucun véhicule {immat or vin} dans Gestion Véhicules", code="vehicle_unknown")
        police = rows[0].get("N° Police", "").strip()
    listing = home.open_bons_de_commande().search(**({"N°": bdc} if bdc else {"vo vendu": police}))
    records = [
        r for r in listing.all_records()
        if (bdc and r.get("N°", "").strip() == bdc) or (police and r.get("Vo Vendu", "").strip() == police)
    ]
    if not records:
        raise BusinessError(f"Aucun bon de commande pour {bdc or immat or vin}", code="bdc_unknown")
    row = records[0]
    fields = {"Nom": row["Acheteur"].strip()} if row.get("Acheteur", "").strip() else {}
    return WarrantyItem(row=1, vo_vendu=row["Vo Vendu"].strip(), bdc=row["N°"].strip(),
                        statut=row.get("Statut", ""), site=row.get("Site VO Vendu", ""), fields=fields)


class QueueReader(Protocol):
    """What reading a queue off Planet VO needs of a worker's stages: its signed-in tabs, its
    retries, and the run's folder (where the exported file is kept)."""

    tabs: PortalTabs
    run_dir: Path | None

    def retrying(self, what: str, fn: Callable[[], T]) -> T: ...


def lookup(stages: QueueReader, *, immat: str = "", vin: str = "", bdc: str = "") -> WarrantyItem:
    """One vehicle named by plate, VIN or BDC number, read off Planet VO."""
    return stages.retrying("recherche du véhicule",
                           lambda: resolve_vehicle(stages.tabs.planetvo_home(), immat=immat, vin=vin, bdc=bdc))


def exported_queue(stages: QueueReader, statut: str = "") -> list[WarrantyItem]:
    """The queue as Planet VO's `Exporter` gives it (every BDC, or those with `statut`), kept
    with the run: the BDCs still `En cours` are reported rather than left out."""
    target = (stages.run_dir or Path(tempfile.gettempdir())) / "file-planetvo.xlsx"
    exported = stages.retrying("Exporter Planet VO",
                               lambda: export_bdcs(stages.tabs.planetvo_home(), target, statut))
    return read_queue(exported)
