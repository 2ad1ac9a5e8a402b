/**
 * Where the node's pip would look for packages, read as pip 23 reads its configuration
 * (pip/_internal/configuration.py): the global files (XDG_CONFIG_DIRS' pip/pip.conf, /etc/pip.conf),
 * then the user's (~/.pip/pip.conf, ~/.config/pip/pip.conf) unless PIP_CONFIG_FILE names a file that
 * exists, then PIP_CONFIG_FILE; a later file wins for the same section and key; `[install]` wins over
 * `[global]`; a PIP_* variable over every file. PIP_CONFIG_FILE=/dev/null: no file at all. Only what
 * says where packages come from: index-url, extra-index-url, find-links. A venv's own pip.conf (the
 * site file) is not read: the venv is made by the install itself. Read, not run: asking
 * `python3 -m pip config list` costs half a second.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface PipSource {
  /** index (a simple index URL) or find-links (a folder or page of wheels). */
  readonly kind: 'pip-index' | 'pip-find-links';
  readonly what: string;
  /** The file or variable that names it. */
  readonly from: string;
  /** index-url replaces pip's default index; extra-index-url and find-links add to it. */
  readonly setting: Setting;
}

type Setting = 'index-url' | 'extra-index-url' | 'find-links';
const SETTINGS: readonly Setting[] = ['index-url', 'extra-index-url', 'find-links'];
const KIND: Readonly<Record<Setting, PipSource['kind']>> = { 'index-url': 'pip-index', 'extra-index-url': 'pip-index', 'find-links': 'pip-find-links' };
const VARIABLE: Readonly<Record<Setting, string>> = { 'index-url': 'PIP_INDEX_URL', 'extra-index-url': 'PIP_EXTRA_INDEX_URL', 'find-links': 'PIP_FIND_LINKS' };
const PYPI = 'https://pypi.org/simple';

/** "global.index-url" → its values, for one pip.conf (INI; a value may continue on indented lines). */
function settingsInFile(file: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return found;
  }
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
    if (pair) key = `${section}.${pair[1]!.trim().replaceAll('_', '-')}`;
    const values = pair ? pair[2]! : /^\s+/.test(line) && key ? line : undefined;
    if (values === undefined || key === undefined) continue;
    const list = pair ? [] : (found.get(key) ?? []);
    found.set(key, [...list, ...values.trim().split(/\s+/).filter(Boolean)]);
  }
  return found;
}

/**
 * The node's package sources pip would use with the environment `env` and the HOME `home` the install
 * runs with. With no index named anywhere, pip's default (PyPI) is one; PIP_NO_INDEX leaves the wheel
 * folders alone.
 */
export function pipSources(env: Readonly<Record<string, string | undefined>>, home: string): PipSource[] {
  const configFile = env['PIP_CONFIG_FILE'];
  const files: string[] = [];
  if (configFile !== '/dev/null') {
    const xdgDirs = (env['XDG_CONFIG_DIRS'] || '/etc/xdg').split(':').filter(Boolean);
    files.push(...xdgDirs.map((dir) => path.join(dir, 'pip', 'pip.conf')), '/etc/pip.conf');
    if (!(configFile && existsSync(configFile))) files.push(path.join(home, '.pip', 'pip.conf'), path.join(env['XDG_CONFIG_HOME'] || path.join(home, '.config'), 'pip', 'pip.conf'));
    if (configFile) files.push(configFile);
  }
  // section.key → the values and the file: the last file to set it wins.
  const merged = new Map<string, { values: string[]; from: string }>();
  for (const file of files) for (const [key, values] of settingsInFile(file)) merged.set(key, { values, from: file });
  const sources = SETTINGS.flatMap((setting): PipSource[] => {
    const variable = env[VARIABLE[setting]];
    const chosen = variable !== undefined ? { values: variable.split(/\s+/).filter(Boolean), from: `$${VARIABLE[setting]}` } : (merged.get(`install.${setting}`) ?? merged.get(`global.${setting}`));
    return (chosen?.values ?? []).map((what) => ({ kind: KIND[setting], what, from: chosen!.from, setting }));
  });
  if (/^(1|true|yes|on)$/i.test(env['PIP_NO_INDEX'] ?? '')) return sources.filter((source) => source.kind === 'pip-find-links');
  if (sources.some((source) => source.setting === 'index-url')) return sources;
  return [{ kind: 'pip-index', what: PYPI, from: "pip's default", setting: 'index-url' }, ...sources];
}
