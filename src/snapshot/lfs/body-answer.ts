/** What a GET of an object's body is told, and what it answers (./object-get.ts, ./plain-body-socket.ts). */
import { DrillError } from '../../model/errors.js';
import { redactUrl } from '../../model/redact.js';
import type { BlockRing } from './block-ring.js';
import type { Connections } from './http-client.js';

export interface BodyAnswer {
  readonly status: number;
  /** The body went into the ring (the status was one to keep). */
  readonly kept: boolean;
  /** Every byte the answer announced arrived. */
  readonly complete: boolean;
}

export interface GetOptions {
  /** Whether a body that comes with this status (and Content-Range, for a 206) is the object's. */
  readonly keep: (status: number, contentRange: string | undefined) => boolean;
  /** Default: connections of this request's own, closed when it ends. */
  readonly connections?: Connections;
  readonly signal?: AbortSignal;
  /** A connection that delivers nothing for this long is given up (then resumed). Default 60 s. */
  readonly idleMs?: number;
  /** Redirects still to follow. */
  readonly redirects?: number;
}

/**
 * Settles a GET with `outcome()`: once the body has begun, only after every byte taken is written and
 * hashed (a resume then starts exactly at `ring.received`).
 */
export function settleAfterRing<T>(ring: BlockRing, bodyBegun: boolean, outcome: () => T | Error, resolve: (value: T) => void, reject: (error: unknown) => void): void {
  void (bodyBegun ? ring.settle() : Promise.resolve()).then(() => {
    const result = outcome();
    if (result instanceof Error) reject(result);
    else resolve(result);
  }, reject);
}

/** A redirect past the last one allowed: the download fails at once (asking again would be redirected again). */
export function tooManyRedirects(url: URL, location: string): DrillError {
  return new DrillError(`${redactUrl(url.href)} redirected to ${redactUrl(new URL(location, url).href)} once too often (3 redirects at most, as git-lfs follows them)`, {
    hint: 'the server or its object storage redirects in a loop: check its download links',
  });
}
