/** teardown: stop the service's whole process group (TERM, then KILL) and remove the workspace — unless setup mode or --keep. */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { emptyDir } from '../../adapters/empty-dir.js';
import path from 'node:path';
import { groupAlive } from '../../adapters/process-group.js';
import { releaseArchive } from '../../archive/choice.js';
import { linkCommand, makeModelLinks, modelLinks } from '../../service/home-models.js';
import { setupPaths, writeSetupState } from '../../service/setup-state.js';
import { renderServiceUnit, serviceUnitName } from '../../service/systemd-unit.js';
import { DrillError } from '../../model/errors.js';
import { shellWord } from '../../model/shell-word.js';
import { judgeServiceProof } from '../service-proof.js';
import { settleKeptWorkspace } from './kept-workspace.js';
import { defineStep, type StepContext } from './step.js';


async function writeUnitFor(ctx: StepContext, tag: string | null, isolated: Readonly<Record<string, string>> | undefined): Promise<string> {
  const { dir } = ctx.workspace;
  const unit = path.join(setupPaths(dir).folder, serviceUnitName(ctx.plan.name));
  await mkdir(path.dirname(unit), { recursive: true });
  await writeFile(unit, renderServiceUnit(ctx.plan, dir, tag, isolated));
  ctx.emit({ type: 'facts', step: 'teardown', facts: { systemdUnit: unit } });
  return `systemd unit written to ${unit}; run it with: cp ${shellWord(unit)} /etc/systemd/system/ && systemctl daemon-reload && systemctl enable --now ${serviceUnitName(ctx.plan.name)}`;
}

/** setup: the models linked where the node's own service loads them — with --yes, or when the operator says so. */
async function homeModels(ctx: StepContext): Promise<string[]> {
  const { links, already } = await modelLinks(ctx.plan, ctx.workspace.dir);
  if (links.length === 0) return already;
  const link = ctx.options.linkModelsInHome === true || ((await ctx.ask.linkModels?.(links)) ?? false);
  // A HOME that cannot take the link (its permissions) is said, and fails nothing: the service was verified.
  if (link) return [...already, ...(await makeModelLinks(links).catch((error: Error) => [`the models could not be linked in the node's HOME (${error.message}); link them by hand: ${links.map(linkCommand).join('; ')}`]))];
  return [...already, ...links.map((one) => `the node's service loads ${one.from}: link it to the restored model with \`${linkCommand(one)}\` (setup --yes does)`)];
}

