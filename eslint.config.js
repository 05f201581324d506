// ESLint (flat config): a modest rule set the whole code base passes; `npm test` runs it (npm run lint).
// Import direction and cycles are dependency-cruiser's job (.dependency-cruiser.cjs), not ESLint's.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', '**/*.d.ts'] },
  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-floating-promises': 'error',
      // Lazy imports name their module's type with `typeof import('x')`.
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
      // Off on purpose: validators match control characters; typed EventEmitter subclasses merge an
      // interface of listener overloads into the class; closures capture a `let` assigned once later;
      // a flag reset in a loop keeps its initial value for readability.
      'no-control-regex': 'off',
      '@typescript-eslint/no-unsafe-declaration-merging': 'off',
      'prefer-const': 'off',
      'no-useless-assignment': 'off',
    },
  },
);
