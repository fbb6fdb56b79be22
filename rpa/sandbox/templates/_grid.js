// A grid filled after the page, as the real portals do: its rows, or null once the grid has
// said why there are none (signed out, service unavailable, nothing to show).
{%- if inline_errors %}
// A failed call is told in the grid, in the portal's own words (drift `inline-errors`).
async function loadGrid(url, bodyId, columns, emptyText) {
  const body = document.getElementById(bodyId);
  const say = (text, role) => {
    body.textContent = "";
    const cell = body.insertRow().insertCell();
    cell.colSpan = columns; cell.className = "muted"; cell.textContent = text;
    if (role) { cell.setAttribute("role", role); }
  };
  let response;
  try {
    response = await fetch(url, {credentials: "same-origin"});
  } catch (e) {
    say("Erreur technique. Veuillez réessayer.", "alert"); return null;
  }
  if (response.status === 401) { location.reload(); return null; }
  if (!response.ok) { say("Erreur technique (" + response.status + "). Veuillez réessayer.", "alert"); return null; }
{%- else %}
async function loadGrid(url, bodyId, columns, emptyText) {
  const response = await fetch(url, {credentials: "same-origin"});
  if (response.status === 401) { location.reload(); return null; }
  const body = document.getElementById(bodyId);
  const say = (text, role) => {
    body.textContent = "";
    const cell = body.insertRow().insertCell();
    cell.colSpan = columns; cell.className = "muted"; cell.textContent = text;
    if (role) { cell.setAttribute("role", role); }
  };
  if (!response.ok) { say("Service momentanément indisponible (HTTP " + response.status + ")", "alert"); return null; }
{%- endif %}
  const rows = await response.json();
  body.textContent = "";
  if (!rows.length) { say(emptyText); return null; }
  return rows;
}
