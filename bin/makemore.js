#!/usr/bin/env node
// The `makemore` command. The TypeScript sources are compiled to dist/ by `npm install` (prepare).
import v8 from 'node:v8';

// Compile the WebAssembly kernels with V8's optimizing tier from the start. With the default
// tiering some hot kernels can stay on the baseline compiler for a whole run (seen: 165 instead
// of 100 µs per step in about half the runs).
v8.setFlagsFromString('--no-liftoff');

const { main } = await import('../dist/src/cli/main.js');
process.exitCode = await main(process.argv.slice(2));
