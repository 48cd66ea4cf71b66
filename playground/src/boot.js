// First paint of the playground: load the core, check the formula and show its diagnostics
// list at once, then load the editor (a separate chunk, CodeMirror) and hand over to main.js.
import init, * as core from "./pkg/batch_autoscale_wasm.js";
import { decodeState } from "./share.js";
import { renderDiagnostics } from "./diagnostics-list.js";
import exampleFormula from "../../examples/task-based.formula";
import exampleContext from "../../examples/task-based.context.json";

// Milliseconds since navigation start, for the page and its tests.
const timing = (window.__playground = { start: performance.now() });
const $ = (id) => document.getElementById(id);
const editorChunk = import("./main.js"); // fetch the editor while the core loads

async function boot() {
  await init({ module_or_path: new URL("batch_autoscale_wasm_bg.wasm", import.meta.url) });
  timing.wasmReady = performance.now();
  const shared = decodeState(location.hash.slice(1));
  const formula = shared?.formula ?? exampleFormula;
  const context = shared?.context ?? JSON.stringify(exampleContext, null, 2);
  renderDiagnostics($("diagnostics"), $("diagnostics-summary"), JSON.parse(core.check(formula)), formula);
  timing.firstDiagnostics = timing.firstDiagnosticsMs = performance.now();
  const { start } = await editorChunk;
  start(core, formula, context, timing);
}

boot().catch((e) => {
  document.body.dataset.ready = "failed";
  const p = $("context-error");
  p.textContent = `the playground failed to load: ${e.message}`;
  p.hidden = false;
  console.error(e);
});
