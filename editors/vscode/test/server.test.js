// The client's server options and the evaluate command's arguments.
"use strict";
const test = require("node:test");
const assert = require("node:assert");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const server = require("../src/server");

function fakeExecutable(dir, name, mode = 0o755) {
  const file = path.join(dir, name);
  fs.writeFileSync(file, "#!/bin/sh\n");
  fs.chmodSync(file, mode);
  return file;
}

test("the server is found on PATH and started with `lsp` over stdio", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ba-path-"));
  const exe = fakeExecutable(dir, server.executableName("linux"));
  const resolved = server.resolveServer("", { PATH: `/nonexistent:${dir}` }, "linux");
  assert.deepStrictEqual(resolved, { command: exe });
  const options = server.serverOptions(resolved.command);
  assert.deepStrictEqual(options.run, { command: exe, args: ["lsp"], transport: 0 });
  assert.deepStrictEqual(options.debug, options.run);
});

test("a non-executable file on PATH is skipped", { skip: process.platform === "win32" }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ba-noexec-"));
  fakeExecutable(dir, "batch-autoscale", 0o644);
  const resolved = server.resolveServer("", { PATH: dir }, "linux");
  assert.ok(resolved.error, JSON.stringify(resolved));
});

test("the serverPath setting wins over PATH", () => {
  const a = fs.mkdtempSync(path.join(os.tmpdir(), "ba-a-"));
  const b = fs.mkdtempSync(path.join(os.tmpdir(), "ba-b-"));
  fakeExecutable(a, "batch-autoscale");
  const configured = fakeExecutable(b, "my-server");
  assert.deepStrictEqual(server.resolveServer(configured, { PATH: a }, "linux"), { command: configured });
});

test("a missing server gives a message that says what to do", () => {
  const missing = server.resolveServer("", { PATH: "/nonexistent" }, "linux");
  assert.match(missing.error, /not found on PATH/);
  assert.match(missing.error, /batchAutoscale\.serverPath/);
  const bad = server.resolveServer("/nonexistent/batch-autoscale", { PATH: "" }, "linux");
  assert.match(bad.error, /serverPath setting points to "\/nonexistent\/batch-autoscale"/);
});

test("the client selects batch-autoscale documents, saved or not", () => {
  const langs = server.clientOptions().documentSelector.map((s) => `${s.scheme}:${s.language}`);
  assert.deepStrictEqual(langs, ["file:batch-autoscale", "untitled:batch-autoscale"]);
});

test("evaluate uses the context beside the formula", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ba-ctx-"));
  const formula = path.join(dir, "pool.formula");
  fs.writeFileSync(formula, "$TargetDedicatedNodes = 1;");
  assert.strictEqual(server.contextFor(formula, ""), undefined);
  fs.writeFileSync(path.join(dir, "pool.context.json"), "{}");
  assert.strictEqual(server.contextFor(formula, ""), path.join(dir, "pool.context.json"));
  fs.writeFileSync(path.join(dir, "pool.formula.context.json"), "{}");
  assert.strictEqual(server.contextFor(formula, ""), path.join(dir, "pool.formula.context.json"));
  assert.strictEqual(server.contextFor(formula, "/x/c.json"), "/x/c.json");
  assert.deepStrictEqual(server.evalArgs(formula, "/x/c.json"), [
    "eval", formula, "--format", "json", "--trace", "--color", "never", "--context", "/x/c.json",
  ]);
});
