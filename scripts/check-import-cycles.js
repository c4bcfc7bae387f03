#!/usr/bin/env node
// Import cycles among src/**/*.ts, resolved with TypeScript's own module resolution (type-only imports
// included). `npm run check:cycles` prints them and exits 1 when there is one; the test suite runs it too.
'use strict';
const ts = require('typescript');
const path = require('path');
const root = path.resolve(process.argv[2] ?? path.join(__dirname, '..'));
const cfgPath = ts.findConfigFile(root, ts.sys.fileExists, 'tsconfig.json');
const cfg = ts.parseJsonConfigFileContent(ts.readConfigFile(cfgPath, ts.sys.readFile).config, ts.sys, path.dirname(cfgPath));
const files = cfg.fileNames.filter((f) => f.includes('/src/') && !f.endsWith('.d.ts'));
const graph = new Map();
for (const f of files) {
  const info = ts.preProcessFile(ts.sys.readFile(f), true, true);
  const deps = [];
  for (const imp of info.importedFiles) {
    const r = ts.resolveModuleName(imp.fileName, f, cfg.options, ts.sys).resolvedModule;
    if (r && !r.isExternalLibraryImport && r.resolvedFileName.includes('/src/')) deps.push(path.resolve(r.resolvedFileName));
  }
  graph.set(path.resolve(f), deps);
}
const state = new Map(); const stack = []; const cycles = [];
function visit(n) {
  state.set(n, 1); stack.push(n);
  for (const d of graph.get(n) ?? []) {
    if (state.get(d) === 1) cycles.push(stack.slice(stack.indexOf(d)).concat(d).map((x) => path.relative(root, x)).join(' -> '));
    else if (!state.has(d)) visit(d);
  }
  stack.pop(); state.set(n, 2);
}
for (const n of graph.keys()) if (!state.has(n)) visit(n);
console.log(`${graph.size} files, ${cycles.length} cycle(s)`);
for (const c of cycles) console.log(c);
process.exitCode = cycles.length ? 1 : 0;
