/** Provenance told in words: one line per model file, one per copy elsewhere, one for the isolation. */
import { formatBytes } from './format.js';
import type { IsolationRecord, OutsideInput, ProvenanceRecord } from './record.js';

/** "models/large-v3.pt (64.0 MiB, sha256 2f1c4d5e6f70…) opened by pid 4242 (python3 app.py), mapped" */
export function describeProvenanceFile(file: ProvenanceRecord['files'][number]): string {
  const what = `${file.path} (${formatBytes(file.size)}, sha256 ${file.sha256.slice(0, 12)}…)`;
  if (file.openedBy.length === 0) return `${what} never opened by the service`;
  const by = file.openedBy.map((p) => `pid ${p.pid} (${p.command})`).join(', ');
  return `${what} opened by ${by}${file.mapped ? ', mapped' : ''}`;
}

/** "the service opened /root/.cache/whisper/large-v3.pt (pid 4242, python3 app.py) outside the workspace" */
export function describeElsewhere(copy: ProvenanceRecord['elsewhere'][number]): string {
  return `the service opened ${copy.path} (pid ${copy.pid}, ${copy.command}) outside the workspace`;
}

/** "pip index https://pypi.org/simple (pip's default)" */
export function describeOutsideInput(input: OutsideInput): string {
  return `${input.kind === 'pip-index' ? 'pip index' : 'pip wheel folder'} ${input.what} (${input.from})`;
}

/** "HOME and caches scratch, hubs offline; network: the host's" */
export function describeIsolation(isolation: IsolationRecord): string {
  const home = isolation.home === 'scratch' ? 'HOME and caches scratch' : "HOME and caches the node's (isolation.home: host)";
  return `${home}, hubs offline; network: ${isolation.network === 'namespace' ? 'loopback only' : "the host's (not isolated)"}`;
}
