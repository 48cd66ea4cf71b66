//! The language server driven over stdio as an editor drives it.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::Duration;

use serde_json::{json, Value};

struct Client {
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<Value>,
    next_id: i64,
}

impl Client {
    fn start() -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_batch-autoscale"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut length = 0usize;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(v) = line.strip_prefix("Content-Length: ") {
                        length = v.parse().unwrap();
                    }
                }
                let mut body = vec![0; length];
                if reader.read_exact(&mut body).is_err() {
                    return;
                }
                if tx.send(serde_json::from_slice::<Value>(&body).unwrap()).is_err() {
                    return;
                }
            }
        });
        Client {
            child,
            stdin,
            messages: rx,
            next_id: 1,
        }
    }

    fn send_raw(&mut self, body: &str) {
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    /// Write bytes as they are, framing included.
    fn send_bytes(&mut self, bytes: &[u8]) {
        self.stdin.write_all(bytes).unwrap();
        self.stdin.flush().unwrap();
    }

    /// Initialize as an editor does.
    fn initialize(&mut self) {
        let init = self.request("initialize", json!({"processId": null, "capabilities": {}}));
        assert!(init["result"]["capabilities"].is_object(), "{init}");
        self.notify("initialized", json!({}));
    }

    fn open(&mut self, uri: &str, text: &str) -> Vec<Value> {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "batch-autoscale", "version": 1, "text": text}}),
        );
        self.diagnostics(uri)
    }

    /// The labels of a completion at `line`:`character` of `URI`.
    fn completion_labels(&mut self, line: u32, character: u32) -> Vec<String> {
        let r = self.request("textDocument/completion", pos(line, character));
        r["result"]
            .as_array()
            .unwrap_or_else(|| panic!("a list: {r}"))
            .iter()
            .map(|i| i["label"].as_str().unwrap().to_string())
            .collect()
    }

    fn hover_text(&mut self, line: u32, character: u32) -> String {
        let h = self.request("textDocument/hover", pos(line, character));
        h["result"]["contents"]["value"].as_str().unwrap_or("").to_string()
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send_raw(&json!({"jsonrpc": "2.0", "method": method, "params": params}).to_string());
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send_raw(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}).to_string());
        loop {
            let m = self.next();
            if m["id"] == json!(id) {
                return m;
            }
        }
    }

    fn next(&mut self) -> Value {
        self.messages
            .recv_timeout(Duration::from_secs(20))
            .expect("the server answers within 20 s")
    }

    /// The next publishDiagnostics notification for `uri`.
    fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        loop {
            let m = self.next();
            if m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri {
                return m["params"]["diagnostics"].as_array().unwrap().clone();
            }
        }
    }

    fn finish(mut self) {
        let r = self.request("shutdown", Value::Null);
        assert!(r["error"].is_null(), "{r}");
        self.notify("exit", Value::Null);
        let status = wait(&mut self.child);
        assert!(status.success(), "exit status {status:?}");
    }
}

