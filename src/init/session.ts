/**
 * What `init` does, one operation per question, shared by the wizard and the headless command:
 * list the backup's tags (the drill's own snapshot code, so access is proven the same way), check the
 * sample audio is in the newest one, probe the service, measure the GPU, write the plan and load it back.
 */
import { builtinName } from '../model/builtin-repo.js';
import { constants } from 'node:fs';
import { access, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { git } from '../adapters/git.js';
import { detectService, type ServiceDetection } from '../service/detect.js';
import { parseRemote } from '../snapshot/remote.js';
import { withMetadataLock } from '../snapshot/metadata-lock.js';
import { fetchTagMetadata, listSnapshotTags, metadataRepoPath } from '../snapshot/tags.js';
import { DrillError } from '../model/errors.js';
import type { SnapshotTag } from '../model/record.js';
import { loadPlan } from '../plan/load.js';
import type { Plan } from '../plan/types.js';
import type { PlanAnswers } from './answers.js';
import { gpuExpectation, type GpuExpectation } from './gpu.js';
import { guessBackup } from './backup-guess.js';
import { serviceProcess, type ServiceProcess } from './service-process.js';
import { renderPlanText } from './plan-text.js';

export type { ServiceDetection, ServiceProcess };

export interface InitDeps {
  readonly cacheRoot: string;
  /** Where drills/plan.schema.json ships. */
  readonly schemaFile: string;
  /** builtin:NAME → a file:// URL (the sample backup is built on first use). */
  readonly resolveBuiltinRepo: (name: string, signal?: AbortSignal) => Promise<string>;
  readonly env?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
}

export interface TagsFound {
  readonly tags: readonly SnapshotTag[];
  readonly metaDir: string;
}

export interface InitSession {
  listTags(repo: string, pattern: string): Promise<TagsFound>;
  /** Throws when the newest tag has no file at `audio`. */
  checkAudio(found: TagsFound, audio: string): Promise<void>;
  probe(url: string, apiKey?: string): Promise<ServiceDetection>;
  /** The process listening on the URL's port (its command and folder), when this host shows it. */
  serviceProcess(url: string): Promise<ServiceProcess | undefined>;
  gpu(): Promise<GpuExpectation>;
  exists(file: string): Promise<boolean>;
  /** Writes the plan (only over an existing file when `overwrite`), then loads it back. */
  write(file: string, input: { answers: PlanAnswers; service: ServiceDetection; gpu: GpuExpectation; newestTag: string }, overwrite: boolean): Promise<Plan>;
}

export function initSession(deps: InitDeps): InitSession {
  const resolve = async (repo: string) => {
    const name = builtinName(repo);
    return name !== undefined ? deps.resolveBuiltinRepo(name, deps.signal) : repo;
  };
  return {
    async listTags(repo, pattern) {
      // The same remote handling as a drill: credentials in the URL or git's helpers, never in argv.
      const remote = parseRemote(await resolve(repo), undefined, { ...process.env, ...deps.env });
      const metaDir = metadataRepoPath(deps.cacheRoot, remote.url);
      // The cache is shared with every drill of this backup on the host (cron may be fetching now):
      // one at a time, as the snapshot step takes it.
      const tags = await withMetadataLock(metaDir, async () => {
        await fetchTagMetadata(metaDir, remote, pattern, { ...(deps.signal ? { signal: deps.signal } : {}), ...(deps.env ? { env: deps.env } : {}) });
        return (await listSnapshotTags(metaDir, pattern)).map(({ pointers: _pointers, ...tag }) => tag);
      });
      if (tags.length === 0) throw new DrillError(`no tag of ${remote.display} matches "${pattern}"`, { hint: 'check the tag pattern' });
      return { tags, metaDir };
    },
    async checkAudio(found, audio) {
      const newest = found.tags[0]!;
      const result = await git(['--git-dir', found.metaDir, 'cat-file', '-e', `${newest.commit}:${audio}`]);
      if (result.exitCode !== 0) throw new DrillError(`${audio} is not in ${newest.name}`, { hint: 'give the path of the sample audio inside the backup, e.g. example/test_cn.wav' });
    },
    probe: (url, apiKey) => detectService(url, { ...(apiKey ? { apiKey } : {}), ...(deps.signal ? { signal: deps.signal } : {}) }),
    serviceProcess,
    gpu: () => gpuExpectation({ ...(deps.env ? { env: deps.env } : {}), ...(deps.signal ? { signal: deps.signal } : {}) }),
    exists: (file) => access(file, constants.F_OK).then(() => true, () => false),
    async write(file, input, overwrite) {
      const absolute = path.resolve(file);
      if (!overwrite && (await this.exists(absolute))) throw new DrillError(`${file} exists`, { usage: true, hint: 'pass --force to overwrite it, or --out to write elsewhere' });
      const schemaRef = path.relative(path.dirname(absolute), deps.schemaFile) || 'plan.schema.json';
      // A plan never holds a secret: a URL typed with credentials in it is written without them.
      const repo = builtinName(input.answers.repo) !== undefined ? input.answers.repo : parseRemote(input.answers.repo, undefined, {}).url;
      // The running service's folder and models, for the backup side (snapshot).
      const backup = await guessBackup(input.answers.url);
      const text = renderPlanText({ ...input, backup, answers: { ...input.answers, repo }, schemaRef: schemaRef.startsWith('.') ? schemaRef : `./${schemaRef}` });
      await mkdir(path.dirname(absolute), { recursive: true });
      await writeFile(absolute, text);
      return loadPlan(absolute);
    },
  };
}
