/**
 * The fleet playbook (deploy/ansible) run by ansible-core against two inventory hosts on this
 * machine — local connection, each with its own port, home, npm prefix and report root — installing
 * the packed tarball offline, drilling the quick demo plan, gathering both report roots under
 * reports/<host>/ and ending with the fleet's history.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliPath, repoRoot } from '../helpers/cli.js';
import { packTarball } from '../helpers/pack.js';
import { freePort } from '../helpers/sample.js';

const ANSIBLE = path.join(repoRoot, 'deploy', 'ansible');
const HOSTS = ['node-a', 'node-b'] as const;
let scratch = '';
let tarball = '';
let inventory = '';

beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'whisper-drill-fleet-'));
  tarball = await packTarball(scratch);
  const hosts: string[] = [];
  for (const host of HOSTS) {
    const home = path.join(scratch, host);
    hosts.push(`    ${host}: { whisper_drill_port: ${await freePort()}, whisper_drill_home: ${home}, whisper_drill_prefix: ${path.join(home, 'npm')} }`);
  }
  inventory = path.join(scratch, 'inventory.yml');
  await writeFile(inventory, `whisper_nodes:\n  hosts:\n${hosts.join('\n')}\n  vars: { ansible_connection: local, ansible_python_interpreter: /usr/bin/python3 }\n`);
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

function playbook(reports: string, extra: readonly string[] = []): Promise<{ code: number; output: string }> {
  const vars = {
    whisper_drill_plan: path.join(ANSIBLE, 'example', 'demo-fleet.yaml.j2'),
    whisper_drill_package: tarball,
    whisper_drill_fleet_reports: reports,
    whisper_drill_controller_bin: cliPath,
  };
  const args = ['-i', inventory, path.join(ANSIBLE, 'playbook.yml'), '-e', JSON.stringify(vars), ...extra];
  // Ansible wants a UTF-8 locale; its temp folders stay in the scratch dir.
  const env = { ...process.env, LC_ALL: 'C.UTF-8', ANSIBLE_NOCOLOR: '1', ANSIBLE_LOCAL_TEMP: path.join(scratch, 'ansible-local'), ANSIBLE_REMOTE_TEMP: path.join(scratch, 'ansible-remote') };
  return new Promise((resolve) => {
    execFile('ansible-playbook', args, { env, cwd: scratch, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? -1) : 0, output: `${stdout}${stderr}` });
    });
  });
}

async function reportsOf(reports: string, host: string): Promise<Array<{ verdict: string; snapshot: { tag: string } }>> {
  const plan = path.join(reports, host, 'demo');
  const folders = await readdir(plan).catch(() => [] as string[]);
  return Promise.all(folders.map(async (folder) => JSON.parse(await readFile(path.join(plan, folder, 'report.json'), 'utf8'))));
}

describe.sequential('the fleet playbook (ansible-core, two local hosts)', () => {
  it('installs offline, drills both nodes one at a time, gathers reports/<host>/ and prints the fleet history', async () => {
    const reports = path.join(scratch, 'reports');
    const run = await playbook(reports);
    expect(run.code, run.output).toBe(0);
    expect(run.output).toMatch(/node-a\s+: ok=\d+\s+changed=\d+\s+unreachable=0\s+failed=0/);
    expect(run.output).toMatch(/node-b\s+: ok=\d+\s+changed=\d+\s+unreachable=0\s+failed=0/);
    for (const host of HOSTS) {
      const drills = await reportsOf(reports, host);
      expect(drills.map((d) => [d.verdict, d.snapshot.tag]), host).toEqual([['passed', 'v1.3-signed-release']]);
      expect(await readdir(path.join(scratch, host, 'npm', 'lib', 'node_modules'))).toEqual(['whisper-drill']);
    }
    // The history at the end names each node by its inventory name, with the plan's policy.
    for (const host of HOSTS) {
      expect(run.output).toContain(`"demo on ${host}"`);
      expect(run.output).toMatch(new RegExp(`"\\d{4}-\\d\\d-\\d\\dT[\\d:]+\\s+${host}\\s+v1\\.3-signed-release\\s+passed\\s`));
    }
    expect(run.output).toContain('the policy is every 90d');
  }, 240_000);

  it('stops at the first failed node (serial 1, max_fail_percentage 0) and still brings its report back', async () => {
    const reports = path.join(scratch, 'reports-broken');
    const run = await playbook(reports, ['-e', 'whisper_drill_tag=v1.1-broken-model']);
    expect(run.code, run.output).not.toBe(0);
    expect(run.output).toMatch(/node-a\s+: ok=\d+\s+changed=\d+\s+unreachable=0\s+failed=1/);
    expect(run.output).not.toMatch(/^node-b\s+:/m);
    // node-a's whole report root comes along: the passing drill of the run before, and this failed one.
    expect((await reportsOf(reports, 'node-a')).map((d) => d.verdict)).toEqual(['passed', 'failed']);
    expect(await reportsOf(reports, 'node-b')).toEqual([]);
  }, 240_000);
});
