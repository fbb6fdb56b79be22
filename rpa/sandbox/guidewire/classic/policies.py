"""A policy's page (noted as viewed by this session) and its document, the PDF that appears a
little after the purchase."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from rpa.sandbox.guidewire.classic.layout import Classic
from rpa.sandbox.guidewire.domain import (
    account_name,
    document_count,
    euros,
    find_policy,
    note_viewed,
    session_user,
    vehicle_values,
)
from rpa.sandbox.pdf import policy_pdf


async def police_page(request: Request, session: dict[str, Any]) -> Response:
    portal = Classic.of(request)
    s = portal.state
    policy = find_policy(s, request.path_params["numero"], session_user(session))
    if policy is None:
        return portal.not_found("Police")
    note_viewed(session, policy)
    devis = s.devis_by_numero(policy.devis)
    view = request.query_params.get("vue", "synthese")
    count = document_count(policy)
    return portal.render(
        "police_page.html", tab="polices", policy=policy, view=view, count=count,
        account=account_name(s, devis) if devis else policy.client,
        document=policy.document_name(s.dealer.code_vendeur), devis=devis,
        vehicle=vehicle_values(s, devis) if devis else {}, price=euros(policy.price),
    )


async def police_document(request: Request, session: dict[str, Any]) -> Response:
    portal = Classic.of(request)
    s = portal.state
    policy = find_policy(s, request.path_params["numero"], session_user(session))
    if policy is None:
        return portal.not_found("Police")
    name = policy.document_name(s.dealer.code_vendeur)
    if request.path_params["filename"] != name or document_count(policy) == 0:
        return portal.not_found("Document")
    return Response(
        policy_pdf(policy, s.dealer), media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
