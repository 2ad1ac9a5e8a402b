/**
 * Throwaway certificate authorities and server certificates for 127.0.0.1, made with the real
 * openssl: what an operator's company CA and its GitLab's certificate look like to git and the drill.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface TlsPair {
  readonly key: string;
  readonly cert: string;
}

/** The same pair as files, for servers configured with paths (nginx). */
export interface TlsFiles {
  readonly keyFile: string;
  readonly certFile: string;
}

export interface TestCa {
  /** The CA's certificate (PEM file), to trust. */
  readonly caFile: string;
  /** A server certificate for 127.0.0.1 signed by this CA. */
  readonly server: TlsPair & TlsFiles;
}

const openssl = (args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

export function makeTestCa(dir: string, name: string): TestCa {
  const file = (suffix: string) => path.join(dir, `${name}-${suffix}`);
  openssl(['req', '-x509', ...EC, '-days', '2', '-subj', `/CN=${name} test CA`, '-keyout', file('ca.key'), '-out', file('ca.pem')]);
  openssl(['req', ...EC, '-subj', '/CN=127.0.0.1', '-keyout', file('server.key'), '-out', file('server.csr')]);
  writeFileSync(file('server.ext'), 'subjectAltName = IP:127.0.0.1\nextendedKeyUsage = serverAuth\n');
  openssl(['x509', '-req', '-in', file('server.csr'), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-CAcreateserial', '-days', '2', '-extfile', file('server.ext'), '-out', file('server.pem')]);
  const server = { keyFile: file('server.key'), certFile: file('server.pem') };
  return { caFile: file('ca.pem'), server: { ...server, key: readFileSync(server.keyFile, 'utf8'), cert: readFileSync(server.certFile, 'utf8') } };
}
