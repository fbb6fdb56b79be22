"""GuideWire as a client-side application (the `spa` drift, rpa/sandbox/drift.py).

The real GuideWire is a single-page application: one HTML shell whose script draws every
screen from JSON calls. So is this one:

- every GET outside `/api/` answers the same shell (templates/guidewire/spa.html); its script
  (spa.js) reads the URL and draws that screen, so F5 on any screen draws it again, and
  clicks move between screens with `history.pushState` (`popstate` for Back);
- everything else is JSON under `/api/`: sign-in, lists, the devis and its wizard, the
  purchase, the policy and its document (the PDF itself, as an attachment);
- a failed call (5xx, no answer, an answer that is not JSON) leaves the screen as it is with
  an alert `Erreur technique (NNN). Veuillez réessayer.`; an ended session (401) brings the
  login screen back with a message, or a `Session expirée` dialog: a seeded choice per expiry.
- sign-in follows the sandbox's bad-world knobs (host.py, signin.py): a locked account's refusal is
  an alert on the login screen; an expired password's `Mot de passe expiré` is drawn by the
  script from `/api/login`'s answer, and no session is opened.

The rules are guidewire/domain.py's, the same as the server-rendered portal's; the markup
drift's choices are guidewire/markup.py's, handed to the script in its config. layout.py
holds what every call shares; auth, lists, wizard and policies hold the screens' calls;
app.py assembles the routes.
"""
