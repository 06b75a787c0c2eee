// How the hand-written models draw their parameters from one generator (config.init):
//   naive        W1, b1, W2, b2 ~ N(0, 1)                                 (the lecture, step 0)
//   fix-softmax  W2·0.01, b2·0                                            (the lecture)
//   fix-tanh     also W1·0.2, b1·0.01                                     (the lecture)
//   kaiming      W1·(5/3)/√fanIn, b1 = randn·0.01, W2·0.01, b2 = randn·0   (the lecture's final init)
//   seed         W1·(5/3)/√fanIn, b1 = rand(H)/√H, W2·√(2/(H+V)) (Xavier normal),
//                b2 = rand(V)/√V                                          (the seed notebook, cells 4, 7, 11)
// Each draw is `randn(...)` or `torch.rand(...)` (uniform [0, 1)), then ·mul and /div as two float32
// tensor ops in that order, the Python double scalar rounded to float32 first, as PyTorch does.
import type { Generator } from '../random/index.js';
import type { InitScheme } from './config.js';

export interface Draw {
  dist: 'randn' | 'rand';
  /** Multiplier (1: no op). */
  mul: number;
  /** Divisor (1: no op). */
  div: number;
}

export interface InitDraws {
  W1: Draw;
  b1: Draw;
  W2: Draw;
  b2: Draw;
}

const randn = (mul: number, div = 1): Draw => ({ dist: 'randn', mul, div });
const uniformOver = (div: number): Draw => ({ dist: 'rand', mul: 1, div });

/** The draws of a layer of fanIn → fanOut units whose output layer has `vocab` units. */
export function initDraws(init: InitScheme, fanIn: number, fanOut: number, vocab: number): InitDraws {
  switch (init) {
    case 'naive': return { W1: randn(1), b1: randn(1), W2: randn(1), b2: randn(1) };
    case 'fix-softmax': return { W1: randn(1), b1: randn(1), W2: randn(0.01), b2: randn(0) };
    case 'fix-tanh': return { W1: randn(0.2), b1: randn(0.01), W2: randn(0.01), b2: randn(0) };
    case 'kaiming': return { W1: randn(5 / 3, Math.sqrt(fanIn)), b1: randn(0.01), W2: randn(0.01), b2: randn(0) };
    case 'seed': return {
      W1: randn(5 / 3, Math.sqrt(fanIn)),
      b1: uniformOver(Math.sqrt(fanOut)),
      // `(2 / (n_hidden + vocab_size))**0.5` is one Python double, one float32 multiply
      W2: randn(Math.sqrt(2 / (fanOut + vocab))),
      b2: uniformOver(Math.sqrt(vocab)),
    };
  }
}

/** `count` values drawn from g as `d` says, in float32. */
export function drawValues(g: Generator, count: number, d: Draw): Float32Array {
  const v = new Float32Array(count);
  if (d.dist === 'randn') g.normal(v);
  else g.uniform(v);
  const m = Math.fround(d.mul), k = Math.fround(d.div);
  for (let i = 0; i < count; i++) {
    let x = v[i];
    if (d.mul !== 1) x = Math.fround(x * m);
    if (d.div !== 1) x = Math.fround(x / k);
    v[i] = x;
  }
  return v;
}
