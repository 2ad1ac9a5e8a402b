/**
 * Object storage for the benchmark: nginx (Debian's nginx-light) serving a root of bare backups'
 * LFS stores at `<base>/<repo>.git/<oid>`, as a GitLab's pre-signed download links point at S3 or
 * MinIO. It wants the same header as the test server's storage port, answers Range requests, and
 * sends with sendfile (or TLS). On a 2-core machine the server shares the cores with what is
 * measured; the Node test server spends about a core on 512 MiB where nginx spends a fraction, so
 * the figures compare the clients rather than the test server.
 */
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { STORAGE_HEADER, STORAGE_TOKEN } from '../test/helpers/lfs-server.js';
import { freePort, untilListening } from '../test/helpers/sample.js';

export interface ObjectStorage {
  readonly url: string;
  stop(): void;
}

export async function startObjectStorage(root: string, dir: string, tls?: { cert: string; key: string }): Promise<ObjectStorage> {
  await mkdir(path.join(dir, 'temp'), { recursive: true });
  const port = await freePort();
  const conf = path.join(dir, 'nginx.conf');
  const temps = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `${t}_temp_path ${path.join(dir, 'temp', t)};`).join('\n    ');
  await writeFile(
    conf,
    // Run as root, nginx hands its workers to nobody, who cannot read a mkdtemp folder: keep our user.
    `${process.getuid?.() === 0 ? `user ${os.userInfo().username};\n` : ''}worker_processes 1;
pid ${path.join(dir, 'nginx.pid')};
error_log ${path.join(dir, 'error.log')} warn;
events { worker_connections 64; }
http {
    ${temps}
    access_log off;
    sendfile on;
    tcp_nopush on;
    server {
        listen 127.0.0.1:${port}${tls ? ' ssl' : ''};
        ${tls ? `ssl_certificate ${tls.cert};\n        ssl_certificate_key ${tls.key};` : ''}
        location ~ "^/(?<repo>[^/]+\\.git)/(?<a>[0-9a-f]{2})(?<b>[0-9a-f]{2})(?<rest>[0-9a-f]{60})$" {
            if ($http_${STORAGE_HEADER.replaceAll('-', '_')} != "${STORAGE_TOKEN}") { return 403; }
            alias ${root}/$repo/lfs/objects/$a/$b/$a$b$rest;
        }
    }
}
`,
  );
  const child = spawn('nginx', ['-c', conf, '-p', dir, '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'inherit'] });
  await untilListening(port, child, 'nginx');
  return { url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`, stop: () => void child.kill('SIGTERM') };
}
