/**
 * A real HTTP proxy on 127.0.0.1 (Debian's tinyproxy): CONNECT tunnels and plain forwarding behind
 * Basic auth, logging every connection, as a company's egress proxy does.
 */
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { freePort, untilListening } from './sample.js';

export interface Tinyproxy {
  /** http://127.0.0.1:PORT, without credentials. */
  readonly url: string;
  /** The proxy's connection log (one line per CONNECT or request). */
  log(): Promise<string>;
  stop(): Promise<void>;
}

export async function startTinyproxy(dir: string, user: string, password: string): Promise<Tinyproxy> {
  const port = await freePort();
  const logFile = path.join(dir, 'tinyproxy.log');
  const conf = path.join(dir, 'tinyproxy.conf');
  // No ConnectPort line: CONNECT to any port (the test servers' are random).
  await writeFile(conf, [`Port ${port}`, 'Listen 127.0.0.1', 'Timeout 60', `LogFile "${logFile}"`, 'LogLevel Connect', 'MaxClients 50', `BasicAuth ${user} ${password}`, 'DisableViaHeader Yes', ''].join('\n'));
  const child = spawn('tinyproxy', ['-d', '-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await untilListening(port, child, 'tinyproxy').catch((error: Error) => {
    child.kill();
    throw new Error(`${error.message}: ${stderr}`);
  });
  return {
    url: `http://127.0.0.1:${port}`,
    log: () => readFile(logFile, 'utf8').catch(() => ''),
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
