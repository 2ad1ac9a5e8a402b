/**
 * setup: a model goes back where the node's own service loads it. Each backup.models[].from under
 * `~` is linked, in the node's real HOME, to the model setup restored and verified — after asking (the
 * wizard), or with --yes; otherwise the command that does it is said. A file already there that is
 * not that link is moved aside (named), never deleted.
 */
import { cp, link as link_, lstat, mkdir, readlink, rename, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ModelLink } from '../model/ports.js';
import type { Plan } from '../plan/types.js';
import { shellWord } from '../model/shell-word.js';

/** The links setup would make: the models under ~ that are not already links to the restored files. */
export async function modelLinks(plan: Plan, workspace: string, home = os.homedir()): Promise<{ links: ModelLink[]; already: string[] }> {
  const links: ModelLink[] = [];
  const already: string[] = [];
  for (const model of plan.backup?.models ?? []) {
    if (!model.from.startsWith('~/')) continue;
    const target = path.join(workspace, model.to);
    const where = path.join(home, model.from.slice(2));
    const there = await lstat(where).catch(() => undefined);
    if (there?.isSymbolicLink() && (await readlink(where)) === target) already.push(`${model.from} already is the restored ${model.to}`);
    else links.push({ from: model.from, to: model.to, where, target, replaces: there !== undefined });
  }
  return { links, already };
}

/** The command an operator runs to make a link by hand. */
export function linkCommand(link: ModelLink): string {
  return `mkdir -p ${shellWord(path.dirname(link.where))} && ln -sfn ${shellWord(link.target)} ${shellWord(link.where)}`;
}

export async function makeModelLinks(links: readonly ModelLink[], now = new Date()): Promise<string[]> {
  const said: string[] = [];
  for (const link of links) {
    await mkdir(path.dirname(link.where), { recursive: true });
    // The link is made beside it first, then renamed over: the path the service loads is never empty.
    const fresh = `${link.where}.whisper-drill-${process.pid}`;
    await rm(fresh, { force: true });
    await symlink(link.target, fresh);
    let aside = '';
    if (await lstat(link.where).then(() => true, () => false)) {
      aside = `${link.where}.before-setup-${now.toISOString().replace(/[:.]/g, '-')}`;
      // A hard link keeps what was there under its new name while the rename below replaces the path.
      await link_(link.where, aside).catch(async () => cp(link.where, aside, { recursive: true, verbatimSymlinks: true }));
    }
    await rename(fresh, link.where);
    said.push(`${link.from} is now the restored ${link.to} (a link in ${path.dirname(link.where)})${aside ? `; what was there is kept as ${aside}` : ''}`);
  }
  return said;
}
