// The error class and the validation helpers live in the tfjs-free `@unbiased/errors` package (so that
// `@unbiased/metrics` installs without tfjs); core re-exports them at its root and at `@unbiased/core/errors`.
export * from '@unbiased/errors';
