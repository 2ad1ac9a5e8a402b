/**
 * `whisper-drill snapshot`: the backup made the way a drill will need it, and proven to have landed.
 *   gather      the plan's backup.files from the service folder, each model from where it is loaded
 *   environment this node's environment.lock.yaml (the `check --record` facts), wheels' hashes added
 *   wheelhouse  requirements.txt's wheels for this node (backup.wheelhouse)
 *   stage       into the work clone: refusals first (untracked large files, models not in LFS,
 *               credentials), then objects, pointers and `git add`; the tree's id decides by content
 *               whether anything changed since the newest tag
 *   commit/push on the branch's head (a remote that moved: once more on its new head)
 *   prove       every LFS object of the commit asked of the remote as a restore would ask for it
 *   tag         only then: annotated (SSH-signed with --sign), pushed
 * Nothing here prints: each fact is an event (./events.ts) for the faces.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { formatLock, LOCK_FILE, parseLock, type MeasuredEnvironment } from '../model/environment-lock.js';
import { DrillError } from '../model/errors.js';
import type { Plan } from '../plan/types.js';
import { BACKUP_DEFAULTS } from '../plan/schema-backup.js';
import { withMetadataLock } from '../snapshot/metadata-lock.js';
import { gitCredentialEnv, type Remote } from '../snapshot/remote.js';
import { remoteHint } from '../snapshot/trust.js';
import { git } from '../adapters/git.js';
import { sshEnv } from '../snapshot/ssh.js';
import { fetchTagMetadata, listSnapshotTags, metadataRepoPath } from '../snapshot/tags.js';
import { exposureText, stagedChanges, type FileChange } from './changes.js';
import type { SnapshotEvent, SnapshotPhase } from './events.js';
import { gatherFiles, type GatheredFile } from './gather.js';
import { hashFile } from './lfs-files.js';
import { proveLanded } from './prove.js';
import { publish } from './publish.js';
import { stageFiles } from './stage.js';
import { checkTagName, makeTag, signingKey, tagName } from './tag.js';
import { buildWheelhouse, WHEELS_DIR } from './wheelhouse.js';
import { fetchTag, inClone, openWorkClone, workClonePath, type WorkClone } from './work-clone.js';

export interface SnapshotInput {
  readonly plan: Plan;
  readonly remote: Remote;
  /** The live service folder. */
  readonly from: string;
  readonly cacheRoot: string;
  readonly tag?: string;
  readonly message?: string;
  readonly sign: boolean;
  readonly dryRun: boolean;
  readonly now: Date;
  /** This node's environment, as `check` measures it (the command runs the checks). */
  readonly measure: () => Promise<MeasuredEnvironment>;
  /**
   * Only the exposure (`check`): a dry run of the operator's files alone — the lock and the wheels,
   * which only a snapshot makes, are neither measured nor compared.
   */
  readonly exposureOnly?: boolean;
  /** The service's python (its venv's), for the wheelhouse. */
  readonly python: string;
  /** The operator's review of the changes before anything is pushed (the wizard); headless runs go on. */
  readonly confirm?: (changes: readonly FileChange[]) => Promise<boolean>;
  readonly emit: (event: SnapshotEvent) => void;
  readonly signal?: AbortSignal;
  readonly env?: Readonly<Record<string, string>>;
  readonly home?: string;
  readonly onSecret?: (secret: string) => void;
}

export interface SnapshotOutcome {
  readonly exitCode: number;
  /** The newest tag before this snapshot. */
  readonly since?: { readonly tag: string; readonly date: string };
  /** How the live node differs from it, in words (undefined: it does not). */
  readonly exposure?: string;
  readonly tag?: string;
  readonly commit?: string;
  readonly changes: readonly FileChange[];
}

