/**
 * The service's proof, judged once: which processes opened the restored model files (provenance) and
 * what it tried to reach on the network (connections). Each is told as an event for the record; as
 * assertions only when the service ran its course (assert) — after a failed start, or an abort,
 * they are evidence, not verdicts.
 */
import type { AssertionOutcome, ConnectionAttempt, ProvenanceRecord } from '../model/record.js';
import { assertionStatus } from '../model/record.js';
import { judgeConnections } from './network.js';
import { judgeProvenance } from './provenance.js';
import type { ModelProof, StepContext } from './steps/step.js';

export interface JudgedProof {
  readonly provenance: ProvenanceRecord;
  readonly assertions: readonly AssertionOutcome[];
}

export async function judgeServiceProof(ctx: StepContext, proof: ModelProof, servicePid: number): Promise<JudgedProof> {
  proof.judged = true;
  const watched = await proof.watch.finish();
  const { record: provenance, assertion: inUse } = judgeProvenance(proof.models, watched, servicePid, ctx.workspace.dir);
  ctx.emit({ type: 'provenance', provenance });
  const seen = (await proof.jail?.attempts()) ?? [];
  const ready = proof.attemptsWhenReady ?? seen.length;
  const attempts: ConnectionAttempt[] = seen.map((attempt, index) => ({ ...attempt, during: index < ready ? 'start' : 'assert' }));
  const traced = proof.network.jail.trace && proof.jail !== undefined;
  const why = proof.network.notTraced ?? (proof.jail ? undefined : 'the service was not started through the tracer');
  const { record: connections, assertion: offline } = judgeConnections(attempts, ctx.plan, { traced, ...(why ? { why } : {}) });
  ctx.emit({ type: 'connections', connections });
  return { provenance, assertions: [inUse, offline].map((result) => ({ status: assertionStatus(result), ...result })) };
}
