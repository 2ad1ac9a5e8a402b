/**
 * Where the node's pip would look for packages: its configuration files and PIP_* variables, read as
 * pip 23 reads them (`pip config debug`): the global files (XDG_CONFIG_DIRS' pip/pip.conf, /etc/pip.conf),
 * the user's (~/.pip/pip.conf, ~/.config/pip/pip.conf), PIP_CONFIG_FILE, then the environment — each
 * setting taken from the last that names it. Only
 * what says where packages come from: index-url, extra-index-url, find-links. Read, not run: asking
 * `python3 -m pip config list` costs half a second.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface PipSource {
  /** index (a simple index URL) or find-links (a folder or page of wheels). */
  readonly kind: 'pip-index' | 'pip-find-links';
  readonly what: string;
  /** The file or variable that names it. */
  readonly from: string;
  /** index-url replaces pip's default index; extra-index-url and find-links add to it. */
  readonly setting: 'index-url' | 'extra-index-url' | 'find-links';
}

const KEYS: Readonly<Record<string, PipSource['kind']>> = { 'index-url': 'pip-index', 'extra-index-url': 'pip-index', 'find-links': 'pip-find-links' };
const PYPI = 'https://pypi.org/simple';

/** The [global] and [install] values of one pip.conf (INI; a value may continue on indented lines). */
function sourcesInFile(file: string): PipSource[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const found: PipSource[] = [];
  let section = '';
  let key: string | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '');
    if (!line.trim()) continue;
    const header = /^\s*\[([^\]]+)\]/.exec(line);
    if (header) {
      section = header[1]!.trim();
      key = undefined;
      continue;
    }
    const pair = /^(\S[^=:]*?)\s*[=:]\s*(.*)$/.exec(line);
    const values = pair ? pair[2]! : /^\s+/.test(line) && key ? line : undefined;
    if (pair) key = pair[1]!.trim().replaceAll('_', '-');
    if (values === undefined || key === undefined || !(section === 'global' || section === 'install')) continue;
    const kind = KEYS[key];
    const setting = key as PipSource['setting'];
    if (kind) for (const value of values.trim().split(/\s+/).filter(Boolean)) found.push({ kind, what: value, from: file, setting });
  }
  return found;
}

/**
 * The node's package sources, for an environment `env` (the drill's) and the node's HOME. With no
 * index named anywhere, pip's default (PyPI) is one.
 */
export function pipSources(env: Readonly<Record<string, string | undefined>>, home: string): PipSource[] {
  const configFile = env['PIP_CONFIG_FILE'];
  if (configFile === '/dev/null') return fromEnvironment(env);
  const xdgDirs = (env['XDG_CONFIG_DIRS'] || '/etc/xdg').split(':').filter(Boolean);
  const files = [
    ...xdgDirs.map((dir) => path.join(dir, 'pip', 'pip.conf')),
    '/etc/pip.conf',
    path.join(home, '.pip', 'pip.conf'),
    path.join(env['XDG_CONFIG_HOME'] || path.join(home, '.config'), 'pip', 'pip.conf'),
    ...(configFile ? [configFile] : []),
  ];
  // Per setting, the last to name it wins, as in pip: a later file over an earlier one, a variable over every file.
  const bySetting = new Map<PipSource['setting'], PipSource[]>();
  for (const group of [...files.map(sourcesInFile), fromEnvironment(env)]) {
    for (const setting of new Set(group.map((source) => source.setting))) bySetting.set(setting, group.filter((source) => source.setting === setting));
  }
  const found = [...bySetting.values()].flat();
  const unique = [...new Map(found.map((source) => [`${source.kind} ${source.what}`, source])).values()];
  // PIP_NO_INDEX: no index at all, only the wheel folders.
  if (/^(1|true|yes|on)$/i.test(env['PIP_NO_INDEX'] ?? '')) return unique.filter((source) => source.kind === 'pip-find-links');
  // pip's own index unless one is named in place of it (index-url): extra indexes come on top of it.
  if (found.some((source) => source.setting === 'index-url')) return unique;
  return [{ kind: 'pip-index', what: PYPI, from: "pip's default", setting: 'index-url' }, ...unique];
}

function fromEnvironment(env: Readonly<Record<string, string | undefined>>): PipSource[] {
  const variables: Array<[string, PipSource['setting']]> = [
    ['PIP_INDEX_URL', 'index-url'],
    ['PIP_EXTRA_INDEX_URL', 'extra-index-url'],
    ['PIP_FIND_LINKS', 'find-links'],
  ];
  return variables.flatMap(([name, setting]) =>
    (env[name] ?? '').split(/\s+/).filter(Boolean).map((what) => ({ kind: KEYS[setting]!, what, from: `$${name}`, setting })),
  );
}
