/** A path glob as the plan writes it: `*` within a folder, `**` across folders, `?` one character; without "/", it matches the file name. */
export function globMatcher(pattern: string): (relativePath: string) => boolean {
  const source = pattern
    .split(/(\*\*\/?|\*|\?)/)
    .map((part) => (part === '**' || part === '**/' ? '(?:.*/)?' + (part === '**' ? '.*' : '') : part === '*' ? '[^/]*' : part === '?' ? '[^/]' : part.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  const regex = new RegExp(`^${source}$`);
  const byName = !pattern.includes('/');
  return (relativePath) => regex.test(byName ? relativePath.slice(relativePath.lastIndexOf('/') + 1) : relativePath);
}