fn wait(child: &mut Child) -> std::process::ExitStatus {
    for _ in 0..200 {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    panic!("the server did not exit");
}

const URI: &str = "file:///work/pool.formula";

fn pos(line: u32, character: u32) -> Value {
    json!({"textDocument": {"uri": URI}, "position": {"line": line, "character": character}})
}

#[test]
fn an_editor_session() {
    let mut c = Client::start();
    let init = c.request("initialize", json!({"processId": null, "rootUri": null, "capabilities": {}}));
    assert_eq!(init["result"]["capabilities"]["textDocumentSync"]["change"], 2);
    c.notify("initialized", json!({}));

    // An emoji (two UTF-16 units) and an accented letter before the mistakes.
    let text = "// pool 😀 é\n$tasks = max(0, $PendingTasks.GetSample(1));\n$TargetDedicatedNodes = Max(1, $tasks);\n$NodeDeallocationOption = taskcompletion;\n";
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": URI, "languageId": "batch-autoscale", "version": 1, "text": text}}),
    );
    let diags = c.diagnostics(URI);
    let max = diags.iter().find(|d| d["code"] == "E210").expect("case mismatch on Max");
    assert_eq!(max["range"]["start"], json!({"line": 2, "character": 24}));
    assert_eq!(max["severity"], 1);

    // Incremental change on the first line, after the emoji: UTF-16 columns.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": 2}, "contentChanges": [
            {"range": {"start": {"line": 0, "character": 11}, "end": {"line": 0, "character": 12}}, "text": "e"},
            {"range": {"start": {"line": 2, "character": 24}, "end": {"line": 2, "character": 27}}, "text": "max"}
        ]}),
    );
    let diags = c.diagnostics(URI);
    assert!(diags.iter().all(|d| d["severity"] != 1), "no errors left: {diags:?}");

    // Hover: a built-in variable, a function, a user variable.
    let h = c.request("textDocument/hover", pos(1, 20));
    assert!(
        h["result"]["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("$ActiveTasks + $RunningTasks"),
        "{h}"
    );
    let h = c.request("textDocument/hover", pos(2, 25));
    assert!(
        h["result"]["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("double max(doubleVecList)"),
        "{h}"
    );
    let h = c.request("textDocument/hover", pos(2, 33));
    let v = h["result"]["contents"]["value"].as_str().unwrap();
    assert!(v.contains("(variable) $tasks: double") && v.contains("$tasks = max(0"), "{v}");

    // Completion: methods after `.` on a metric, fields after `time().`, keywords after the option.
    c.notify("textDocument/didChange", json!({"textDocument": {"uri": URI, "version": 3}, "contentChanges": [{"text": "$x = $PendingTasks.\n$h = time().\n$NodeDeallocationOption = \n$y = Time"}]}));
    let _ = c.diagnostics(URI);
    let labels = |r: &Value| {
        r["result"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["label"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    let methods = labels(&c.request("textDocument/completion", pos(0, 19)));
    assert!(
        methods.contains(&"GetSample".to_string()) && !methods.contains(&"hour".to_string()),
        "{methods:?}"
    );
    let fields = labels(&c.request("textDocument/completion", pos(1, 12)));
    assert!(
        fields.contains(&"weekday".to_string()) && !fields.contains(&"GetSample".to_string()),
        "{fields:?}"
    );
    let keywords = labels(&c.request("textDocument/completion", pos(2, 26)));
    assert_eq!(keywords, ["requeue", "terminate", "taskcompletion", "retaineddata"]);
    let constants = labels(&c.request("textDocument/completion", pos(3, 9)));
    assert!(constants.contains(&"TimeInterval_Minute".to_string()), "{constants:?}");

    // Signature help inside a call.
    c.notify("textDocument/didChange", json!({"textDocument": {"uri": URI, "version": 4}, "contentChanges": [{"text": "$v = $PendingTasks.GetSample(TimeInterval_Minute, "}]}));
    let _ = c.diagnostics(URI);
    let s = c.request("textDocument/signatureHelp", pos(0, 50));
    assert_eq!(s["result"]["activeParameter"], 1);
    assert!(s["result"]["signatures"][0]["label"].as_str().unwrap().contains("GetSample"), "{s}");

    // Formatting, definition, references, code actions.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": 5}, "contentChanges": [{"text": "$a=1;\n$TargetDedicated=$a+$a"}]}),
    );
    let diags = c.diagnostics(URI);
    let f = c.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": URI}, "options": {"tabSize": 4, "insertSpaces": true}}),
    );
    assert_eq!(f["result"][0]["newText"], "$a = 1;\n$TargetDedicated = $a + $a;\n");
    let d = c.request("textDocument/definition", pos(1, 18));
    assert_eq!(d["result"]["range"]["start"], json!({"line": 0, "character": 0}));
    assert_eq!(d["result"]["uri"], URI);
    let r = c.request(
        "textDocument/references",
        json!({"textDocument": {"uri": URI}, "position": {"line": 0, "character": 1}, "context": {"includeDeclaration": true}}),
    );
    assert_eq!(r["result"].as_array().unwrap().len(), 3);
    let alias = diags.iter().find(|d| d["code"] == "W303").expect("alias warning");
    let a = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": URI}, "range": alias["range"], "context": {"diagnostics": [alias]}}),
    );
    let edit = &a["result"][0]["edit"]["changes"][URI][0];
    assert_eq!(edit["newText"], "$TargetDedicatedNodes");

    c.finish();
}

#[test]
fn the_server_survives_what_editors_throw_at_it() {
    let mut c = Client::start();
    c.request("initialize", json!({"processId": null, "capabilities": {}}));
    // Malformed JSON: a parse error, and the server keeps going.
    c.send_raw("{ this is not json");
    let e = c.next();
    assert_eq!(e["error"]["code"], -32700);
    // Unknown request: MethodNotFound; unknown notification: ignored.
    let r = c.request("workspace/frobnicate", json!({}));
    assert_eq!(r["error"]["code"], -32601);
    c.notify("$/unknownNotification", json!({}));
    // Requests for a document that was never opened.
    let h = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": "file:///nope.formula"}, "position": {"line": 0, "character": 0}}),
    );
    assert!(h["result"].is_null() && h["error"].is_null(), "{h}");
    // A 1 MB document: answered at once with the size error.
    let big = "$TargetDedicatedNodes = 1; // padding padding padding\n".repeat(20_000);
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": URI, "languageId": "batch-autoscale", "version": 1, "text": big}}),
    );
    let diags = c.diagnostics(URI);
    assert_eq!(diags[0]["code"], "E100");
    // Incremental edits deep inside it, each answered; the last line is still reachable.
    for k in 0..10 {
        c.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": URI, "version": 2 + k}, "contentChanges": [
                {"range": {"start": {"line": 19_999, "character": 24}, "end": {"line": 19_999, "character": 25}}, "text": k.to_string()}
            ]}),
        );
    }
    for _ in 0..10 {
        assert_eq!(c.diagnostics(URI)[0]["code"], "E100");
    }
    // Past 1 MiB the server does not tokenize (128 times the service's limit): no hover, but
    // an answer.
    let h = c.request("textDocument/hover", pos(19_999, 3));
    assert!(h["error"].is_null() && h["result"].is_null(), "{h}");
    let f = c.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": URI}, "options": {"tabSize": 4, "insertSpaces": true}}),
    );
    // Over the size limit (D3): formatting refuses with a message, and the server goes on.
    assert_eq!(f["error"]["code"], -32803, "{f}");
    assert!(f["error"]["message"].as_str().unwrap().contains("over the limit of 8192"), "{f}");
    // Garbage only.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": 20}, "contentChanges": [{"text": "\u{0}\u{1}}}{{ ))) ;;; $ $$ \"\" ' & | ^ % @"}]}),
    );
    assert!(!c.diagnostics(URI).is_empty());
    // A burst of a thousand changes.
    for k in 0..1000 {
        c.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": URI, "version": 21 + k}, "contentChanges": [{"text": format!("$TargetDedicatedNodes = {k};")}]}),
        );
    }
    let mut last = Vec::new();
    for _ in 0..1000 {
        last = c.diagnostics(URI);
    }
    assert!(last.iter().all(|d| d["severity"] != 1));
    // Still answering.
    let h = c.request("textDocument/hover", pos(0, 3));
    assert!(h["result"]["contents"]["value"].as_str().unwrap().contains("$TargetDedicatedNodes"));
    c.finish();
}

