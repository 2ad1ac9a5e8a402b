/**
 * The cold tier's extraction, side by side in one run: a tar.gz holding a 512 MiB model (random
 * bytes, as weights barely compress) and the service's small files, extracted
 *   - by `tar -xzf` (GNU tar piping through gzip: two processes),
 *   - by the drill (src/archive/extract.ts: Node's zlib and tar-stream), which also hashes the whole
 *     archive and every file as written — the verification is included in its time.
 * Best and median of BENCH_RUNS (default 3); the ratio is the drill's over tar's. Goal: ≤ 1.2×.
 * BENCH_ARCHIVE_MIB sets the model's size. Run: npm run bench (or `npx tsx bench/archive.ts`).
 */
import { execFileSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { writeArchive } from '../src/archive/create.js';
import { extractArchive } from '../src/archive/extract.js';

const MIB = 1024 * 1024;
const SIZE_MIB = Number(process.env['BENCH_ARCHIVE_MIB'] ?? 512);
const RUNS = Number(process.env['BENCH_RUNS'] ?? 3);

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const best = (values: number[]) => Math.min(...values);
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'whisper-drill-bench-archive-'));
  try {
    const root = path.join(dir, 'service');
    await mkdir(path.join(root, 'models'), { recursive: true });
    execFileSync('bash', ['-c', `head -c ${SIZE_MIB * MIB} /dev/urandom > ${path.join(root, 'models', 'large-v3.pt')}`]);
    await writeFile(path.join(root, 'app.py'), 'print("service")\n'.repeat(200));
    await writeFile(path.join(root, 'config.yaml'), 'model: large-v3\n');
    await writeFile(path.join(root, 'requirements.txt'), 'openai-whisper\n');
    const archive = path.join(dir, 'whisper-backup.tar.gz');
    const written = await writeArchive(archive, { root, files: ['app.py', 'config.yaml', 'requirements.txt', 'models/large-v3.pt'], tag: null, environmentLock: null });
    const tar: number[] = [];
    const ours: number[] = [];
    for (let run = 0; run < RUNS; run += 1) {
      const byTar = path.join(dir, `tar-${run}`);
      await mkdir(byTar);
      let began = performance.now();
      execFileSync('tar', ['-xzf', archive, '-C', byTar]);
      tar.push(performance.now() - began);
      await rm(byTar, { recursive: true, force: true });

      const byDrill = path.join(dir, `drill-${run}`);
      await mkdir(byDrill);
      began = performance.now();
      const result = await extractArchive(createReadStream(archive, { highWaterMark: MIB }), { dest: byDrill, budgetBytes: Number.MAX_SAFE_INTEGER, display: 'bench' });
      ours.push(performance.now() - began);
      if (result.archiveSha256 !== written.sha256 || result.files.length !== written.manifest.files.length) throw new Error('the extraction did not give back what was written');
      await rm(byDrill, { recursive: true, force: true });
    }
    const ratio = best(ours) / best(tar);
    console.log(`\nCold archive: ${SIZE_MIB} MiB model, ${RUNS} runs (best / median)`);
    console.log(`  tar -xzf                       ${seconds(best(tar))} / ${seconds(median(tar))}`);
    console.log(`  drill (extract + every sha256) ${seconds(best(ours))} / ${seconds(median(ours))}`);
    console.log(`  drill ÷ tar: ${ratio.toFixed(2)}× (medians ${(median(ours) / median(tar)).toFixed(2)}×); goal ≤ 1.2×`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
