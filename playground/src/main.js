// The playground page: a CodeMirror 6 editor over the batch-autoscale core compiled to
// WebAssembly (bindings/wasm): live diagnostics, hover and completion from the built-ins table,
// a context editor, evaluation with the trace, replay over a metric history, and a shareable
// URL fragment.
import { renderDiagnostics } from "./diagnostics-list.js";
import { EditorState } from "@codemirror/state";
import { EditorView, keymap, lineNumbers, hoverTooltip, drawSelection, highlightActiveLine } from "@codemirror/view";
import { defaultKeymap, history as undoHistory, historyKeymap } from "@codemirror/commands";
import { StreamLanguage, syntaxHighlighting, HighlightStyle, bracketMatching } from "@codemirror/language";
import { tags } from "@lezer/highlight";
import { setDiagnostics, lintGutter } from "@codemirror/lint";
import { autocompletion, completionKeymap } from "@codemirror/autocomplete";
import { parseHistory, generateHistory } from "./history.js";
import { encodeState, decodeState } from "./share.js";
import { plotReplay } from "./plot.js";

const $ = (id) => document.getElementById(id);
let core;
let timing;

// ---- the built-ins table -------------------------------------------------------------------

let table = [];
const byName = new Map();
function loadBuiltins() {
  table = JSON.parse(core.builtins());
  for (const b of table) byName.set(`${b.kind}:${b.name}`, b);
}
const lookup = (kind, name) => byName.get(`${kind}:${name}`);

// ---- highlighting: the same categories as grammar/batch-autoscale.tmLanguage.json ----------

