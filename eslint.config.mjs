// @ts-check
/**
 * Lint rules that catch what review keeps missing: promises nobody awaits (a lost activity, an
 * unhandled rejection in a handler), and workflow code reaching for I/O. Workflows run in Temporal's
 * deterministic sandbox: they may import types from activities/ and infra/, never values, and no Node
 * built-in or client library at all (the bundler would fail late, or worse, replay would diverge).
 */
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

export default tseslint.config(
  {
    ignores: ['node_modules/**', 'dist/**', 'bench/results/**', 'test/histories/**', '.data/**', 'coverage/**', '**/*.js', '**/*.mjs', '**/*.cjs'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false, attributes: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports', fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
      'no-empty': ['error', { allowEmptyCatch: true }],
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({ name, message: 'workflows are deterministic: no Node built-ins (do it in an activity)' })),
          patterns: [
            { group: ['@temporalio/client', '@temporalio/worker', '@temporalio/activity', '@temporalio/testing'], message: 'workflows import only @temporalio/workflow and @temporalio/common' },
            { group: ['@prisma/*', '.prisma/*', 'nodemailer', 'pg', 'better-sqlite3', 'fastify', 'fastify/*', '@fastify/*'], message: 'workflows do no I/O: call an activity' },
            { group: ['../activities/*', '../activities', '../infra/*', '../client/*', '../scripts/*', '../worker/*'], allowTypeImports: true, message: 'workflows may import only types from activities/, infra/ and the client side' },
          ],
        },
      ],
      'no-restricted-globals': ['error', { name: 'setTimeout', message: 'use sleep() from @temporalio/workflow' }, { name: 'setInterval', message: 'use sleep() in a loop' }, { name: 'process', message: 'workflows cannot read the environment' }],
      'no-restricted-properties': ['error', { object: 'Math', property: 'random', message: 'use the workflow sandbox (uuid4(), or a seeded generator in the input)' }],
    },
  },
  {
    files: ['test/**/*.ts', 'scripts/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
