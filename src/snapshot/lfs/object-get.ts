/**
 * GET one object's body into a BlockRing. A plain body from object storage, asked for directly, is
 * read by the socket reader of ./plain-body-socket.ts straight into the blocks; everything else —
 * through a proxy, chunked, a head that reader does not take — on undici's dispatcher
 * (./http-client.ts): each chunk the parser hands over is copied into the ring's blocks, with no
 * stream in between, and when bytes wait outside the blocks the request is paused (the socket with
 * it) until the ring has room. Redirects follow git-lfs's policy (./http-client.ts redirectTarget);
 * a 206 is kept only from the byte asked for.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';
import type { BlockRing } from './block-ring.js';
import { IDLE_MS, headersFor, openConnections, redirectTarget, requestFailure, untilAnswered, type Connections } from './http-client.js';
import { settleAfterRing, tooManyRedirects, type BodyAnswer, type GetOptions } from './body-answer.js';
import { socketGet } from './plain-body-socket.js';

export type { BodyAnswer, GetOptions } from './body-answer.js';

const first = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);

/** undici's errors in the words of the transfer (what the step and a resume say). */
function inWords(error: Error, url: URL, idleMs: number): Error {
  const code = (error as Error & { code?: string }).code;
  if (code === 'UND_ERR_BODY_TIMEOUT') return new Error(`no data from ${url.host} for ${idleMs / 1000} s`);
  if (code === 'UND_ERR_SOCKET') return new Error(`the connection closed before the object ended (${error.message})`, { cause: error });
  if (code === 'UND_ERR_HEADERS_OVERFLOW') return new Error(`the answer's head from ${url.host} is larger than 16 KiB`, { cause: error });
  return error;
}

/** Why an answer ended without its body: it was not the object's, or it leads elsewhere. */
class Leave extends Error {
  constructor(readonly outcome: BodyAnswer | { readonly redirect: string }) {
    super('the answer is not the object');
  }
}

function getOnce(url: URL, headers: Readonly<Record<string, string>>, ring: BlockRing, options: GetOptions & { readonly connections: Connections }): Promise<BodyAnswer | { readonly redirect: string }> {
  return new Promise((resolve, reject) => {
    const waiting = untilAnswered(url, options);
    let status = 0;
    let body = false;
    let settled = false;
    let control: Dispatcher.DispatchController | undefined;
    const finish = (outcome: () => BodyAnswer | { readonly redirect: string } | Error) => {
      if (settled) return;
      settled = true;
      waiting.settle();
      settleAfterRing(ring, body, outcome, resolve, reject);
    };
    // An abort, or silence before the head: the request ends here, even one still waiting for its connection.
    waiting.signal.addEventListener(
      'abort',
      () => {
        const reason = waiting.signal.reason as Error;
        control?.abort(reason);
        finish(() => (body ? reason : (requestFailure(reason, url, options.connections) as Error)));
      },
      { once: true },
    );
    const handler: Dispatcher.DispatchHandler = {
      onRequestStart(controller) {
        control = controller;
        if (settled) controller.abort(new Error('the request was given up'));
      },
      onResponseStart(controller, statusCode, fields) {
        if (statusCode < 200 || settled) return;
        waiting.answered();
        status = statusCode;
        const location = first(fields['location']);
        if (statusCode >= 300 && statusCode < 400 && location && (options.redirects ?? 3) > 0) {
          return controller.abort(new Leave({ redirect: location }));
        }
        if (statusCode >= 300 && statusCode < 400 && location) return controller.abort(tooManyRedirects(url, location));
        if (!options.keep(statusCode, first(fields['content-range']))) return controller.abort(new Leave({ status: statusCode, kept: false, complete: false }));
        body = true;
      },
      onResponseData(controller, chunk) {
        if (settled) return;
        ring.put(chunk);
        if (ring.failed) {
          controller.abort(new Leave({ status, kept: true, complete: false }));
          return;
        }
        if (!ring.backlogged || controller.paused) return;
        controller.pause();
        void ring.room().then(() => !settled && controller.resume());
      },
      onResponseEnd() {
        finish(() => ({ status, kept: true, complete: true }));
      },
      onResponseError(_controller, error) {
        if (error instanceof Leave) return finish(() => error.outcome);
        const said = inWords(error, url, options.idleMs ?? IDLE_MS);
        finish(() => (body ? said : (requestFailure(said, url, options.connections) as Error)));
      },
    };
    options.connections.dispatcherFor(url).dispatch(
      {
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: 'GET',
        headers: headersFor(url, headers) as IncomingHttpHeaders,
        // After the head: silence between body bytes.
        bodyTimeout: options.idleMs ?? IDLE_MS,
      },
      handler,
    );
  });
}

/**
 * GETs `href` into `ring`. Resolves with the status once every byte taken is written and hashed;
 * rejects when the connection fails (then too, after the ring has settled: a resume starts exactly
 * at `ring.received`).
 */
export async function getBody(href: string, headers: Readonly<Record<string, string>>, ring: BlockRing, options: GetOptions): Promise<BodyAnswer> {
  const own = options.connections ? undefined : openConnections({ from: "Node's built-in CA list" });
  try {
    const url = new URL(href);
    const connections = options.connections ?? own!;
    // Asked for directly, a plain body is read by the socket reader; what it leaves goes to undici.
    const direct = (url.protocol === 'https:' || url.protocol === 'http:') && !connections.proxies.forUrl(url);
    const tried = direct ? await socketGet(url, headers, ring, { ...options, connections }) : 'fallback';
    const answer = tried === 'fallback' ? await getOnce(url, headers, ring, { ...options, connections }) : tried;
    if ('redirect' in answer) {
      const next = redirectTarget(url, answer.redirect, headers);
      return await getBody(next.url.href, next.headers, ring, { ...options, connections, redirects: (options.redirects ?? 3) - 1 });
    }
    return answer;
  } finally {
    own?.close();
  }
}
