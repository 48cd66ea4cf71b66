// Copies the one TextMate grammar (grammar/ at the repository root) into the extension, so the
// packaged extension and the repository never disagree.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const from = path.join(__dirname, "..", "..", "..", "grammar", "batch-autoscale.tmLanguage.json");
const to = path.join(__dirname, "..", "syntaxes", "batch-autoscale.tmLanguage.json");
JSON.parse(fs.readFileSync(from, "utf8")); // refuse to ship a grammar that is not JSON
fs.mkdirSync(path.dirname(to), { recursive: true });
fs.copyFileSync(from, to);
console.log(`grammar: ${path.relative(process.cwd(), from)} -> ${path.relative(process.cwd(), to)}`);
