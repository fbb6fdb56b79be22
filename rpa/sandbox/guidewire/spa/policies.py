"""A policy's screen (noted as viewed by this session) and its document: the PDF itself, as an
attachment, once it has appeared a little after the purchase."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from rpa.sandbox.guidewire.domain import (
    PRODUCT,
    account_name,
    document_count,
    euros,
    find_policy,
    note_viewed,
    session_user,
    vehicle_values,
)
from rpa.sandbox.guidewire.spa.layout import Spa, not_found, ok
from rpa.sandbox.pdf import policy_pdf
from rpa.sandbox.state import fr_date


async def police_screen(request: Request, session: dict[str, Any]) -> Response:
    s = Spa.of(request).state
    policy = find_policy(s, request.path_params["numero"], session_user(session))
    if policy is None:
        return not_found("Police")
    note_viewed(session, policy)
    devis = s.devis_by_numero(policy.devis)
    vehicle = vehicle_values(s, devis) if devis else {}
    count = document_count(policy)
    name = policy.document_name(s.dealer.code_vendeur)
    return ok({
        "numero": policy.numero, "status": policy.status,
        "account": account_name(s, devis) if devis else policy.client,
        "count": count, "devis": devis.numero if devis else "",
        "document": {"name": name, "href": f"/api/police/{policy.numero}/documents/{name}"}
        if count else None,
        "synthese": [
            ["Produit", PRODUCT], ["Type de couverture", policy.offer],
            ["Prix total", euros(policy.price)],
            ["Durée de la police", f"{fr_date(policy.start)} - {fr_date(policy.end)}"],
            ["Date d'émission", fr_date(policy.issued_at.date())],
            ["Devis", devis.numero if devis else ""], ["Immatriculation", policy.immat],
            ["VIN", policy.vin], ["Marque", vehicle.get("Marque", "")],
            ["Modèle", vehicle.get("Modèle", "")],
        ],
    })


async def document(request: Request, session: dict[str, Any]) -> Response:
    """The policy PDF, as an attachment: the browser downloads it."""
    s = Spa.of(request).state
    policy = find_policy(s, request.path_params["numero"], session_user(session))
    if policy is None:
        return not_found("Police")
    name = policy.document_name(s.dealer.code_vendeur)
    if request.path_params["filename"] != name or document_count(policy) == 0:
        return not_found("Document")
    return Response(
        policy_pdf(policy, s.dealer), media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
