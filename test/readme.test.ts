// The README's library example runs as printed: its first output line is the one its comment shows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

test('README library example prints what it says', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const start = readme.indexOf('```js', readme.indexOf('## Library'));
  assert.ok(start >= 0, 'README has a ```js block under ## Library');
  const code = readme.slice(start + 5, readme.indexOf('```', start + 5));
  const expected = /console\.log\(loss[^\n]*\/\/ (.*)$/m.exec(code)?.[1];
  assert.ok(expected, 'the loss line has its expected output in a comment');
  // Inside the package folder, so `import 'makemore-ts'` resolves to this package (self-reference).
  mkdirSync(join(root, 'runs'), { recursive: true });
  const file = join(root, 'runs', 'readme-example.mjs');
  writeFileSync(file, code);
  const r = spawnSync(process.execPath, [file], { encoding: 'utf8', cwd: root });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.split('\n')[0], expected);
});
