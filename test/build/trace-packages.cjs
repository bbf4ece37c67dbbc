// Loaded with `node --require` by test/build/compiled-cli.test.ts: records every npm package the process
// requires (by name) and appends the list, one line per process, to $KYBAO_TRACE_PACKAGES.
const Module = require('node:module');
const { appendFileSync } = require('node:fs');
const seen = new Set();
const load = Module._load;
Module._load = function (request, ...rest) {
  if (!request.startsWith('.') && !request.startsWith('/') && !request.startsWith('node:')) {
    const parts = request.split('/');
    seen.add(request.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]);
  }
  return load.call(this, request, ...rest);
};
process.on('exit', () => appendFileSync(process.env.KYBAO_TRACE_PACKAGES, JSON.stringify([...seen]) + '\n'));
