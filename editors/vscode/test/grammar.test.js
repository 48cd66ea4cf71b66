// The TextMate grammar under VS Code's own engine (vscode-textmate + vscode-oniguruma): every
// non-space token of the shipped examples and of the 96 corpus formulas (../shared/corpus) gets
// a scope of its own, and none of them is `invalid`.
"use strict";
const test = require("node:test");
const assert = require("node:assert");
const fs = require("node:fs");
const path = require("node:path");
const vsctm = require("vscode-textmate");
const oniguruma = require("vscode-oniguruma");

const repo = path.join(__dirname, "..", "..", "..");
const grammarFile = path.join(repo, "grammar", "batch-autoscale.tmLanguage.json");
const ROOT = "source.batch-autoscale";

let grammarPromise;
function loadGrammar() {
  grammarPromise ??= (async () => {
    const wasm = fs.readFileSync(path.join(path.dirname(require.resolve("vscode-oniguruma")), "onig.wasm"));
    await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
    const registry = new vsctm.Registry({
      onigLib: Promise.resolve({
        createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
        createOnigString: (s) => new oniguruma.OnigString(s),
      }),
      loadGrammar: async (scopeName) =>
        scopeName === ROOT ? vsctm.parseRawGrammar(fs.readFileSync(grammarFile, "utf8"), grammarFile) : null,
    });
    return registry.loadGrammar(ROOT);
  })();
  return grammarPromise;
}

/** The tokens of `src`: text, line (1-based), column (1-based), and the innermost scope. */
async function tokenize(src) {
  const grammar = await loadGrammar();
  const out = [];
  let state = vsctm.INITIAL;
  src.split(/\r?\n/).forEach((line, i) => {
    const r = grammar.tokenizeLine(line, state);
    for (const t of r.tokens) {
      const text = line.slice(t.startIndex, t.endIndex);
      // A token may hold spaces around its text (the root scope between rules): split them off.
      for (const m of text.matchAll(/\S+/g)) {
        out.push({ text: m[0], line: i + 1, col: t.startIndex + m.index + 1, scopes: t.scopes });
      }
    }
    state = r.ruleStack;
  });
  return out;
}

/** Tokens with no scope beyond the root; with `strict`, also those scoped `invalid`. */
function unscoped(tokens, strict = true) {
  return tokens.filter((t) => t.scopes.length < 2 || (strict && t.scopes.some((s) => s.startsWith("invalid"))));
}

function describe(file, tokens) {
  return tokens
    .slice(0, 10)
    .map((t) => `${file}:${t.line}:${t.col} ${JSON.stringify(t.text)} ${t.scopes.join(" ")}`)
    .join("\n");
}

function formulasIn(dir) {
  return fs
    .readdirSync(dir, { recursive: true })
    .filter((f) => f.endsWith(".formula"))
    .map((f) => path.join(dir, f))
    .sort();
}

/** Every token of `files` has a scope; `invalid` only in the files `mayBeInvalid` names. */
async function assertAllScoped(files, mayBeInvalid = () => false) {
  let count = 0;
  for (const file of files) {
    const tokens = await tokenize(fs.readFileSync(file, "utf8"));
    count += tokens.length;
    const bad = unscoped(tokens, !mayBeInvalid(file));
    assert.strictEqual(bad.length, 0, `tokens without a scope (or invalid):\n${describe(path.relative(repo, file), bad)}`);
  }
  return count;
}

function scopeOf(tokens, text) {
  const t = tokens.find((x) => x.text === text);
  assert.ok(t, `${text} not found as a token`);
  return t.scopes[t.scopes.length - 1];
}

