/**
 * Module boundaries of STYLE.md ("Dependency direction"), enforced in `npm run lint`:
 * apps import only the kernel's public surfaces; the kernel never imports an app; apps do not import
 * each other; kernel modules use each other only through index.ts; kernel/shared imports nothing
 * internal; no cycles. compose.ts, main.ts and cli/ are the composition layer.
 */
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'kernel-never-imports-apps',
      severity: 'error',
      from: { path: '^src/kernel/' },
      to: { path: '^src/(apps|cli)/|^src/(compose|main)\\.ts$' },
    },
    {
      name: 'apps-do-not-import-each-other',
      severity: 'error',
      from: { path: '^src/apps/([^/]+)/' },
      to: { path: '^src/apps/([^/]+)/', pathNot: '^src/apps/$1/' },
    },
    {
      name: 'apps-use-kernel-public-surfaces',
      severity: 'error',
      from: { path: '^src/apps/' },
      to: { path: '^src/kernel/', pathNot: '^src/kernel/([^/]+)/index\\.ts$' },
    },
    {
      name: 'kernel-modules-meet-through-index',
      severity: 'error',
      from: { path: '^src/kernel/([^/]+)/' },
      // Config slices (<module>.config.ts: plain schemas) are combined by kernel/config directly.
      to: { path: '^src/kernel/([^/]+)/', pathNot: ['^src/kernel/$1/', '^src/kernel/[^/]+/index\\.ts$', '^src/kernel/[^/]+/[^/]+\\.config\\.ts$'] },
    },
    {
      name: 'shared-imports-nothing-internal',
      severity: 'error',
      from: { path: '^src/kernel/shared/' },
      to: { path: '^src/', pathNot: '^src/kernel/shared/' },
    },
    {
      name: 'no-orphans',
      severity: 'warn',
      // src/cli/node-flags.ts: the command's Node.js flags, read by bench/ and test/ (the bin repeats them in its shebang).
      from: { orphan: true, pathNot: ['\\.d\\.ts$', '\\.fixture\\.ts$', '(^|/)\\.[^/]+\\.(js|cjs|mjs|ts|json)$', '\\.test\\.ts$', '^src/cli/node-flags\\.ts$'] },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.test\\.ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js'] },
  },
};