#[test]
fn completion_offers_what_fits_where_the_cursor_is() {
    let mut c = Client::start();
    c.initialize();
    let text = [
        "$now = time();",                                        // 0
        "$n = $CurrentDedicatedNodes;",                          // 1
        "$a = $PendingTasks.;",                                  // 2: methods (col 19)
        "$b = $CurrentDedicatedNodes.;",                         // 3: nothing (col 28)
        "$c = $n.;",                                             // 4: nothing (col 8)
        "$d = $now.;",                                           // 5: fields (col 10)
        "$e = $Pen;",                                            // 6: `$` variables (col 9)
        "$f = TimeInterval_M;",                                  // 7: constants (col 19)
        "$g = av;",                                              // 8: functions (col 7)
        "$NodeDeallocationOption =",                             // 9
        "  ;",                                                   // 10: keywords (col 2)
        "$NodeDeallocationOption = $n > 1 ? taskcompletion : ;", // 11: keywords (col 52)
        "// $Pen in a comment",                                  // 12 (col 7)
        "$s = \"$Pen in a string\";",                            // 13 (col 10)
        "$h = ;",                                                // 14: assigned variables (col 5)
        "$later = 1;",                                           // 15
        "$i = $PendingTasks.HistoryBeginTime().;",               // 16: fields (col 38)
        "$j = $PendingTasks.Count().;",                          // 17: nothing (col 27)
    ]
    .join("\n");
    c.open(URI, &text);
    let methods = c.completion_labels(2, 19);
    let mut want: Vec<String> = batch_autoscale::builtins::METHODS.iter().map(|m| m.name.to_string()).collect();
    assert_eq!(methods, want, "sample methods after `.` on a sampled metric");
    assert_eq!(c.completion_labels(3, 28), Vec::<String>::new(), "a scalar has no methods");
    assert_eq!(c.completion_labels(4, 8), Vec::<String>::new(), "a double variable has no methods");
    want = batch_autoscale::builtins::FIELDS.iter().map(|f| f.name.to_string()).collect();
    assert_eq!(
        c.completion_labels(5, 10),
        want,
        "timestamp fields after `.` on a timestamp variable"
    );
    let dollar = c.completion_labels(6, 9);
    assert_eq!(dollar, ["$PendingTasks"], "service variables after `$`");
    let constants = c.completion_labels(7, 19);
    assert!(
        constants.contains(&"TimeInterval_Minute".to_string()) && constants.iter().all(|l| l.starts_with("TimeInterval_M")),
        "{constants:?}"
    );
    assert_eq!(c.completion_labels(8, 7), ["avg"], "functions");
    let keywords = ["requeue", "terminate", "taskcompletion", "retaineddata"];
    assert_eq!(
        c.completion_labels(10, 2),
        keywords,
        "keywords on the line after `$NodeDeallocationOption =`"
    );
    assert_eq!(c.completion_labels(11, 52), keywords, "keywords in a branch of the value");
    assert_eq!(c.completion_labels(12, 7), Vec::<String>::new(), "nothing inside a comment");
    assert_eq!(c.completion_labels(13, 10), Vec::<String>::new(), "nothing inside a string");
    let anywhere = c.completion_labels(14, 5);
    for name in ["$now", "$n", "$g", "$s", "$PendingTasks", "max", "TimeInterval_Hour"] {
        assert!(anywhere.contains(&name.to_string()), "{name} in {anywhere:?}");
    }
    assert!(!anywhere.contains(&"$later".to_string()), "not yet assigned: {anywhere:?}");
    assert!(!anywhere.contains(&"GetSample".to_string()) && !anywhere.contains(&"requeue".to_string()));
    assert_eq!(
        c.completion_labels(16, 38),
        want,
        "timestamp fields after a method that returns a timestamp"
    );
    assert_eq!(
        c.completion_labels(17, 27),
        Vec::<String>::new(),
        "a method that returns a double has no fields"
    );
    c.finish();
}

