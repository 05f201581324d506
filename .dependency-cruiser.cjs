/**
 * The layer rules of echosim, checked by `npm test` (npm run depcruise). The layers and what each may
 * import are in layers.cjs (one table, also used by test/core/error-codes.test.ts); docs/architecture.md
 * explains them. Known violations being removed are listed in .dependency-cruiser-known-violations.json.
 */
const { layers, cloudMayUse } = require('./layers.cjs');

// One rule per layer: it may import itself and the layers it uses (the cloud: also the device model
// catalog, firmware/device-model.ts, for the DeviceType values it accepts), never the public API module.
const layerRules = Object.entries(layers).map(([name, layer]) => {
  const allowed = new Set([name, ...layer.uses]);
  const forbidden = Object.entries(layers)
    .filter(([other]) => !allowed.has(other))
    .map(([, other]) => other.path);
  return {
    name: `layer-${name}`,
    comment: `${name} (${layer.path}) may import only ${[...allowed].join(', ')} (layers.cjs)`,
    severity: 'error',
    from: { path: layer.path },
    to: { path: [...forbidden, '^index\\.ts$'], ...(name === 'cloud' ? { pathNot: cloudMayUse } : {}) },
  };
});

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'protocol-is-a-contract',
      comment: 'The device-cloud contract depends on core and zod only (and Node built-ins), so both ends can share it.',
      severity: 'error',
      from: { path: layers.protocol.path },
      to: { dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown'], pathNot: '^node_modules/zod/' },
    },
    {
      name: 'no-test-code-in-source',
      comment: 'Sources never import test code.',
      severity: 'error',
      from: { pathNot: '^test/' },
      to: { path: '^test/' },
    },
    {
      name: 'no-circular',
      comment: 'No import cycles: a cycle means two modules are one concept, or one of them depends on a detail.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-orphans',
      comment: 'A module nothing imports and that imports nothing is dead code.',
      severity: 'error',
      // Entry points of forked child processes (*-child.ts) are started by path, not imported.
      from: { orphan: true, pathNot: ['\\.d\\.ts$', '(^|/)\\.[^/]+\\.(js|cjs|mjs|json)$', '^layers\\.cjs$', '-child\\.ts$'] },
      to: {},
    },
    {
      name: 'not-to-unresolvable',
      comment: 'Every import resolves.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'no-dev-dependencies-in-source',
      comment: 'Shipped code does not import devDependencies.',
      severity: 'error',
      from: { pathNot: '^test/' },
      to: { dependencyTypes: ['npm-dev'], pathNot: '^node_modules/onnxruntime-web/' },
    },
  ],
  options: {
    // A git worktree links node_modules to the main checkout's; keep its paths as node_modules/... so the
    // rules above (which name ^node_modules/zod/ and the like) hold there as in the main checkout.
    preserveSymlinks: true,
    doNotFollow: { path: 'node_modules' },
    // tools/web/public/ is browser code the web servers serve as files; Node never imports it.
    exclude: { path: '^(dist|node_modules)/|^tools/web/public/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