/** Two locks are the same environment when everything but when and by whom they were recorded is. */
function sameEnvironment(oldText: string | undefined, measured: MeasuredEnvironment): boolean {
  if (oldText === undefined) return false;
  const parsed = parseLock(oldText);
  if (!('lock' in parsed)) return false;
  const { lockVersion: _v, recordedAt: _at, recordedBy: _by, ...old } = parsed.lock;
  return canonical(old) === canonical(measured);
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const MIB = 1024 * 1024;

/** Each phase's running and end events, with how long it took. */
export class Phases {
  private started = 0;
  constructor(private readonly emit: (event: SnapshotEvent) => void) {}
  begin(phase: SnapshotPhase): void {
    this.started = performance.now();
    this.emit({ type: 'snapshot-phase', phase, status: 'running' });
  }
  end(phase: SnapshotPhase, status: 'passed' | 'warned' | 'failed' | 'skipped', summary: string): void {
    this.emit({ type: 'snapshot-phase', phase, status, summary, ms: Math.round(performance.now() - this.started) });
  }
}

export async function makeSnapshot(input: SnapshotInput): Promise<SnapshotOutcome> {
  const { plan, remote, emit } = input;
  const backup = plan.backup;
  const branch = backup?.branch ?? BACKUP_DEFAULTS.branch;
  const format = backup?.tagFormat ?? BACKUP_DEFAULTS.tagFormat;
  // A name no drill would list is refused before anything is written.
  checkTagName(input.tag ?? tagName(format, input.now, '0000000'), plan.snapshot.tags, input.tag ? '--tag' : `backup.tagFormat "${format}"`);
  const phases = new Phases(emit);

  phases.begin('gather');
  const gathered = await gatherFiles(backup, input.from, path.dirname(plan.file), input.home);
  phases.end('gather', 'passed', `${gathered.length} files, ${(gathered.reduce((sum, file) => sum + file.size, 0) / MIB).toFixed(1)} MiB from ${input.from}`);
  // Said once: where each model goes back on a restore, and that loading it by path needs no link.
  for (const model of backup?.models ?? []) {
    if (model.from.startsWith('~/')) {
      emit({ type: 'snapshot-phase', phase: 'gather', status: 'running', summary: `${model.from} is where the service loads ${model.to}: a drill links the restored file there (setup too, in the node's HOME); a service that loads ${model.to} by path needs no link at all` });
    }
  }

  // This node's environment is measured while the backup is fetched: neither waits for the other.
  const measuring = input.exposureOnly ? undefined : input.measure();
  measuring?.catch(() => undefined);
  const early: SnapshotInput = measuring ? { ...input, measure: () => measuring } : input;
  const metaDir = metadataRepoPath(input.cacheRoot, remote.url);
  const hooks = { ...(input.signal ? { signal: input.signal } : {}), ...(input.env ? { env: input.env } : {}) };
  const gitEnv = { ...input.env, ...sshEnv(remote, { ...process.env, ...input.env }) };
  // The tag listing is the drills' cache, under their lock, held only while it is fetched; the work clone
  // has a lock of its own, held through the review and the push (a drill of this backup need not wait).
  const newest = await withMetadataLock(metaDir, async () =>
    (await hasSnapshotTags(remote, plan.snapshot.tags, gitEnv, input.signal)) ? (await fetchTagMetadata(metaDir, remote, plan.snapshot.tags, { ...hooks, env: gitEnv }), (await listSnapshotTags(metaDir, plan.snapshot.tags))[0]) : undefined,
  );
  return withMetadataLock(workClonePath(metaDir), async () => {
    const clone = await openWorkClone(workClonePath(metaDir), remote, branch, hooks);
    if (input.sign && !input.dryRun) await signingKey(clone);

    const oldLock = clone.head ? await inClone(clone, ['show', `${clone.head}:${LOCK_FILE}`]).then((text) => `${text.replace(/\n$/, '')}\n`, () => undefined) : undefined;
    const { lockText, wheels } = input.exposureOnly ? { lockText: oldLock, wheels: [] } : await environmentAndWheels(early, phases, gathered, `${clone.dir}.wheels`, oldLock);

    phases.begin('stage');
    const files = [...gathered, ...wheels];
    const total = files.reduce((sum, file) => sum + file.size, 0);
    let hashed = 0;
    let lastShown = 0;
    const staged = await stageFiles(
      clone,
      files,
      { lfs: backup?.lfs ?? BACKUP_DEFAULTS.lfs, maxBlobMiB: backup?.maxBlobMiB ?? BACKUP_DEFAULTS.maxBlobMiB, allowSecretsIn: backup?.allowSecretsIn ?? [] },
      lockText === undefined ? [] : [{ path: LOCK_FILE, text: lockText }],
      (bytes, file) => {
        hashed += bytes;
        const now = performance.now();
        if (now - lastShown >= 100 || hashed === total) {
          lastShown = now;
          emit({ type: 'snapshot-progress', phase: 'stage', bytes: hashed, total, file });
        }
      },
      !input.dryRun,
    );
    // The wheels are in the clone's LFS store now: their folder would be a second copy in the cache.
    await rm(`${clone.dir}.wheels`, { recursive: true, force: true });
    let since: { tag: string; date: string; commit: string } | undefined;
    if (newest) {
      await fetchTag(clone, newest.name);
      since = { tag: newest.name, date: newest.date, commit: (await inClone(clone, ['rev-parse', `refs/tags/${newest.name}^{commit}`])).trim() };
    }
    const sinceTree = since ? (await inClone(clone, ['rev-parse', `${since.commit}^{tree}`])).trim() : undefined;
    const all = await stagedChanges(clone, staged.files, since?.commit, new Set(backup?.allowSecretsIn ?? []));
    // The exposure is of the operator's files: the lock and the wheels are made by a snapshot alone.
    const changes = input.exposureOnly ? all.filter((change) => !change.path.startsWith(`${WHEELS_DIR}/`) && change.path !== LOCK_FILE && change.path !== '.gitattributes') : all;
    for (const change of changes) emit({ type: 'snapshot-change', ...change });
    const summary = { files: staged.files.length, bytes: total, repo: remote.display, ...(since ? { since: { tag: since.tag, date: since.date } } : {}) };
    if (sinceTree === staged.tree || (input.exposureOnly && since && changes.length === 0)) {
      phases.end('stage', 'passed', `nothing changed since ${since!.tag} (${since!.date.slice(0, 10)})`);
      emit({ type: 'snapshot-end', exitCode: 0, nothingChanged: true, ...summary, ...(input.dryRun ? { dryRun: true } : {}) });
      return { exitCode: 0, changes: [], ...(since ? { since: { tag: since.tag, date: since.date } } : {}) };
    }
    const exposure = since ? `the live node differs from the newest backup (${since.tag}, ${ageText(since.date, input.now)}) in ${exposureText(changes) || 'the backup\'s own files'}` : `${remote.display} has no tag matching "${plan.snapshot.tags}" yet: nothing of this node is backed up`;
    phases.end('stage', 'passed', `${changes.length} change${changes.length === 1 ? '' : 's'}${since ? ` since ${since.tag}` : ''}${input.dryRun ? '' : `; ${staged.copied} new LFS object${staged.copied === 1 ? '' : 's'}`}`);
    if (input.dryRun) {
      emit({ type: 'snapshot-end', exitCode: 0, dryRun: true, exposure, ...summary });
      return { exitCode: 0, changes, exposure, ...(since ? { since: { tag: since.tag, date: since.date } } : {}) };
    }
    if (input.confirm && !(await input.confirm(changes))) {
      emit({ type: 'snapshot-end', exitCode: 1, error: 'not confirmed: nothing was committed or pushed', exposure, ...summary });
      return { exitCode: 1, changes };
    }
    return pushProveTag(clone, input, phases, { tree: staged.tree, changes, summary, format });
  });
}

/** The lock of this node (unchanged bytes when its facts are), and the wheelhouse when the plan keeps one. */
export async function environmentAndWheels(input: Pick<SnapshotInput, 'plan' | 'measure' | 'python' | 'signal' | 'env' | 'now'>, phases: Phases, gathered: readonly GatheredFile[], wheelDir: string, oldLock: string | undefined): Promise<{ lockText: string; wheels: GatheredFile[] }> {
  phases.begin('environment');
  const measured = await input.measure();
  const wheels: GatheredFile[] = [];
  if (input.plan.backup?.wheelhouse) {
    phases.end('environment', 'passed', describeEnvironment(measured));
    phases.begin('wheelhouse');
    const requirements = gathered.find((file) => file.path === 'requirements.txt');
    if (!requirements) throw new DrillError('backup.wheelhouse: the backup has no requirements.txt to make wheels of', { hint: 'add requirements.txt to backup.files' });
    const hooks = { ...(input.signal ? { signal: input.signal } : {}), ...(input.env ? { env: input.env } : {}) };
    wheels.push(...(await buildWheelhouse(input.python, requirements.source, wheelDir, hooks)));
    phases.end('wheelhouse', 'passed', `${wheels.length} wheel${wheels.length === 1 ? '' : 's'}, ${(wheels.reduce((sum, file) => sum + file.size, 0) / MIB).toFixed(1)} MiB, for ${path.basename(input.python)}`);
    phases.begin('environment');
  }
  const withWheels: MeasuredEnvironment = wheels.length > 0 ? { ...measured, wheels: await Promise.all(wheels.map(async (wheel) => ({ file: path.basename(wheel.path), sha256: (await hashFile(wheel.source)).oid }))) } : measured;
  // An unchanged environment keeps the lock's bytes: its recording time alone is no change.
  const lockText = sameEnvironment(oldLock, withWheels) ? oldLock! : formatLock(withWheels, input.now, 'whisper-drill snapshot');
  phases.end('environment', 'passed', `${LOCK_FILE}${oldLock === lockText ? ' (unchanged)' : ''}: ${describeEnvironment(measured)}`);
  return { lockText, wheels };
}

async function pushProveTag(
  clone: WorkClone,
  input: SnapshotInput,
  phases: Phases,
  made: { tree: string; changes: readonly FileChange[]; summary: Record<string, unknown> & { files: number; bytes: number; repo: string }; format: string },
): Promise<SnapshotOutcome> {
  const { emit } = input;
  const message = input.message ?? `Snapshot of ${input.from} on ${new Date(input.now).toISOString().slice(0, 10)}`;
  phases.begin('push');
  let lastShown = 0;
  const commit = await publish(
    clone,
    made.tree,
    message,
    (progress) => {
      const now = performance.now();
      if (now - lastShown < 100 && progress.bytes < progress.total) return;
      lastShown = now;
      emit({ type: 'snapshot-progress', phase: 'push', bytes: progress.bytes, total: progress.total, ...(progress.file ? { file: progress.file } : {}) });
    },
    (note) => emit({ type: 'snapshot-phase', phase: 'push', status: 'running', summary: note }),
  );
  phases.end('push', 'passed', `${commit.slice(0, 12)} on ${clone.branch} of ${clone.remote.display}`);

  phases.begin('prove');
  const proven = await proveLanded(clone, commit, input.onSecret);
  for (const object of proven) emit({ type: 'snapshot-object', path: object.path, oid: object.oid, size: object.size, present: object.presence.present, ...(object.presence.present ? {} : { why: object.presence.why }) });
  const missing = proven.filter((object) => !object.presence.present);
  if (missing.length > 0) {
    const named = missing.map((object) => `${object.path} (${object.oid.slice(0, 12)}…, ${object.size} bytes): ${object.presence.present ? '' : object.presence.why}`);
    phases.end('prove', 'failed', `${missing.length} of ${proven.length} LFS objects are not on ${clone.remote.display}`);
    throw new DrillError(`the push did not land: ${named.join('; ')}`, { hint: `no tag was made; the commit ${commit.slice(0, 12)} is on ${clone.branch} without one. Fix the LFS server, then snapshot again: it pushes the missing objects and tags that commit` });
  }
  phases.end('prove', 'passed', `${proven.length} LFS object${proven.length === 1 ? '' : 's'} on ${clone.remote.display}, each with its size`);

  phases.begin('tag');
  const name = input.tag ?? tagName(made.format, input.now, commit);
  checkTagName(name, input.plan.snapshot.tags, input.tag ? '--tag' : 'backup.tagFormat');
  await makeTag(clone, name, commit, message, input.sign);
  phases.end('tag', 'passed', `${name}${input.sign ? ' (signed)' : ''} → ${commit.slice(0, 12)}`);
  emit({ type: 'snapshot-end', exitCode: 0, tag: name, commit, objectsProven: proven.length, ...made.summary });
  return { exitCode: 0, tag: name, commit, changes: made.changes };
}

/** Whether the remote has any tag the plan lists (a new backup has none, and git's fetch of none fails). */
async function hasSnapshotTags(remote: Remote, pattern: string, env: Readonly<Record<string, string>>, signal?: AbortSignal): Promise<boolean> {
  const listed = await git(['ls-remote', '--tags', '--refs', remote.url, `refs/tags/${pattern}`], { env: { ...env, ...gitCredentialEnv(remote, { ...process.env, ...env }) }, ...(signal ? { signal } : {}) });
  if (listed.exitCode !== 0) throw new DrillError(`listing the tags of ${remote.display} failed: ${listed.stderr.trim().split('\n').slice(-2).join(' | ')}`, { hint: remoteHint(`check that ${remote.display} is reachable`)(listed) });
  return listed.stdout.trim() !== '';
}

function describeEnvironment(measured: MeasuredEnvironment): string {
  const parts = [
    measured.python ? `python ${measured.python}` : undefined,
    measured.torch ? `torch ${measured.torch.version}` : undefined,
    measured.nvidia ? `driver ${measured.nvidia.driver}` : measured.nvidia === null ? 'no NVIDIA driver' : undefined,
    measured.ffmpeg ? `ffmpeg ${measured.ffmpeg.version}` : undefined,
    measured.packages ? `${measured.packages.length} packages` : undefined,
  ].filter(Boolean);
  return parts.join(', ') || 'nothing measured';
}

/** "made today", "34 days old". */
export function ageText(date: string, now: Date): string {
  const days = Math.floor((now.getTime() - new Date(date).getTime()) / 86_400_000);
  return days <= 0 ? 'made today' : `${days} day${days === 1 ? '' : 's'} old`;
}