#[test]
fn hover_definition_and_references() {
    let mut c = Client::start();
    c.initialize();
    let text = "$w = TimeInterval_Minute * 5;\n$v = $PendingTasks.GetSample($w, 50);\n$t = lg(2);\n$w = $w * 2;\n$TargetDedicatedNodes = len($v) + $CurrentDedicatedNodes;\n$NodeDeallocationOption = requeue;";
    c.open(URI, text);
    let method = c.hover_text(1, 22);
    for s in batch_autoscale::builtins::lookup_method("GetSample").unwrap().signatures {
        assert!(method.contains(s), "every overload of GetSample, {s:?}: {method}");
    }
    let lg = c.hover_text(2, 5);
    assert!(lg.contains(batch_autoscale::builtins::lookup_function("lg").unwrap().doc), "{lg}");
    assert!(c.hover_text(0, 10).contains("TimeInterval_Minute: timeinterval = 00:01:00"));
    assert!(c.hover_text(5, 28).contains("(deallocation keyword) requeue"));
    assert!(c.hover_text(4, 40).contains("$CurrentDedicatedNodes: double, read-only"));
    // A user variable: its inferred type and the statement that assigned it.
    let v = c.hover_text(4, 29);
    assert!(
        v.contains("(variable) $v: doubleVec") && v.contains("$v = $PendingTasks.GetSample($w, 50)\n"),
        "{v}"
    );
    // The assignment that reaches a read: the second `$w` statement for reads after it.
    let d = c.request("textDocument/definition", pos(1, 30));
    assert_eq!(d["result"]["range"]["start"], json!({"line": 0, "character": 0}), "{d}");
    let w = c.hover_text(3, 1);
    assert!(w.contains("$w = $w * 2\n"), "{w}");
    let refs = |c: &mut Client, include: bool| {
        let r = c.request(
            "textDocument/references",
            json!({"textDocument": {"uri": URI}, "position": {"line": 3, "character": 6}, "context": {"includeDeclaration": include}}),
        );
        r["result"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                (
                    l["range"]["start"]["line"].as_u64().unwrap(),
                    l["range"]["start"]["character"].as_u64().unwrap(),
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(refs(&mut c, true), [(0, 0), (1, 29), (3, 0), (3, 5)]);
    assert_eq!(refs(&mut c, false), [(1, 29), (3, 5)]);
    // Nothing to say on punctuation or whitespace.
    let h = c.request("textDocument/hover", pos(0, 3));
    assert!(h["result"].is_null() && h["error"].is_null(), "{h}");
    c.finish();
}

#[test]
fn typing_a_formula_one_keystroke_at_a_time() {
    // A thousand incremental changes, with non-ASCII text in comments, must leave exactly the
    // text that was typed: formatting and diagnostics then agree with the library's.
    let mut c = Client::start();
    c.initialize();
    c.open(URI, "");
    let line = "// coût 😀 ≥ 2\n$tasks = max(0, $PendingTasks.GetSample(1)); // tâches\n$TargetDedicatedNodes = min(10, $tasks)\n";
    let mut typed = String::new();
    let (mut l, mut ch) = (0u32, 0u32);
    let mut version = 1;
    while typed.chars().count() < 1000 {
        for k in line.chars() {
            version += 1;
            c.notify(
                "textDocument/didChange",
                json!({"textDocument": {"uri": URI, "version": version}, "contentChanges": [
                    {"range": {"start": {"line": l, "character": ch}, "end": {"line": l, "character": ch}}, "text": k.to_string()}
                ]}),
            );
            typed.push(k);
            if k == '\n' {
                (l, ch) = (l + 1, 0);
            } else {
                ch += k.len_utf16() as u32;
            }
        }
    }
    let mut last = Vec::new();
    for _ in 1..version {
        last = c.diagnostics(URI);
    }
    let mut got: Vec<&str> = last.iter().map(|d| d["code"].as_str().unwrap()).collect();
    let analysis = batch_autoscale::check(&typed);
    let mut want: Vec<&str> = analysis.diagnostics.iter().map(|d| d.code.as_str()).collect();
    got.sort();
    want.sort();
    assert_eq!(got, want);
    let f = c.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": URI}, "options": {"tabSize": 4, "insertSpaces": true}}),
    );
    match batch_autoscale::format(&typed).ok() {
        Some(formatted) => assert_eq!(f["result"][0]["newText"], formatted.as_str(), "{f}"),
        None => assert!(f["result"].is_null(), "{f}"),
    }
    c.finish();
}

#[test]
fn protocol_errors_are_answered_and_the_server_stays_up() {
    let mut c = Client::start();
    // Before `initialize`: requests get ServerNotInitialized, notifications are dropped.
    let r = c.request("textDocument/hover", pos(0, 0));
    assert_eq!(r["error"]["code"], -32002, "{r}");
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": URI, "languageId": "batch-autoscale", "version": 1, "text": "$a = ;"}}),
    );
    c.initialize();
    // The document opened before `initialize` was dropped.
    let h = c.request("textDocument/hover", pos(0, 1));
    assert!(h["result"].is_null(), "{h}");
    c.open(URI, "$a = 1;\n$TargetDedicatedNodes = $a;");
    // Parameters that do not fit the method: InvalidParams.
    for (method, params) in [
        ("textDocument/hover", json!({"textDocument": {"uri": URI}})),
        (
            "textDocument/hover",
            json!({"textDocument": {"uri": URI}, "position": {"line": -1, "character": 0}}),
        ),
        ("textDocument/completion", json!({"position": {"line": 0, "character": 0}})),
        ("textDocument/definition", json!("not an object")),
        (
            "textDocument/references",
            json!({"textDocument": {"uri": URI}, "position": {"line": 0, "character": "x"}}),
        ),
        ("textDocument/formatting", Value::Null),
        ("textDocument/codeAction", json!({"textDocument": {"uri": URI}})),
        (
            "textDocument/signatureHelp",
            json!({"textDocument": {"uri": 7}, "position": {"line": 0, "character": 0}}),
        ),
    ] {
        let r = c.request(method, params.clone());
        assert_eq!(r["error"]["code"], -32602, "{method} {params}: {r}");
    }
    // A position past the end of a line or of the document is clamped, not an error.
    let h = c.request("textDocument/hover", pos(1, 500));
    assert!(h["error"].is_null(), "{h}");
    let h = c.request("textDocument/hover", pos(99, 0));
    assert!(h["error"].is_null(), "{h}");
    // A request without `method`, or with a bad `id`: InvalidRequest.
    c.send_raw(r#"{"jsonrpc": "2.0", "id": 99}"#);
    assert_eq!(c.next()["error"]["code"], -32600);
    c.send_raw(r#"{"jsonrpc": "2.0", "id": [1], "method": "textDocument/hover"}"#);
    assert_eq!(c.next()["error"]["code"], -32600);
    // Framing mistakes: a header block without Content-Length, a Content-Length that is not a
    // number, a body that is not UTF-8. Each gets a parse error; the next message is served.
    c.send_bytes(b"Content-Type: application/json\r\n\r\n");
    assert_eq!(c.next()["error"]["code"], -32700);
    c.send_bytes(b"Content-Length: lots\r\n\r\n");
    assert_eq!(c.next()["error"]["code"], -32700);
    c.send_bytes(b"Content-Length: 3\r\n\r\n\xff\xfe\xfd");
    assert_eq!(c.next()["error"]["code"], -32700);
    // A didChange whose range cuts an emoji in half, and one far outside the text.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": 2}, "contentChanges": [{"text": "// 😀\n$TargetDedicatedNodes = 1;"}]}),
    );
    let _ = c.diagnostics(URI);
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": 3}, "contentChanges": [
            {"range": {"start": {"line": 0, "character": 4}, "end": {"line": 0, "character": 4}}, "text": "x"},
            {"range": {"start": {"line": 40, "character": 0}, "end": {"line": 50, "character": 0}}, "text": "\n$y = 2;"}
        ]}),
    );
    assert!(c.diagnostics(URI).iter().all(|d| d["severity"] != 1));
    // Notifications with bad parameters are logged, not fatal.
    c.notify("textDocument/didChange", json!({"textDocument": {"uri": URI}}));
    let log = c.next();
    assert_eq!(log["method"], "window/logMessage", "{log}");
    // After shutdown: other requests are InvalidRequest, and the server waits for `exit`.
    let r = c.request("shutdown", Value::Null);
    assert!(r["error"].is_null(), "{r}");
    let r = c.request("textDocument/hover", pos(0, 0));
    assert_eq!(r["error"]["code"], -32600, "{r}");
    std::thread::sleep(Duration::from_millis(200));
    assert!(c.child.try_wait().unwrap().is_none(), "the server exited before `exit`");
    c.notify("exit", Value::Null);
    assert_eq!(wait(&mut c.child).code(), Some(0));
}

