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
    // Garbage only.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": 2}, "contentChanges": [{"text": "\u{0}\u{1}}}{{ ))) ;;; $ $$ \"\" ' & | ^ % @"}]}),
    );
    assert!(!c.diagnostics(URI).is_empty());
    // A burst of a thousand changes.
    for k in 0..1000 {
        c.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": URI, "version": 3 + k}, "contentChanges": [{"text": format!("$TargetDedicatedNodes = {k};")}]}),
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
