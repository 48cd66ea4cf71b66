// The server options start the real `batch-autoscale lsp`: it answers `initialize` and publishes
// the diagnostics of an opened document; the evaluate command's arguments run the real `eval`.
// Uses BATCH_AUTOSCALE_BIN, else the debug build in CARGO_TARGET_DIR (or ../../target); skipped
// when neither exists, unless CI is set.
"use strict";
const test = require("node:test");
const assert = require("node:assert");
const fs = require("node:fs");
const path = require("node:path");
const { spawn, execFileSync } = require("node:child_process");
const server = require("../src/server");

const repo = path.join(__dirname, "..", "..", "..");
const bin =
  process.env.BATCH_AUTOSCALE_BIN ||
  path.join(process.env.CARGO_TARGET_DIR || path.join(repo, "target"), "debug", "batch-autoscale");
const have = fs.existsSync(bin);
const skip = have || process.env.CI ? false : `${bin} not built`;

/** Minimal LSP over stdio: send requests/notifications, wait for a message matching `pred`. */
function lsp(child) {
  let buf = Buffer.alloc(0);
  const messages = [];
  const waiters = [];
  child.stdout.on("data", (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    for (;;) {
      const end = buf.indexOf("\r\n\r\n");
      if (end < 0) break;
      const len = Number(/Content-Length: (\d+)/i.exec(buf.subarray(0, end).toString())[1]);
      if (buf.length < end + 4 + len) break;
      const msg = JSON.parse(buf.subarray(end + 4, end + 4 + len).toString("utf8"));
      buf = buf.subarray(end + 4 + len);
      messages.push(msg);
      for (const w of waiters.splice(0)) w();
    }
  });
  const send = (msg) => {
    const body = Buffer.from(JSON.stringify({ jsonrpc: "2.0", ...msg }), "utf8");
    child.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
    child.stdin.write(body);
  };
  const waitFor = (pred, ms = 10_000) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching message in ${ms} ms: ${JSON.stringify(messages)}`)), ms);
      const check = () => {
        const m = messages.find(pred);
        if (m) {
          clearTimeout(timer);
          resolve(m);
        } else waiters.push(check);
      };
      check();
    });
  return { send, waitFor };
}

test("the client's server options start a working language server", { skip }, async () => {
  assert.ok(have, `${bin} not found (CI is set): build it with cargo build`);
  const { run } = server.serverOptions(bin);
  const child = spawn(run.command, run.args, { stdio: ["pipe", "pipe", "inherit"] });
  const exited = new Promise((resolve) => child.on("exit", resolve));
  const c = lsp(child);
  c.send({ id: 1, method: "initialize", params: { processId: null, rootUri: null, capabilities: {} } });
  const init = await c.waitFor((m) => m.id === 1);
  assert.ok(init.result.capabilities.hoverProvider, JSON.stringify(init.result.capabilities));
  c.send({ method: "initialized", params: {} });
  c.send({
    method: "textDocument/didOpen",
    params: { textDocument: { uri: "file:///tmp/x.formula", languageId: "batch-autoscale", version: 1, text: "$TargetDedicatedNodes = Max(1, 2);" } },
  });
  const diags = await c.waitFor((m) => m.method === "textDocument/publishDiagnostics");
  assert.deepStrictEqual(diags.params.diagnostics.map((d) => d.code), ["E210"]);
  c.send({ id: 2, method: "shutdown" });
  await c.waitFor((m) => m.id === 2);
  c.send({ method: "exit" });
  assert.strictEqual(await exited, 0);
});

test("the evaluate command's arguments run eval and give the AutoScaleRun with the trace", { skip }, () => {
  assert.ok(have, `${bin} not found (CI is set): build it with cargo build`);
  const formula = path.join(repo, "examples", "task-based.formula");
  const context = server.contextFor(formula, "");
  assert.strictEqual(context, path.join(repo, "examples", "task-based.context.json"));
  const out = JSON.parse(execFileSync(bin, server.evalArgs(formula, context), { encoding: "utf8" }));
  assert.match(out.run.results, /^\$TargetDedicatedNodes=17;/);
  assert.ok(out.trace.length > 5);
});
