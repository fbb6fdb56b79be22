"""The policy PDF GuideWire serves from a policy's `DOCUMENTS`: a one-page warranty certificate.

Real, extractable text (a core font, no images of text), so tests and the bot's checks can
read the police number back out of the file.
"""

from __future__ import annotations

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from rpa.sandbox.state import Dealer, Policy, fr_amount, fr_date

_REPLACEMENTS = {"€": "EUR", "’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "…": "..."}


def _latin1(text: str) -> str:
    """Core PDF fonts only carry latin-1: spell out the rest, replace what is left."""
    for char, spelled in _REPLACEMENTS.items():
        text = text.replace(char, spelled)
    return text.encode("latin-1", "replace").decode("latin-1")


def policy_pdf(policy: Policy, dealer: Dealer) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_title(_latin1(f"Police {policy.numero}"))
    pdf.set_author("PSA Used Vehicle Warranty")
    pdf.set_creator("GuideWire")
    pdf.add_page()
    pdf.set_auto_page_break(auto=False)

    def line(text: str, size: float = 11, style: str = "", height: float = 7) -> None:
        pdf.set_font("Helvetica", style=style, size=size)
        pdf.cell(0, height, _latin1(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def row(label: str, value: str) -> None:
        pdf.set_font("Helvetica", style="B", size=11)
        pdf.cell(70, 8, _latin1(label), border="B")
        pdf.set_font("Helvetica", size=11)
        pdf.cell(0, 8, _latin1(value), border="B", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    pdf.set_fill_color(11, 42, 74)
    pdf.set_text_color(255, 255, 255)
    pdf.set_font("Helvetica", style="B", size=16)
    pdf.cell(0, 14, _latin1("PSA Used Vehicle Warranty - GVO France"), fill=True,
             new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="C")
    pdf.set_text_color(0, 0, 0)
    pdf.ln(6)
    line("Certificat de garantie", size=20, style="B", height=12)
    line(f"Police n° {policy.numero}", size=14, style="B", height=9)
    pdf.ln(4)

    row("Numéro de police", policy.numero)
    row("Numéro de devis", policy.devis)
    row("Statut", policy.status)
    row("Client", policy.client)
    row("VIN", policy.vin)
    row("Immatriculation", policy.immat)
    row("Type de couverture", policy.offer)
    row("Prix total", f"{fr_amount(policy.price)} €")
    row("Durée de la police", f"{fr_date(policy.start)} - {fr_date(policy.end)}")
    row("Date d'émission", fr_date(policy.issued_at.date()))
    pdf.ln(8)

    line("Point de vente", size=12, style="B")
    line(dealer.name)
    line(dealer.address_line)
    line(dealer.postcode_city)
    line(f"Code vendeur : {dealer.code_vendeur}")
    pdf.ln(10)
    pdf.set_font("Helvetica", size=9)
    pdf.multi_cell(
        0, 5,
        _latin1(
            "Ce certificat atteste la souscription de la garantie véhicule d'occasion désignée "
            "ci-dessus auprès de Stellantis Assurance. Conservez-le avec les documents du "
            "véhicule. Support : info@garantiepsa.fr - 03.67.88.00.30"
        ),
    )
    return bytes(pdf.output())
