// The playground offers every norm the model knows (and nothing else): the options of the
// page's norm select are NORM_KINDS.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NORM_KINDS } from '../src/model/index.js';
import { ROOT } from './helpers/cli.js';

test('web/index.html: the norm select offers every model norm', () => {
  const html = readFileSync(join(ROOT, 'web', 'index.html'), 'utf8');
  const select = /<select id="norm"[^>]*>([\s\S]*?)<\/select>/.exec(html);
  assert.ok(select, 'no <select id="norm">');
  const values = [...select[1].matchAll(/<option value="([^"]+)"/g)].map((m) => m[1]);
  assert.deepEqual([...values].sort(), [...NORM_KINDS].sort());
});
