/** init's answers from its flags: what --yes writes and what the wizard starts from are the same. */
import { describe, expect, it } from 'vitest';
import { parseCli } from '../../src/commands/args.js';
import { answersFromFlags } from '../../src/commands/init.js';
import { INIT_DEFAULTS } from '../../src/init/answers.js';

describe('answersFromFlags', () => {
  it('installs a venv and the requirements unless --install says otherwise (a start command of .venv/bin/python needs them)', () => {
    const base = ['init', '--yes', '--repo', 'builtin:sample-backup', '--start', '.venv/bin/python app.py', '--url', 'http://127.0.0.1:7860'];
    expect(answersFromFlags(parseCli(base)).install).toEqual(INIT_DEFAULTS.install);
    expect(INIT_DEFAULTS.install).toEqual(['python3 -m venv .venv', '.venv/bin/pip install -r requirements.txt']);
    expect(answersFromFlags(parseCli([...base, '--install', 'make deps', '--install', 'true'])).install).toEqual(['make deps', 'true']);
    expect(answersFromFlags(parseCli([...base, '--install', 'true'])).install).toEqual(['true']);
  });
});
