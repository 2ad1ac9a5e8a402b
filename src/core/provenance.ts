/**
 * "Restored model in use": what the watch saw, judged. It passes when the service's own processes
 * opened (or mapped) every restored model file and no other copy of one; it fails when a restored
 * model was never opened (something else stood in for it, or the service does not need it), or when
 * the service opened a file with a model's name or size outside the workspace (a model cache, say).
 */
import path from 'node:path';
import { globMatcher } from '../model/glob.js';
import { describeProvenanceFile } from '../model/provenance-text.js';
import type { AssertionResult, LfsFileRecord, ProvenanceRecord } from '../model/record.js';
import { DEFAULT_MODEL_GLOBS } from '../plan/schema-service.js';
import type { Sighting, WatchedModel, WatchResult } from '../service/model-watch.js';

export const PROVENANCE_ASSERTION = 'restored model in use';

/** The restored LFS files the plan's service.models names (by default, the usual weight formats). */
export function modelFilesOf(files: readonly LfsFileRecord[], globs: readonly string[] | undefined, workspace: string): WatchedModel[] {
  const matchers = (globs ?? DEFAULT_MODEL_GLOBS).map(globMatcher);
  return files
    .filter((file) => file.verified && matchers.some((matches) => matches(file.path)))
    .map((file) => ({ path: file.path, absolute: path.join(workspace, file.path), size: file.size, sha256: file.oid }));
}

const isInside = (dir: string, file: string) => !path.relative(dir, file).startsWith('..');

export function judgeProvenance(models: readonly WatchedModel[], watch: WatchResult, servicePid: number, workspace: string): { record: ProvenanceRecord; assertion: AssertionResult } {
  const ofService = (seen: Sighting) => seen.ancestry === undefined || seen.ancestry.includes(servicePid);
  const sightings = watch.sightings.filter(ofService);
  const restored = new Set(models.map((m) => m.absolute));
  const files = models.map((model) => {
    const own = sightings.filter((seen) => seen.path === model.absolute);
    const openedBy = [...new Map(own.map((seen) => [seen.pid, { pid: seen.pid, command: seen.command }])).values()];
    return { path: model.path, sha256: model.sha256, size: model.size, openedBy, mapped: own.some((seen) => seen.via === 'map') };
  });
  const elsewhere = [
    ...new Map(
      sightings.filter((seen) => !restored.has(seen.path) && !isInside(workspace, seen.path)).map((seen) => [`${seen.pid}:${seen.path}`, { path: seen.path, pid: seen.pid, command: seen.command }]),
    ).values(),
  ];
  const record: ProvenanceRecord = { method: watch.method, files, elsewhere, notes: watch.notes };
  const base = { name: PROVENANCE_ASSERTION, api: 'provenance', expected: 'the service opens every restored model file, and no other copy', cer: null, required: true, latencyMs: null };
  if (models.length === 0) {
    const detail = 'the backup holds no model file that service.models names: nothing shows the service ran restored weights';
    return { record, assertion: { ...base, actual: '', passed: false, inconclusive: true, detail } };
  }
  const counterpart = (file: string) => models.find((m) => path.basename(m.absolute) === path.basename(file)) ?? models[0]!;
  const stoodIn = elsewhere[0];
  if (stoodIn) {
    const detail = `the service read ${stoodIn.path}, not the restored ${counterpart(stoodIn.path).path} (pid ${stoodIn.pid}, ${stoodIn.command})`;
    return { record, assertion: { ...base, actual: elsewhere.map((e) => e.path).join(', '), passed: false, detail } };
  }
  const unopened = files.filter((file) => file.openedBy.length === 0);
  if (unopened.length > 0) {
    const detail =
      `the service never opened the restored ${unopened.map((f) => f.path).join(', ')} (watched with ${watch.method}): ` +
      'a cached copy, a download or a built-in model stood in, or the service does not need this file';
    return { record, assertion: { ...base, actual: files.filter((f) => f.openedBy.length > 0).map((f) => f.path).join(', '), passed: false, detail } };
  }
  return { record, assertion: { ...base, actual: files.map((f) => f.path).join(', '), passed: true, detail: files.map(describeProvenanceFile).join('; ') } };
}
