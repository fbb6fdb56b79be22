"""`Profil`: the garantisseurs a dealer works with, chosen once; until then every handoff
lands here instead of `Déclarer Vente`."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from rpa.sandbox.reseauxconnect.layout import DECLARER_URL, Centralisateur

GARANTISSEURS = (
    "Garantie Stellantis Assurance",
    "Auto Garantie",
    "Garantie Cirano",
    "Garantie Icare",
)
TYPES_GESTION = ("Forfait", "Gestion")


def profil_errors(checked: list[str], values: dict[str, str]) -> tuple[list[str], set[str]]:
    """The portal's messages against the profile sent, and the fields they mark invalid."""
    errors: list[str] = []
    invalid: set[str] = set()
    if not checked:
        errors.append("Veuillez sélectionner au moins un garantisseur")
    for garantie, key in (("Garantie Cirano", "cirano_identifiant"),
                          ("Garantie Icare", "icare_identifiant")):
        if garantie in checked and not values[key]:
            invalid.add(key)
            if "Le champ identifiant est obligatoire" not in errors:
                errors.append("Le champ identifiant est obligatoire")
    if "Garantie Icare" in checked and values["icare_type"] not in TYPES_GESTION:
        invalid.add("icare_type")
        errors.append("Le champ type de gestion est obligatoire")
    return errors, invalid


async def profil(request: Request) -> Response:
    portal = Centralisateur.of(request)
    session = portal.session_of(request)
    if session is None:
        return portal.no_session()
    s = portal.state
    if request.method == "GET":
        return portal.page("profil.html", session, checked=set(s.garantisseurs), errors=[],
                           configured=s.profil_configured, invalid=set(), form={})
    form = await request.form()
    checked = [g for g in GARANTISSEURS if g in form.getlist("garantisseurs")]
    values = {k: str(form.get(k, "")).strip()
              for k in ("cirano_identifiant", "icare_identifiant", "icare_type")}
    errors, invalid = profil_errors(checked, values)
    if errors:
        return portal.page("profil.html", session, checked=set(checked), errors=errors,
                           configured=s.profil_configured, invalid=invalid, form=values)
    s.garantisseurs = checked
    s.profil_configured = True
    portal.sandbox.changed()
    return RedirectResponse(DECLARER_URL, status_code=303)