export const teardownStep = defineStep({
  id: 'teardown',
  title: 'Tear down',
  needs: [],
  always: true,
  run: async (ctx, input) => {
    const { start } = input;
    const notes: string[] = [];
    const service = start?.service;
    // A service that never reached assert (the drill was stopped): what it opened is still told. The watch stops on every path.
    input.install?.release();
    const proof = input.install?.proof;
    if (proof && !proof.judged) {
      if (service && proof.watch.attached) await judgeServiceProof(ctx, proof, service.pid);
      else await proof.watch.finish();
      proof.judged = true;
    }
    // setup --systemd hands the service to systemd: the one that was verified is stopped, and a unit written.
    const handOver = ctx.options.mode === 'setup' && ctx.options.systemdUnit === true;
    const keepRunning = ctx.options.mode === 'setup' && !handOver && service !== undefined && !ctx.signal.aborted && !service.hasExited();
    if (service && keepRunning) {
      await service.stopFollowing();
      service.release();
      const { dir } = ctx.workspace;
      const { plan } = ctx;
      await writeSetupState(dir, {
        repo: plan.snapshot.repo,
        plan: plan.name,
        planFile: plan.file,
        tag: input.snapshot?.tag.name ?? null,
        pid: service.pid,
        command: service.command,
        url: plan.service.url,
        stopTimeoutSec: plan.service.stopTimeoutSec,
        startedAt: new Date().toISOString(),
        runId: service.runId,
      });
      const stop = `whisper-drill stop --dir ${shellWord(dir)}`;
      const log = setupPaths(dir).log;
      ctx.emit({ type: 'left-running', service: { pid: service.pid, url: plan.service.url, stop, log } });
      notes.push(`service left running (process group ${service.pid}, ${plan.service.url}; pid file and log in ${setupPaths(dir).folder}); stop it with: ${stop}`);
      // The cap ends with the drill: a node that keeps the service for good needs a log that is rotated.
      notes.push(`from now on nothing caps ${log}: for a service kept for good, setup --systemd (journald keeps its log) or a logrotate rule with copytruncate`);
    } else if (service) {
      const stopped = await service.stop(ctx.plan.service.stopTimeoutSec * 1000);
      if (!stopped.groupGone || groupAlive(service.pid)) {
        throw new DrillError(`process group ${service.pid} of \`${service.command}\` survived SIGKILL`, { hint: `kill -KILL -- -${service.pid}` });
      }
      notes.push(stopped.signal === 'none' ? 'service had already exited' : `service stopped with SIG${stopped.signal} in ${stopped.durationMs} ms${stopped.signal === 'KILL' ? ` (still running ${ctx.plan.service.stopTimeoutSec} s after SIGTERM: service.stopTimeoutSec)` : ''}`);
      const dropped = service.logDroppedBytes();
      if (dropped > 0) notes.push(`the service's log passed its cap of ${ctx.plan.service.logMaxMiB} MiB (service.logMaxMiB): ${(dropped / 2 ** 20).toFixed(0)} MiB dropped after its first MiB, and said so in it`);
      if (stopped.strays?.length) notes.push(`ended ${stopped.strays.length} process(es) that had left the service's process group (pid ${stopped.strays.join(', ')}), found by the run id in their environment`);
    }
    // The drill's side of a namespaced service's socket: closed once the service is gone.
    await proof?.jail?.close();
    // A cold archive's connections and signature file, should fetch not have run to let go of them.
    await releaseArchive(input.snapshot?.archive);
    if (handOver && service && !ctx.signal.aborted) notes.push(await writeUnitFor(ctx, input.snapshot?.tag.name ?? null, input.install?.env));
    // setup of a service that passed: its models go back where the node's own service loads them (with --yes).
    const passed = input.assert !== undefined && input.assert.assertions.length > 0 && input.assert.assertions.every((outcome) => outcome.status !== 'failed');
    if (ctx.options.mode === 'setup' && passed && !ctx.signal.aborted) notes.push(...(await homeModels(ctx)));
    const { dir, created } = ctx.workspace;
    let keptForResume = false;
    // A kept workspace restored from a tag, verified: a git repository the operator can use.
    const verified = input.verify !== undefined && input.verify.files.length > 0 && input.verify.files.every((file) => file.verified) && !input.snapshot?.archive;
    if ((ctx.options.mode === 'setup' || ctx.options.keep) && verified && !ctx.signal.aborted) notes.push(await settleKeptWorkspace(ctx, input.verify!.files.map((file) => file.path)));
    if (ctx.options.mode === 'setup' || ctx.options.keep) notes.push(`workspace kept at ${dir}`);
    else if (ctx.options.resume && !verified) {
      // A resumed drill that did not get its restore verified (the network still down, say): what the runs so
      // far restored stays for the next --resume, which re-checks it as this one did.
      notes.push(`workspace kept at ${dir} for a later --resume (its restore was not verified)`);
      keptForResume = true;
    } else if (created) {
      await rm(dir, { recursive: true, force: true, maxRetries: 3 });
      notes.push(`workspace ${dir} removed`);
    } else {
      // The operator's directory was empty before the drill: what is in it now is the restore's.
      await emptyDir(dir);
      notes.push(`restored files removed from ${dir} (the directory was there before the drill, and stays)`);
    }
    return { status: 'passed', summary: notes.join('; ') || 'nothing to tear down', evidence: { notes }, output: { cleanedUp: true, ...(keptForResume ? { keptForResume } : {}) } };
  },
});
