// A grid filled after the page, as the real portals do: its rows, or null once the grid has
// said why there are none (signed out, service unavailable, nothing to show).
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
  const rows = await response.json();
  body.textContent = "";
  if (!rows.length) { say(emptyText); return null; }
  return rows;
}
