"""GuideWire: the Stellantis Assurance policy portal ("PSA Used Vehicle Warranty"), PORTALS.md §3.

A devis arrives here from a reseauxconnect declaration. The user opens it from `DEVIS
OUVERTS` (or the search box), walks the wizard `Contrat` → `Véhicules` → `Devis` →
`Informations sur la police`, buys it behind a confirmation dialog, and later downloads the
policy PDF from the policy's `DOCUMENTS`, which appears a little after the purchase.

Each point of sale signs in with its own PSA account and sees only its own devis and
policies (search, lists, counts; another account's is not found); a purchase records who was
signed in (`bought_by`).

Buying is idempotent per devis: a second `Oui` shows the policy already bought. Sessions expire
after inactivity (and, as a fault knob, after N requests): any page then answers with the login
form at the same URL, as the real portal does. Sign-in follows the sandbox's bad-world knobs
(host.py, signin.py): every submission is counted, a locked account refuses it, an expired
password leads to `Mot de passe expiré` (no session).

Two faces: the server-rendered portal (classic/) and, with the `spa` drift on, the
client-side application (spa/); app.py picks one. Both follow the rules of domain.py (and
sessions.py), and both draw the `markup` drift from markup.py.
"""
