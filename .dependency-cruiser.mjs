/**
 * Import rules, checked by `npm run lint:imports` (part of `npm run lint`, so of `npm test`).
 * Paths are relative to the repository root. test/lint/import-rules.test.ts proves that each rule
 * refuses a deliberate violation (fixtures under test/fixtures/import-rules/).
 *
 * @type {import('dependency-cruiser').IConfiguration}
 */
export default {
  forbidden: [
    {
      name: 'functions-not-to-infra-or-local',
      comment:
        'Lambda code is bundled alone: it never imports the CDK app (infra/) or the local cloud (local/).',
      severity: 'error',
      from: { path: '^functions/' },
      to: { path: '^(infra|local)/' },
    },
    {
      name: 'infra-not-to-local',
      comment: 'The CDK app describes the real cloud: it never imports the local cloud (local/).',
      severity: 'error',
      from: { path: '^infra/' },
      to: { path: '^local/' },
    },
    {
      name: 'shared-not-to-handlers',
      comment: 'functions/shared/ serves the handlers; a handler is an entry point, never a library.',
      severity: 'error',
      from: { path: '^functions/shared/' },
      to: { path: '^functions/([^/]+/handler\\.ts|deployment-hooks/)' },
    },
    {
      name: 'functions-validate-with-valibot',
      comment:
        'Functions validate with valibot (docs/decisions.md, decision 6): zod builds its schemas at ' +
        'cold start several times slower, and a second validation library would add its code to every ' +
        'bundle that reaches it. Infra and the local cloud keep zod; they are not bundled into a function.',
      severity: 'error',
      from: { path: '^functions/' },
      to: { path: '(^|node_modules/)zod(/|$)' },
    },
    {
      name: 'core-without-io',
      comment:
        'functions/core/ is pure: no AWS SDK, no Lambda types, no file system or network; ' +
        'I/O lives in functions/adapters/ behind interfaces.',
      severity: 'error',
      from: { path: '^functions/core/' },
      to: {
        path: [
          '(^|node_modules/)@aws-sdk/',
          '(^|node_modules/)(@types/)?aws-lambda(/|$)',
          '^(node:)?(fs|net|http|https)(/|$)',
        ],
      },
    },
  ],
  options: {
    // Type-only imports count: `import type { Context } from 'aws-lambda'` ties code to Lambda too.
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    enhancedResolveOptions: {
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.json', '.d.ts'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
      exportsFields: ['exports'],
    },
  },
};
