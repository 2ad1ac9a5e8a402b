/**
 * What report.html and history.html share: escaping, the page shell with its Content-Security-Policy
 * (`default-src 'none'`: nothing loads from anywhere, whatever a string holds), the base stylesheet,
 * and a status as a coloured word.
 */
import { statusLook } from '../faces/status.js';

/** Text for HTML: every character that could start markup or end an attribute is an entity. */
export function esc(text: unknown): string {
  return String(text ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

const COLORS: Record<string, string> = { green: '#1a7f37', yellow: '#9a6700', red: '#cf222e', gray: '#57606a', magenta: '#8250df', cyan: '#0969da', blue: '#0969da', white: '#24292f' };

/** A status's colour, from the one status table. */
export const statusColor = (status: string): string => COLORS[statusLook(status).color] ?? '#24292f';

/** A status as a word with its symbol, coloured: the word carries the meaning. */
export const badge = (status: string, word = status): string => `<span class="status" style="color:${statusColor(status)}">${esc(statusLook(status).symbol)} ${esc(word)}</span>`;

const BASE_STYLE = `body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#24292f;margin:0 auto;padding:1.5rem;max-width:64rem}
.scroll{overflow-x:auto}table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{border:1px solid #d0d7de;padding:.3rem .45rem;text-align:left;vertical-align:top;overflow-wrap:anywhere}th{background:#f6f8fa}
.status{font-weight:600;white-space:nowrap}.none{color:#57606a}
svg .axis{font:11px ui-monospace,monospace;fill:#24292f}`;

/** A whole page: the shell, the base style plus the page's own, and its body (already escaped). */
export function htmlPage(title: string, style: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>
${BASE_STYLE}
${style}
</style>
</head>
<body>
${body}
</body>
</html>
`;
}
