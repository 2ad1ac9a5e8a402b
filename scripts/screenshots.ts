/**
 * `npm run screenshots`: drills the embedded sample (the built CLI, a temp report dir) and keeps a
 * screenshot of its report.html, as Debian's Chromium draws it, in docs/ — where the README shows it;
 * and of history.html for a made-up fleet of two nodes (one overdue, one with a slower drill).
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { quarterlyDrills, writePastReport } from '../test/helpers/reports.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const tmp = await mkdtemp(path.join(os.tmpdir(), 'whisper-drill-screenshots-'));
try {
  const reports = path.join(tmp, 'reports');
  execFileSync(process.execPath, [path.join(root, 'dist', 'cli.js'), 'demo', '--yes', '--report-dir', reports, '--operator', 'Dana Ops', '--notes', 'Q4 restore drill, ticket OPS-42'], { cwd: tmp, stdio: 'inherit' });
  const [folder] = await readdir(path.join(reports, 'demo'));
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1100, height: 1400 }, deviceScaleFactor: 1 });
    await page.goto(`file://${path.join(reports, 'demo', folder!, 'report.html')}`);
    const out = path.join(root, 'docs', 'report-html.png');
    await page.screenshot({ path: out, clip: { x: 0, y: 0, width: 1100, height: 1400 } });
    console.log(`wrote ${out}`);

    const fleet = path.join(tmp, 'fleet');
    const now = new Date();
    for (const drill of quarterlyDrills('gpu-node-07', [610_000, 598_000, 640_000, 605_000, 905_000], now, { plan: 'whisper-large-v3', policy: '90d' })) await writePastReport(path.join(fleet, 'gpu-node-07'), drill);
    for (const drill of quarterlyDrills('gpu-node-12', [655_000, 672_000], now, { plan: 'whisper-large-v3', policy: '90d', endDaysAgo: 120 })) await writePastReport(path.join(fleet, 'gpu-node-12'), drill);
    const historyPage = path.join(tmp, 'history.html');
    execFileSync(process.execPath, [path.join(root, 'dist', 'cli.js'), 'history', '--report-dir', fleet, '--html', historyPage], { cwd: tmp, stdio: 'inherit' });
    await page.goto(`file://${historyPage}`);
    const historyOut = path.join(root, 'docs', 'history-html.png');
    await page.screenshot({ path: historyOut, fullPage: true });
    console.log(`wrote ${historyOut}`);
  } finally {
    await browser.close();
  }
} finally {
  await rm(tmp, { recursive: true, force: true });
}
