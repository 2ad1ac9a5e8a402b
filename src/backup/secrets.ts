/**
 * Credential-shaped text in the files a snapshot would commit: a token in config.yaml would stay in
 * the backup's history for ever, so it is refused, naming the file and line, before anything is
 * written. secretlint's recommended rules (AWS, GCP, GitHub, GitLab, Hugging Face, OpenAI, Slack,
 * private keys, passwords in URLs and connection strings, …) judge; what they report is masked.
 * Only text files are read (LFS files — models, audio, wheels — are not text).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { lintSource } from '@secretlint/core';
import { creator as recommended } from '@secretlint/secretlint-rule-preset-recommend';

export interface SecretFinding {
  /** Its path in the backup. */
  readonly path: string;
  readonly line: number;
  readonly column: number;
  /** What the rule found, its value masked. */
  readonly what: string;
}

/** Larger text files are not configuration: read no more than this much of one. */
const MAX_TEXT_BYTES = 4 * 1024 * 1024;

function looksBinary(bytes: Buffer): boolean {
  return bytes.subarray(0, 8000).includes(0);
}

export async function findSecrets(files: ReadonlyArray<{ readonly source: string; readonly path: string; readonly size: number }>): Promise<SecretFinding[]> {
  const findings: SecretFinding[] = [];
  for (const file of files) {
    if (file.size > MAX_TEXT_BYTES) continue;
    const bytes = await readFile(file.source);
    if (looksBinary(bytes)) continue;
    const result = await lintSource({
      source: { content: bytes.toString('utf8'), filePath: file.source, ext: path.extname(file.source), contentType: 'text' },
      options: { config: { rules: [{ id: '@secretlint/secretlint-rule-preset-recommend', rule: recommended }] }, maskSecrets: true },
    });
    for (const message of result.messages) {
      findings.push({ path: file.path, line: message.loc.start.line, column: message.loc.start.column + 1, what: message.message });
    }
  }
  return findings;
}
