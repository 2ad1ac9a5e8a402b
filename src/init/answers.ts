/** What `init` asks the operator, and the defaults it offers. */
import { builtinName } from '../model/builtin-repo.js';
import path from 'node:path';
import { NAME_PATTERN } from '../plan/rules.js';

export interface PlanAnswers {
  readonly name: string;
  /** The backup repository, as the plan will hold it (https, ssh, file://, builtin:sample-backup). */
  readonly repo: string;
  readonly tags: string;
  readonly install: readonly string[];
  readonly start: string;
  readonly url: string;
  readonly apiKeyEnv?: string;
  /** The sample audio, relative to the restored tree. */
  readonly audio: string;
  readonly expect: string;
  readonly language?: string;
  readonly reportDir: string;
}

export const INIT_DEFAULTS = {
  tags: 'v*',
  install: ['python3 -m venv .venv', '.venv/bin/pip install -r requirements.txt'],
  start: '.venv/bin/python app.py',
  url: 'http://127.0.0.1:7860',
  audio: 'example/test_cn.wav',
  expect: '欢迎使用Whisper服务',
  language: 'zh',
  reportDir: 'drill-reports',
} as const;

/** A plan name from the repository's name (it names the report folder): "whisper-backup" from ".../whisper-backup.git". */
export function nameFromRepo(repo: string): string {
  const location = (builtinName(repo) ?? repo).replace(/^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/]*/, '').replace(/[/:]+$/, '');
  const base = path.posix.basename(location).replace(/\.git$/, '');
  const name = base.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[.-]+/, '');
  return new RegExp(NAME_PATTERN).test(name) ? name : 'whisper';
}

/** Where the plan goes unless the operator says: beside the shipped plans, named after it. */
export function defaultPlanFile(name: string): string {
  return path.join('drills', `${name}.yaml`);
}