#[test]
fn exit_status_follows_the_protocol() {
    // `exit` without `shutdown`: status 1.
    let mut c = Client::start();
    c.initialize();
    c.notify("exit", Value::Null);
    assert_eq!(wait(&mut c.child).code(), Some(1));
    // The editor goes away (end of input) without `exit`: the server ends, status 1.
    let mut c = Client::start();
    c.initialize();
    let Client { mut child, stdin, .. } = c;
    drop(stdin);
    assert_eq!(wait(&mut child).code(), Some(1));
}

/// The server's peak resident size, in KiB (Linux), or `None` where it cannot be read.
fn peak_rss_kib(child: &Child) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{}/status", child.id())).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[test]
fn broken_framing_is_answered_and_the_reader_finds_the_next_message() {
    let mut c = Client::start();
    c.initialize();
    c.open(URI, "$TargetDedicatedNodes = 1;");
    let hover = json!({"jsonrpc": "2.0", "id": 500, "method": "textDocument/hover", "params": pos(0, 3)}).to_string();
    let framed = |body: &str| format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes();

    // A header line with a byte that is not UTF-8.
    let mut bytes = b"X-Junk: \xff\xfe\r\n".to_vec();
    bytes.extend(framed(&hover));
    c.send_bytes(&bytes);
    let e = c.next();
    assert_eq!(e["error"]["code"], -32700, "{e}");
    assert!(c.hover_text(0, 3).contains("$TargetDedicatedNodes"));

    // A Content-Length that cuts a two-byte character: the message is a parse error and the
    // continuation byte left over is glued before the next header.
    let body = json!({"jsonrpc": "2.0", "method": "$/note", "params": {"text": "é"}}).to_string();
    let cut = body.find('é').unwrap() + 1;
    let mut bytes = format!("Content-Length: {cut}\r\n\r\n").into_bytes();
    bytes.extend_from_slice(body.as_bytes());
    c.send_bytes(&bytes);
    assert_eq!(c.next()["error"]["code"], -32700);
    assert!(c.hover_text(0, 3).contains("$TargetDedicatedNodes"));

    // A body that is not UTF-8, with a right length.
    c.send_bytes(b"Content-Length: 4\r\n\r\n\"\xc3\x28\"");
    assert_eq!(c.next()["error"]["code"], -32700);

    // A huge Content-Length is refused at once, without waiting for the bytes.
    let started = std::time::Instant::now();
    let mut bytes = b"Content-Length: 99999999999\r\n\r\n{\"jsonrpc\": \"2.0\"}".to_vec();
    bytes.extend(framed(&hover));
    c.send_bytes(&bytes);
    let e = c.next();
    assert_eq!(e["error"]["code"], -32700, "{e}");
    assert!(e["error"]["message"].as_str().unwrap().contains("too large"), "{e}");
    let answer = c.next();
    assert_eq!(answer["id"], 500, "{answer}");
    assert!(started.elapsed() < Duration::from_secs(10));

    // A 32 MiB header line without a newline is not buffered.
    let before = peak_rss_kib(&c.child);
    let mut bytes = vec![b'x'; 32 << 20];
    bytes.extend(framed(&hover));
    c.send_bytes(&bytes);
    assert_eq!(c.next()["error"]["code"], -32700);
    assert_eq!(c.next()["id"], 500);
    if let (Some(before), Some(after)) = (before, peak_rss_kib(&c.child)) {
        assert!(after < before + 16 * 1024, "peak RSS grew from {before} KiB to {after} KiB");
    }
    c.finish();
}

