// The replay plot: targets over time (dedicated solid, low-priority dashed), the first metric
// of the history in grey on its own scale, failed evaluations as red dots. Plain SVG.

const SVG = "http://www.w3.org/2000/svg";

function el(name, attrs, text) {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** An `<svg>` for replay rows `[{time, dedicated, lowPriority, error}]` over `history`. */
export function plotReplay(rows, history, width = 900, height = 260) {
  const pad = { left: 44, right: 104, top: 14, bottom: 28 };
  const svg = el("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": "replay plot" });
  if (rows.length === 0) return svg;
  const t0 = rows[0].time;
  const t1 = Math.max(rows[rows.length - 1].time, t0 + 1);
  const yMax = Math.max(1, ...rows.map((r) => Math.max(r.dedicated, r.lowPriority)));
  const x = (t) => pad.left + ((t - t0) / (t1 - t0)) * (width - pad.left - pad.right);
  const y = (v, max) => height - pad.bottom - (v / max) * (height - pad.top - pad.bottom);
  const [metricName, samples] = Object.entries(history)[0] || [];
  if (samples) {
    const inRange = samples.filter(([t, v]) => v !== null && t >= t0 && t <= t1);
    const mMax = Math.max(1, ...inRange.map(([, v]) => v));
    if (inRange.length) {
      const d = inRange.map(([t, v], i) => `${i ? "L" : "M"}${x(t).toFixed(1)},${y(v, mMax).toFixed(1)}`).join("");
      svg.append(el("path", { class: "metric", d }));
      svg.append(el("text", { x: width - pad.right + 4, y: pad.top + 4 }, `${metricName}`));
      svg.append(el("text", { x: width - pad.right + 4, y: pad.top + 18 }, `max ${mMax}`));
    }
  }
  const step = (key) =>
    rows
      .map((r, i) => (i ? `H${x(r.time).toFixed(1)}V${y(r[key], yMax).toFixed(1)}` : `M${x(r.time).toFixed(1)},${y(r[key], yMax).toFixed(1)}`))
      .join("");
  svg.append(el("path", { class: "target", d: step("dedicated") }));
  if (rows.some((r) => r.lowPriority > 0)) svg.append(el("path", { class: "low", d: step("lowPriority") }));
  for (const r of rows.filter((r) => r.error)) {
    const dot = el("circle", { class: "failed", cx: x(r.time), cy: y(r.dedicated, yMax), r: 3 });
    dot.append(el("title", {}, r.error));
    svg.append(dot);
  }
  svg.append(el("line", { class: "axis", x1: pad.left, y1: height - pad.bottom, x2: width - pad.right, y2: height - pad.bottom }));
  svg.append(el("line", { class: "axis", x1: pad.left, y1: pad.top, x2: pad.left, y2: height - pad.bottom }));
  svg.append(el("text", { x: 4, y: pad.top + 4 }, `${yMax} nodes`));
  svg.append(el("text", { x: 4, y: height - pad.bottom }, "0"));
  const iso = (t) => new Date(t).toISOString().slice(0, 16).replace("T", " ");
  svg.append(el("text", { x: pad.left, y: height - 8 }, iso(t0)));
  svg.append(el("text", { x: width - pad.right, y: height - 8, "text-anchor": "end" }, `${iso(t1)} UTC`));
  return svg;
}
