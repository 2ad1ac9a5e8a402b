/**
 * fetch: a shallow, smudge-free clone of the chosen tag (no LFS content goes through git), then
 * every LFS object read once from its source and hashed while it is written into the work tree.
 * Over ssh, when the server offers no `git-lfs-authenticate`, git-lfs itself fetches (its pure-ssh
 * transfer), and verify hashes what it wrote.
 */
import { checkoutLfsFiles, fetchLfsObjects, shallowClone, unshareLfsObjects } from '../../snapshot/fetch.js';
import type { Landed } from '../../snapshot/lfs/download.js';
import { lfsSource, type LfsSource } from '../../snapshot/lfs/endpoint.js';
import type { LfsPointer } from '../../snapshot/pointers.js';
import { restoreLfsObjects } from '../../snapshot/lfs/transfer.js';
import { keptClone, type KeptClone } from '../../snapshot/kept-clone.js';
import { gitCredentialEnv } from '../../snapshot/remote.js';
import { sshEnv } from '../../snapshot/ssh.js';
import { formatBytes } from '../../model/format.js';
import { DrillError } from '../../model/errors.js';
import { diskFullError, isDiskFull } from '../../snapshot/disk-full.js';
import { defineStep, type StepContext, type StepOutputs } from './step.js';

/** git-lfs's own fetch and checkout, for what the drill's transfer does not reach. */
async function fetchWithGitLfs(ctx: StepContext, tag: string, env: Record<string, string>, onBytes: (bytes: number) => void): Promise<void> {
  const dir = ctx.workspace.dir;
  const hooks = { runner: ctx.runner, signal: ctx.signal, env, onLine: (line: string) => ctx.log(line, 'stderr') };
  const result = await fetchLfsObjects(dir, tag, { ...hooks, onBytes });
  if (result.missing.length > 0) throw new DrillError(`the backup is missing ${result.missing.length} LFS object(s): ${result.missing.join(', ')} (\`${result.command}\`)`, { hint: 'push the objects again (git lfs push --all) or pick another tag' });
  if (result.exitCode !== 0 && result.rejected.size === 0) throw new DrillError(`\`${result.command}\` exited with ${result.exitCode ?? 'a signal'}: ${result.stderrTail}`);
  await checkoutLfsFiles(dir, hooks);
  if (ctx.options.mode === 'setup' || ctx.options.keep) await unshareLfsObjects(dir);
}

/** The wheelhouse's LFS files (install.wheelhouse, default wheels/), and the others. */
function wheelhouseFirst(pointers: readonly LfsPointer[], wheelhouse: string | false | undefined): { first: LfsPointer[]; rest: LfsPointer[] } {
  if (wheelhouse === false) return { first: [], rest: [...pointers] };
  const prefix = `${(wheelhouse ?? 'wheels').replace(/\/+$/, '')}/`;
  // An object the wheelhouse shares with another path is fetched (and placed at each path) with it.
  const wheels = new Set(pointers.filter((p) => p.path.startsWith(prefix)).map((p) => p.oid));
  return { first: pointers.filter((p) => wheels.has(p.oid)), rest: pointers.filter((p) => !wheels.has(p.oid)) };
}

/** What a resumed fetch kept of the killed drill's work: said in the summary, counted in the evidence. */
function keptSaid(clone: KeptClone | undefined, landed: readonly Landed[]) {
  if (!clone) return undefined;
  const whole = landed.filter((l) => l.keptBytes !== undefined && l.keptBytes === l.size);
  const partial = landed.filter((l) => l.keptBytes !== undefined && l.keptBytes < l.size && l.sha256 === l.oid);
  const wholeBytes = whole.reduce((sum, l) => sum + l.size, 0);
  const partialBytes = partial.reduce((sum, l) => sum + (l.keptBytes ?? 0), 0);
  const parts = [
    clone.kept ? 'the killed drill\'s clone kept' : 'cloned anew',
    ...(whole.length ? [`${whole.length} LFS object(s) it had placed re-hashed and kept (${formatBytes(wholeBytes)})`] : []),
    ...(partial.length ? [`${partial.length} download(s) gone on from its ${formatBytes(partialBytes)} (re-hashed)`] : []),
  ];
  return {
    said: parts.join(', '),
    went: clone.kept || whole.length > 0 || partial.length > 0,
    allKept: whole.length > 0 && whole.length === landed.length,
    evidence: { clone: clone.kept, objects: whole.length, bytes: wholeBytes, partialObjects: partial.length, partialBytes },
  };
}

const lfsTotal = (pointers: readonly LfsPointer[]) => [...new Map(pointers.map((p) => [p.oid, p.size])).values()].reduce((sum, size) => sum + size, 0);

export const fetchStep = defineStep({
  id: 'fetch',
  title: 'Fetch the snapshot and its LFS objects',
  needs: ['snapshot'],
  rtoKey: 'fetchMs',
  run: async (ctx, { snapshot }) => {
    // Recovery (rto.recoveryMs) is measured from here to the first correct transcript.
    const startedAtMs = performance.now();
    try {
      return await restoreSnapshot(ctx, snapshot, startedAtMs);
    } catch (error) {
      // A full disk, wherever it struck (git's clone, a copy, a download): named with what was still to come.
      if (ctx.signal.aborted || !isDiskFull(error)) throw error;
      throw await diskFullError(ctx.workspace.dir, lfsTotal(snapshot.tag.pointers), error);
    }
  },
});

