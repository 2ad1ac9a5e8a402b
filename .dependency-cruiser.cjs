/**
 * The layering, checked in `npm test` (test/architecture.test.ts): data flows one way, plan → steps →
 * events → faces, and record → outputs. Run it alone with `npx depcruise src`.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    { name: 'no-cycles', severity: 'error', comment: 'an import cycle', from: {}, to: { circular: true } },
    {
      name: 'model-is-a-leaf',
      severity: 'error',
      comment: 'core/model.ts is the shared vocabulary: it imports nothing of ours',
      from: { path: '^src/core/model\\.ts$' },
      to: { path: '^src/' },
    },
    {
      name: 'core-has-no-faces',
      severity: 'error',
      comment: 'the core emits events and returns a record; it renders nothing and imports no face, output or command',
      from: { path: '^src/(core|probes|snapshot|service|transcribe|adapters|history|sample)/' },
      to: { path: '^src/(ui|reporters|outputs|commands|cli\\.ts)' },
    },
    {
      name: 'only-cli-imports-ui',
      severity: 'error',
      comment: 'the wizard is loaded by cli.ts alone (behind the first frame)',
      from: { path: '^src/', pathNot: '^src/(cli\\.ts|ui/)' },
      to: { path: '^src/ui/' },
    },
    {
      name: 'faces-do-not-decide',
      severity: 'error',
      comment: 'reporters and outputs render events and records; they run no step and spawn nothing',
      from: { path: '^src/(ui|reporters|outputs)/' },
      to: { path: '^src/(core/(engine|steps|checks)|adapters|probes|snapshot|service|commands)' },
    },
    {
      name: 'no-console-or-react-in-core',
      severity: 'error',
      comment: 'the core has no React and no Ink',
      from: { path: '^src/(core|probes|snapshot|service|transcribe|adapters|history|outputs|reporters)/' },
      to: { path: 'node_modules/(react|ink|ink-[^/]+)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.tsx', '.js'] },
  },
};
