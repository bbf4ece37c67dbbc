// Pure and deterministic: safe for workflow code. File loading lives in ./load-file, outside this barrel.
export * from './localized-text';
export * from './schema';
export * from './parse';
export * from './resolve';
export * from './forms';
