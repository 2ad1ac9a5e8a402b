/** Checks of the tools every drill needs (git, git-lfs), Python and FFmpeg: measured value, requirement, fix. */
import { missingDecoders, probeFfmpeg } from '../../probes/ffmpeg.js';
import { probePython } from '../../probes/python.js';
import { probeGit, probeGitLfs } from '../../probes/tools.js';
import type { ProbeFailure, ProbeOptions } from '../../probes/types.js';
import { satisfies } from '../../model/version-range.js';
import type { CheckResult } from '../../model/record.js';
import type { FfmpegRequirement, VersionRequirement } from '../../plan/types.js';

export const APT_INSTALL: Readonly<Record<string, string>> = {
  git: 'apt-get install -y git',
  'git-lfs': 'apt-get install -y git-lfs',
  ffmpeg: 'apt-get install -y ffmpeg',
  python3: 'apt-get install -y python3 python3-venv',
};

function unmet(required: boolean): CheckResult['status'] {
  return required ? 'failed' : 'warned';
}

/** A required tool that is absent or errors has failed; one whose probe got no answer is inconclusive. */
function answeredStatus(reason: ProbeFailure['reason']): CheckResult['status'] {
  return reason === 'unanswered' ? 'inconclusive' : 'failed';
}

export async function gitChecks(options: ProbeOptions): Promise<{ checks: CheckResult[]; facts: Record<string, unknown> }> {
  const [gitFacts, lfsFacts] = await Promise.all([probeGit(options), probeGitLfs(options)]);
  const checks: CheckResult[] = [
    gitFacts.ok
      ? { id: 'git', title: 'git', status: 'passed', measured: `git ${gitFacts.version}` }
      : { id: 'git', title: 'git', status: answeredStatus(gitFacts.reason), measured: gitFacts.message, fix: APT_INSTALL['git'], installPackage: 'git' },
    lfsFacts.ok
      ? { id: 'git-lfs', title: 'Git LFS', status: 'passed', measured: `git-lfs ${lfsFacts.version}` }
      : { id: 'git-lfs', title: 'Git LFS', status: answeredStatus(lfsFacts.reason), measured: lfsFacts.message, fix: APT_INSTALL['git-lfs'], installPackage: 'git-lfs' },
  ];
  return { checks, facts: { git: gitFacts, gitLfs: lfsFacts } };
}

export async function pythonCheck(requirement: VersionRequirement, options: ProbeOptions): Promise<{ check: CheckResult; facts: unknown }> {
  const facts = await probePython(requirement.command, options);
  const required = requirement.version ? `${requirement.command} ${requirement.version}` : requirement.command;
  if (!facts.ok) {
    const fix = requirement.command === 'python3' ? APT_INSTALL['python3'] : `install ${requirement.command}`;
    return { check: { id: 'python', title: 'Python', status: answeredStatus(facts.reason), measured: facts.message, required, fix }, facts };
  }
  const ok = !requirement.version || satisfies(facts.version, requirement.version);
  const check: CheckResult = {
    id: 'python',
    title: 'Python',
    status: ok ? 'passed' : 'failed',
    measured: `${requirement.command} ${facts.version}`,
    required,
    ...(ok ? {} : { fix: `install Python ${requirement.version} and set environment.python.command` }),
  };
  return { check, facts };
}

/** `servicePath`: the PATH the plan gives the service (service.env.PATH), where Whisper will look for ffmpeg. */
export async function ffmpegCheck(requirement: FfmpegRequirement, options: ProbeOptions, servicePath?: string): Promise<{ check: CheckResult; facts: unknown }> {
  const found = await probeFfmpeg(options);
  const facts = !found.ok && found.reason === 'missing' && servicePath !== undefined
    ? { ...found, message: `ffmpeg not found on the service's PATH (service.env.PATH=${servicePath}): Whisper calls the ffmpeg binary to decode audio` }
    : found;
  const wanted = requirement.decoders;
  const required = wanted.length ? `ffmpeg with decoders ${wanted.join(', ')}` : 'ffmpeg';
  const base = { id: 'ffmpeg', title: 'FFmpeg', required };
  if (!facts.ok) {
    // Not installed, or installed and erroring: unmet. Only a probe that got no answer is inconclusive.
    const status = facts.reason !== 'unanswered' ? unmet(requirement.required) : requirement.required ? 'inconclusive' : 'skipped';
    const onServicePath = servicePath !== undefined && facts !== found;
    const fix = onServicePath ? "add ffmpeg's folder (command -v ffmpeg) to service.env.PATH, or install ffmpeg into one of its folders" : APT_INSTALL['ffmpeg'];
    return { check: { ...base, status, measured: facts.message, fix, ...(onServicePath ? {} : { installPackage: 'ffmpeg' }) }, facts };
  }
  const absent = missingDecoders(facts.decoders, wanted);
  const present = wanted.length ? ` — decoder${wanted.length > 1 ? 's' : ''} ${wanted.filter((d) => !absent.includes(d)).join(', ') || 'none'} present` : '';
  const check: CheckResult = absent.length
    ? { ...base, status: unmet(requirement.required), measured: `FFmpeg ${facts.version}, missing decoder(s) ${absent.join(', ')}`, fix: 'install an FFmpeg build with those decoders (Debian: apt-get install -y ffmpeg)' }
    : { ...base, status: 'passed', measured: `FFmpeg ${facts.version}${present}` };
  // The plan's decoders that are present: what a lock records (the full list is several hundred).
  return { check, facts: { ok: true, version: facts.version, rawVersion: facts.rawVersion, decoders: facts.decoders.length, decodersPresent: wanted.filter((d) => !absent.includes(d)) } };
}
