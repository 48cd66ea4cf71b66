// The diagnostics list (#diagnostics): one entry per diagnostic with its code (e.g. E210), name,
// position and message, and a button for its quick fix.

/**
 * Render `diags` (from the core's `check`) into `list`, the counts into `summary`.
 * `on.select(d)` runs when an entry is clicked, `on.fix(d)` when its fix button is.
 */
export function renderDiagnostics(list, summary, diags, src, on = {}) {
  list.replaceChildren();
  const errors = diags.filter((d) => d.severity === "error").length;
  const warnings = diags.filter((d) => d.severity === "warning").length;
  summary.textContent = `(${errors} error${errors === 1 ? "" : "s"}, ${warnings} warning${warnings === 1 ? "" : "s"})`;
  if (diags.length === 0) {
    const li = document.createElement("li");
    li.className = "ok";
    li.textContent = src.trim() ? "no problems" : "empty formula";
    list.append(li);
    return;
  }
  for (const d of diags) {
    const li = document.createElement("li");
    li.className = d.severity;
    li.dataset.code = d.code;
    const code = document.createElement("span");
    code.className = "code";
    code.textContent = d.code;
    li.append(code, ` ${d.name} ${d.line}:${d.column} ${d.message}`);
    if (d.fix) {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "fix";
      b.textContent = d.fix.message;
      b.disabled = !on.fix;
      b.addEventListener("click", (ev) => {
        ev.stopPropagation();
        on.fix?.(d);
      });
      li.append(b);
    }
    li.addEventListener("click", () => on.select?.(d));
    list.append(li);
  }
}
