// One lint configuration for the whole repository. It enforces the layering of
// docs/ARCHITECTURE.md: codec <- protection <- core <- transports <- apps (and codec <- ca;
// core, ca <- issuer <- store-sql <- store-sqlite, store-postgres <- apps).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const NODE_BUILTINS = {
  group: [
    'node:*',
    'buffer',
    'fs',
    'fs/*',
    'net',
    'http',
    'https',
    'crypto',
    'path',
    'os',
    'stream',
    'child_process',
    'url',
    'util',
    'events',
    'tls',
    'zlib',
  ],
  message: 'codec, protection and core must run in a browser: no Node built-ins.',
};

function layer(files, forbidden, extra = []) {
  return {
    files,
    rules: {
      'no-restricted-imports': ['error', { patterns: [NODE_BUILTINS, ...forbidden, ...extra] }],
      'no-restricted-globals': ['error', 'Buffer', 'process', '__dirname', 'require'],
      'no-console': 'error',
    },
  };
}

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/.turbo/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['packages/*/src/**/*.ts', 'apps/*/src/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportDefaultDeclaration', message: 'No default exports: name every export.' },
        { selector: 'TSEnumDeclaration', message: 'Use an `as const` object and a union type instead of enum.' },
      ],
    },
  },
  layer(['packages/codec/src/**/*.ts'], [{ group: ['@cmpkit/*'], message: 'codec is the bottom layer: it imports no other package.' }]),
  layer(
    ['packages/protection/src/**/*.ts'],
    [{ group: ['@cmpkit/core', '@cmpkit/transport-*', '@cmpkit/test-utils'], message: 'protection may import only @cmpkit/codec.' }],
  ),
  layer(
    ['packages/ca/src/**/*.ts'],
    [
      {
        group: ['@cmpkit/protection', '@cmpkit/core', '@cmpkit/transport-*', '@cmpkit/test-utils'],
        message: 'ca may import only @cmpkit/codec.',
      },
    ],
  ),
  {
    files: ['packages/node-crypto/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['@cmpkit/*'], message: 'node-crypto is a WebCrypto provider for Node: it imports no cmpkit package.' }] },
      ],
    },
  },
  {
    files: ['packages/pkcs11/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['@cmpkit/*'], message: 'pkcs11 is a WebCrypto provider for token keys: it imports no cmpkit package.' }] },
      ],
    },
  },
  layer(
    ['packages/pq-crypto/src/**/*.ts'],
    [{ group: ['@cmpkit/*'], message: 'pq-crypto is a WebCrypto extension for any runtime: it imports no cmpkit package.' }],
  ),
  layer(
    ['packages/core/src/**/*.ts'],
    [{ group: ['@cmpkit/transport-*', '@cmpkit/test-utils'], message: 'core may import only codec and protection.' }],
  ),
  {
    files: ['packages/issuer/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@cmpkit/store-*', '@cmpkit/transport-*', '@cmpkit/test-utils'],
              message: 'issuer may import only codec, protection, core and ca; the stores implement its interfaces.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['packages/store-*/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@cmpkit/store-*', '!@cmpkit/store-sql', '@cmpkit/transport-*', '@cmpkit/test-utils'],
              message:
                'a store implements the interfaces of core and issuer (on the shared SQL of @cmpkit/store-sql): it imports no other store, no transport, no test helper.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['packages/transport-*/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@cmpkit/core'], allowTypeImports: true, message: 'transports use core types only (peer dependency).' },
            { group: ['@cmpkit/protection', '@cmpkit/test-utils'], message: 'transports move bytes; they do no CMP processing.' },
          ],
        },
      ],
    },
  },
  {
    // The browser entry of transport-ws and everything it loads: no Node built-ins, no `ws`.
    files: [
      'packages/transport-ws/src/browser.ts',
      'packages/transport-ws/src/ws-transport.ts',
      'packages/transport-ws/src/ws-transport-error.ts',
      'packages/transport-ws/src/websocket-like.ts',
      'packages/transport-ws/src/envelope.ts',
      'packages/transport-ws/src/internal/envelope.ts',
      'packages/transport-ws/src/internal/backoff.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { ...NODE_BUILTINS, message: 'the browser entry of transport-ws loads no Node built-in.' },
            {
              group: ['ws'],
              message: 'the browser entry of transport-ws takes its WebSocket from the global or the caller, never from ws.',
            },
            { group: ['@cmpkit/core'], allowTypeImports: true, message: 'transports use core types only (peer dependency).' },
            { group: ['@cmpkit/protection', '@cmpkit/test-utils'], message: 'transports move bytes; they do no CMP processing.' },
          ],
        },
      ],
      'no-restricted-globals': ['error', 'Buffer', 'process', '__dirname', 'require'],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      globals: {
        console: 'readonly',
        process: 'readonly',
        URL: 'readonly',
        performance: 'readonly',
        TextEncoder: 'readonly',
        TextDecoder: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        crypto: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
);
