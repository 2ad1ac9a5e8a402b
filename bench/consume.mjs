/**
 * The floor: a bare Node process that only reads a child's output (no drill, no reporter).
 * Prints its own CPU use while the child runs, as a percentage of one core.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

const cpuSeconds = () => {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
};
const [python, script] = process.argv.slice(2);
const cpu0 = cpuSeconds();
const t0 = performance.now();
let lines = 0;
const child = spawn(python, [script]);
child.stdout.on('data', (chunk) => (lines += chunk.toString().split('\n').length - 1));
await new Promise((resolve) => child.on('exit', resolve));
const wallS = (performance.now() - t0) / 1000;
console.log(JSON.stringify({ percentOfCore: (100 * (cpuSeconds() - cpu0)) / wallS, lines, wallS }));
