/**
 * The drill's record is the fold of its events: every field of report.json arrives as an event the
 * faces see too, so what a face shows and what the report says cannot differ. The engine folds the
 * stream as it emits it; a saved NDJSON stream folds into the same record (test/e2e/demo.test.ts).
 */
import type { DrillEvent } from '../model/events.js';
import {
  REPORT_SCHEMA_VERSION,
  type ArchiveFacts,
  type AssertionOutcome,
  type CheckResult,
  type DrillRecord,
  type LfsFileRecord,
  type OutsideInput,
  type StepRecord,
} from '../model/record.js';
import { mergeDrift } from './drift/report.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** The record as far as the events so far tell it. */
export class RecordFold {
  private start: Extract<DrillEvent, { type: 'drill-start' }> | undefined;
  private end: Extract<DrillEvent, { type: 'verdict' }> | undefined;
  private readonly startedSteps = new Map<string, string>();
  private readonly stepRecords: StepRecord[] = [];
  /** Checks by id: a check measured again (after an install, say) replaces the earlier result in place. */
  private readonly checkResults = new Map<string, CheckResult>();
  private readonly facts: Record<string, unknown> = {};
  readonly lfsFiles: LfsFileRecord[] = [];
  readonly assertions: AssertionOutcome[] = [];
  private readonly outsideInputs: OutsideInput[] = [];
  private rest: Partial<Mutable<Pick<DrillRecord, 'rto' | 'drift' | 'signOff' | 'changes' | 'isolation' | 'provenance' | 'connections'>>> & {
    repo?: string;
    tag?: Extract<DrillEvent, { type: 'snapshot' }>['tag'];
    configFiles?: Readonly<Record<string, string | null>>;
    archive?: ArchiveFacts;
    serviceLog?: string;
    serviceLogTail?: readonly string[];
    leftRunning?: DrillRecord['service']['leftRunning'];
    resumed?: DrillRecord['resumed'];
    notices?: string[];
  } = {};

  add(event: DrillEvent): void {
    switch (event.type) {
      case 'drill-start':
        this.start = event;
        return;
      case 'step-start':
        this.startedSteps.set(event.step, event.at);
        return;
      case 'step-end':
        this.stepRecords.push({
          id: event.step,
          status: event.status,
          startedAt: this.startedSteps.get(event.step) ?? event.at,
          durationMs: event.durationMs,
          summary: event.summary,
          evidence: event.evidence ?? {},
          ...(event.error ? { error: event.error } : {}),
          ...(event.resume ? { resume: event.resume } : {}),
        });
        return;
      case 'resumed':
        this.rest.resumed = { earlier: event.earlier, said: event.said };
        return;
      case 'notice':
        this.rest.notices = [...(this.rest.notices ?? []), event.line];
        return;
      case 'check':
        this.checkResults.set(event.check.id, event.check);
        return;
      case 'facts':
        Object.assign(this.facts, event.facts);
        return;
      case 'lfs-file':
        this.lfsFiles.push(event.file);
        return;
      case 'assertion':
        this.assertions.push(event.outcome);
        return;
      case 'drift':
        this.rest.drift = mergeDrift(this.rest.drift ?? undefined, event.drift);
        return;
      case 'snapshot':
        this.rest.repo = event.repo;
        if (event.tag) this.rest.tag = event.tag;
        if (event.archive) this.rest.archive = event.archive;
        return;
      case 'config-files':
        this.rest.configFiles = event.files;
        return;
      case 'service-log':
        this.rest.serviceLog = event.path;
        if (event.tail) this.rest.serviceLogTail = event.tail;
        return;
      case 'left-running':
        this.rest.leftRunning = event.service;
        return;
      case 'rto':
        this.rest.rto = { ...this.rest.rto, ...event.rto };
        return;
      case 'isolation':
        this.rest.isolation = event.isolation;
        return;
      case 'provenance':
        this.rest.provenance = event.provenance;
        return;
      case 'connections':
        this.rest.connections = event.connections;
        return;
      case 'outside-input':
        this.outsideInputs.push(event.input);
        return;
      case 'sign-off':
        this.rest.signOff = event.signOff;
        return;
      case 'changes':
        this.rest.changes = event.changes;
        return;
      case 'verdict':
        this.end = event;
        return;
      case 'progress':
      case 'log':
      case 'tags':
      case 'drill-end':
        return;
    }
  }

  get checks(): CheckResult[] {
    return [...this.checkResults.values()];
  }

  get steps(): readonly StepRecord[] {
    return this.stepRecords;
  }

  get chosenTag(): string | undefined {
    return this.rest.tag?.name;
  }

  get leftRunning(): DrillRecord['service']['leftRunning'] {
    return this.rest.leftRunning ?? null;
  }

  /** Required checks and assertions that could not be carried out: they make the verdict inconclusive. */
  get inconclusive(): string[] {
    return [
      ...this.checks.filter((check) => check.status === 'inconclusive').map((check) => `${check.title}: ${check.measured}`),
      ...this.assertions.filter((a) => a.status === 'inconclusive' && a.required).map((a) => `${a.name}: ${a.detail}`),
    ];
  }

  /** The record; before the `verdict` event, without one (the fields it brings are left empty). */
  record(): DrillRecord {
    const start = this.start;
    if (!start) throw new Error('no drill-start event: there is no drill to record');
    const tag = this.rest.tag;
    return {
      schemaVersion: REPORT_SCHEMA_VERSION,
      tool: start.tool,
      plan: { name: start.plan, file: start.planFile, sha256: start.planSha256, ...(start.policy ? { policy: start.policy } : {}) },
      mode: start.mode,
      snapshot: {
        repo: this.rest.repo ?? null,
        tag: tag?.name ?? null,
        commit: tag?.commit ?? null,
        signature: tag?.signature ?? null,
        ...(tag?.signatureDetail ? { signatureDetail: tag.signatureDetail } : {}),
        ...(this.rest.configFiles ? { configFiles: this.rest.configFiles } : {}),
        ...(this.rest.archive ? { archive: this.rest.archive } : {}),
      },
      host: start.host,
      workdir: start.workdir,
      reportDir: this.end?.reportDir ?? '',
      startedAt: start.at,
      finishedAt: this.end?.at ?? '',
      verdict: this.end?.verdict ?? 'inconclusive',
      verdictReasons: this.end?.reasons ?? [],
      exitCode: this.end?.exitCode ?? 3,
      steps: [...this.stepRecords],
      environment: { checks: this.checks, facts: { ...this.facts } },
      lfs: { files: [...this.lfsFiles] },
      assertions: [...this.assertions],
      rto: this.rest.rto ?? {},
      service: { log: this.rest.serviceLog ?? null, leftRunning: this.leftRunning, ...(this.rest.serviceLogTail ? { logTail: this.rest.serviceLogTail } : {}) },
      drift: this.rest.drift ?? null,
      signOff: this.rest.signOff ?? { operator: null, notes: null },
      changes: this.rest.changes ?? null,
      isolation: this.rest.isolation ?? null,
      provenance: this.rest.provenance ?? null,
      outsideInputs: [...this.outsideInputs],
      connections: this.rest.connections ?? null,
      ...(this.rest.resumed ? { resumed: this.rest.resumed } : {}),
      ...(this.rest.notices ? { notices: this.rest.notices } : {}),
    };
  }
}

/** A whole stream (a saved NDJSON file, say) folded into its record. */
export function recordOf(events: Iterable<DrillEvent>): DrillRecord {
  const fold = new RecordFold();
  for (const event of events) fold.add(event);
  return fold.record();
}
