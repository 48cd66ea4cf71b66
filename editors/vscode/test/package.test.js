// The manifest and the built .vsix: what VS Code needs to load the extension.
"use strict";
const test = require("node:test");
const assert = require("node:assert");
const fs = require("node:fs");
const path = require("node:path");
const zlib = require("node:zlib");

const root = path.join(__dirname, "..");
const manifest = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));

/** Entries of a zip file (name -> contents), from its central directory. */
function unzip(file) {
  const buf = fs.readFileSync(file);
  let eocd = buf.length - 22;
  while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  assert.ok(eocd >= 0, `${file}: not a zip file`);
  const count = buf.readUInt16LE(eocd + 10);
  let at = buf.readUInt32LE(eocd + 16);
  const entries = new Map();
  for (let i = 0; i < count; i++) {
    assert.strictEqual(buf.readUInt32LE(at), 0x02014b50, "central directory entry");
    const method = buf.readUInt16LE(at + 10);
    const size = buf.readUInt32LE(at + 20);
    const nameLen = buf.readUInt16LE(at + 28);
    const extraLen = buf.readUInt16LE(at + 30);
    const commentLen = buf.readUInt16LE(at + 32);
    const local = buf.readUInt32LE(at + 42);
    const name = buf.toString("utf8", at + 46, at + 46 + nameLen);
    const dataAt = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const raw = buf.subarray(dataAt, dataAt + size);
    entries.set(name, () => (method === 8 ? zlib.inflateRawSync(raw) : raw));
    at += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

test("the manifest declares the language, grammar, entry point and engine", () => {
  assert.strictEqual(manifest.main, "./src/extension.js");
  assert.match(manifest.engines.vscode, /^\^1\.\d+\.\d+$/);
  const lang = manifest.contributes.languages.find((l) => l.id === "batch-autoscale");
  assert.deepStrictEqual(lang.extensions, [".formula", ".autoscale"]);
  const grammar = manifest.contributes.grammars.find((g) => g.language === "batch-autoscale");
  assert.strictEqual(grammar.scopeName, "source.batch-autoscale");
  const commands = manifest.contributes.commands.map((c) => c.command);
  assert.ok(commands.includes("batchAutoscale.evaluate"));
  assert.ok(manifest.contributes.configuration.properties["batchAutoscale.serverPath"]);
  const conf = JSON.parse(fs.readFileSync(path.join(root, lang.configuration), "utf8"));
  assert.deepStrictEqual(conf.comments, { lineComment: "//" });
  assert.deepStrictEqual(conf.brackets, [["(", ")"]]);
});

test("the .vsix holds the extension, its grammar and its runtime dependencies", () => {
  const vsix = path.join(root, `batch-autoscale-${manifest.version}.vsix`);
  assert.ok(fs.existsSync(vsix), `${vsix} is missing: run \`npm run package\` first`);
  const entries = unzip(vsix);
  for (const name of [
    "extension.vsixmanifest",
    "extension/package.json",
    "extension/language-configuration.json",
    "extension/src/extension.js",
    "extension/src/server.js",
    "extension/syntaxes/batch-autoscale.tmLanguage.json",
    "extension/node_modules/vscode-languageclient/node.js",
    "extension/node_modules/vscode-jsonrpc/package.json",
  ]) {
    assert.ok(entries.has(name), `${name} not in the .vsix`);
  }
  for (const name of entries.keys()) {
    assert.ok(!name.startsWith("extension/test/"), `${name}: tests are not shipped`);
    assert.ok(!name.includes("node_modules/@vscode/vsce/"), `${name}: build tools are not shipped`);
  }
  const packaged = JSON.parse(entries.get("extension/package.json")().toString("utf8"));
  assert.strictEqual(packaged.main, manifest.main);
  const shipped = entries.get("extension/syntaxes/batch-autoscale.tmLanguage.json")().toString("utf8");
  const source = fs.readFileSync(path.join(root, "..", "..", "grammar", "batch-autoscale.tmLanguage.json"), "utf8");
  assert.strictEqual(shipped, source, "the shipped grammar is the repository's grammar");
  // Every module the extension requires is in the package.
  const ext = entries.get("extension/src/extension.js")().toString("utf8");
  for (const [, mod] of ext.matchAll(/require\("([^"]+)"\)/g)) {
    if (mod === "vscode" || mod.startsWith("node:") || mod.startsWith(".")) continue;
    const top = mod.split("/")[0];
    assert.ok(entries.has(`extension/node_modules/${top}/package.json`), `${mod} is required but not packaged`);
  }
});
