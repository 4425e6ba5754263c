// The import structure of src/, checked by `npm test` (test/unit/architecture).
// Folders are layers, lowest first: code may import values only from its own
// folder or one below it (types may cross, being erased), and no module may
// take part in a cycle of value imports. Entry files (index.ts, the worker
// thread's entry) stand on top of everything.
const LAYERS = [
  ['util', 'errors\\.ts'],
  ['loader'],
  ['states'],
  ['logging'],
  ['futures'],
  ['engine'],
  ['tasks'],
  ['shell'],
  ['runners'],
  ['settings'],
  ['flows'],
  ['graph'],
  ['history'],
  ['cli'],
];

const ENTRIES = ['^src/index\\.ts$', '^src/runners/parallel/worker\\.ts$'];

const folders = (layers) => `^src/(${layers.flat().join('|')})($|/)`;

const layerRules = LAYERS.slice(0, -1).map((layer, index) => ({
  name: `layer-${layer[0]}`,
  comment: `${layer.join(', ')} may not import values from a higher folder: ${LAYERS.slice(index + 1).flat().join(', ')}`,
  severity: 'error',
  from: { path: folders([layer]), pathNot: ENTRIES },
  to: { path: folders(LAYERS.slice(index + 1)), dependencyTypesNot: ['type-only'] },
}));

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'A cycle of value imports: modules that cannot load without each other.',
      severity: 'error',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'no-entry-imports',
      comment: 'Only the worker thread imports the package entry (to load flowrun before the module hooks exist).',
      severity: 'error',
      from: { pathNot: ENTRIES },
      to: { path: ENTRIES[0] },
    },
    ...layerRules,
  ],
  options: {
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: 'node_modules' },
  },
};
