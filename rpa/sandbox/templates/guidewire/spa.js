// {% raw %} GuideWire's client-side application (rpa/sandbox/guidewire/spa/).
//
// One page: every screen is drawn here from the JSON API. Clicks move between screens with
// history.pushState; Back/Forward with popstate; F5 draws the screen the URL names.
// While a screen's call is in flight, `Chargement…` stands in its place. A failed call leaves
// the current screen as it is with `Erreur technique (NNN). Veuillez réessayer.`; a session
// that ended (401) brings the login screen back, or a `Session expirée` dialog.
(function () {
  "use strict";

  const CONFIG = JSON.parse(document.getElementById("gw-config").textContent);
  const MK = CONFIG.markup;
  const app = document.getElementById("app");

  const SESSION_EXPIRED = "Votre session a expiré. Veuillez vous reconnecter.";
  const STEPS = [["contrat", "Contrat"], ["vehicules", "Véhicules"]];
  const ICONS = {
    home: '<path d="M3 11 12 3l9 8"/><path d="M5 10v10h5v-6h4v6h5V10"/>',
    plus: '<path d="M12 5v14M5 12h14"/>',
    eye: '<path d="M1 12s4-7 11-7 11 7 11 7-4 7-11 7S1 12 1 12z"/><circle cx="12" cy="12" r="3"/>',
    calendar: '<rect x="3" y="4" width="18" height="17" rx="2"/><path d="M16 2v4M8 2v4M3 10h18"/>',
    list: '<path d="M8 6h13M8 12h13M8 18h13M3 6h.01M3 12h.01M3 18h.01"/>',
  };

  // -- drawing helpers ----------------------------------------------------------------------
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) { continue; }
      if (key === "on") {
        for (const [type, fn] of Object.entries(value)) { el.addEventListener(type, fn); }
      } else if (key === "class") {
        el.className = value;
      } else if (key === "value") {
        el.value = value;
      } else {
        el.setAttribute(key, value === true ? "" : String(value));
      }
    }
    append(el, children);
    return el;
  }

  function append(el, children) {
    for (const child of children) {
      if (child === null || child === undefined || child === false) { continue; }
      if (Array.isArray(child)) { append(el, child); continue; }
      el.append(child instanceof Node ? child : String(child));
    }
  }

  function icon(name) {
    const span = h("span", {class: "icon"});
    span.innerHTML = '<svg aria-hidden="true" focusable="false" width="24" height="24" viewBox="0 0 24 24" fill="none" '
      + 'stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">' + ICONS[name] + "</svg>";
    return span;
  }

  // The drifted release wraps controls, cards and cell content in extra elements.
  function wrap(node, tag) {
    let outer = node;
    for (let i = MK.wrappers; i > 0; i--) { outer = h(tag || "div", {class: "gw-w" + i}, outer); }
    return outer;
  }

  function heading(level, attrs, ...children) {
    if (MK.divHeadings.includes(level)) {
      const cls = ("h" + level + " " + ((attrs && attrs.class) || "")).trim();
      return h("div", Object.assign({}, attrs, {role: "heading", "aria-level": level, class: cls}), ...children);
    }
    return h("h" + level, attrs, ...children);
  }

  function labelText(text) {
    if (MK.on && text.endsWith(" *")) {
      return [text.slice(0, -2), " ", h("abbr", {title: "obligatoire"}, "*")];
    }
    return [text];
  }

  // A control and its label: `<label for>`, or a text the control names with aria-labelledby.
  function labelled(text, control) {
    if (MK.labelledby.includes(text)) {
      control.setAttribute("aria-labelledby", control.id + "_label");
      return [h("span", {class: "label", id: control.id + "_label"}, labelText(text)), wrap(control)];
    }
    return [h("label", {for: control.id}, labelText(text)), wrap(control)];
  }

  // A button, or (drifted release) a link that acts as one: same text, role link.
  function action(text, onClick, cls) {
    const attrs = {class: "btn" + (cls ? " " + cls : "")};
    const handler = (event) => {
      event.preventDefault();
      if (el.disabled || el.getAttribute("aria-disabled") === "true") { return; }
      onClick(event);
    };
    const el = MK.links.includes(text)
      ? h("a", Object.assign(attrs, {href: "#", on: {click: handler}}), text)
      : h("button", Object.assign(attrs, {type: "button", on: {click: handler}}), text);
    return el;
  }

  function setBusy(root, busy) {
    for (const el of root.querySelectorAll(".btn")) {
      if (el.tagName === "BUTTON") { el.disabled = busy; } else if (busy) { el.setAttribute("aria-disabled", "true"); } else { el.removeAttribute("aria-disabled"); }
    }
  }

  // A list (columns as guidewire/markup.py TABLES, in the order this release shows them).
  function table(name, rows, attrs) {
    const columns = MK.columns[name];
    const grid = MK.grids.includes(name);
    const head = h("thead", {}, h("tr", {}, columns.map((c) => h("th", {scope: "col"}, c.header))));
    const el = h("table", Object.assign({class: "gw", role: grid ? "grid" : null}, attrs), head);
    const cell = (content) => h("td", {role: grid ? "gridcell" : null}, MK.on ? wrap(h("span", {}, content), "span") : content);
    const body = (tr) => (MK.on ? h("tbody", {class: "gw-row"}, tr) : tr);
    let tbody = MK.on ? el : el.appendChild(h("tbody"));
    if (!rows.length) {
      tbody.append(body(h("tr", {}, h("td", {colspan: columns.length, class: "muted", role: grid ? "gridcell" : null}, "Aucun résultat"))));
    }
    for (const row of rows) {
      tbody.append(body(h("tr", {}, columns.map((c) => cell(c.link ? h("a", {href: row.href}, row[c.key]) : row[c.key])))));
    }
    return el;
  }

  // Label/value rows (`th scope=row`), as the devis, the policy and its summary show them.
  function infoTable(label, rows, linkFor) {
    return h("table", {class: "gw flat info", "aria-label": label}, h("tbody", {}, rows.map(([key, value]) =>
      h("tr", {}, h("th", {scope: "row"}, key), h("td", {}, linkFor && linkFor(key, value) ? h("a", {href: linkFor(key, value)}, value) : value)))));
  }

  function card(href, title, extra, current) {
    return wrap(h("a", {class: "card", href: href, "aria-current": current ? "page" : null},
      h("span", {class: "title"}, title), " ", typeof extra === "string" ? icon(extra) : h("span", {class: "count"}, String(extra))));
  }

  function policeCards(current, openCount) {
    return h("div", {class: "cards"},
      card("/polices", "CONSULTÉ RÉCEMMENT", "eye", current === "consultees"),
      card("/polices/emises", "ÉMISES RÉCEMMENT", "calendar", current === "emises"),
      card("/devis", "DEVIS OUVERTS", openCount, current === "devis"),
      card("/annulations", "ANNULLATIONS OUVERTES", 0, false));
  }

  // -- messages -------------------------------------------------------------------------------
  // Each screen has one place for its messages (where a validation message appears).
  function zone() { return h("div", {class: "zone"}); }

  function zoneOf(root) { return root && root.querySelector(".zone"); }

  function say(root, lines, opts) {
    const where = zoneOf(root);
    if (!where) { return; }
    const kind = (opts && opts.kind) || "err";
    const role = (opts && opts.role) || (kind === "ok" ? "status" : "alert");
    // A refusal the screen already states (`Ce devis a expiré`) is not said twice.
    const stated = new Set(Array.from(where.querySelectorAll("[role=alert] > div"), (el) => el.textContent));
    lines = lines.filter((line) => !stated.has(line));
    if (!lines.length) { return null; }
    const el = h("div", {class: "msg-" + kind, role: role, "data-transient": opts && opts.lasting ? null : "1"},
      lines.map((line) => h("div", {}, line)));
    where.append(el);
    return el;
  }

  // What the last click left (an error, a saved notice) goes when the user acts again.
  function clearTransient(root) {
    const where = zoneOf(root || (current && current.el));
    if (!where) { return; }
    for (const el of where.querySelectorAll("[data-transient]")) { el.remove(); }
  }

  function technical(root, status) {
    say(root, [status ? "Erreur technique (" + status + "). Veuillez réessayer." : "Erreur technique. Veuillez réessayer."]);
  }

  // -- calls ----------------------------------------------------------------------------------
  // Every answer is one of: ok (JSON), refused (4xx JSON: the portal's words), session (401),
  // technical (5xx, no answer, or an answer that is not JSON, whatever its status).
  async function call(method, url, body) {
    let response;
    try {
      response = await fetch(url, {
        method: method, credentials: "same-origin",
        headers: Object.assign({Accept: "application/json"}, body ? {"Content-Type": "application/json"} : {}),
        body: body ? JSON.stringify(body) : undefined,
      });
    } catch (err) {
      return {kind: "technical", status: 0};
    }
    let data = null;
    if ((response.headers.get("content-type") || "").includes("application/json")) {
      try { data = await response.json(); } catch (err) { data = null; }
    }
    if (data === null || typeof data !== "object" || response.status >= 500) {
      return {kind: "technical", status: response.status};
    }
    if (response.status === 401) { return {kind: "session", data: data}; }
    if (!response.ok) { return {kind: "refused", status: response.status, data: data}; }
    return {kind: "ok", data: data};
  }

  const later = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  // -- the frame: top bar and the screen under it ---------------------------------------------
  let signedIn = false;
  let frame = null;   // {header, main, tabs, search}
  let current = null; // {el, url}
  let placeholder = null;
  let navigation = 0;

  function topBar() {
    const tab = (href, text, name) => h("a", {href: href, "data-tab": name}, text);
    const box = h("input", {type: "search", name: "q", "aria-label": "Rechercher", placeholder: "N° devis, police ou VIN"});
    const form = h("form", {class: "search", role: "search", on: {submit: (event) => {
      event.preventDefault();
      go("/recherche?q=" + encodeURIComponent(box.value.trim()));
    }}}, box, h("button", {type: "submit"}, "Rechercher"));
    const homeLink = h("a", {class: "home", href: "/", "aria-label": "Accueil"}, icon("home"));
    const header = h("header", {class: "topbar"}, homeLink,
      h("span", {class: "brand", "aria-hidden": "true"}, "SPOTICAR", h("span", {class: "ds"}, "DS CERTIFIED · FOREVER DS")),
      h("nav", {class: "tabs", "aria-label": "Onglets"},
        tab("/comptes", "Comptes", "comptes"), tab("/polices", "Polices", "polices"),
        tab("/sinistres", "Sinistres", "sinistres"), tab("/activites", "Activités", "activites")),
      form);
    return {header: header, box: box};
  }

  function ensureFrame() {
    if (frame) { return frame; }
    const bar = topBar();
    frame = {header: bar.header, box: bar.box, main: h("main", {class: "screens"})};
    document.body.classList.remove("signed-out");
    app.replaceChildren(frame.header, frame.main);
    return frame;
  }

  function showScreen(el, url, tab, title) {
    const f = ensureFrame();
    for (const link of f.header.querySelectorAll("[data-tab]")) {
      if (link.dataset.tab === tab) { link.setAttribute("aria-current", "page"); } else { link.removeAttribute("aria-current"); }
    }
    dropPlaceholder();
    f.main.replaceChildren(el);
    current = {el: el, url: url};
    document.title = title + " - PSA Used Vehicle Warranty";
  }

  function showPlaceholder() {
    dropPlaceholder();
    if (current) { current.el.hidden = true; }
    placeholder = h("p", {class: "loading", role: "status"}, "Chargement…");
    (frame && current && frame.main.contains(current.el) ? frame.main : app).append(placeholder);
  }

  function dropPlaceholder() {
    if (placeholder) { placeholder.remove(); placeholder = null; }
    const boot = app.querySelector(":scope > .loading");
    if (boot) { boot.remove(); }
  }

  // The call failed: the screen the user was on comes back as it was, saying so.
  function restore(status) {
    dropPlaceholder();
    if (!current) {
      const el = h("section", {}, zone());
      showScreen(el, location.pathname + location.search, "", "GuideWire");
    }
    current.el.hidden = false;
    technical(current.el, status);
  }

  // -- navigation -----------------------------------------------------------------------------
  function go(url) { clearTransient(); navigate(url, "push"); }

  function route(path) {
    for (const [pattern, screen] of ROUTES) {
      const match = pattern.exec(path);
      if (match) { return [screen, match]; }
    }
    return [notFoundScreen, []];
  }

  async function navigate(href, mode) {
    const url = new URL(href, location.origin);
    const path = url.pathname + url.search;
    const [screen, match] = route(url.pathname);
    const ticket = ++navigation;
    showPlaceholder();
    const answer = await call("GET", screen.api(match, url));
    if (ticket !== navigation) { return; } // a newer click won
    if (answer.kind === "session") {
      dropPlaceholder();
      if (current) { current.el.hidden = false; } // the dialog, if any, shows over the screen left
      sessionEnded(answer.data);
      return;
    }
    if (answer.kind === "technical") { restore(answer.status); return; }
    const data = answer.data;
    if (data.redirect) { navigate(data.redirect, mode === "push" ? "push" : "replace"); return; }
    signedIn = true;
    if (data.draw_after_ms) {
      await later(data.draw_after_ms); // the list comes a moment after its answer
      if (ticket !== navigation) { return; }
    }
    if (mode === "push" && path !== location.pathname + location.search) {
      history.pushState({}, "", path);
    } else if (mode !== "pop") {
      history.replaceState({}, "", path);
    }
    if (answer.kind === "refused") {
      showScreen(notFound(data), path, "", data.title || "Introuvable");
      return;
    }
    const drawn = screen.draw(data, match, url);
    showScreen(drawn, path, screen.tab ? screen.tab(data) : "", screen.title(data));
    if (frame) { frame.box.value = url.pathname === "/recherche" ? (data.query || "") : frame.box.value; }
  }

  document.addEventListener("click", (event) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) { return; }
    const link = event.target.closest && event.target.closest("a[href]");
    if (!link || link.hasAttribute("download") || link.target) { return; }
    const url = new URL(link.href, location.href);
    if (url.origin !== location.origin || url.pathname.startsWith("/api/")) { return; }
    event.preventDefault();
    if (link.getAttribute("href") === "#") { return; }
    go(url.pathname + url.search);
  });

  window.addEventListener("popstate", () => { clearTransient(); navigate(location.pathname + location.search, "pop"); });

  // A POST from a screen: its buttons rest while it runs; the answer moves on, or says why not.
  async function send(root, url, body, onOk) {
    clearTransient(root);
    setBusy(root, true);
    const answer = await call("POST", url, body);
    setBusy(root, false);
    if (answer.kind === "session") { sessionEnded(answer.data); return; }
    if (answer.kind === "technical") { technical(root, answer.status); return; }
    const data = answer.data;
    if (answer.kind === "refused") {
      say(root, (data.intro ? [data.intro] : []).concat(data.errors || []));
      markInvalid(root, data.invalid || []);
      return;
    }
    markInvalid(root, []);
    if (data.redirect) { navigate(data.redirect, "push"); return; }
    if (onOk) { onOk(data); }
  }

  function markInvalid(root, names) {
    for (const control of root.querySelectorAll("input[name], select[name]")) {
      if (names.includes(control.name)) { control.setAttribute("aria-invalid", "true"); } else { control.removeAttribute("aria-invalid"); }
    }
  }

  // -- sessions -------------------------------------------------------------------------------
  function sessionEnded(data) {
    const wasSignedIn = signedIn;
    signedIn = false;
    if (wasSignedIn && data.show === "dialog") { expiredDialog(); return; }
    drawLogin(wasSignedIn || data.expired ? SESSION_EXPIRED : "");
  }

  function expiredDialog() {
    if (document.getElementById("gw-expired")) { return; }
    const backdrop = h("div", {class: "backdrop", id: "gw-expired"},
      h("div", {class: "dialog", role: "dialog", "aria-modal": "true", "aria-labelledby": "gw-expired-title", "aria-describedby": "gw-expired-desc"},
        heading(2, {class: "title", id: "gw-expired-title"}, "Session expirée"),
        h("p", {id: "gw-expired-desc"}, "Pour votre sécurité, vous avez été déconnecté après une période d'inactivité."),
        h("div", {class: "buttons"}, h("button", {type: "button", class: "btn primary", on: {click: () => {
          backdrop.remove();
          drawLogin("");
        }}}, "Se reconnecter"))));
    document.body.append(backdrop);
    backdrop.querySelector("button").focus();
  }

  function drawLogin(message) {
    const user = h("input", {type: "text", id: "username", name: "username", autocomplete: "username"});
    const password = h("input", {type: "password", id: "password", name: "password", autocomplete: "current-password"});
    const button = h("button", {type: "submit"}, "Connexion");
    const box = h("main", {class: "box"},
      h("div", {class: "brand", "aria-hidden": "true"}, "PSA USED VEHICLE WARRANTY"),
      heading(1, {}, "Connexion"), zone(),
      h("form", {on: {submit: async (event) => {
        event.preventDefault();
        // The old message goes at once: what shows next is this attempt's answer.
        zoneOf(box).replaceChildren();
        button.disabled = true;
        const answer = await call("POST", "/api/login", {username: user.value, password: password.value});
        button.disabled = false;
        if (answer.kind === "technical") { technical(box, answer.status); return; }
        if (answer.kind !== "ok") { say(box, answer.data.errors || [answer.data.error || "Connexion refusée"]); return; }
        if (answer.data.password_expired) { drawPasswordExpired(answer.data.password_expired); return; }
        signedIn = true;
        navigate("/", "replace"); // after signing in, the user starts from `Tableau de gestion`
      }}}, labelled("Nom d'utilisateur :", user), labelled("Mot de passe :", password), button),
      h("p", {class: "help"}, "Support Guidewire : 03.67.88.00.30"));
    if (message) { say(box, [message], {lasting: true}); }
    showSignedOut(box, "Connexion");
  }

  // The right password of an account whose password expired: the screen's words come from
  // /api/login, which opened no session. `Enregistrer` does nothing: choosing a password is
  // for a person, never for the bot.
  function drawPasswordExpired(words) {
    const fresh = h("input", {type: "password", id: "new_password", name: "new_password", autocomplete: "new-password"});
    const again = h("input", {type: "password", id: "new_password_confirmation", name: "new_password_confirmation", autocomplete: "new-password"});
    const box = h("main", {class: "box"},
      h("div", {class: "brand", "aria-hidden": "true"}, "PSA USED VEHICLE WARRANTY"),
      heading(1, {}, words.heading), zone(),
      h("p", {style: "background: #e1ecf7; border-left: 4px solid #1a6fb5; padding: 8px 12px; font-size: 13px"}, words.message),
      h("form", {on: {submit: (event) => event.preventDefault()}},
        labelled(words.new_password, fresh), labelled(words.confirmation, again),
        h("button", {type: "submit"}, words.button)),
      h("p", {class: "help"}, "Support Guidewire : 03.67.88.00.30"));
    showSignedOut(box, words.heading);
  }

  // A signed-out screen (`box`) in place of whatever was shown.
  function showSignedOut(box, title) {
    navigation++; // whatever was loading is moot now
    dropPlaceholder();
    frame = null;
    document.body.classList.add("signed-out");
    const page = h("div", {class: "login-page"}, box);
    app.replaceChildren(page);
    current = {el: page, url: location.pathname + location.search};
    document.title = title + " - PSA Used Vehicle Warranty";
  }

  // -- screens --------------------------------------------------------------------------------
  // Each: the call that feeds it, how it is drawn, its tab and its title.
  const enc = encodeURIComponent;

  const homeScreen = {
    api: () => "/api/accueil",
    title: () => "Tableau de gestion",
    draw: (d) => h("section", {}, heading(1, {}, "Tableau de gestion"), zone(),
      h("div", {class: "cards"},
        card("/souscription", "NOUVELLE SOUSCRIPTION", "plus", false),
        card("/devis", "DEVIS OUVERTS", d.open_count, false),
        card("/annulations", "ANNULLATIONS OUVERTES", d.annulations, false))),
  };

  const devisOuvertsScreen = {
    api: () => "/api/devis-ouverts",
    title: () => "Devis ouverts",
    draw: (d) => h("section", {}, heading(1, {}, "Tableau de gestion"), zone(), policeCards("devis", d.open_count),
      heading(2, {id: "devis-title"}, "Devis ouverts au cours des 30 derniers jours"),
      table("devis", d.rows, {"aria-labelledby": "devis-title"})),
  };

  const searchScreen = {
    api: (m, url) => "/api/recherche?q=" + enc(url.searchParams.get("q") || ""),
    title: () => "Recherche",
    draw: (d) => h("section", {}, heading(1, {}, "Résultats de la recherche"),
      h("p", {class: "muted"}, "Recherche : « " + d.query + " »"), zone(),
      d.rows.length ? table("recherche", d.rows, {"aria-label": "Résultats de la recherche"})
        : h("div", {class: "panel"}, h("p", {role: "status"}, "Aucun résultat"))),
  };

  const comptesScreen = {
    api: () => "/api/comptes",
    tab: () => "comptes",
    title: () => "Comptes",
    draw: (d) => h("section", {}, heading(1, {}, "Comptes"), zone(), table("comptes", d.rows, {"aria-label": "Comptes"})),
  };

  function policesScreen(view) {
    return {
      api: () => "/api/polices?vue=" + view,
      tab: () => "polices",
      title: () => "Polices",
      draw: (d) => h("section", {}, heading(1, {}, "Polices"), zone(), policeCards(d.view, d.open_count),
        heading(2, {id: "polices-title"}, d.heading), table("polices", d.rows, {"aria-labelledby": "polices-title"})),
    };
  }

  const simpleScreen = {
    api: (m) => "/api/pages/" + m[1],
    tab: (d) => d.tab,
    title: (d) => d.title,
    draw: (d) => h("section", {}, heading(1, {}, d.title), zone(), h("div", {class: "panel"}, h("p", {}, d.message))),
  };

  function notFound(d) {
    return h("section", {}, heading(1, {}, d.title || "Introuvable"), zone(),
      h("div", {class: "panel"}, h("p", {role: "alert"}, (d.errors || ["Page introuvable."]).join(" "))));
  }

  const notFoundScreen = {
    api: () => "/api/accueil", // only to know whether the user is signed in
    title: () => "Introuvable",
    draw: () => notFound({errors: ["Page introuvable."]}),
  };

  const devisScreen = {
    api: (m) => "/api/devis/" + enc(m[1]),
    tab: () => "polices",
    title: (d) => "Devis (" + d.numero + ")",
    draw: (d) => {
      const base = "/devis/" + d.numero;
      const section = h("section", {});
      const messages = zone();
      if (d.status === "Devis en ébauche") {
        messages.append(h("p", {class: "msg-ok", role: "status"}, "Votre brouillon a été sauvegardé avec succès."));
      } else if (d.status === "Expiré") {
        messages.append(h("p", {class: "msg-err", role: "alert"}, "Ce devis a expiré"));
      } else if (d.status === "Lié") {
        messages.append(h("p", {class: "msg-ok", role: "status"}, "Ce devis est lié à la police ", h("a", {href: "/police/" + d.police}, d.police), "."));
      } else if (d.status === "Supprimé") {
        messages.append(h("p", {class: "msg-err", role: "status"}, "Ce devis a été supprimé."));
      }
      const panel = h("div", {class: "panel"}, messages, infoTable("Synthèse du devis", d.summary));
      if (d.can_continue) {
        panel.append(h("div", {class: "buttons", style: "justify-content:flex-start"},
          action("Supprimer le devis", () => send(section, "/api" + base + "/supprimer", {}), "danger"),
          wrap(action("Continuer le devis", () => go(base + "/contrat"), "primary"))));
      }
      append(section, [h("p", {class: "account"}, "Compte client : " + d.account + " | PSA Used Vehicle Warranty"),
        heading(1, {}, "Devis (" + d.numero + ") ", h("span", {class: "badge"}, d.status)), panel]);
      return section;
    },
  };

  function wizard(d, step, ...content) {
    const item = (key, text) => h("li", {"aria-current": step === key ? "step" : null}, text);
    return h("section", {},
      h("div", {class: "wheader"}, h("div", {class: "acc"}, "Compte : " + d.client), h("div", {class: "num"}, "Devis (" + d.numero + ")")),
      h("div", {class: "wizard"},
        h("nav", {class: "steps panel", "aria-label": "Étapes"}, h("ol", {},
          h("li", {}, "Demande de devis", h("ol", {}, STEPS.map(([key, text]) => item(key, text)))),
          item("offres", "Devis"), item("police", "Informations sur la police"), item("confirmation", "Confirmation"))),
        h("div", {class: "panel step"}, content)));
  }

  function wizardScreen(step, api, draw) {
    return {api: (m) => "/api/devis/" + enc(m[1]) + "/" + api, tab: () => "polices", title: (d) => "Devis (" + d.numero + ")", draw: draw};
  }

  const contratScreen = wizardScreen("contrat", "contrat", (d) => {
    const base = "/devis/" + d.numero;
    const input = h("input", {type: "text", id: "date_livraison", name: "date_livraison", value: d.value, placeholder: "JJ/MM/AAAA", "aria-required": "true"});
    let section;
    const next = () => send(section, "/api" + base + "/contrat", {date_livraison: input.value});
    section = wizard(d, "contrat", heading(2, {}, "Contrat"), zone(),
      h("form", {novalidate: true, on: {submit: (event) => { event.preventDefault(); next(); }}},
        h("div", {class: "row"}, labelled("Date de livraison *", input)),
        h("div", {class: "buttons"}, action("Annuler", () => go(base)), action("Suivant", next, "primary"))));
    return section;
  });

  const vehiculesScreen = wizardScreen("vehicules", "vehicules", (d) => {
    const base = "/devis/" + d.numero;
    const controls = d.fields.map((f) => {
      const value = d.values[f.label.replace(/ \*$/, "")] || "";
      const attrs = {id: "v_" + f.name, name: f.name, "aria-required": f.required ? "true" : null,
        "aria-describedby": f.hint ? "v_" + f.name + "_hint" : null};
      const control = f.kind === "select"
        ? h("select", attrs, f.options.map((o) => h("option", {value: o, selected: o === value}, o)))
        : h("input", Object.assign({type: "text", value: value}, attrs));
      return [f, control];
    });
    const values = () => Object.fromEntries(controls.map(([f, c]) => [f.name, c.value]));
    let section;
    const post = (what, onOk) => send(section, "/api" + base + "/vehicules", {action: what, values: values()}, onOk);
    const saved = () => say(section, ["Votre brouillon a été sauvegardé avec succès."], {kind: "ok"});
    section = wizard(d, "vehicules", heading(2, {}, "Véhicules"), zone(),
      h("form", {novalidate: true, on: {submit: (event) => { event.preventDefault(); post("suivant"); }}},
        controls.map(([f, control]) => {
          const [label, wrapped] = labelled(f.label, control);
          const hint = f.hint ? h("span", {class: "hint", id: "v_" + f.name + "_hint"}, f.hint) : null;
          return h("div", {class: "row"}, label, h("div", {}, wrapped, hint));
        }),
        h("div", {class: "buttons"},
          action("Annuler", () => go(base)),
          action("Précédent", () => post("precedent")),
          action("Sauvegarder", () => post("sauvegarder", saved)),
          action("Suivant", () => post("suivant"), "primary"))));
    return section;
  });

  const offresScreen = wizardScreen("offres", "offres", (d) => {
    const base = "/devis/" + d.numero;
    let section;
    const mark = (yes) => (yes ? "✔" : "—");
    const cards = d.offers.map((o) => h("article", {class: "offer" + (d.selected === o.name ? " selected" : ""), "aria-label": o.name},
      h("div", {class: "pay"}, "Paiement intégral"), heading(3, {}, o.name), h("div", {class: "price"}, o.price),
      wrap(action("Sélectionner", () => send(section, "/api" + base + "/offres", {offer: o.name}), "primary")),
      h("dl", {},
        h("dt", {}, "Assistance"), h("dd", {}, mark(o.assistance)),
        h("dt", {}, "Service de relation Client"), h("dd", {}, mark(o.relation_client)),
        h("dt", {}, "Garantie"), h("dd", {}, "✔"),
        h("dt", {}, "Periode de carence (Mois)"), h("dd", {}, String(o.carence_mois)),
        h("dt", {}, "Durée (Mois)"), h("dd", {}, String(o.duree_mois)))));
    section = wizard(d, "offres", heading(2, {}, "Devis"), zone(), h("div", {class: "offers"}, cards),
      h("div", {class: "buttons"}, action("Précédent", () => go(base + "/vehicules"))));
    if (!d.offers.length) { say(section, ["Aucun produit disponible pour cette garantie"], {lasting: true}); }
    return section;
  });

  const policeScreen = wizardScreen("police", "police", (d) => {
    const base = "/devis/" + d.numero;
    let section;
    const yes = h("button", {type: "button", class: "btn primary"}, "Oui");
    const backdrop = h("div", {class: "backdrop", hidden: true},
      h("div", {class: "dialog", role: "dialog", "aria-modal": "true", "aria-labelledby": "buy-title", "aria-describedby": "buy-desc"},
        heading(3, {class: "title", id: "buy-title"}, "Voulez-vous procéder à l'achat de la police maintenant?"),
        h("p", {id: "buy-desc"}, "Veuillez vérifier que toutes les données sont correctes"),
        h("div", {class: "buttons"},
          h("button", {type: "button", class: "btn", on: {click: () => { backdrop.hidden = true; }}}, "Cancel"), yes)));
    yes.addEventListener("click", async () => {
      if (yes.disabled) { return; }
      yes.disabled = true; // one click, one purchase request
      clearTransient(section);
      const answer = await call("POST", "/api" + base + "/acheter");
      yes.disabled = false;
      if (answer.kind === "session") { sessionEnded(answer.data); return; }
      backdrop.hidden = true;
      if (answer.kind === "technical") { technical(section, answer.status); return; }
      if (answer.kind === "refused") { say(section, answer.data.errors || []); return; }
      if (answer.data.redirect) { navigate(answer.data.redirect, "push"); }
    });
    const buy = action("Acheter maintenant", () => {
      clearTransient(section);
      // The confirmation opens only after the portal has re-checked the quote.
      setTimeout(() => { backdrop.hidden = false; yes.focus(); }, d.dialog_ms);
    }, "primary");
    section = wizard(d, "police", heading(2, {}, "Informations sur la police"), zone(),
      infoTable("Informations sur la police", d.details),
      heading(3, {id: "vehicules-title"}, "Véhicules"),
      table("vehicules", d.vehicles, {"aria-labelledby": "vehicules-title", class: "gw flat"}),
      h("div", {class: "buttons"}, action("Précédent", () => go(base + "/offres")), wrap(buy)),
      backdrop);
    if (d.alerts.length) { say(section, d.alerts, {lasting: true}); }
    return section;
  });

  const confirmationScreen = wizardScreen("confirmation", "confirmation", (d) => wizard(d, "confirmation",
    heading(2, {}, "Confirmation"), zone(),
    h("p", {class: "msg-ok", role: "status"}, "Paiement effectué (Police " + d.police + ")"),
    h("p", {class: "msg-ok", role: "status"}, "La police a été souscrite avec succès")));

  const policyScreen = {
    api: (m, url) => "/api/police/" + enc(m[1]) + "?vue=" + enc(url.searchParams.get("vue") || "synthese"),
    tab: () => "polices",
    title: (d) => "Police (" + d.numero + ")",
    draw: (d, m, url) => {
      const view = url.searchParams.get("vue") || "synthese";
      const base = "/police/" + d.numero + "?vue=";
      let content;
      if (view === "documents") {
        content = [heading(2, {}, "Documents"), h("div", {class: "panel"}, d.document
          ? h("ul", {}, h("li", {}, wrap(h("a", {href: d.document.href, download: d.document.name}, d.document.name), "span")))
          : h("p", {class: "muted"}, "Aucun document"))];
      } else if (view === "sinistres") {
        content = [heading(2, {}, "Sinistres"), h("div", {class: "panel"}, h("p", {class: "muted"}, "Aucun sinistre"))];
      } else {
        content = [heading(2, {}, "Synthèse"), infoTable("Synthèse", d.synthese,
          (key, value) => (key === "Devis" && value ? "/devis/" + value : null))];
      }
      return h("section", {}, h("p", {class: "account"}, "Compte client : " + d.account),
        heading(1, {}, "PSA Used Vehicle Warranty (" + d.numero + ") ", h("span", {class: "badge"}, d.status)), zone(),
        h("div", {class: "cards"},
          card(base + "synthese", "SYNTHÈSE", "list", view === "synthese"),
          card(base + "documents", "DOCUMENTS", d.count, view === "documents"),
          card(base + "sinistres", "SINISTRES", 0, view === "sinistres")),
        content);
    },
  };

  const ROUTES = [
    [/^\/(login)?$/, homeScreen],
    [/^\/devis$/, devisOuvertsScreen],
    [/^\/recherche$/, searchScreen],
    [/^\/comptes$/, comptesScreen],
    [/^\/polices$/, policesScreen("consultees")],
    [/^\/polices\/emises$/, policesScreen("emises")],
    [/^\/(sinistres|activites|souscription|annulations)$/, simpleScreen],
    [/^\/devis\/([^/]+)$/, devisScreen],
    [/^\/devis\/([^/]+)\/contrat$/, contratScreen],
    [/^\/devis\/([^/]+)\/vehicules$/, vehiculesScreen],
    [/^\/devis\/([^/]+)\/offres$/, offresScreen],
    [/^\/devis\/([^/]+)\/police$/, policeScreen],
    [/^\/devis\/([^/]+)\/confirmation$/, confirmationScreen],
    [/^\/police\/([^/]+)$/, policyScreen],
  ];

  navigate(location.pathname + location.search, "boot");
})();
// {% endraw %}
