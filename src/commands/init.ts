/**
 * init: write a plan. The session (src/init) does the work; headless, every answer comes from a
 * flag or its default and each finding is printed as it comes; on a terminal the wizard asks.
 */
import { knownBuiltin } from '../model/builtin-repo.js';
import path from 'node:path';
import { INIT_DEFAULTS, defaultPlanFile, nameFromRepo, type PlanAnswers } from '../init/answers.js';
import { describeDetection, nextSteps } from '../init/next-steps.js';
import { initSession, type InitSession } from '../init/session.js';
import { formatBytes } from '../model/format.js';
import { DrillError, usageError } from '../model/errors.js';
import { cacheRoot, packageRoot } from '../paths.js';
import { ensureSampleBackup } from '../sample/build.js';
import { apiKeyFrom } from './api-key.js';
import type { CliArgs } from './args.js';

export function makeInitSession(signal: AbortSignal): InitSession {
  return initSession({
    cacheRoot: cacheRoot(),
    schemaFile: path.join(packageRoot, 'drills', 'plan.schema.json'),
    resolveBuiltinRepo: async (name, abort) => {
      knownBuiltin(`builtin:${name}`, '');
      return (await ensureSampleBackup(cacheRoot(), abort)).url;
    },
    signal,
  });
}

/** The answers the flags give, each missing one taken from its default: --yes writes them, the wizard starts from them. */
export function answersFromFlags(args: CliArgs): PlanAnswers & { out: string } {
  const flags = args.init!;
  const repo = flags.repo ?? '';
  const name = flags.name ?? nameFromRepo(repo);
  // The default sample is Mandarin; another sample's language is the operator's to say.
  const language = flags.language ?? (flags.audio ? undefined : INIT_DEFAULTS.language);
  return {
    name,
    repo,
    tags: flags.tags ?? INIT_DEFAULTS.tags,
    // As the wizard offers them: without --install the plan would install nothing, and a start command that
    // runs the venv's python would not find it.
    install: flags.install.length ? flags.install : INIT_DEFAULTS.install,
    start: flags.start ?? INIT_DEFAULTS.start,
    url: args.url ?? INIT_DEFAULTS.url,
    ...(args.apiKeyEnv ? { apiKeyEnv: args.apiKeyEnv } : {}),
    audio: flags.audio ?? INIT_DEFAULTS.audio,
    expect: flags.expect ?? INIT_DEFAULTS.expect,
    ...(language ? { language } : {}),
    reportDir: args.reportDir ?? INIT_DEFAULTS.reportDir,
    out: flags.out ?? defaultPlanFile(name),
  };
}

/** A finding that stops init (no access to the backup, no service answering) is exit 1 with its hint; a usage error stays one. */
export async function initHeadless(args: CliArgs, signal: AbortSignal): Promise<number> {
  try {
    return await writePlanFromFlags(args, signal);
  } catch (error) {
    if ((error instanceof DrillError && error.usage) || signal.aborted) throw error;
    process.stderr.write(`whisper-drill: ${(error as Error).message}\n`);
    if (error instanceof DrillError && error.hint) process.stderr.write(`${error.hint}\n`);
    return 1;
  }
}

async function writePlanFromFlags(args: CliArgs, signal: AbortSignal): Promise<number> {
  const answers = answersFromFlags(args);
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const apiKey = apiKeyFrom(answers.apiKeyEnv, '--api-key-env');
  const session = makeInitSession(signal);
  // Refused before anything is fetched or probed: headless never overwrites without --force.
  if (!args.init!.force && (await session.exists(answers.out))) throw usageError(`${answers.out} exists`, 'pass --force to overwrite it, or --out to write elsewhere');
  const found = await session.listTags(answers.repo, answers.tags);
  const newest = found.tags[0]!;
  out(`${found.tags.length} tag(s) match "${answers.tags}"; newest ${newest.name} (${newest.date.slice(0, 10)}, ${formatBytes(newest.lfsBytes)} in LFS)`);
  await session.checkAudio(found, answers.audio);
  out(`${answers.audio} is in ${newest.name}`);
  const [service, running] = await Promise.all([session.probe(answers.url, apiKey), session.serviceProcess(answers.url)]);
  for (const line of describeDetection(service)) out(line);
  if (service.needsKey && !answers.apiKeyEnv) throw usageError(`${answers.url} wants an API key: pass --api-key-env NAME (the variable that holds it)`);
  // The start command: --start when given; else the command of the process on the probed port, which listens there.
  let start = answers.start;
  if (running) {
    const given = args.init!.start !== undefined;
    if (!given) start = running.command;
    out(`pid ${running.pid} listens on port ${running.port}, in ${running.cwd}: \`${running.command}\`${given ? (running.command === answers.start ? '' : ` — not the --start given (\`${answers.start}\`): check it listens on ${answers.url}`) : ' — the plan starts the service so'}`);
  }
  if (!args.init!.install.length) out(`install: ${answers.install.join('; ')} (the default: --install CMD, repeated, gives the service's own; --install true, none)`);
  const gpu = await session.gpu();
  out(`GPU: ${gpu.measured}${gpu.required ? ' — the plan requires one' : ''}`);
  const plan = await session.write(answers.out, { answers: { ...answers, start }, service, gpu, newestTag: newest.name }, args.init!.force);
  for (const line of nextSteps(answers.out, plan, answers.url)) out(line);
  return 0;
}
