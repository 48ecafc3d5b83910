// Lint rules that the type checker cannot express. The important one keeps the domain core
// pure: no I/O, no clock, no randomness, no transport, no metrics inside engine/src/domain.
import tseslint from 'typescript-eslint';

const impureModules = [
  { group: ['node:*'], message: 'The domain core does no I/O: Node built-ins stay in the runtime.' },
  { group: ['fs', 'net', 'os', 'path', 'crypto', 'worker_threads', 'child_process', 'http', 'https'], message: 'The domain core does no I/O.' },
  { group: ['nats', '@nats-io/*', 'nats*'], message: 'Transport stays behind the Bus interface, outside the domain.' },
  { group: ['prom-client', 'prom-client/*'], message: 'Metrics live in engine/src/metrics, not in the domain.' },
  { group: ['fastify', 'fastify/*', '@fastify/*', 'piscina'], message: 'The domain core knows nothing of HTTP or thread pools.' },
];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'coverage/**', '.scratch/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['engine/src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: impureModules }],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Time is an argument (nowMs) in the domain core.' },
        { object: 'Math', property: 'random', message: 'Randomness is an input (a seed) in the domain core.' },
        { object: 'performance', property: 'now', message: 'Time is an argument (nowMs) in the domain core.' },
        { object: 'process', property: 'hrtime', message: 'Time is an argument (nowMs) in the domain core.' },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'The domain core reads no environment.' },
        { name: 'setTimeout', message: 'The domain core schedules nothing: expiry is driven by nowMs.' },
        { name: 'setInterval', message: 'The domain core schedules nothing.' },
        { name: 'fetch', message: 'The domain core does no I/O.' },
        { name: 'setImmediate', message: 'The domain core schedules nothing.' },
        { name: 'queueMicrotask', message: 'The domain core schedules nothing.' },
        { name: 'crypto', message: 'Randomness and ids are inputs in the domain core.' },
        { name: 'globalThis', message: 'The domain core reaches for no globals (clock, randomness, I/O).' },
      ],
      'no-restricted-syntax': [
        'error',
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'new Date() reads the clock; pass nowMs in.' },
        { selector: "CallExpression[callee.name='Date']", message: 'Date() reads the clock; pass nowMs in.' },
        { selector: 'ImportExpression', message: 'No dynamic imports in the domain core: it does no I/O.' },
      ],
    },
  },
);
