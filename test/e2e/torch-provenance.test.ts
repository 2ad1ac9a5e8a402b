/**
 * Real PyTorch, through the built CLI: a service in the cached CPU-torch venv that torch.load()s a real
 * checkpoint restored from Git LFS. The provenance shows the restored checkpoint opened by the
 * service's python; the same service pointed at a copy in the torch cache (a HOME the test gives the
 * drill, never the machine's own) fails, naming the copy it read.
 */
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/adapters/run.js';
import { describeRun, runCli } from '../helpers/cli.js';
import { freePort, gitText } from '../helpers/sample.js';
import { ensureTorchVenv, TORCH_CPU, whyNoRealTorch } from '../helpers/torch-venv.js';

const skipReason = whyNoRealTorch();

/** Loads its checkpoint as a model service does (torch.load reads it whole), then answers. */
const SERVICE = `
import http.server, json, sys, torch
state = torch.load(sys.argv[1])
print("loaded", sys.argv[1], sum(t.numel() for t in state.values()), "weights", flush=True)
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200); self.end_headers(); self.wfile.write(b"ok")
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = json.dumps({"text": "欢迎使用Whisper服务"}).encode()
        self.send_response(200); self.send_header("Content-Type", "application/json"); self.end_headers(); self.wfile.write(body)
    def log_message(self, *args):
        pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[2])), Handler).serve_forever()
`;

let tmp = '';
let python = '';
let repo = '';
let home = '';
let cachedCopy = '';

interface Report {
  readonly verdict: string;
  readonly assertions: Array<{ name: string; status: string; detail: string }>;
  readonly provenance: { method: string; files: Array<{ path: string; openedBy: Array<{ command: string }> }>; elsewhere: Array<{ path: string }> } | null;
}

async function drill(name: string, checkpoint: string): Promise<Report> {
  const port = await freePort();
  const plan = path.join(tmp, `${name}.yaml`);
  await writeFile(
    plan,
    [
      `name: torch-${name}`,
      `snapshot: { repo: "file://${repo}", tags: "v*" }`,
      'install: []',
      'service:',
      `  start: "${python} serve.py ${checkpoint} ${port}"`,
      `  url: http://127.0.0.1:${port}`,
      '  ready: { path: /, timeoutSec: 120 }',
      'assertions:',
      '  - { name: transcribes, api: openai, audio: example/a.wav, expect: { contains: "欢迎使用Whisper服务" } }',
      '',
    ].join('\n'),
  );
  const reports = path.join(tmp, `reports-${name}`);
  const result = await runCli(['drill', '--plan', plan, '--tag', 'v1', '--yes', '--report-dir', reports], { cwd: tmp, env: { HOME: home }, timeoutMs: 180_000 });
  const folder = /report: (.*)\/report\.md/.exec(result.stderr)?.[1];
  expect(folder, describeRun(result)).toBeDefined();
  return JSON.parse(await readFile(path.join(folder!, 'report.json'), 'utf8')) as Report;
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'whisper-drill-torch-provenance-'));
  if (skipReason) return;
  python = await ensureTorchVenv();
  home = path.join(tmp, 'home');
  // A real checkpoint (4 MiB of float32 weights), backed up in Git LFS with the service that loads it.
  const work = path.join(tmp, 'work');
  await mkdir(path.join(work, 'models'), { recursive: true });
  await mkdir(path.join(work, 'example'), { recursive: true });
  const saved = await run(python, ['-c', `import torch; torch.save({"encoder.weight": torch.arange(1048576, dtype=torch.float32)}, "${path.join(work, 'models', 'checkpoint.pt')}")`], { timeoutMs: 120_000 });
  expect(saved.exitCode, saved.stderr).toBe(0);
  await writeFile(path.join(work, 'serve.py'), SERVICE);
  await writeFile(path.join(work, 'example', 'a.wav'), 'RIFF');
  await writeFile(path.join(work, '.gitattributes'), '*.pt filter=lfs diff=lfs merge=lfs -text\n');
  repo = path.join(tmp, 'backup.git');
  await gitText(['init', '--quiet', '--bare', repo]);
  await gitText(['init', '--quiet', '-b', 'main', work]);
  await gitText(['lfs', 'install', '--local'], work);
  await gitText(['add', '.'], work);
  const who = ['-c', 'user.name=ops', '-c', 'user.email=ops@example.invalid'];
  await gitText([...who, 'commit', '--quiet', '-m', 'a real checkpoint'], work);
  await gitText([...who, 'tag', '-a', 'v1', '-m', 'v1'], work);
  await gitText(['push', '--quiet', `file://${repo}`, 'main', '--tags'], work);
  expect(await gitText(['show', 'v1:models/checkpoint.pt'], work)).toMatch(/^version https:\/\/git-lfs/);
  // The same weights in the torch cache of the drill's HOME.
  cachedCopy = path.join(home, '.cache', 'torch', 'checkpoint.pt');
  await mkdir(path.dirname(cachedCopy), { recursive: true });
  await copyFile(path.join(work, 'models', 'checkpoint.pt'), cachedCopy);
}, 600_000);

afterAll(() => rm(tmp, { recursive: true, force: true }));

describe.skipIf(skipReason !== undefined)(`real PyTorch ${TORCH_CPU}: the restored checkpoint proven in use${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  it('torch.load of the restored checkpoint: passes, opened by the service’s python', async () => {
    const report = await drill('restored', 'models/checkpoint.pt');
    expect(report.verdict).toBe('passed');
    expect(report.provenance?.files).toEqual([expect.objectContaining({ path: 'models/checkpoint.pt', openedBy: [expect.objectContaining({ command: expect.stringContaining('serve.py models/checkpoint.pt') })] })]);
    expect(report.assertions.find((a) => a.name === 'restored model in use')?.status).toBe('passed');
  }, 200_000);

  it('the same service pointed at a copy in the torch cache: fails, naming the copy it read', async () => {
    const report = await drill('cached', cachedCopy);
    expect(report.verdict).toBe('failed');
    const proof = report.assertions.find((a) => a.name === 'restored model in use');
    expect(proof?.detail.startsWith(`the service read ${cachedCopy}, not the restored models/checkpoint.pt (pid `)).toBe(true);
    expect(report.provenance?.elsewhere.map((copy) => copy.path)).toEqual([cachedCopy]);
  }, 200_000);
});
