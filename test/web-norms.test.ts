// The playground offers the registry's model kinds (and nothing else): its worker sends
// modelKindChoices() to the page, which fills the norm menu and shows the fields each kind reads
// (test/web.test.ts checks the page's menu in Chromium). A kind registered later is offered too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NORM_KINDS, modelKindChoices, modelKindNames } from '../src/model/index.js';
import { registerTinyKinds } from './kinds/tiny.js';
import { ROOT } from './helpers/cli.js';

test('modelKindChoices: every registered norm, with a label, a description and the options its kind reads', () => {
  const choices = modelKindChoices();
  assert.deepEqual(choices.map((c) => c.norm), modelKindNames());
  for (const n of NORM_KINDS) assert.ok(choices.some((c) => c.norm === n), `${n} is offered`);
  for (const c of choices) {
    assert.ok(c.label.length > 0 && c.description.length > 0, `${c.norm} has a label and a description`);
    // plain data: it crosses postMessage to the page
    assert.deepEqual(JSON.parse(JSON.stringify(c)), c);
  }
  const notebook = choices.find((c) => c.norm === 'notebook');
  assert.equal(notebook?.fixedLayers, 1);
  assert.ok(notebook?.options.includes('bnEps'));
  assert.deepEqual(choices.find((c) => c.norm === 'none')?.options, ['init']);
  assert.equal(choices.find((c) => c.norm === 'layernorm')?.fixedLayers, undefined);
});

test('a kind registered by a program is offered without a page change', () => {
  registerTinyKinds();
  const tiny = modelKindChoices().find((c) => c.norm === 'tiny');
  assert.ok(tiny, 'tiny is offered');
  assert.equal(tiny.label, 'tiny');
  assert.equal(tiny.description, 'a one-layer MLP without batch norm (test kind)');
});

test('web/: the page names no model kind (it asks the registry through the worker)', () => {
  const html = readFileSync(join(ROOT, 'web', 'index.html'), 'utf8');
  const menu = /<select id="norm"[^>]*>([\s\S]*?)<\/select>/.exec(html);
  assert.ok(menu, 'no <select id="norm">');
  assert.equal(/<option/.exec(menu[1]), null, 'the norm menu is filled from the registry');
  for (const file of ['main.ts', 'worker.ts']) {
    const src = readFileSync(join(ROOT, 'web', 'src', file), 'utf8');
    for (const n of NORM_KINDS) assert.doesNotMatch(src, new RegExp(`['"\`]${n}['"\`]`), `web/src/${file} names the kind "${n}"`);
  }
});
