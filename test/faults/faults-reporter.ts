/**
 * Prints the fault-injection suite's count at the end of a run: how many distinct faults were injected
 * (tests named "fault: [area] …"), by area, and how many held. Added beside the default reporter.
 */
import type { Reporter, TestModule } from 'vitest/node';

const PREFIX = 'fault: [';

export default class FaultsReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const byArea = new Map<string, number>();
    let held = 0;
    let total = 0;
    for (const module of modules) {
      for (const test of module.children.allTests()) {
        if (!test.name.startsWith(PREFIX)) continue;
        total += 1;
        const area = test.name.slice(PREFIX.length, test.name.indexOf(']'));
        byArea.set(area, (byArea.get(area) ?? 0) + 1);
        if (test.result().state === 'passed') held += 1;
      }
    }
    if (total === 0) return;
    const areas = [...byArea].map(([area, count]) => `${area} ${count}`).join(', ');
    process.stdout.write(`\n Fault injection: ${total} distinct faults injected (${areas}); ${held} held — verdict, step, message, report, nothing left behind\n`);
  }
}
