// Runs under way, refreshed every 2 s without reloading the page; it is reloaded only when
// a run it shows changes state (started, ended, interrupted) or, on the first page of runs,
// when a new one starts.
(() => {
  const box = document.querySelector("[data-live]");
  if (!box) return;
  const tick = async () => {
    let data;
    try {
      const answer = await fetch(box.dataset.live, { headers: { accept: "application/json" } });
      if (!answer.ok) return;
      data = await answer.json();
    } catch (e) { return; }
    const runs = new Map(data.runs.map((r) => [r.run_id, r]));
    const watched = [...document.querySelectorAll("[data-run-state='en cours'], [data-run-state='démarrage']")];
    const changed = watched.some((el) => (runs.get(el.dataset.run)?.state ?? "fini") !== el.dataset.runState);
    const fresh = box.dataset.reloadOnNew && data.runs.some(
      (r) => r.state === "en cours" && !document.querySelector(`[data-run="${r.run_id}"]`));
    if (changed || fresh) { location.reload(); return; }
    for (const el of watched) {
      const run = runs.get(el.dataset.run);
      const set = (field, text) => { const f = el.querySelector(`[data-field="${field}"]`); if (f) f.textContent = text; };
      set("ended", run.ended); set("total", run.total ?? "?"); set("working", run.working.join(", ") || "—");
      for (const [name, n] of Object.entries(run.counts)) {
        const cell = el.querySelector(`[data-count="${name}"]`);
        if (cell) cell.textContent = n;
      }
    }
  };
  setInterval(tick, 2000);
})();
