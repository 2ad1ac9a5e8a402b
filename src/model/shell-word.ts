/** One word for /bin/sh: as it is when it holds nothing a shell would read, else in single quotes. */
export function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`;
}

/** A name from outside (a tag, a path) as a message shows it: as is when plain, else JSON-quoted (line breaks, control and invalid bytes escaped). */
export function shownName(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : JSON.stringify(text);
}