#[test]
fn formatting_deep_and_oversized_documents() {
    let mut c = Client::start();
    c.initialize();
    let format = |c: &mut Client| {
        c.request(
            "textDocument/formatting",
            json!({"textDocument": {"uri": URI}, "options": {"tabSize": 4, "insertSpaces": true}}),
        )
    };
    // 50,000 terms (100 kB): over the limit; refused with a message, no stack overflow.
    let sum = format!("$TargetDedicatedNodes = {};", vec!["1"; 50_000].join("+"));
    assert_eq!(c.open(URI, &sum)[0]["code"], "E100");
    let f = format(&mut c);
    assert_eq!(f["error"]["code"], -32803, "{f}");
    // Within the limit and already formatted, 2,000 terms deep: no edit.
    let sum = format!("$TargetDedicatedNodes = {};\n", vec!["1"; 2_040].join(" + "));
    assert!(sum.len() <= 8192);
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": 2}, "contentChanges": [{"text": sum}]}),
    );
    assert!(c.diagnostics(URI).iter().all(|d| d["severity"] != 1));
    let f = format(&mut c);
    assert_eq!(f["result"], json!([]), "{f}");
    // Valid, but its formatted text would pass 8192 characters: refused, the text is kept.
    let lt = format!("$TargetDedicatedNodes = {};", vec!["1"; 4_000].join("<"));
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": 3}, "contentChanges": [{"text": lt}]}),
    );
    assert!(c.diagnostics(URI).iter().all(|d| d["severity"] != 1));
    let f = format(&mut c);
    assert_eq!(f["error"]["code"], -32803, "{f}");
    assert!(f["error"]["message"].as_str().unwrap().contains("would be"), "{f}");
    c.finish();
}

