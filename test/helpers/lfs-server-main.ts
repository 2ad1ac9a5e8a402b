/**
 * The test git + LFS server as a process of its own (for the benchmark: the server must not share
 * the measured drill's thread). Prints {"url", "storageUrl"} as one JSON line, serves until killed.
 * Usage: tsx test/helpers/lfs-server-main.ts ROOT USER PASSWORD [throttle=BYTES_PER_SECOND]
 *        [download-base=URL] [tls-key=FILE tls-cert=FILE]
 */
import { readFileSync } from 'node:fs';
import { startLfsServer } from './lfs-server.js';

const [root, username, password, ...rest] = process.argv.slice(2);
if (!root || !username || !password) throw new Error('usage: lfs-server-main.ts ROOT USER PASSWORD [throttle=N] [download-base=URL] [tls-key=FILE tls-cert=FILE]');
const extra = new Map(rest.map((arg) => [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] as const));
const throttle = extra.get('throttle');
const downloadBase = extra.get('download-base');
const key = extra.get('tls-key');
const cert = extra.get('tls-cert');
const pair = key && cert ? { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') } : undefined;
const server = await startLfsServer({
  root,
  username,
  password,
  faults: throttle ? { throttle: Number(throttle) } : {},
  ...(downloadBase ? { downloadBase } : {}),
  ...(pair ? { tls: { git: pair, storage: pair } } : {}),
});
process.stdout.write(`${JSON.stringify({ url: server.url, storageUrl: server.storageUrl })}\n`);
process.on('SIGTERM', () => void server.stop().then(() => process.exit(0)));
