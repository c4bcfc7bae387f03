/** Escapes text for HTML text and quoted attributes (also backtick and `=`, for unquoted contexts). */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"'`=]/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/**
 * A simulator's HTML page: a banner naming the upstream and saying SANDBOX, so nobody takes it for the
 * real service; no referrer, so a one-time state in the URL goes nowhere. `body` is HTML, escaped by the caller.
 */
export function sandboxPage(page: { upstream: string; title: string; style: string; body: string }): string {
  return `<!doctype html>
<html lang="nb">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="no-referrer"><title>${escapeHtml(page.title)}</title><style>${page.style}</style></head>
<body>
<p class="note">${page.upstream} — SANDBOX (simulator, no real data)</p>
${page.body}
</body>
</html>`;
}
