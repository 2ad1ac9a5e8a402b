#!/usr/bin/env node
/**
 * Bundles the CLI into dist/ with esbuild: one file for the command line and the core, and a chunk
 * for the wizard (Ink + React) loaded only on a terminal. Node 20's ESM loader spends most of a cold
 * start resolving and linking hundreds of small files; bundled, `--help` starts in half the time,
 * and React runs its production build (the development build costs CPU on every render).
 * Type checking is tsc's job (npm run build runs it first).
 */
import { build } from 'esbuild';
import { rm } from 'node:fs/promises';

await rm('dist', { recursive: true, force: true });
await build({
  entryPoints: ['src/cli.ts'],
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  jsx: 'automatic',
  minify: true,
  sourcemap: 'linked',
  legalComments: 'linked',
  define: { 'process.env.NODE_ENV': '"production"' },
  // Ink loads its devtools only when DEV=true; the devtools package is not a dependency.
  external: ['react-devtools-core'],
  // Some bundled CommonJS dependencies call require(): give the ESM bundle one.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: 'warning',
});
