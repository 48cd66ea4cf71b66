// The VS Code extension: starts `batch-autoscale lsp` with vscode-languageclient and adds the
// "Batch autoscale: evaluate formula" command.
"use strict";
const vscode = require("vscode");
const { execFile } = require("node:child_process");
const { LanguageClient } = require("vscode-languageclient/node");
const server = require("./server");

let client;
let output;

function setting(name) {
  return vscode.workspace.getConfiguration("batchAutoscale").get(name, "");
}

async function startClient() {
  const resolved = server.resolveServer(setting("serverPath"));
  if (resolved.error) {
    vscode.window.showErrorMessage(resolved.error);
    return;
  }
  client = new LanguageClient(
    "batch-autoscale",
    "Batch autoscale",
    server.serverOptions(resolved.command),
    server.clientOptions(),
  );
  await client.start();
}

async function stopClient() {
  if (client) {
    const c = client;
    client = undefined;
    await c.stop();
  }
}

async function evaluate() {
  const editor = vscode.window.activeTextEditor;
  if (!editor || editor.document.languageId !== "batch-autoscale") {
    vscode.window.showWarningMessage("Batch autoscale: open a formula (*.formula) to evaluate it.");
    return;
  }
  const resolved = server.resolveServer(setting("serverPath"));
  if (resolved.error) {
    vscode.window.showErrorMessage(resolved.error);
    return;
  }
  const doc = editor.document;
  const file = doc.isUntitled ? "-" : doc.uri.fsPath;
  const context = doc.isUntitled ? undefined : server.contextFor(file, setting("contextFile"));
  const args = server.evalArgs(file, context);
  output = output || vscode.window.createOutputChannel("Batch autoscale");
  const child = execFile(resolved.command, args, { maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
    output.clear();
    output.appendLine(`$ batch-autoscale ${args.join(" ")}`);
    let run;
    try {
      const doc = JSON.parse(stdout);
      run = doc.run || doc;
      output.appendLine(JSON.stringify(doc, null, 2));
    } catch {
      output.appendLine(stdout);
    }
    if (stderr) output.appendLine(stderr);
    output.show(true);
    if (run && run.error) {
      vscode.window.showWarningMessage(`AutoScaleRun error ${run.error.code}: ${run.error.message}`);
    } else if (run) {
      vscode.window.showInformationMessage(`results: ${run.results}`);
    } else if (err) {
      vscode.window.showErrorMessage(`batch-autoscale eval failed: ${stderr || err.message}`);
    }
  });
  if (doc.isUntitled && child.stdin) child.stdin.end(doc.getText());
}

async function activate(context) {
  context.subscriptions.push(
    vscode.commands.registerCommand("batchAutoscale.evaluate", evaluate),
    vscode.commands.registerCommand("batchAutoscale.restartServer", async () => {
      await stopClient();
      await startClient();
    }),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (e.affectsConfiguration("batchAutoscale.serverPath")) {
        await stopClient();
        await startClient();
      }
    }),
  );
  await startClient();
}

function deactivate() {
  return stopClient();
}

module.exports = { activate, deactivate };
