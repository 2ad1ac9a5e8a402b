/**
 * Recorded stand-ins for external tools: an executable shell script on a temp PATH that prints
 * recorded output and exits with a recorded code, optionally chosen by its arguments.
 */
import { chmod, copyFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface FakeOutput {
  /** Text printed on stdout. */
  readonly stdout?: string;
  /** A recorded file printed on stdout (instead of `stdout`). */
  readonly stdoutFile?: string;
  readonly stderr?: string;
  readonly exitCode?: number;
  /** Shell lines run after the output (for a stand-in whose answer depends on the host at call time). */
  readonly script?: string;
}

export interface FakeCase extends FakeOutput {
  /** Used when the joined arguments contain this text. */
  readonly argsInclude: string;
}

export interface FakeBinSpec extends FakeOutput {
  /** Tried in order before the default output. */
  readonly cases?: readonly FakeCase[];
}

function shQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** Writes `dir/name`; every call's arguments are appended to `dir/name.calls`. Returns the script path. */
export async function makeFakeBin(dir: string, name: string, spec: FakeBinSpec = {}): Promise<string> {
  const script = path.join(dir, name);
  const outputs: Array<[string | undefined, FakeOutput]> = [...(spec.cases ?? []).map((c): [string, FakeOutput] => [c.argsInclude, c]), [undefined, spec]];
  const branches: string[] = [];
  for (const [index, [match, output]] of outputs.entries()) {
    const base = path.join(dir, `.${name}.${index}`);
    const lines: string[] = [];
    if (output.stdoutFile !== undefined) await copyFile(output.stdoutFile, `${base}.out`);
    else if (output.stdout !== undefined) await writeFile(`${base}.out`, output.stdout);
    if (output.stdoutFile !== undefined || output.stdout !== undefined) lines.push(`cat ${shQuote(`${base}.out`)}`);
    if (output.stderr !== undefined) {
      await writeFile(`${base}.err`, output.stderr);
      lines.push(`cat ${shQuote(`${base}.err`)} >&2`);
    }
    if (output.script !== undefined) lines.push(output.script);
    lines.push(`exit ${output.exitCode ?? 0}`);
    branches.push(`  ${match === undefined ? '*' : `*${shQuote(match)}*`})\n    ${lines.join('\n    ')}\n    ;;`);
  }
  const body = [
    '#!/bin/sh',
    `printf '%s\\n' "$*" >> ${shQuote(`${script}.calls`)}`,
    'case "$*" in',
    ...branches,
    'esac',
    '',
  ].join('\n');
  await writeFile(script, body);
  await chmod(script, 0o755);
  return script;
}

/** Environment additions that put `dir` first on PATH (for run()'s `env` option). */
export function withPath(dir: string, basePath = process.env['PATH'] ?? ''): Record<string, string> {
  return { PATH: basePath ? `${dir}${path.delimiter}${basePath}` : dir };
}
