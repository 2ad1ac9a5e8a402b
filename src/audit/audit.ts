/**
 * `whisper-drill audit`: is every tag of the backup restorable, without downloading it. The tags are
 * listed as a drill lists them (a depth-1 fetch into the metadata cache; the LFS pointers of every
 * tag in one `cat-file --batch`), every LFS object they need is asked about once (./object-presence.ts),
 * and each tag is restorable when every object it needs is there with its size, its tree has what a
 * drill reads (./tree-check.ts), and its signature is not bad.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ProcessRunner } from '../adapters/run.js';
import type { PastDrill } from '../history/read.js';
import { lastDrillByTag } from '../history/read.js';
import type { Verdict } from '../model/record.js';
import type { Plan } from '../plan/types.js';
import { lfsSource, type LfsSource } from '../snapshot/lfs/endpoint.js';
import { withMetadataLock } from '../snapshot/metadata-lock.js';
import type { Remote } from '../snapshot/remote.js';
import { sshEnv } from '../snapshot/ssh.js';
import { fetchTagMetadata, listSnapshotTags, metadataRepoPath, withSignatureChecked, type TagListing } from '../snapshot/tags.js';
import { objectPresence, type Presence } from './object-presence.js';
import { treeFacts, type TreeFacts } from './tree-check.js';

export interface AuditRow {
  readonly tag: string;
  readonly date: string;
  readonly commit: string;
  readonly lfsFiles: number;
  readonly lfsBytes: number;
  readonly signature: TagListing['signature'];
  readonly restorable: boolean;
  /**
   * Why not: each object missing or of the wrong size (its path, its oid and the server's words), a
   * file the drill needs that the tag lacks, a bad signature.
   */
  readonly problems: readonly string[];
  /** The tag carries an environment.lock.yaml (drift can be compared), a wheelhouse (install needs no index). */
  readonly lock: boolean;
  readonly wheelhouse: boolean;
  readonly lastDrill?: { readonly verdict: Verdict; readonly at: string };
}

export interface AuditResult {
  readonly repo: string;
  /** Newest first. */
  readonly rows: readonly AuditRow[];
  /** Distinct LFS objects asked about, and how many of them are not there as their pointers say. */
  readonly objects: number;
  readonly missingObjects: number;
  readonly source: 'store' | 'server';
}

export interface AuditInput {
  /** What a drill of a tag needs: the install commands' requirement files, the assertions' audio, the model globs. */
  readonly plan: Plan;
  readonly remote: Remote;
  readonly pattern: string;
  readonly allowedSigners?: string;
  readonly cacheRoot: string;
  readonly history: readonly PastDrill[];
  readonly runner?: ProcessRunner;
  readonly env?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
  readonly onSecret?: (secret: string) => void;
}

async function listTags(input: AuditInput): Promise<{ tags: TagListing[]; trees: Map<string, TreeFacts> }> {
  const metaDir = metadataRepoPath(input.cacheRoot, input.remote.url);
  const env = { ...input.env, ...sshEnv(input.remote, { ...process.env, ...input.env }) };
  return withMetadataLock(metaDir, async () => {
    await fetchTagMetadata(metaDir, input.remote, input.pattern, { env, ...(input.runner ? { runner: input.runner } : {}), ...(input.signal ? { signal: input.signal } : {}) });
    const listed = await listSnapshotTags(metaDir, input.pattern, input.allowedSigners, input.runner);
    // The listing checks the newest signatures and defers the rest: an audit checks them all.
    const tags = await Promise.all(listed.map((tag) => withSignatureChecked(metaDir, tag, input.allowedSigners, input.runner)));
    return { tags, trees: await treeFacts(metaDir, tags, input.plan, input.runner) };
  });
}

export async function auditBackup(input: AuditInput): Promise<AuditResult> {
  const { tags, trees } = await listTags(input);
  // A tag whose own .lfsconfig names lfs.url is restored from there (as git-lfs does): its objects are
  // asked of that endpoint; the others, of the remote's. No tree is checked out for the default.
  const endpointOf = (tag: TagListing) => trees.get(tag.name)?.lfsUrl ?? '';
  const nowhere = await mkdtemp(path.join(os.tmpdir(), 'whisper-drill-audit-'));
  const env = { ...input.env, ...sshEnv(input.remote, { ...process.env, ...input.env }) };
  try {
    const hooks = { env, ...(input.runner ? { runner: input.runner } : {}), ...(input.signal ? { signal: input.signal } : {}) };
    const presenceHooks = { ...hooks, ...(input.remote.credentials ? { credentials: input.remote.credentials } : {}), ...(input.onSecret ? { onSecret: input.onSecret } : {}) };
    const byEndpoint = new Map<string, Map<string, Presence>>();
    const kinds = new Set<LfsSource['kind']>();
    let objects = 0;
    for (const endpoint of new Set(tags.map(endpointOf))) {
      const source: LfsSource = endpoint ? { kind: 'server', endpoint, header: {}, viaSsh: false } : await lfsSource(input.remote, nowhere, hooks);
      kinds.add(source.kind);
      const wanted = [...new Map(tags.filter((tag) => endpointOf(tag) === endpoint).flatMap((tag) => tag.pointers.map((p) => [p.oid, { oid: p.oid, size: p.size }] as const))).values()];
      objects += wanted.length;
      byEndpoint.set(endpoint, await objectPresence(source, wanted, presenceHooks));
    }
    const presenceOf = (tag: TagListing) => byEndpoint.get(endpointOf(tag)) ?? new Map<string, Presence>();
    const lastDrills = lastDrillByTag(input.history);
    const rows = tags.map((tag): AuditRow => {
      const problems: string[] = [];
      const presence = presenceOf(tag);
      for (const pointer of tag.pointers) {
        const found = presence.get(pointer.oid);
        if (found && !found.present) problems.push(`${pointer.path} (${pointer.oid.slice(0, 12)}…): ${found.why}`);
      }
      if (tag.signature === 'bad') problems.push(`bad signature: ${tag.signatureDetail ?? 'verification failed'}`);
      const tree = trees.get(tag.name);
      problems.push(...(tree?.missing ?? []));
      const lastDrill = lastDrills.get(tag.name);
      return {
        tag: tag.name,
        date: tag.date,
        commit: tag.commit,
        lfsFiles: tag.lfsFiles,
        lfsBytes: tag.lfsBytes,
        signature: tag.signature,
        restorable: problems.length === 0,
        problems,
        lock: tree?.lock ?? false,
        wheelhouse: tree?.wheelhouse ?? false,
        ...(lastDrill ? { lastDrill } : {}),
      };
    });
    const missingObjects = [...byEndpoint.values()].flatMap((found) => [...found.values()]).filter((found) => !found.present).length;
    return { repo: input.remote.display, rows, objects, missingObjects, source: kinds.has('server') ? 'server' : 'store' };
  } finally {
    await rm(nowhere, { recursive: true, force: true });
  }
}
