// networkLayers: every model kind the registry offers (the playground's menu) described as layers
// for the network diagram: forward order, output shapes per example, each parameter in exactly one
// layer, the tanh layers the activation statistics watch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { archNames, createModel, modelKindChoices, networkLayers, type ModelConfig } from '../src/model/index.js';
import { Generator } from '../src/random/index.js';

for (const arch of archNames()) {
  for (const choice of modelKindChoices(arch)) {
    test(`networkLayers: ${arch} / ${choice.norm}`, () => {
      const config: ModelConfig = { arch, vocabSize: 27, blockSize: 4, embedDim: 6, hidden: 12, layers: choice.fixedLayers ?? 2, norm: choice.norm, ...(choice.norm === 'groupnorm' ? { groups: 4 } : {}), ...(choice.options.includes('heads') ? { heads: 2 } : {}) };
      const model = createModel(config, new Generator(3));
      const layers = networkLayers(model);
      assert.equal(layers.reduce((s, l) => s + l.parameters, 0), model.numParameters(), 'the layers hold every parameter');
      const named = model.namedParameters().map(([n]) => n).sort();
      assert.deepEqual(layers.flatMap((l) => l.tensors).sort(), named, 'each parameter in exactly one layer, by its model-file name');
      if (model.output === 'sequence') {
        // makemore.py's family: logits at each of the block's positions
        assert.deepEqual(layers.at(-1)!.shape, [4, 27], 'last: the logits at every position');
      } else {
        assert.deepEqual(layers[0].shape, [4, 6], 'first: the embedding, (block, embed) per example');
        assert.deepEqual(layers.at(-1)!.shape, [27], 'last: the logits');
      }
      assert.deepEqual(layers.filter((l) => l.statistics !== null).map((l) => l.statistics), model.activationProbes().map((p) => p.layer), 'the tanh layers the statistics watch');
      for (const l of layers.filter((x) => x.statistics !== null)) assert.equal(l.type, 'Tanh');
      assert.equal(model.training, true, 'still in training mode');
      assert.equal(model.hasHooks(), false, 'its hooks removed');
    });
  }
}

test('networkLayers: the WaveNet tree, level by level (8 → 4 → 2 → 1 positions)', () => {
  const model = createModel({ arch: 'wavenet', vocabSize: 27, blockSize: 8, embedDim: 24, hidden: 128, layers: 3, norm: 'batchnorm1d' }, new Generator(42));
  const layers = networkLayers(model);
  assert.deepEqual(layers.map((l) => `${l.name} ${l.type} ${l.shape.join('×')} ${l.parameters}`), [
    'layers.0 Embedding 8×24 648',
    'layers.1 FlattenConsecutive 4×48 0', 'layers.2 Linear 4×128 6144', 'layers.3 BatchNorm1d 4×128 256', 'layers.4 Tanh 4×128 0',
    'layers.5 FlattenConsecutive 2×256 0', 'layers.6 Linear 2×128 32768', 'layers.7 BatchNorm1d 2×128 256', 'layers.8 Tanh 2×128 0',
    'layers.9 FlattenConsecutive 256 0', 'layers.10 Linear 128 32768', 'layers.11 BatchNorm1d 128 256', 'layers.12 Tanh 128 0',
    'layers.13 Linear 27 3483',
  ]);
});
