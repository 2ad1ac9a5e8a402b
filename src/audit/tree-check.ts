/**
 * What else a drill of a tag needs from its tree, asked of the metadata cache for every tag in one
 * `git cat-file --batch-check`: the requirement files the install commands name (`-r FILE`), each
 * assertion's audio, at least one model file among the LFS files (the plan's `service.models`),
 * whether the tag carries an `environment.lock.yaml` and a wheelhouse (`wheels/`), and the `lfs.url`
 * of its own `.lfsconfig`, which overrides the remote's endpoint for git-lfs and for a restore.
 */
import { git, gitOk } from '../adapters/git.js';
import type { ProcessRunner } from '../adapters/run.js';
import { LOCK_FILE } from '../model/environment-lock.js';
import { globMatcher } from '../model/glob.js';
import type { Plan } from '../plan/types.js';
import { DEFAULT_MODEL_GLOBS } from '../plan/schema-service.js';
import type { TagListing } from '../snapshot/tags.js';

export interface TreeFacts {
  /** Files a drill needs that the tag does not have, each with what needs it. */
  readonly missing: readonly string[];
  readonly lock: boolean;
  readonly wheelhouse: boolean;
  /** `lfs.url` of the tag's own `.lfsconfig`, which a restore of it asks instead of the remote's endpoint. */
  readonly lfsUrl?: string;
}

const WHEELHOUSE = 'wheels';
const LFS_CONFIG = '.lfsconfig';

/** A pip install in a shell command (`pip`, `pip3`, `.venv/bin/pip`, `python -m pip`), up to the next `;`, `&&`, `||` or `|`. */
const PIP_INSTALL = /(?:^|[\s/])pip[\d.]*\s(?:[^;&|]*\s)?install\b[^;&|]*/g;
/** `-r FILE`, `-r=FILE`, `--requirement FILE`, quoted or not. */
const REQUIREMENT = /(?:^|\s)(?:-r|--requirement)(?:\s+|=)(?:"([^"]+)"|'([^']+)'|([^\s"']+))/g;

/** The requirement files the pip installs of a shell command read. */
export function requirementFiles(command: string): string[] {
  return [...command.matchAll(PIP_INSTALL)].flatMap((install) =>
    [...install[0].matchAll(REQUIREMENT)].map((match) => (match[1] ?? match[2] ?? match[3]!).replace(/^\.\//, '')),
  );
}

/** The files the plan's drill reads from the restored tree, each with who reads it. */
export function neededFiles(plan: Plan): Array<{ path: string; by: string }> {
  const requirements = plan.install.flatMap(requirementFiles).map((file) => ({ path: file, by: 'the install commands' }));
  const audio = plan.assertions.flatMap((assertion) => ('audio' in assertion && assertion.audio ? [{ path: assertion.audio.replace(/^\.\//, ''), by: `assertion "${assertion.name}"` }] : []));
  // Each file once, with the first that reads it.
  const byPath = new Map<string, { path: string; by: string }>();
  for (const file of [...requirements, ...audio]) if (!byPath.has(file.path)) byPath.set(file.path, file);
  return [...byPath.values()];
}

export async function treeFacts(metaDir: string, tags: readonly TagListing[], plan: Plan, runner?: ProcessRunner): Promise<Map<string, TreeFacts>> {
  const files = neededFiles(plan);
  const paths = [...files.map((file) => file.path), LOCK_FILE, WHEELHOUSE, LFS_CONFIG];
  const input = tags.flatMap((tag) => paths.map((file) => `${tag.commit}:${file}`));
  const output = input.length ? await gitOk(['--git-dir', metaDir, 'cat-file', '--batch-check'], { runner, input: `${input.join('\n')}\n` }) : '';
  const lines = output.split('\n');
  const isModel = (path: string) => (plan.service.models ?? DEFAULT_MODEL_GLOBS).map(globMatcher).some((matches) => matches(path));
  // Each distinct .lfsconfig blob's lfs.url, read once (git config --blob): tags usually share one, or none.
  const configBlobs = new Map<string, string | undefined>();
  const blobOf = (index: number) => {
    const answer = lines[index * paths.length + files.length + 2];
    return answer && !answer.endsWith(' missing') ? answer.split(' ')[0] : undefined;
  };
  for (const blob of new Set(tags.map((_, index) => blobOf(index)).filter((blob): blob is string => blob !== undefined))) {
    const url = await git(['--git-dir', metaDir, 'config', '--blob', blob, '--get', 'lfs.url'], { runner });
    configBlobs.set(blob, url.exitCode === 0 && url.stdout.trim() ? url.stdout.trim() : undefined);
  }
  const facts = new Map<string, TreeFacts>();
  tags.forEach((tag, index) => {
    const answers = lines.slice(index * paths.length, (index + 1) * paths.length);
    const present = (at: number) => answers[at] !== undefined && !answers[at]!.endsWith(' missing');
    const missing = files.flatMap((file, at) => (present(at) ? [] : [`${file.path} is not in the tag (${file.by} read it)`]));
    if (!tag.pointers.some((pointer) => isModel(pointer.path))) missing.push(`no model file among its LFS files (service.models: ${(plan.service.models ?? DEFAULT_MODEL_GLOBS).join(' ')})`);
    const blob = blobOf(index);
    const lfsUrl = blob ? configBlobs.get(blob) : undefined;
    facts.set(tag.name, { missing, lock: present(files.length), wheelhouse: present(files.length + 1) && answers[files.length + 1]!.split(' ')[1] === 'tree', ...(lfsUrl ? { lfsUrl } : {}) });
  });
  return facts;
}
