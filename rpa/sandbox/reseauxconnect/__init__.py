"""reseauxconnect: the Spoticar "Centralisateur" (by Axilog), PORTALS.md §2.

Only reachable through the Planet VO popup: `/sso?token=…` trades a one-time token for a
session bound to one BDC. The first visit lands on `Profil` (choose the garantisseurs),
then `Déclarer Vente` (pick one of them), then the declaration form pre-filled from the
BDC. A successful declaration also creates the devis at GuideWire, as the real portal
does through its Stellantis interface.

Every label is the portal's verbatim text; required fields are checked server-side (no
HTML `required`, so the user sees the portal's own `Le champ … est obligatoire` lines). The
form itself is rpa/sandbox/declaration.py, shared with the GuideWire replica.

Drift (rpa/sandbox/drift.py): with `inline-errors`, a failed page comes back with status 200 in
this layout (`Centralisateur.inline_error`) and a failed `Accueil` list says `Erreur technique
(503). Veuillez réessayer.` in the grid. With `markup`, the next release
(rpa/sandbox/release.py): `Modifier`, `Page Suivante` and `Déclarer et Garantir` drawn as
links, the `Accueil` list with its columns shuffled and extra ones (`Référence`, `Marque`),
maybe as an ARIA grid (or the Profil table), labels tied by `aria-labelledby`, required marks
as `<abbr>`, headings as `div role=heading`.
"""
