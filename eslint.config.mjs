import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', 'data/**', 'coverage/**', '**/generated/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { module: 'writable', require: 'readonly' },
    },
  },
  {
    // Workspace borders: each workspace imports another only by its package name (never a
    // relative path into its src/), and the gateway and the shared packages never load the
    // subgraph kit (Sequelize, sqlite3, pg).
    files: ['gateway/**/*.ts', 'packages/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@fedstack/kit', '@fedstack/kit/*'],
              message: 'the gateway and packages/ never depend on the subgraph kit',
            },
            {
              // Every other @fedstack package is a subgraph (or the gateway, or the kit above).
              group: [
                '@fedstack/*',
                '!@fedstack/runtime',
                '!@fedstack/envelope',
                '!@fedstack/kit',
                '!@fedstack/gateway',
              ],
              message: 'a subgraph is not a library',
            },
            {
              group: [
                '../../*/src/*',
                '../../../*/src/*',
                '**/subgraphs/**',
                '**/packages/**',
                '**/gateway/src/**',
              ],
              message: 'import another workspace by its package name',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['subgraphs/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@fedstack/gateway', '@fedstack/gateway/*'],
              message: 'subgraphs never depend on the gateway',
            },
            {
              group: ['@fedstack/*', '!@fedstack/runtime', '!@fedstack/envelope', '!@fedstack/kit'],
              message:
                'a subgraph never imports another: data crosses subgraphs as entity references',
            },
            {
              group: [
                '**/subgraphs/**',
                '**/packages/**',
                '**/gateway/src/**',
                '../../*/src/*',
                '../../../*/src/*',
              ],
              message: 'import another workspace by its package name',
            },
          ],
        },
      ],
    },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
);
