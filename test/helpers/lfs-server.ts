/**
 * A git + Git LFS server on 127.0.0.1 for the tests, as production backups are served: git's smart
 * HTTP (the real `git http-backend`, run per request as CGI) and the LFS Batch API, behind Basic
 * auth. Downloads are served from a second port ("object storage") that wants a header of its own
 * instead. Faults on demand: throttle, drop a connection mid-object, omit or corrupt an object,
 * answer the batch with a status, accept uploads and throw them away, and a log of every request to
 * assert on. Uploads (the Batch API's upload operation, then a PUT to storage) are hashed and kept.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { TlsPair } from './tls.js';

export interface Faults {
  /** Statuses the batch endpoint answers first, one per request, before it answers normally. */
  batchStatuses?: number[];
  /** Retry-After (seconds) sent with a 429. */
  retryAfter?: number;
  /** Objects the batch answer says the server does not have. */
  omit?: Set<string>;
  /** Objects served with one byte changed. */
  corrupt?: Set<string>;
  /** Close the connection after this many bytes of a download, for the first `times` downloads of the object. */
  drop?: { afterBytes: number; times: number };
  /** Bytes per second for downloads. */
  throttle?: number;
  /** A status for every download request. */
  downloadStatus?: number;
  /** A download asked for from a byte other than the first is answered 416 (a server that will not resume). */
  refuseRange?: boolean;
  /** Close this many download connections before any answer (then serve normally). */
  closeBeforeAnswer?: number;
  /** Uploads are answered 200 and thrown away: a server that accepts an object but does not keep it. */
  discardUploads?: boolean;
  /** Every download stops sending after this many bytes and holds the connection open, silent. */
  stallAfterBytes?: number;
  /** Added to every download's Content-Length: the body ends before the length it announced. */
  lengthOverstatedBy?: number;
}

export interface LoggedRequest {
  readonly port: 'git' | 'storage';
  readonly method: string;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
}

export interface LfsServer {
  /** Base URL of the git server: `${url}/<repo>.git`. */
  readonly url: string;
  readonly storageUrl: string;
  readonly faults: Faults;
  readonly requests: LoggedRequest[];
  /** Settles once no connection to the storage port is open (each one's close seen by the server). */
  storageIdle(): Promise<void>;
  stop(): Promise<void>;
}

export const STORAGE_HEADER = 'x-storage-token';
export const STORAGE_TOKEN = 'signed-url-token-7f3a';

