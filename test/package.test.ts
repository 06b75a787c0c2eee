// What `npm pack` puts in the tarball: the library, the CLI, the bundled data and the docs, and
// none of the tests, fixtures, benchmarks, sources or tools (package.json "files").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { ROOT } from './helpers/cli.js';

test('npm pack holds the library, CLI, data and docs, not tests, fixtures or benchmarks', () => {
  // --ignore-scripts: packing must not rebuild dist/ under the running tests.
  const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw r.error;
  assert.equal(r.status, 0, r.stderr);
  const [pack] = JSON.parse(r.stdout) as { files: { path: string }[] }[];
  const paths = pack.files.map((f) => f.path);
  for (const need of ['package.json', 'README.md', 'bin/makemore.js', 'data/names.txt', 'docs/ARCHITECTURE.md',
    'dist/src/index.js', 'dist/src/index.d.ts', 'dist/src/cli/main.js', 'dist/src/kernels/wasm/binary.js']) {
    assert.ok(paths.includes(need), `the tarball lacks ${need}`);
  }
  const stray = paths.filter((p) => !/^(package\.json|README\.md|bin\/|data\/|docs\/|dist\/src\/)/.test(p) || p.endsWith('.map'));
  assert.deepEqual(stray, [], 'files that do not belong in the tarball');
});
