/**
 * The test git + LFS server as a process of its own (for the benchmark: the server must not share
 * the measured drill's thread). Prints {"url", "storageUrl"} as one JSON line, serves until killed.
 * Usage: tsx test/helpers/lfs-server-main.ts ROOT USER PASSWORD [BYTES_PER_SECOND]
 */
import { startLfsServer } from './lfs-server.js';

const [root, username, password, throttle] = process.argv.slice(2);
if (!root || !username || !password) throw new Error('usage: lfs-server-main.ts ROOT USER PASSWORD [BYTES_PER_SECOND]');
const server = await startLfsServer({ root, username, password, faults: throttle ? { throttle: Number(throttle) } : {} });
process.stdout.write(`${JSON.stringify({ url: server.url, storageUrl: server.storageUrl })}\n`);
process.on('SIGTERM', () => void server.stop().then(() => process.exit(0)));
