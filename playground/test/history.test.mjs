// Metric histories pasted into the replay, and the shareable fragment (plain Node, no browser).
import { test } from "node:test";
import assert from "node:assert";
import { parseHistory, generateHistory, parseTime } from "../src/history.js";
import { encodeState, decodeState } from "../src/share.js";

const T = Date.UTC(2026, 10, 23, 12, 0, 0);

test("wide CSV: one column per metric, an empty cell is a missing sample", () => {
  const h = parseHistory("timestamp,$PendingTasks,$ActiveTasks\n2026-11-23T12:00:30Z,5,\n2026-11-23T12:00:00Z,3,1\n");
  assert.deepStrictEqual(h, { $PendingTasks: [[T, 3], [T + 30_000, 5]], $ActiveTasks: [[T, 1]] });
});

test("long CSV and JSON give the same history", () => {
  const long = parseHistory(
    "# comment\ntimestamp,metric,value\n2026-11-23T13:30:00+01:00,$PendingTasks,4\n2026-11-23T12:00:00Z,$PendingTasks,3\n",
  );
  const want = { $PendingTasks: [[T, 3], [T + 1_800_000, 4]] };
  assert.deepStrictEqual(long, want);
  const json = parseHistory(JSON.stringify({ $PendingTasks: [["2026-11-23T12:00:00Z", 3], [T + 1_800_000, 4]] }));
  assert.deepStrictEqual(json, want);
});

test("mistakes are reported with their line and column", () => {
  assert.throws(() => parseHistory("time,$PendingTasks\n"), /line 1, column 1: the header must start with `timestamp`/);
  assert.throws(() => parseHistory("timestamp,PendingTasks\n"), /line 1, column 2: "PendingTasks" is not a metric name/);
  assert.throws(() => parseHistory("timestamp,$PendingTasks\n2026-11-23T12:00:00,1\n"), /line 2, column 1: .* with a zone/);
  assert.throws(() => parseHistory("timestamp,$PendingTasks\n2026-11-23T12:00:00Z,1,2\n"), /line 2, column 1: 3 fields, the header has 2/);
  assert.throws(() => parseHistory("timestamp,$PendingTasks\n2026-11-23T12:00:00Z,NaN\n"), /line 2, column 2: "NaN" is not a number/);
  assert.throws(() => parseHistory("timestamp,$PendingTasks\n2026-11-23T12:00:00Z,1\n2026-11-23T12:00:00Z,2\n"), /two samples of \$PendingTasks/);
  assert.throws(() => parseHistory("timestamp,$PendingTasks\n"), /no samples/);
  assert.throws(() => parseHistory("{"), /JSON/);
  assert.ok(Number.isNaN(parseTime("yesterday")));
});

test("the generated example parses back: 12 hours every 30 s, a few gaps", () => {
  const h = parseHistory(generateHistory());
  assert.strictEqual(h.$ActiveTasks.length, 12 * 120 + 1);
  assert.ok(h.$PendingTasks.length < h.$ActiveTasks.length);
  assert.ok(Math.max(...h.$PendingTasks.map(([, v]) => v)) > 100);
  assert.strictEqual(generateHistory(), generateHistory());
});

test("the fragment round-trips any text, and a damaged one is refused", () => {
  const formula = "// café 😀\n$TargetDedicatedNodes = 1; // + / = &";
  const context = '{"now": "2026-11-23T12:00:00Z"}';
  const fragment = encodeState(formula, context);
  assert.match(fragment, /^f=[A-Za-z0-9_-]+&c=[A-Za-z0-9_-]+$/);
  assert.deepStrictEqual(decodeState(fragment), { formula, context });
  assert.strictEqual(decodeState(""), null);
  assert.strictEqual(decodeState("f=%%%"), null);
  assert.strictEqual(decodeState("f=_w"), null); // not UTF-8
});