function unauthorized(res: http.ServerResponse): void {
  res.writeHead(401, { 'www-authenticate': 'Basic realm="backup"', 'content-type': 'text/plain' });
  res.end('HTTP Basic: Access denied\n');
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** git http-backend as CGI: request body on stdin, headers then body on stdout. */
function gitHttpBackend(root: string, req: http.IncomingMessage, res: http.ServerResponse, url: URL, user: string | undefined): void {
  const child = spawn('git', ['http-backend'], {
    env: {
      ...process.env,
      GIT_PROJECT_ROOT: root,
      GIT_HTTP_EXPORT_ALL: '1',
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.replace(/^\?/, ''),
      REQUEST_METHOD: req.method ?? 'GET',
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      ...(req.headers['content-encoding'] ? { HTTP_CONTENT_ENCODING: req.headers['content-encoding'] } : {}),
      ...(req.headers['git-protocol'] ? { GIT_PROTOCOL: String(req.headers['git-protocol']) } : {}),
      ...(user ? { REMOTE_USER: user } : {}),
      REMOTE_ADDR: '127.0.0.1',
    },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  req.pipe(child.stdin);
  let head = Buffer.alloc(0);
  let headersDone = false;
  child.stdout.on('data', (chunk: Buffer) => {
    if (headersDone) return void res.write(chunk);
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf('\r\n\r\n');
    if (end < 0) return;
    headersDone = true;
    let status = 200;
    const headers: Record<string, string> = {};
    for (const line of head.subarray(0, end).toString('latin1').split('\r\n')) {
      const [name, ...rest] = line.split(':');
      const value = rest.join(':').trim();
      if (name!.toLowerCase() === 'status') status = Number(value.split(' ')[0]);
      else headers[name!] = value;
    }
    res.writeHead(status, headers);
    res.write(head.subarray(end + 4));
  });
  child.stdout.on('end', () => res.end());
}

export interface LfsServerOptions {
  readonly root: string;
  readonly username: string;
  readonly password: string;
  readonly faults?: Faults;
  /** HTTPS, with a certificate of its own for each port (the storage host may have another CA). */
  readonly tls?: { readonly git: TlsPair; readonly storage: TlsPair };
  /** Downloads served by other object storage at this base URL (`<base>/<repo>.git/<oid>`), not by this server. */
  readonly downloadBase?: string;
}

/** An upload (PUT) as object storage takes it: the bytes must hash to the oid; stored, or thrown away on purpose. */
function receiveObject(req: http.IncomingMessage, res: http.ServerResponse, file: string, oid: string, discard: boolean): void {
  const hash = createHash('sha256');
  const partial = `${file}.upload-${process.pid}-${Math.random().toString(36).slice(2)}`;
  void mkdir(path.dirname(file), { recursive: true }).then(() => {
    const out = discard ? undefined : createWriteStream(partial);
    req.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      out?.write(chunk);
    });
    req.on('end', () => {
      const finish = async () => {
        if (hash.digest('hex') !== oid) {
          await rm(partial, { force: true });
          return void res.writeHead(422).end('the bytes do not hash to the oid\n');
        }
        if (out) await rename(partial, file);
        res.writeHead(200).end();
      };
      if (out) out.end(() => void finish());
      else void finish();
    });
  });
}

/** A server for `handler`, plain HTTP or HTTPS. */
function createServer(pair: TlsPair | undefined, handler: http.RequestListener): http.Server {
  return pair ? https.createServer({ key: pair.key, cert: pair.cert }, handler) : http.createServer(handler);
}

export async function startLfsServer(options: LfsServerOptions): Promise<LfsServer> {
  const faults: Faults = options.faults ?? {};
  const requests: LoggedRequest[] = [];
  const dropped = new Map<string, number>();
  let storageUrl = '';
  const expected = `Basic ${Buffer.from(`${options.username}:${options.password}`).toString('base64')}`;

  const git = createServer(options.tls?.git, (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push({ port: 'git', method: req.method ?? '', path: url.pathname + url.search, headers: req.headers });
    if (req.headers.authorization !== expected) return unauthorized(res);
    // The LFS locking API is not offered (git-lfs then says so once and pushes all the same).
    if (/\/info\/lfs\/locks/.test(url.pathname)) return void res.writeHead(404, { 'content-type': 'application/vnd.git-lfs+json' }).end('{"message":"no locking here"}');
    const batch = /^\/(.+\.git)\/info\/lfs\/objects\/batch$/.exec(url.pathname);
    if (!batch) return gitHttpBackend(options.root, req, res, url, options.username);
    void readBody(req).then(async (body) => {
      const status = faults.batchStatuses?.shift();
      if (status !== undefined) {
        res.writeHead(status, { 'content-type': 'application/vnd.git-lfs+json', ...(status === 429 && faults.retryAfter ? { 'retry-after': String(faults.retryAfter) } : {}) });
        return void res.end(JSON.stringify({ message: `status ${status} on purpose` }));
      }
      const request = JSON.parse(body.toString('utf8')) as { operation?: string; objects: Array<{ oid: string; size: number }> };
      const objects = await Promise.all(
        request.objects.map(async ({ oid, size }) => {
          const file = path.join(options.root, batch[1]!, 'lfs', 'objects', oid.slice(0, 2), oid.slice(2, 4), oid);
          if (request.operation === 'upload') {
            // Already there with its size: nothing to upload (no actions), as the LFS API says.
            const there = await stat(file).then((info) => info.size === size, () => false);
            return there ? { oid, size } : { oid, size, authenticated: true, actions: { upload: { href: `${storageUrl}/${batch[1]}/${oid}`, header: { [STORAGE_HEADER]: STORAGE_TOKEN }, expires_in: 3600 } } };
          }
          const present = await stat(file).then(() => true, () => false);
          if (!present || faults.omit?.has(oid)) return { oid, size, error: { code: 404, message: 'Object does not exist' } };
          return { oid, size, authenticated: true, actions: { download: { href: `${options.downloadBase ?? storageUrl}/${batch[1]}/${oid}`, header: { [STORAGE_HEADER]: STORAGE_TOKEN }, expires_in: 3600 } } };
        }),
      );
      res.writeHead(200, { 'content-type': 'application/vnd.git-lfs+json' });
      res.end(JSON.stringify({ transfer: 'basic', objects, hash_algo: 'sha256' }));
    });
  });

  const storage = createServer(options.tls?.storage, (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push({ port: 'storage', method: req.method ?? '', path: url.pathname, headers: req.headers });
    if (req.headers[STORAGE_HEADER] !== STORAGE_TOKEN) return void res.writeHead(403).end('bad token\n');
    if (faults.downloadStatus) return void res.writeHead(faults.downloadStatus).end(`status ${faults.downloadStatus} on purpose\n`);
    if (faults.refuseRange && req.headers.range) return void res.writeHead(416).end('no ranges here\n');
    if (faults.closeBeforeAnswer) {
      faults.closeBeforeAnswer -= 1;
      return void req.socket.destroy();
    }
    const [, repo, oid] = /^\/(.+\.git)\/([0-9a-f]{64})$/.exec(url.pathname) ?? [];
    if (!repo || !oid) return void res.writeHead(404).end();
    const file = path.join(options.root, repo, 'lfs', 'objects', oid.slice(0, 2), oid.slice(2, 4), oid);
    if (req.method === 'PUT') return void receiveObject(req, res, file, oid, faults.discardUploads ?? false);
    void stat(file).then(
      (info) => {
        const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
        const start = range ? Number(range[1]) : 0;
        // A range past the end, as object storage answers it (the object is shorter than asked for).
        if (start > 0 && start >= info.size) return void res.writeHead(416, { 'content-range': `bytes */${info.size}` }).end();
        res.writeHead(range ? 206 : 200, {
          'content-length': String(info.size - start + (faults.lengthOverstatedBy ?? 0)),
          ...(range ? { 'content-range': `bytes ${start}-${info.size - 1}/${info.size}` } : {}),
        });
        const times = dropped.get(oid) ?? 0;
        const dropAt = faults.drop && times < faults.drop.times ? faults.drop.afterBytes : Infinity;
        const stallAt = faults.stallAfterBytes ?? Infinity;
        let sent = start;
        const began = performance.now();
        const stream = createReadStream(file, { start, highWaterMark: 64 * 1024 });
        stream.on('data', (chunk: string | Buffer) => {
          let bytes = Buffer.from(chunk);
          if (faults.corrupt?.has(oid) && sent === 0) bytes = Buffer.concat([Buffer.from([bytes[0]! ^ 0xff]), bytes.subarray(1)]);
          if (sent + bytes.length > stallAt) {
            // Silent from here on: nothing more is written, and the connection stays open.
            stream.destroy();
            res.write(bytes.subarray(0, Math.max(0, stallAt - sent)));
            return;
          }
          if (sent + bytes.length > dropAt) {
            dropped.set(oid, times + 1);
            stream.destroy();
            res.write(bytes.subarray(0, dropAt - sent), () => res.socket?.destroy());
            return;
          }
          sent += bytes.length;
          const flowing = res.write(bytes);
          // A token bucket: never more than a few milliseconds ahead of `throttle` bytes a second since the
          // answer began. (Pausing for every chunk that is ahead at all would cap the rate at one 64 KiB chunk
          // per timer tick, ~65 MB/s, whatever `throttle` says: a timer waits at least a millisecond.)
          const aheadMs = faults.throttle ? ((sent - start) / faults.throttle) * 1000 - (performance.now() - began) : 0;
          if (!flowing || aheadMs > 4) {
            stream.pause();
            const resume = () => (aheadMs > 4 ? setTimeout(() => stream.resume(), aheadMs) : stream.resume());
            if (flowing) resume();
            else res.once('drain', resume);
          }
        });
        // An overstated length: the body ends short of it, and the connection closes.
        stream.on('end', () => (faults.lengthOverstatedBy ? res.socket?.destroySoon() : res.end()));
      },
      () => res.writeHead(404).end(),
    );
  });

  const listen = (server: http.Server) => new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
  const gitPort = await listen(git);
  const storagePort = await listen(storage);
  const open = new Set<net.Socket>();
  const idle: Array<() => void> = [];
  const tracked = options.tls?.storage ? 'secureConnection' : 'connection';
  storage.on(tracked, (socket: net.Socket) => {
    open.add(socket);
    socket.once('close', () => {
      open.delete(socket);
      if (open.size === 0) for (const resolve of idle.splice(0)) resolve();
    });
  });
  const scheme = options.tls ? 'https' : 'http';
  storageUrl = `${scheme}://127.0.0.1:${storagePort}`;
  return {
    url: `${scheme}://127.0.0.1:${gitPort}`,
    storageUrl,
    faults,
    requests,
    storageIdle: () => (open.size === 0 ? Promise.resolve() : new Promise<void>((resolve) => idle.push(resolve))),
    stop: async () => {
      for (const server of [git, storage]) {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    },
  };
}