const baTags = {
  service: tags.special(tags.variableName),
  variable: tags.variableName,
  function: tags.function(tags.variableName),
  method: tags.function(tags.propertyName),
  field: tags.propertyName,
  constant: tags.constant(tags.variableName),
  keyword: tags.atom,
  number: tags.number,
  string: tags.string,
  comment: tags.lineComment,
  operator: tags.operator,
  punctuation: tags.punctuation,
  paren: tags.paren,
  invalid: tags.invalid,
};
const language = StreamLanguage.define({
  name: "batch-autoscale",
  token(stream) {
    if (stream.eatSpace()) return null;
    if (stream.match("//")) {
      stream.skipToEnd();
      return "comment";
    }
    if (stream.match(/^"[^"]*("|$)/)) return "string";
    const afterDot = /\.\s*$/.test(stream.string.slice(0, stream.pos));
    const word = stream.match(/^\$?[A-Za-z_][A-Za-z0-9_]*/);
    if (word) {
      const w = word[0];
      if (w.startsWith("$")) return lookup("variable", w) ? "service" : "variable";
      if (afterDot && lookup("method", w)) return "method";
      if (afterDot && lookup("field", w)) return "field";
      if (lookup("keyword", w)) return "keyword";
      if (lookup("constant", w)) return "constant";
      if (lookup("function", w) && /^\s*\(/.test(stream.string.slice(stream.pos))) return "function";
      return "variable";
    }
    if (stream.match(/^[0-9]+(\.[0-9]+)?(?![A-Za-z0-9_.])/)) return "number";
    if (stream.match(/^(&&|\|\||==|!=|<=|>=|[-+*/<>!?:=])/)) return "operator";
    if (stream.match(/^[;,.]/)) return "punctuation";
    if (stream.match(/^[()]/)) return "paren";
    stream.next();
    return "invalid";
  },
  tokenTable: baTags,
  languageData: { commentTokens: { line: "//" } },
});
const highlight = HighlightStyle.define(
  Object.entries({
    service: "tok-ba-service",
    variable: "tok-ba-variable",
    function: "tok-ba-function",
    method: "tok-ba-function",
    field: "tok-ba-variable",
    constant: "tok-ba-constant",
    keyword: "tok-ba-keyword",
    number: "tok-ba-number",
    string: "tok-ba-string",
    comment: "tok-ba-comment",
    invalid: "tok-ba-invalid",
  }).map(([k, cls]) => ({ tag: baTags[k], class: cls })),
);

// ---- hover and completion ------------------------------------------------------------------

const NAME = /\$?[A-Za-z_][A-Za-z0-9_]*/g;

/** The user variables a formula assigns, with the line of the first assignment. */
function assignedVariables(text) {
  const out = new Map();
  const re = /(^|[;\n])\s*(\$?[A-Za-z_][A-Za-z0-9_]*)\s*=(?!=)/g;
  for (const m of text.matchAll(re)) {
    const name = m[2];
    if (!lookup("variable", name) && !out.has(name)) {
      const at = m.index + m[0].indexOf(name, m[1].length);
      out.set(name, text.slice(0, at).split("\n").length);
    }
  }
  return out;
}

function describe(b) {
  const dom = document.createElement("div");
  const head = document.createElement("div");
  const code = document.createElement("code");
  code.textContent = b.signatures.length ? b.signatures.join("  |  ") : b.name;
  head.append(code, ` — ${b.kind}${b.writable ? " (assignable)" : ""}${b.metric ? " (sampled metric)" : ""}`);
  const doc = document.createElement("div");
  doc.textContent = b.doc;
  dom.append(head, doc);
  return dom;
}

const hover = hoverTooltip((view, pos) => {
  const line = view.state.doc.lineAt(pos);
  for (const m of line.text.matchAll(NAME)) {
    const from = line.from + m.index;
    const to = from + m[0].length;
    if (pos < from || pos > to) continue;
    const before = line.text.slice(0, m.index);
    const afterDot = /\.\s*$/.test(before);
    const name = m[0];
    const kinds = afterDot ? ["method", "field"] : name.startsWith("$") ? ["variable"] : ["function", "constant", "keyword"];
    let b = kinds.map((k) => lookup(k, name)).find(Boolean);
    let dom;
    if (b) dom = describe(b);
    else {
      const mine = assignedVariables(view.state.doc.toString());
      if (!mine.has(name)) return null;
      dom = document.createElement("div");
      dom.textContent = `${name}: your variable, first assigned on line ${mine.get(name)}`;
    }
    return { pos: from, end: to, above: true, create: () => ({ dom: Object.assign(dom, { className: "ba-hover" }) }) };
  }
  return null;
});

function option(b) {
  const type = { variable: "variable", function: "function", method: "method", field: "property", constant: "constant", keyword: "keyword" }[b.kind];
  return { label: b.name, type, detail: b.signatures[0] || b.kind, info: b.doc, boost: b.kind === "variable" && b.writable ? 1 : 0 };
}

function complete(ctx) {
  const before = ctx.state.doc.sliceString(Math.max(0, ctx.pos - 200), ctx.pos);
  const member = /(\$?[A-Za-z_][A-Za-z0-9_]*|\))\s*\.\s*([A-Za-z_][A-Za-z0-9_]*)?$/.exec(before);
  if (member) {
    const object = member[1];
    const from = ctx.pos - (member[2] || "").length;
    const isMetric = lookup("variable", object)?.metric;
    const kind = isMetric ? "method" : "field";
    return { from, options: table.filter((b) => b.kind === kind).map(option), validFor: /^[A-Za-z_]*$/ };
  }
  const word = ctx.matchBefore(/\$?[A-Za-z_][A-Za-z0-9_]*|\$/);
  if (!word && !ctx.explicit) return null;
  const from = word ? word.from : ctx.pos;
  const text = word ? word.text : "";
  let options;
  if (/\$NodeDeallocationOption\s*=\s*\w*$/.test(before)) options = table.filter((b) => b.kind === "keyword").map(option);
  else {
    const mine = [...assignedVariables(ctx.state.doc.toString()).keys()].map((n) => ({ label: n, type: "variable", detail: "your variable" }));
    options = table
      .filter((b) => (text.startsWith("$") ? b.kind === "variable" : b.kind !== "method" && b.kind !== "field"))
      .map(option)
      .concat(mine.filter((o) => o.label.startsWith("$") === text.startsWith("$")));
  }
  return { from, options, validFor: /^\$?[A-Za-z0-9_]*$/ };
}

// ---- diagnostics ---------------------------------------------------------------------------

let view;
let checkTimer;
let lastCheck = { doc: null, diagnostics: [] };

function applyFix(d) {
  if (lastCheck.doc !== view.state.doc || !d.fix) return;
  view.dispatch({ changes: d.fix.edits.map((e) => ({ from: e.from, to: e.to, insert: e.insert })) });
  view.focus();
}

function runCheck() {
  clearTimeout(checkTimer);
  const doc = view.state.doc;
  const src = doc.toString();
  const t0 = performance.now();
  const diags = JSON.parse(core.check(src));
  timing.lastCheckMs = performance.now() - t0;
  lastCheck = { doc, diagnostics: diags };
  const len = doc.length;
  view.dispatch(
    setDiagnostics(
      view.state,
      diags.map((d) => {
        const from = Math.min(d.from, len);
        const to = Math.min(Math.max(d.to, d.from), len);
        return {
          from,
          to,
          severity: d.severity === "note" ? "info" : d.severity,
          source: d.code,
          message: `${d.name}: ${d.message}`,
          actions: d.fix ? [{ name: d.fix.message, apply: () => applyFix(d) }] : [],
        };
      }),
    ),
  );
  renderDiagnostics($("diagnostics"), $("diagnostics-summary"), diags, src, {
    select: (d) => {
      view.dispatch({ selection: { anchor: Math.min(d.from, view.state.doc.length) }, scrollIntoView: true });
      view.focus();
    },
    fix: applyFix,
  });
  document.body.dataset.checked = String(Number(document.body.dataset.checked || 0) + 1);
}

// ---- evaluate, replay, share ---------------------------------------------------------------

function showError(id, message) {
  const p = $(id);
  p.textContent = message || "";
  p.hidden = !message;
}

function evaluate() {
  const src = view.state.doc.toString();
  const r = JSON.parse(core.evaluate(src, $("context").value, Date.now()));
  showError("context-error", r.contextError);
  if (!r.run) {
    $("results").textContent = "";
    $("run").textContent = "";
    $("trace").textContent = "";
    showError("run-error", "");
    return;
  }
  $("results").textContent = r.run.results;
  $("run").textContent = JSON.stringify(r.run, null, 2);
  const e = r.run.error;
  showError("run-error", e ? `${e.code}: ${e.message}${e.values.length ? ` — ${e.values.map((v) => v.value).join("; ")}` : ""}` : "");
  const applied = r.applied
    ? [`targets: ${r.applied.dedicated} dedicated, ${r.applied.lowPriority} low-priority, ${r.applied.deallocation}`, ""]
    : [];
  $("trace").textContent = applied.concat(r.trace).join("\n");
  document.body.dataset.evaluated = String(Number(document.body.dataset.evaluated || 0) + 1);
}

function replay() {
  showError("replay-error", "");
  $("replay-summary").textContent = "";
  let history;
  try {
    history = parseHistory($("history").value);
  } catch (e) {
    showError("replay-error", `history: ${e.message}`);
    $("plot").replaceChildren();
    return;
  }
  const minutes = Number($("interval").value);
  const r = JSON.parse(core.replay(view.state.doc.toString(), $("context").value, JSON.stringify(history), minutes * 60));
  if (r.error) {
    showError("replay-error", r.error);
    $("plot").replaceChildren();
    return;
  }
  const failed = r.rows.filter((row) => row.error).length;
  const max = Math.max(0, ...r.rows.map((row) => row.dedicated));
  $("replay-summary").textContent = `${r.rows.length} evaluations, dedicated target up to ${max}${failed ? `, ${failed} failed` : ""}`;
  $("plot").replaceChildren(plotReplay(r.rows, history));
}

function updateFragment() {
  const fragment = encodeState(view.state.doc.toString(), $("context").value);
  history.replaceState(null, "", `#${fragment}`);
}
let fragmentTimer;
function scheduleFragment() {
  clearTimeout(fragmentTimer);
  fragmentTimer = setTimeout(updateFragment, 250);
}

async function share() {
  updateFragment();
  try {
    await navigator.clipboard.writeText(location.href);
    $("share-status").textContent = "link copied";
  } catch {
    $("share-status").textContent = "the address bar holds the link";
  }
}

// ---- start (called by boot.js) -------------------------------------------------------------

/**
 * Build the page around the loaded core: `formula` and `context` are what the first check (in
 * boot.js) already looked at.
 */
export function start(loadedCore, formula, context, times) {
  core = loadedCore;
  timing = times;
  loadBuiltins();
  $("context").value = context;
  view = new EditorView({
    parent: $("editor"),
    state: EditorState.create({
      doc: formula,
      extensions: [
        lineNumbers(),
        undoHistory(),
        drawSelection(),
        highlightActiveLine(),
        bracketMatching(),
        language,
        syntaxHighlighting(highlight),
        lintGutter(),
        hover,
        autocompletion({ override: [complete] }),
        keymap.of([
          { key: "Mod-Enter", run: () => (evaluate(), true) },
          ...completionKeymap,
          ...defaultKeymap,
          ...historyKeymap,
        ]),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) {
            clearTimeout(checkTimer);
            checkTimer = setTimeout(runCheck, 120);
            scheduleFragment();
          }
        }),
      ],
    }),
  });
  timing.editorReady = performance.now();
  $("editor").addEventListener("click", (e) => {
    if (e.target === $("editor")) view.focus();
  });
  runCheck();
  timing.editorChecked = performance.now();
  $("load-time").textContent = `core loaded ${Math.round(timing.wasmReady)} ms, first diagnostics ${Math.round(timing.firstDiagnostics)} ms, editor ready ${Math.round(timing.editorChecked)} ms after navigation start`;
  $("context").addEventListener("input", scheduleFragment);
  $("evaluate").addEventListener("click", evaluate);
  $("share").addEventListener("click", share);
  $("replay").addEventListener("click", replay);
  $("generate").addEventListener("click", () => {
    $("history").value = generateHistory();
    replay();
  });
  window.addEventListener("hashchange", () => {
    const s = decodeState(location.hash.slice(1));
    if (s && s.formula !== view.state.doc.toString()) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: s.formula } });
      if (s.context !== undefined) $("context").value = s.context;
    }
  });
  document.body.dataset.ready = "true";
}
