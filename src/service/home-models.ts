/**
 * setup: a model goes back where the node's own service loads it. Each backup.models[].from under
 * `~` is linked, in the node's real HOME, to the model setup restored and verified — with --yes (the
 * operator said so); otherwise the command that does it is said. A file already there that is not
 * that model is moved aside (named), never deleted.
 */
import { lstat, mkdir, readlink, rename, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Plan } from '../plan/types.js';
import { shellWord } from '../model/shell-word.js';

export async function linkModelsInHome(plan: Plan, workspace: string, link: boolean, home = os.homedir(), now = new Date()): Promise<string[]> {
  const said: string[] = [];
  for (const model of plan.backup?.models ?? []) {
    if (!model.from.startsWith('~/')) continue;
    const target = path.join(workspace, model.to);
    const where = path.join(home, model.from.slice(2));
    if (!link) {
      said.push(`the node's service loads ${model.from}: link it to the restored model with \`mkdir -p ${shellWord(path.dirname(where))} && ln -sfn ${shellWord(target)} ${shellWord(where)}\` (setup --yes does)`);
      continue;
    }
    const there = await lstat(where).catch(() => undefined);
    if (there?.isSymbolicLink() && (await readlink(where)) === target) {
      said.push(`${model.from} already is the restored ${model.to}`);
      continue;
    }
    await mkdir(path.dirname(where), { recursive: true });
    let aside = '';
    if (there) {
      aside = `${where}.before-setup-${now.toISOString().replace(/[:.]/g, '-')}`;
      await rename(where, aside);
    }
    await symlink(target, where);
    said.push(`${model.from} is now the restored ${model.to} (a link in ${home})${aside ? `; what was there is kept as ${aside}` : ''}`);
  }
  return said;
}
