"""Traqueur Extranet PRO: tracker-box removal ("dépose") requests, PORTALS.md §4.

A requester (SIXT SAS) uploads an Excel file (`Créer une nouvelle demande de dépose`),
checks the lines on a review page and `CONFIRMER`s them into one demande; each remover
named in it gets an e-mail. A remover (TRAMOSA, WALON) lists the lines addressed to it
(loaded by script after the page, like the real grid) and moves each on from a dialog
opened by clicking its status: Accepter, Refuser (with a reason) or Signaler (a form: the
box is out). The requester may cancel a line still `Prévenu` or `Acceptée`. Every change
is e-mailed, kept in the line's history and saved.

The rules the guide leaves open are decided here, as PORTALS.md says:
- wrong header row: the whole file is refused with an alert naming the expected columns;
- a line is `Rejetée : <motif>` on the review page (and never created) when its VIN was
  already on an earlier line, is not the account's, its subscription differs, its
  distributor code is unknown, its date is not JJ/MM/AAAA, or a request for it is still
  open (`Prévenu` / `Acceptée`);
- CONFIRMER creates one demande per upload, whatever is retried; the demande's
  `description` is the uploaded file's name;
- an action the status does not allow is refused with `Action impossible : la demande est
  <statut>`; `Effectuée`, `Refusée` and `Annulée` never change again.
- sign-in follows the sandbox's bad-world knobs (host.py, signin.py): every submission is
  counted, a locked account refuses it, an expired password leads to `Mot de passe expiré`
  (no session).

Drift (rpa/sandbox/drift.py): with `inline-errors`, a failed page comes back with status 200 in
this layout (`Extranet.inline_error`) and a failed remover's list says `Erreur technique (503).
Veuillez réessayer.` in the grid. With `markup`, the next release (rpa/sandbox/release.py):
`OK`, `CONFIRMER` and the dialogs' `Fermer` drawn as links (statuses and the dialogs' actions
by chance), every list with its columns shuffled and extra ones, some as ARIA grids, labels
tied by `aria-labelledby`, required marks as `<abbr>`, headings as `div role=heading`.

Modules: state.py and seed.py (the world), upload.py (reading a request file), release.py (the
lists' columns and the next release), layout.py (what every page shares), auth.py, menu.py,
demandes.py (the requester's screens), deposes.py (the remover's), app.py (the routes).
"""
