"""Planet VO ("Jupiter"), the dealer management system: the sandbox replica (PORTALS.md §1).

One module per screen group (auth, menu, parametrage, bdc, bdc_form, vehicules); app.py
assembles the routes, layout.py holds what every screen shares, words.py the portal's verbatim
texts, release.py its next release's markup.

What matters to the bot is what a person sees: labels, button texts, link texts, column
headers, headings and dialog titles, all verbatim from PORTALS.md. Markup, ids and URLs
are this replica's own business (the bot never deep-links past the login page).

Like the real portal, some things arrive late: the BDC result table is fetched by script
after the page loads, and both dialogs (`Modifier une localisation`, `Information
garantisseur`) are fetched a moment after the click that opens them.

Drift (rpa/sandbox/drift.py): with `inline-errors`, a failed page comes back with status 200 in
this layout (`PlanetVo.inline_error`), and a failed script call says `Erreur technique (503).
Veuillez réessayer.` where it happened (the grid, the open dialog, or the page). With `markup`,
the next release (rpa/sandbox/release.py, shared with reseauxconnect and the extranet): buttons
drawn as links, tables with their columns shuffled and extra ones, some as ARIA grids, labels
tied by `aria-labelledby`, headings as `div role=heading`, wrappers around rows, cells and
controls.

Sign-in follows the sandbox's bad-world knobs (host.py, signin.py): every submission is
counted, a locked account refuses it, an expired password leads to `Mot de passe expiré` (no
session).

Routes (all but `/` need a signed-in session, else they go back to the login page):

    GET/POST /                          login (GET while signed in -> /accueil)
    GET  /deconnexion                   sign out
    GET  /accueil                       home
    GET  /menu/{slug}                   placeholder pages for the menu entries that don't matter
    GET  /parametrage                   sites table
    GET  /parametrage/lignes            its rows (fragment, re-fetched after a save)
    GET/POST /parametrage/sites/{id}    dialog fragment / save (JSON)
    GET  /bdc                           search form + (script-loaded) result table
    GET  /bdc/lignes                    result table + footer (fragment)
    GET  /bdc/export                    current search result as .xlsx
    GET/POST /bdc/{numero}              BDC form / Enregistrer, Clôturer
    GET  /vehicules                     Gestion Véhicules search
    GET  /vehicules/{police}            Modifier véhicule
    GET/POST /vehicules/{police}/garantir   dialog fragment / Valider, Configurer (JSON)
"""
