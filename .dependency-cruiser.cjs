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
      comment: 'src/model is the vocabulary every floor speaks (record, events, errors, redaction, formats): it imports nothing else of ours',
      from: { path: '^src/model/' },
      to: { path: '^src/', pathNot: '^src/model/' },
    },
    {
      name: 'plan-stands-on-model',
      severity: 'error',
      comment: 'src/plan (the schema, its types, validation) stands on the vocabulary alone',
      from: { path: '^src/plan/' },
      to: { path: '^src/', pathNot: '^src/(model|plan)/' },
    },
    {
      name: 'no-arrow-up-into-the-orchestrators',
      severity: 'error',
      comment:
        'core/ (the drill) and init/ (the init session) orchestrate the floors below them; nothing below imports them. ' +
        "The init wizard is the init session's face: it drives it through the InitSession port it is handed.",
      from: { path: '^src/(model|plan|adapters|probes|snapshot|service|transcribe|history|sample|schedule|faces|outputs|reporters|ui)/', pathNot: '^src/ui/init/' },
      to: { path: '^src/(core|init)/' },
    },
    {
      name: 'core-has-no-faces',
      severity: 'error',
      comment: 'the core emits events and returns a record; it renders nothing and imports no face, output or command',
      from: { path: '^src/(core|init|model|plan|probes|snapshot|service|transcribe|adapters|history|sample|schedule)/' },
      to: { path: '^src/(ui|faces|reporters|outputs|commands|cli\\.ts)' },
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
      from: { path: '^src/(ui|faces|reporters|outputs)/', pathNot: '^src/ui/init/' },
      to: { path: '^src/(core|init|adapters|probes|snapshot|service|commands)/' },
    },
    {
      name: 'no-console-or-react-in-core',
      severity: 'error',
      comment: 'the core has no React and no Ink',
      from: { path: '^src/(core|init|model|plan|probes|snapshot|service|transcribe|adapters|history|faces|outputs|reporters)/' },
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
