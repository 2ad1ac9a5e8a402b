/**
 * When each step may start, and what a step waits on: the engine's timetable. By default a step
 * starts once every step before it has ended; a step that says where it may start earlier (install:
 * once fetch has checked the commit out) starts there, beside the step it overlaps, and the steps
 * after both wait for both. A milestone a step never reaches is reached when it ends.
 */
import type { StepId } from '../model/record.js';

interface Deferred {
  readonly promise: Promise<void>;
  readonly resolve: () => void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

export interface Timed {
  readonly id: StepId;
  /** Where it may start before the steps ahead of it have ended. */
  readonly mayStartAt?: { readonly step: StepId; readonly milestone: string };
}

export class Timetable {
  private readonly ends = new Map<StepId, Deferred>();
  private readonly milestones = new Map<string, Deferred>();
  /** performance.now() of each step's end, and of each milestone reached. */
  private readonly times = new Map<string, number>();
  /** Which step's end (or milestone) let each step start: the chain the critical path follows back. */
  private readonly releasedBy = new Map<StepId, StepId>();

  constructor(
    private readonly steps: readonly Timed[],
    /** false: every step waits for all the steps ahead of it (the by-hand order). */
    private readonly overlap: boolean,
  ) {
    for (const step of steps) this.ends.set(step.id, deferred());
  }

  private milestone(step: StepId, name: string): Deferred {
    const key = `${step}:${name}`;
    let reached = this.milestones.get(key);
    if (!reached) {
      reached = deferred();
      this.milestones.set(key, reached);
    }
    return reached;
  }

  /** Settles when `step` may start; says which step let it. */
  async gate(step: Timed): Promise<void> {
    const index = this.steps.findIndex((s) => s.id === step.id);
    const early = this.overlap ? step.mayStartAt : undefined;
    if (early) {
      await Promise.race([this.milestone(early.step, early.milestone).promise, this.ends.get(early.step)!.promise]);
      this.releasedBy.set(step.id, early.step);
      return;
    }
    const ahead = this.steps.slice(0, index);
    await Promise.all(ahead.map((s) => this.ends.get(s.id)!.promise));
    const last = ahead.reduce<StepId | undefined>((latest, s) => (latest === undefined || (this.times.get(s.id) ?? 0) >= (this.times.get(latest) ?? 0) ? s.id : latest), undefined);
    if (last) this.releasedBy.set(step.id, last);
  }

  reached(step: StepId, name: string): void {
    if (!this.times.has(`${step}:${name}`)) this.times.set(`${step}:${name}`, performance.now());
    this.milestone(step, name).resolve();
  }

  ended(step: StepId): void {
    this.times.set(step, performance.now());
    this.ends.get(step)!.resolve();
  }

  /** Settles when `step` has reached `name` — or has ended without reaching it. */
  whenReached(step: StepId, name: string): Promise<void> {
    return Promise.race([this.milestone(step, name).promise, this.ends.get(step)?.promise ?? Promise.resolve()]);
  }

  /** Settles when `step` has ended (whatever its outcome). */
  whenEnded(step: StepId): Promise<void> {
    return this.ends.get(step)!.promise;
  }

  /**
   * The steps that decided when `last` ended, from `first` on: e.g. fetch → install → start → assert
   * when install (begun at fetch's checkout) ended after verify. undefined when `last` never ran.
   */
  criticalPath(first: StepId, last: StepId): StepId[] | undefined {
    const path: StepId[] = [last];
    let at: StepId | undefined = last;
    while (at !== undefined && at !== first) {
      at = this.releasedBy.get(at);
      if (at !== undefined) path.unshift(at);
    }
    return path[0] === first ? path : undefined;
  }
}
