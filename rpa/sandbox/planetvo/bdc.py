"""`Bon de commande`: the search form, its result table (fetched by script after the page,
25 rows a page) and the same search exported as .xlsx, every cell as displayed."""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import urlencode

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from starlette.requests import Request
from starlette.responses import Response

from rpa.sandbox.planetvo.layout import PlanetVo
from rpa.sandbox.planetvo.text import fold, full_model
from rpa.sandbox.planetvo.words import BDC_COLUMNS, BDC_PARAMS, BDC_TEXT_FILTERS, PAGE_SIZE
from rpa.sandbox.state import Bdc, SandboxState, fr_amount, fr_date, today


def bdc_shown(state: SandboxState, bdc: Bdc) -> dict[str, str]:
    """One result row by column title, with the columns a drifted release adds."""
    vehicle = state.vehicle(bdc.vo_vendu)
    site = state.site_by_libelle(bdc.site_libelle)
    return dict(zip(BDC_COLUMNS, bdc_cells(state, bdc))) | {
        "Agence": site.code if site else "",
        "Kilométrage": str(vehicle.km) if vehicle else "",
    }


def bdc_cells(state: SandboxState, bdc: Bdc) -> list[str]:
    """One result row, exactly as displayed (and exported)."""
    vehicle = state.vehicle(bdc.vo_vendu)
    return [
        bdc.numero,
        bdc.statut,
        bdc.type,
        fr_date(bdc.date_creation),
        fr_date(bdc.date_modification),
        bdc.nom,
        bdc.vendeur,
        bdc.vo_vendu,
        full_model(vehicle),
        bdc.origine_vo_vendu,
        bdc.vo_repris,
        fr_amount(bdc.prix_negocie),
        bdc.site_libelle,
        bdc.organisme_financement,
    ]


def bdc_criteria(request: Request) -> dict[str, str]:
    return {k: request.query_params.get(k, "").strip() for k in BDC_PARAMS}


def bdc_search(state: SandboxState, criteria: dict[str, str]) -> list[Bdc]:
    found = []
    for bdc in state.bdcs:
        if criteria["statut"] and fold(bdc.statut) != fold(criteria["statut"]):
            continue
        if any(
            criteria[param] and fold(criteria[param]) not in fold(str(getattr(bdc, attr)))
            for _label, param, attr in BDC_TEXT_FILTERS
        ):
            continue
        found.append(bdc)
    found.sort(key=lambda b: (b.date_creation, b.numero), reverse=True)
    return found


def query_string(criteria: dict[str, str], **extra: Any) -> str:
    params = {k: v for k, v in criteria.items() if v}
    params.update({k: str(v) for k, v in extra.items()})
    return urlencode(params)


async def bdc_list(request: Request) -> Response:
    criteria = bdc_criteria(request)
    page_no = request.query_params.get("page", "1")
    return PlanetVo.of(request).page(
        request, "bdc_list.html", active="Bon de commande", criteria=criteria,
        statut=next((s for s in ("En cours", "Cloturé") if fold(s) == fold(criteria["statut"])), ""),
        filters=BDC_TEXT_FILTERS, results_src="/bdc/lignes?" + query_string(criteria, page=page_no),
        export_href="/bdc/export?" + query_string(criteria),
        retour=query_string(criteria, page=page_no),
    )


async def bdc_rows(request: Request) -> Response:
    portal = PlanetVo.of(request)
    criteria = bdc_criteria(request)
    found = bdc_search(portal.state, criteria)
    pages = max(1, (len(found) + PAGE_SIZE - 1) // PAGE_SIZE)
    try:
        page_no = min(max(1, int(request.query_params.get("page", "1"))), pages)
    except ValueError:
        page_no = 1
    start = (page_no - 1) * PAGE_SIZE
    shown = found[start:start + PAGE_SIZE]
    return portal.fragment(
        "bdc_rows.html", columns=portal.release().order("bdc", BDC_COLUMNS),
        rows=[(b.numero, bdc_shown(portal.state, b)) for b in shown],
        first=start + 1 if shown else 0, last=start + len(shown), total=len(found),
        page_no=page_no, pages=pages,
        prev_href="/bdc?" + query_string(criteria, page=page_no - 1) if page_no > 1 else "",
        next_href="/bdc?" + query_string(criteria, page=page_no + 1) if page_no < pages else "",
    )


async def bdc_export(request: Request) -> Response:
    state = PlanetVo.of(request).state
    found = bdc_search(state, bdc_criteria(request))
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Bons de commande"
    sheet.append(BDC_COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for bdc in found:
        sheet.append(bdc_cells(state, bdc))
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.number_format = "@"  # everything is text, as displayed
    for index, title in enumerate(BDC_COLUMNS, start=1):
        width = max([len(title)] + [len(str(c)) for c in (bdc_cells(state, b)[index - 1] for b in found)])
        sheet.column_dimensions[get_column_letter(index)].width = min(width + 2, 50)
    buffer = io.BytesIO()
    book.save(buffer)
    filename = f"BonsDeCommande_{today():%Y%m%d}.xlsx"
    return Response(
        buffer.getvalue(),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