test("each kind of token gets its scope", async () => {
  const tokens = await tokenize(
    [
      "// a comment",
      "startingNumberOfVMs = 1; $samples = $PendingTasks.GetSamplePercent(TimeInterval_Minute * 15);",
      "$t = (time().weekday == 1) && !(maxNumberofVMs >= 2.5) ? max(0, $samples) : Max(1, 2);",
      '$when = time("2026-11-23T12:00:00Z").hour; $x = $y.Foo; $NodeDeallocationOption = taskcompletion;',
    ].join("\n"),
  );
  const want = {
    "//": "comment.line.double-slash.batch-autoscale",
    startingNumberOfVMs: "variable.other.user.batch-autoscale",
    maxNumberofVMs: "variable.other.user.batch-autoscale",
    Max: "variable.other.user.batch-autoscale",
    $samples: "variable.other.user.batch-autoscale",
    $PendingTasks: "variable.language.service.batch-autoscale",
    GetSamplePercent: "support.function.method.batch-autoscale",
    TimeInterval_Minute: "constant.language.timeinterval.batch-autoscale",
    weekday: "variable.other.property.batch-autoscale",
    hour: "variable.other.property.batch-autoscale",
    max: "support.function.batch-autoscale",
    "2.5": "constant.numeric.batch-autoscale",
    '"2026-11-23T12:00:00Z"': "string.quoted.double.batch-autoscale",
    taskcompletion: "constant.language.deallocation.batch-autoscale",
    "&&": "keyword.operator.batch-autoscale",
    ";": "punctuation.separator.batch-autoscale",
    Foo: "variable.other.user.batch-autoscale",
  };
  for (const [text, scope] of Object.entries(want)) assert.strictEqual(scopeOf(tokens, text), scope, text);
  const parens = tokens.filter((t) => /^[()]+$/.test(t.text) || t.text.startsWith("(") || t.text.startsWith(")"));
  assert.ok(parens.length > 0);
  for (const t of tokens.filter((t) => t.text === "(")) {
    assert.strictEqual(t.scopes.at(-1), "punctuation.section.parens.begin.batch-autoscale");
  }
  for (const t of tokens.filter((t) => t.text === ")")) {
    assert.strictEqual(t.scopes.at(-1), "punctuation.section.parens.end.batch-autoscale");
  }
  assert.strictEqual(unscoped(tokens).length, 0, describe("inline", unscoped(tokens)));
});

test("what the lexer rejects is marked invalid, not left bare", async () => {
  const tokens = await tokenize("$a = 'x' & 1e3 # .5;");
  for (const text of ["'x'", "&", "#"]) {
    assert.ok(tokens.find((t) => t.text === text)?.scopes.at(-1).startsWith("invalid"), text);
  }
  assert.ok(tokens.every((t) => t.scopes.length >= 2));
});

test("every token of the shipped examples has a scope", async () => {
  const files = formulasIn(path.join(repo, "examples"));
  assert.ok(files.length >= 5, `only ${files.length} example formulas`);
  const count = await assertAllScoped(files);
  assert.ok(count > 200, `only ${count} tokens`);
});

const corpus = path.join(repo, "..", "shared", "corpus");
const haveCorpus = fs.existsSync(corpus);
if (!haveCorpus && process.env.CI) {
  test("the corpus is present (CI is set)", () => {
    assert.fail(`${corpus} not found; the grammar test reads ../shared/corpus beside the project`);
  });
}

test("every token of the 96 corpus formulas has a scope", { skip: haveCorpus ? false : `${corpus} not found` }, async () => {
  const files = formulasIn(corpus);
  assert.strictEqual(files.length, 96);
  // Formulas the service rejects (e.g. a `{pool.X}` template placeholder) may hold characters the
  // lexer rejects: those are scoped `invalid.illegal`, never left bare.
  const expectations = JSON.parse(fs.readFileSync(path.join(corpus, "expectations.json"), "utf8"));
  const rejected = new Set(expectations.filter((e) => !e.accept).map((e) => e.file));
  assert.ok(rejected.size < 20, `${rejected.size} rejected formulas`);
  const count = await assertAllScoped(files, (file) => rejected.has(path.basename(file)));
  console.log(`# corpus: ${count} tokens in ${files.length} formulas, each with a scope`);
  assert.ok(count > 7000, `only ${count} tokens`);
});
