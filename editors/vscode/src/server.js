// How the extension finds and starts `batch-autoscale`: pure functions, no `vscode` import, so
// the Node tests can check them without an editor.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

/** The executable's base name on this platform. */
function executableName(platform = process.platform) {
  return platform === "win32" ? "batch-autoscale.exe" : "batch-autoscale";
}

function isExecutableFile(file) {
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) return false;
    if (process.platform === "win32") return true;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The server executable: `configured` (the `batchAutoscale.serverPath` setting) when set,
 * otherwise the first `batch-autoscale` on `PATH`.
 * Returns `{ command }` or `{ error }` with a message that says what to do.
 */
function resolveServer(configured, env = process.env, platform = process.platform) {
  const setting = (configured || "").trim();
  if (setting) {
    if (isExecutableFile(setting)) return { command: setting };
    return {
      error: `batch-autoscale: the batchAutoscale.serverPath setting points to "${setting}", which is not an executable file.`,
    };
  }
  const name = executableName(platform);
  const dirs = (env.PATH || env.Path || "").split(platform === "win32" ? ";" : ":").filter(Boolean);
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    if (isExecutableFile(candidate)) return { command: candidate };
  }
  return {
    error:
      "batch-autoscale: the language server `batch-autoscale` was not found on PATH. " +
      "Install it (`cargo install --path .` in the batch-autoscale repository) or set batchAutoscale.serverPath.",
  };
}

/** `ServerOptions` for vscode-languageclient: the same executable for run and debug, over stdio. */
function serverOptions(command) {
  const exec = { command, args: ["lsp"], transport: 0 /* TransportKind.stdio */ };
  return { run: exec, debug: exec };
}

/** The language client's options: documents of language `batch-autoscale`, files and unsaved. */
function clientOptions() {
  return {
    documentSelector: [
      { scheme: "file", language: "batch-autoscale" },
      { scheme: "untitled", language: "batch-autoscale" },
    ],
  };
}

/**
 * The context file for evaluating `formulaPath`: the configured one, else `<file>.context.json`
 * or `<stem>.context.json` beside it, else none.
 */
function contextFor(formulaPath, configured) {
  const setting = (configured || "").trim();
  if (setting) return setting;
  const dir = path.dirname(formulaPath);
  const base = path.basename(formulaPath);
  const stem = base.replace(/\.[^.]*$/, "");
  for (const candidate of [path.join(dir, `${base}.context.json`), path.join(dir, `${stem}.context.json`)]) {
    if (fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** Arguments of `batch-autoscale eval` for the evaluate command: JSON output with the trace. */
function evalArgs(formulaPath, contextPath) {
  const args = ["eval", formulaPath, "--format", "json", "--trace", "--color", "never"];
  if (contextPath) args.push("--context", contextPath);
  return args;
}

module.exports = { executableName, resolveServer, serverOptions, clientOptions, contextFor, evalArgs };
