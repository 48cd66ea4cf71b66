// Metric histories for the replay: CSV (long `timestamp,metric,value` or wide
// `timestamp,$PendingTasks,...`, an empty cell = a missing sample) or JSON
// (`{"$PendingTasks": [[time, value], ...]}`), and a generated example.

/** Parse an RFC 3339 time with a zone; returns milliseconds since 1970 or NaN. */
export function parseTime(text) {
  const s = text.trim();
  if (!/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.test(s)) return NaN;
  return Date.parse(s.replace(" ", "T"));
}

function fail(line, column, message) {
  const e = new Error(`line ${line}, column ${column}: ${message}`);
  e.line = line;
  return e;
}

function splitCsvLine(line) {
  // Fields are never quoted in metric exports; a quote is an error, not silently mangled.
  if (line.includes('"')) return null;
  return line.split(",").map((f) => f.trim());
}

function push(out, metric, time, value) {
  (out[metric] ??= []).push([time, value]);
}

/** Sort each metric's samples by time and refuse two samples of a metric at the same time. */
function finish(out, where) {
  for (const [metric, samples] of Object.entries(out)) {
    samples.sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < samples.length; i++) {
      if (samples[i][0] === samples[i - 1][0]) {
        throw new Error(`${where}: two samples of ${metric} at ${new Date(samples[i][0]).toISOString()}`);
      }
    }
  }
  if (Object.keys(out).length === 0) throw new Error(`${where}: no samples`);
  return out;
}

function parseValue(cell, line, column) {
  if (cell === "") return null;
  const v = Number(cell);
  if (!Number.isFinite(v)) throw fail(line, column, `${JSON.stringify(cell)} is not a number`);
  return v;
}

/** Parse a metric history; throws an Error naming the line and column of the first problem. */
export function parseHistory(text) {
  const trimmed = text.trim();
  if (trimmed.startsWith("{")) {
    let doc;
    try {
      doc = JSON.parse(trimmed);
    } catch (e) {
      throw new Error(`JSON: ${e.message}`);
    }
    const out = {};
    for (const [metric, samples] of Object.entries(doc)) {
      if (!Array.isArray(samples)) throw new Error(`JSON: ${metric}: expected a list of [time, value]`);
      samples.forEach((s, i) => {
        if (!Array.isArray(s) || s.length !== 2) throw new Error(`JSON: ${metric}[${i}]: expected [time, value]`);
        const t = typeof s[0] === "number" ? s[0] : parseTime(String(s[0]));
        if (!Number.isFinite(t)) throw new Error(`JSON: ${metric}[${i}]: ${JSON.stringify(s[0])} is not an RFC 3339 time`);
        if (s[1] !== null && !Number.isFinite(s[1])) throw new Error(`JSON: ${metric}[${i}]: the value is not a number`);
        push(out, metric, t, s[1]);
      });
    }
    return finish(out, "JSON");
  }
  const lines = text.split(/\r?\n/);
  const headerAt = lines.findIndex((l) => l.trim() !== "" && !l.trim().startsWith("#"));
  if (headerAt < 0) throw new Error("CSV: empty");
  const header = splitCsvLine(lines[headerAt]);
  if (!header || header[0].toLowerCase() !== "timestamp") {
    throw fail(headerAt + 1, 1, "the header must start with `timestamp` (long form: timestamp,metric,value; wide: timestamp,$PendingTasks,...)");
  }
  const long = header.length === 3 && header[1].toLowerCase() === "metric" && header[2].toLowerCase() === "value";
  if (!long) {
    header.slice(1).forEach((name, i) => {
      if (!/^\$[A-Za-z]+$/.test(name)) throw fail(headerAt + 1, i + 2, `${JSON.stringify(name)} is not a metric name like $PendingTasks`);
    });
  }
  const out = {};
  for (let i = headerAt + 1; i < lines.length; i++) {
    const raw = lines[i];
    if (raw.trim() === "" || raw.trim().startsWith("#")) continue;
    const cells = splitCsvLine(raw);
    if (!cells) throw fail(i + 1, raw.indexOf('"') + 1, "quoted fields are not supported");
    if (cells.length !== header.length) throw fail(i + 1, 1, `${cells.length} fields, the header has ${header.length}`);
    const t = parseTime(cells[0]);
    if (!Number.isFinite(t)) throw fail(i + 1, 1, `${JSON.stringify(cells[0])} is not an RFC 3339 time with a zone`);
    if (long) {
      if (!/^\$[A-Za-z]+$/.test(cells[1])) throw fail(i + 1, 2, `${JSON.stringify(cells[1])} is not a metric name`);
      push(out, cells[1], t, parseValue(cells[2], i + 1, 3));
    } else {
      for (let k = 1; k < cells.length; k++) {
        const v = parseValue(cells[k], i + 1, k + 1);
        if (v !== null) push(out, header[k], t, v);
      }
    }
  }
  return finish(out, "CSV");
}

/**
 * An example history: `hours` hours of `$PendingTasks` and `$ActiveTasks` every 30 s ending at
 * `end` (ms), a workday-like burst in the middle, as wide CSV text. Deterministic.
 */
export function generateHistory(end = Date.UTC(2026, 10, 23, 18, 0, 0), hours = 12) {
  const step = 30_000;
  const n = (hours * 3600_000) / step;
  const rows = ["timestamp,$PendingTasks,$ActiveTasks"];
  let seed = 42;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (let i = 0; i <= n; i++) {
    const t = end - (n - i) * step;
    const x = i / n;
    const burst = Math.exp(-(((x - 0.45) / 0.12) ** 2));
    const pending = Math.max(0, Math.round(400 * burst + 20 * rand() - 5));
    const active = Math.round(pending * 0.6 + 10 * rand());
    const missing = i % 97 === 13; // a few gaps, as real histories have
    rows.push(`${new Date(t).toISOString().replace(".000Z", "Z")},${missing ? "" : pending},${active}`);
  }
  return rows.join("\n") + "\n";
}
