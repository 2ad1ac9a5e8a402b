/**
 * Where a cold archive is read from: a file, or an http(s) URL reached as the restore path reaches
 * its LFS server — git's CA list, git's proxy (or the environment's), credentials from the URL or
 * git's credential helpers (never argv), redirects kept on https.
 */
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { ProcessRunner } from '../adapters/run.js';
import { DrillError } from '../model/errors.js';
import { redactUrl } from '../model/redact.js';
import { httpAuth } from '../snapshot/lfs/http-auth.js';
import { openConnections, readText, request, type Connections } from '../snapshot/lfs/http-client.js';
import { transferProxies } from '../snapshot/lfs/proxy.js';
import { gitTrust } from '../snapshot/trust.js';

export interface ArchiveLocation {
  readonly kind: 'file' | 'url';
  /** An absolute path, or the URL as given. */
  readonly href: string;
  /** For messages and the record: credentials removed. */
  readonly display: string;
  /** Its file name (of a URL: the path's last part), which names the drill's snapshot. */
  readonly name: string;
}

export interface SourceHooks {
  readonly runner?: ProcessRunner;
  readonly env?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
  readonly onSecret?: (secret: string) => void;
}

export interface OpenedArchive {
  readonly stream: Readable;
  /** Its size in bytes, when known before reading (a file's; a Content-Length). */
  readonly size?: number;
  close(): void;
}

export function archiveLocation(value: string, cwd = process.cwd()): ArchiveLocation {
  if (/^https?:\/\//i.test(value)) {
    const url = new URL(value);
    const name = path.posix.basename(url.pathname);
    return { kind: 'url', href: url.href, display: url.password ? redactUrl(url.href) : url.href, name };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value) && !value.startsWith('file://')) {
    throw new DrillError(`--archive ${value}: only files and http(s) URLs can be read`, { usage: true });
  }
  const file = path.resolve(cwd, value.startsWith('file://') ? new URL(value).pathname : value);
  return { kind: 'file', href: file, display: file, name: path.basename(file) };
}

/** One connection set and one credential lookup for everything read from an archive's server. */
export class ArchiveServer {
  private connections: Connections | undefined;
  private auth: ReturnType<typeof httpAuth> | undefined;

  constructor(
    private readonly location: ArchiveLocation,
    private readonly hooks: SourceHooks,
  ) {}

  private async ready(): Promise<{ connections: Connections; auth: ReturnType<typeof httpAuth> }> {
    if (!this.connections) {
      const url = new URL(this.location.href);
      if (url.password) this.hooks.onSecret?.(decodeURIComponent(url.password));
      const hooks = { runner: this.hooks.runner, ...(this.hooks.env ? { env: this.hooks.env } : {}), ...(this.hooks.signal ? { signal: this.hooks.signal } : {}) };
      const trust = await gitTrust(hooks);
      const proxies = await transferProxies(this.location.href, { ...hooks, ...(this.hooks.onSecret ? { onSecret: this.hooks.onSecret } : {}) });
      this.connections = openConnections(trust, proxies);
      const explicit = url.username || url.password ? { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) } : undefined;
      this.auth = httpAuth(this.location.href, { ...(explicit ? { explicit } : {}), runner: this.hooks.runner, ...(this.hooks.env ? { env: this.hooks.env } : {}), ...(this.hooks.onSecret ? { onSecret: this.hooks.onSecret } : {}) });
    }
    return { connections: this.connections, auth: this.auth! };
  }

  /** GET `href` (the archive or a file beside it); 401 once asks git's helpers. null: 404. */
  async get(href: string): Promise<OpenedArchive | null> {
    const { connections, auth } = await this.ready();
    const bare = new URL(href);
    bare.username = '';
    bare.password = '';
    const ask = async () => {
      const header = await auth.header();
      return request(bare.href, { connections, ...(header ? { headers: { authorization: header } } : {}), ...(this.hooks.signal ? { signal: this.hooks.signal } : {}) });
    };
    let answer = await ask();
    if (answer.statusCode === 401 && (await auth.challenged())) {
      await answer.body.dump();
      answer = await ask();
      await auth.settle(answer.statusCode !== 401 && answer.statusCode !== 403);
    }
    if (answer.statusCode === 404) {
      await answer.body.dump();
      return null;
    }
    if (answer.statusCode !== 200) {
      const text = (await readText(answer).catch(() => '')).trim().slice(0, 200);
      throw new DrillError(`GET ${redactUrl(href)} answered HTTP ${answer.statusCode}${text ? `: ${text}` : ''}`, {
        hint: answer.statusCode === 401 || answer.statusCode === 403 ? 'give the credentials as git would find them (a credential helper, or the URL\'s user and password)' : 'check the archive\'s URL',
      });
    }
    const length = Number(answer.headers['content-length']);
    return { stream: answer.body, ...(Number.isFinite(length) && length >= 0 ? { size: length } : {}), close: () => answer.body.destroy() };
  }

  close(): void {
    this.connections?.close();
  }
}

/** The archive's bytes from the start. */
export async function openArchive(location: ArchiveLocation, server: ArchiveServer): Promise<OpenedArchive> {
  if (location.kind === 'file') {
    const info = await stat(location.href).catch((error: NodeJS.ErrnoException) => {
      throw new DrillError(`${location.display}: cannot be read (${error.code ?? error.message})`, { hint: 'check the path given to --archive' });
    });
    if (!info.isFile()) throw new DrillError(`${location.display}: not a file`, { hint: 'give --archive the .tar.gz itself' });
    const stream = createReadStream(location.href, { highWaterMark: 1024 * 1024 });
    return { stream, size: info.size, close: () => stream.destroy() };
  }
  const opened = await server.get(location.href);
  if (!opened) throw new DrillError(`GET ${location.display} answered HTTP 404`, { hint: "check the archive's URL" });
  return opened;
}

/** A small file beside the archive (its .sha256, its .sig), or undefined when there is none. */
export async function sidecar(location: ArchiveLocation, server: ArchiveServer, suffix: string): Promise<string | undefined> {
  if (location.kind === 'file') {
    return readFile(`${location.href}${suffix}`, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw new DrillError(`${location.display}${suffix}: cannot be read (${error.code ?? error.message})`);
    });
  }
  const url = new URL(location.href);
  url.pathname += suffix;
  const opened = await server.get(url.href);
  if (!opened) return undefined;
  const chunks: Buffer[] = [];
  for await (const chunk of opened.stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The hash a `.sha256` file gives (sha256sum's format: the hash, then the name). */
export function expectedSha256(text: string, display: string): string {
  const hash = /^([0-9a-fA-F]{64})\b/.exec(text.trim())?.[1];
  if (!hash) throw new DrillError(`${display}.sha256 holds no sha256 (expected sha256sum's format: the hash, two spaces, the file name)`);
  return hash.toLowerCase();
}
