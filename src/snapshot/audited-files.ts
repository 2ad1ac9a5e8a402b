/**
 * The service's configuration files as restored (config.yaml, configuration.json, requirements.txt),
 * kept in the report so the next drill can show an auditor what changed. null: the snapshot has no
 * such file. A file too large to be configuration is recorded by size only.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { AUDITED_FILES } from '../model/record.js';

const MAX_BYTES = 64 * 1024;

export async function readAuditedFiles(tree: string): Promise<Record<string, string | null>> {
  const files: Record<string, string | null> = {};
  for (const file of AUDITED_FILES) {
    const full = path.join(tree, file);
    const size = await stat(full).then((s) => (s.isFile() ? s.size : undefined), () => undefined);
    if (size === undefined) files[file] = null;
    else files[file] = size > MAX_BYTES ? `(${size} bytes: too large to keep in the report)\n` : await readFile(full, 'utf8');
  }
  return files;
}