#[test]
fn a_document_that_starts_with_a_byte_order_mark() {
    let mut c = Client::start();
    c.initialize();
    let diags = c.open(URI, "\u{feff}$TargetDedicatedNodes = max(1, 2);");
    assert!(diags.iter().all(|d| d["severity"] != 1), "{diags:?}");
    // The mark is one UTF-16 unit of the client's text: positions count it.
    assert!(c.hover_text(0, 3).contains("$TargetDedicatedNodes"));
    let f = c.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": URI}, "options": {"tabSize": 4, "insertSpaces": true}}),
    );
    assert_eq!(f["result"][0]["newText"], "\u{feff}$TargetDedicatedNodes = max(1, 2);\n", "{f}");
    c.finish();
}

#[test]
fn published_diagnostics_are_capped_and_the_rest_counted() {
    // 1,000 statements with a stray character: about three diagnostics each.
    let text = "$x=1@2;".repeat(1000);
    let total = batch_autoscale::check(&text).diagnostics.len();
    assert!(total > 1001, "the document must have more diagnostics than are published: {total}");
    let mut c = Client::start();
    c.initialize();
    let published = c.open(URI, &text);
    assert_eq!(published.len(), 1001, "1,000 diagnostics and one counting the rest");
    assert!(
        published[..1000].iter().all(|d| d["code"].is_string()),
        "the first 1,000 are real diagnostics"
    );
    let last = &published[1000];
    assert_eq!(last["severity"], json!(3));
    assert!(last["code"].is_null(), "{last}");
    let message = last["message"].as_str().unwrap();
    assert!(
        message.starts_with(&format!("… and {} more diagnostics in this document", total - 1000)),
        "{message}"
    );
    // A document with few diagnostics is published whole, with no count.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": 2}, "contentChanges": [{"text": "$x=1@2;"}]}),
    );
    let few = c.diagnostics(URI);
    assert!(
        !few.is_empty() && few.len() < 10 && few.iter().all(|d| d["code"].is_string()),
        "{few:?}"
    );
    c.finish();
}
