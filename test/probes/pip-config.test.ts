/**
 * The node's pip sources, in pip 23's precedence (checked against `pip config list` on these files):
 * [install] over [global], a later file over an earlier one, PIP_* over every file; the user's files
 * skipped when PIP_CONFIG_FILE names one that exists; none at all for /dev/null.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pipSources } from '../../src/probes/pip-config.js';

let tmp = '';
let env: Record<string, string> = {};
const home = () => path.join(tmp, 'home');
const where = (sources: ReturnType<typeof pipSources>) => sources.map((s) => `${s.what} (${s.from.startsWith('/') ? path.relative(tmp, s.from) : s.from})`);

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'whisper-drill-pip-config-'));
  await mkdir(path.join(tmp, 'xdg', 'pip'), { recursive: true });
  await mkdir(path.join(home(), '.config', 'pip'), { recursive: true });
  await mkdir(path.join(home(), '.pip'), { recursive: true });
  await writeFile(path.join(tmp, 'xdg', 'pip', 'pip.conf'), '[install]\nindex-url = https://global-install.example/simple\n');
  await writeFile(path.join(home(), '.config', 'pip', 'pip.conf'), '[global]\nindex-url = https://user-global.example/simple\nextra-index-url =\n    file:///opt/a/simple\n    file:///opt/b/simple\n');
  await writeFile(path.join(home(), '.pip', 'pip.conf'), '[global]\nfind-links = /legacy/wheels\n');
  env = { XDG_CONFIG_DIRS: path.join(tmp, 'xdg') };
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

describe("the node's pip sources", () => {
  it('[install] in a global file wins over [global] in the user’s; continued values and other files count', () => {
    expect(where(pipSources(env, home()))).toEqual([
      'https://global-install.example/simple (xdg/pip/pip.conf)',
      'file:///opt/a/simple (home/.config/pip/pip.conf)',
      'file:///opt/b/simple (home/.config/pip/pip.conf)',
      '/legacy/wheels (home/.pip/pip.conf)',
    ]);
  });

  it('a variable wins over every file; PIP_NO_INDEX leaves only the wheel folders', () => {
    expect(where(pipSources({ ...env, PIP_INDEX_URL: 'https://env.example/simple', PIP_FIND_LINKS: '/env/wheels' }, home()))).toEqual([
      'https://env.example/simple ($PIP_INDEX_URL)',
      'file:///opt/a/simple (home/.config/pip/pip.conf)',
      'file:///opt/b/simple (home/.config/pip/pip.conf)',
      '/env/wheels ($PIP_FIND_LINKS)',
    ]);
    expect(where(pipSources({ ...env, PIP_NO_INDEX: '1' }, home()))).toEqual(['/legacy/wheels (home/.pip/pip.conf)']);
  });

  it('PIP_CONFIG_FILE naming a file skips the user’s own; /dev/null reads none, and pip’s default index stays', () => {
    const handed = path.join(home(), '.config', 'pip', 'pip.conf');
    expect(where(pipSources({ ...env, PIP_CONFIG_FILE: handed }, path.join(tmp, 'scratch')))).toEqual([
      'https://global-install.example/simple (xdg/pip/pip.conf)',
      'file:///opt/a/simple (home/.config/pip/pip.conf)',
      'file:///opt/b/simple (home/.config/pip/pip.conf)',
    ]);
    expect(where(pipSources({ ...env, PIP_CONFIG_FILE: '/dev/null' }, home()))).toEqual(["https://pypi.org/simple (pip's default)"]);
  });
});
