// The shareable URL fragment: `f=<formula>&c=<context>`, each UTF-8 text in base64url.

function toBase64Url(text) {
  const bytes = new TextEncoder().encode(text);
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(s) {
  const b64 = s.replace(/-/g, "+").replace(/_/g, "/");
  const bin = atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
  const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
  return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
}

/** The fragment (without `#`) for a formula and a context. */
export function encodeState(formula, context) {
  return `f=${toBase64Url(formula)}&c=${toBase64Url(context)}`;
}

/** `{formula, context}` from a fragment, or `null` when it holds no formula or is damaged. */
export function decodeState(fragment) {
  const params = new URLSearchParams(fragment);
  const f = params.get("f");
  if (f === null) return null;
  try {
    const c = params.get("c");
    return { formula: fromBase64Url(f), context: c === null ? undefined : fromBase64Url(c) };
  } catch {
    return null;
  }
}