async function restoreSnapshot(ctx: StepContext, snapshot: StepOutputs['snapshot'], startedAtMs: number) {
  const { tag, remote } = snapshot;
  if (!remote) throw new DrillError('no remote to fetch from: the snapshot step chose an archive');
  const dir = ctx.workspace.dir;
  const env = { ...ctx.options.env, ...gitCredentialEnv(remote, { ...process.env, ...ctx.options.env }), ...sshEnv(remote, { ...process.env, ...ctx.options.env }) };
  // --resume: the killed drill's clone is kept when it is at the tag's commit (its other files written again).
  const resuming = ctx.options.resume !== undefined;
  const clone = resuming ? await keptClone(dir, tag.commit, new Set(tag.pointers.map((p) => p.path)), { runner: ctx.runner, signal: ctx.signal, env }) : undefined;
  if (clone) ctx.log(clone.said, 'info');
  const commit = clone?.kept ? tag.commit : await shallowClone(remote.url, tag.name, dir, { runner: ctx.runner, signal: ctx.signal, env, onLine: (line) => ctx.log(line, 'stderr') });
  if (commit !== tag.commit) {
    throw new DrillError(`tag ${tag.name} moved: listed at ${tag.commit}, cloned ${commit}`, { hint: 'someone re-tagged the snapshot during the drill; run it again' });
  }
  // The same commit as listed, so the same pointers: the listing read them once.
  const { pointers } = tag;
  const total = lfsTotal(pointers);
  const onBytes = (bytes: number) => ctx.progress({ current: Math.min(bytes, total), total, unit: 'bytes' });
  ctx.progress({ current: 0, total, unit: 'bytes', label: `${pointers.length} LFS objects` });

  let source: LfsSource | undefined;
  try {
    source = await lfsSource(remote, dir, { runner: ctx.runner, env, signal: ctx.signal });
  } catch (error) {
    if (remote.kind !== 'ssh' || ctx.signal.aborted) throw error;
    ctx.log(`${(error as Error).message}; fetching with git-lfs instead`, 'info');
  }
  if (!source) {
    await fetchWithGitLfs(ctx, tag.name, env, onBytes);
    ctx.milestone('checkout');
    ctx.milestone('wheelhouse');
    // git-lfs keeps what it finds in the clone's object store (verify hashes every file).
    return { status: 'passed' as const, summary: `${pointers.length} LFS objects (${formatBytes(total)}) fetched by git-lfs at ${commit.slice(0, 12)}${clone?.kept ? '; the killed drill\'s clone kept' : ''}`, evidence: { commit, via: 'git-lfs' }, output: { commit, pointers, landed: new Map<string, Landed>(), startedAtMs }, ...(clone?.kept ? { resumed: true } : {}) };
  }
  const restore = (some: readonly LfsPointer[], bytesBefore: number) =>
    restoreLfsObjects(some, {
      workdir: dir,
      source: source!,
      ...(remote.credentials ? { credentials: remote.credentials } : {}),
      signal: ctx.signal,
      runner: ctx.runner,
      env,
      onBytes: (bytes) => onBytes(bytesBefore + bytes),
      onSecret: ctx.secret,
      resume: resuming,
    });
  // Install starts at the checkout (a venv is made from the checked-out tree alone); its pip waits for
  // the backup's wheelhouse, which comes first.
  ctx.milestone('checkout');
  const { first, rest } = wheelhouseFirst(pointers, ctx.plan.wheelhouse);
  const early = first.length > 0 ? await restore(first, 0) : undefined;
  // Only a whole wheelhouse lets pip go: a missing or damaged wheel is for fetch and verify to name,
  // not for pip to trip over (pip then waits for fetch to end, and is stopped with it).
  const wheelsWhole = !early || (early.missing.length === 0 && [...early.landed.values()].every((l) => l.sha256 === l.oid));
  if (wheelsWhole) ctx.milestone('wheelhouse');
  const firstBytes = [...new Map(first.map((p) => [p.oid, p.size])).values()].reduce((sum, size) => sum + size, 0);
  const late = rest.length > 0 || !early ? await restore(rest, firstBytes) : { missing: [], landed: new Map<string, Landed>() };
  const result = early ? { missing: [...early.missing, ...late.missing], landed: new Map([...early.landed, ...late.landed]) } : late;
  if (result.missing.length > 0) {
    throw new DrillError(`${remote.display} is missing ${result.missing.length} LFS object(s): ${result.missing.map((m) => `${m.oid} (${m.message})`).join(', ')}`, {
      hint: 'the backup is incomplete: push the objects again (git lfs push --all) or pick another tag',
    });
  }
  const corrupt = [...result.landed.values()].filter((l) => l.sha256 !== l.oid);
  const resumed = [...result.landed.values()].reduce((sum, l) => sum + l.resumed, 0);
  const kept = keptSaid(clone, [...result.landed.values()]);
  const via = source.kind === 'store' ? 'copied from the repository\'s store' : `over the LFS Batch API${source.viaSsh ? ' (ssh)' : ''}`;
  return {
    status: corrupt.length > 0 ? ('warned' as const) : ('passed' as const),
    summary:
      corrupt.length > 0
        ? `${corrupt.length} LFS object(s) arrived with bytes that do not match their pointer; verify names them`
        : kept?.allKept
          ? `${pointers.length} LFS objects (${formatBytes(total)}) at ${commit.slice(0, 12)}, none fetched again: ${kept.said}`
          : `${pointers.length} LFS objects (${formatBytes(total)}) ${via} at ${commit.slice(0, 12)}${resumed ? `, ${resumed} resumed transfer(s)` : ''}${kept ? `; ${kept.said}` : ''}`,
    evidence: { commit, lfsBytes: total, via: source.kind, resumed, rejectedObjects: Object.fromEntries(corrupt.map((l) => [l.oid, l.sha256])), ...(kept ? { keptFromKilledRun: kept.evidence } : {}) },
    output: { commit, pointers, landed: result.landed, startedAtMs },
    ...(kept?.went ? { resumed: true } : {}),
  };
}
