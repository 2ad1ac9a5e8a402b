/**
 * The fetch every request to the service goes through: undici's own, not the one bundled with Node 20.
 *
 * Measured reason: an auth proxy or server that answers 401/403 *before* reading an upload and closes the
 * connection (Python's http.server does, as do many proxies) makes Node 20's bundled fetch fail with
 * "write EPIPE" — 3 times out of 3 with a 32 MiB upload — losing the answer that came back. undici 7's fetch
 * reads the answer, as curl does: 30 of 30 uploads of 64 KiB to 32 MiB got their 403.
 * Its FormData must go with it (undici's fetch does not recognise the global one as a form).
 */
export { fetch, FormData, Headers } from 'undici';
export type { RequestInit, Response } from 'undici';
