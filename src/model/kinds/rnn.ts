// makemore.py's recurrent models (`--type rnn`, `--type gru`): RNN(config, cell_type) with a
// learned start state, token embeddings, one cell applied at every position with the hidden
// state carried, and an lm_head on every hidden state. Names and construction order are
// makemore.py's: start (zeros), wte (N(0, 1)), cell (its Linears in order), lm_head, so a seed
// gives PyTorch's parameters bit for bit.
import type { Generator } from '../../random/index.js';
import { Embedding, Linear, Module } from '../../nn/index.js';
import { cat, gruSequence, index, rnnSequence, rsub, stack, zeros, type CellLinear, type Tensor } from '../../tensor/index.js';
import type { ModelConfig } from '../config.js';
import { defineSequenceKind, SequenceModel } from './sequence.js';

/**
 * A cell: `step` is one step as makemore.py writes it, composed from ops, (xt (B, n_embd),
 * hprev (B, n_embd2)) → ht (B, n_embd2); `sequence` runs it over every position of x (B, T, n_embd)
 * as one fused op (tensor/ops/recurrent.ts) with the same arithmetic, → (B, T, n_embd2).
 */
export abstract class RecurrentCell extends Module {
  abstract step(xt: Tensor, hprev: Tensor): Tensor;
  abstract sequence(x: Tensor, h0: Tensor): Tensor;
  forward(xt: Tensor, hprev?: Tensor): Tensor {
    if (hprev === undefined) throw new RangeError('a recurrent cell needs (xt, hprev)');
    return this.step(xt, hprev);
  }
}

/** makemore.py's RNNCell: ht = tanh(xh_to_h([xt, hprev])). */
export class RNNCell extends RecurrentCell {
  readonly xh_to_h: Linear;
  constructor(config: ModelConfig, g: Generator) {
    super();
    this.xh_to_h = this.registerModule('xh_to_h', new Linear(config.embedDim + config.hidden, config.hidden, { generator: g }));
  }
  step(xt: Tensor, hprev: Tensor): Tensor {
    const xh = cat([xt, hprev], 1);
    return this.xh_to_h.forward(xh).tanh();
  }
  sequence(x: Tensor, h0: Tensor): Tensor {
    return rnnSequence(x, h0, cellLinear(this.xh_to_h));
  }
}

/** makemore.py's GRUCell: reset gate r, candidate hbar, update gate z; ht = (1 − z)·hprev + z·hbar. */
export class GRUCell extends RecurrentCell {
  readonly xh_to_z: Linear;
  readonly xh_to_r: Linear;
  readonly xh_to_hbar: Linear;
  constructor(config: ModelConfig, g: Generator) {
    super();
    const n = config.embedDim + config.hidden;
    this.xh_to_z = this.registerModule('xh_to_z', new Linear(n, config.hidden, { generator: g }));
    this.xh_to_r = this.registerModule('xh_to_r', new Linear(n, config.hidden, { generator: g }));
    this.xh_to_hbar = this.registerModule('xh_to_hbar', new Linear(n, config.hidden, { generator: g }));
  }
  step(xt: Tensor, hprev: Tensor): Tensor {
    const xh = cat([xt, hprev], 1);
    const r = this.xh_to_r.forward(xh).sigmoid();
    const hprevReset = r.mul(hprev);
    const xhr = cat([xt, hprevReset], 1);
    const hbar = this.xh_to_hbar.forward(xhr).tanh();
    const z = this.xh_to_z.forward(xh).sigmoid();
    return rsub(1, z).mul(hprev).add(z.mul(hbar)); // (1 - z) * hprev + z * hbar
  }
  sequence(x: Tensor, h0: Tensor): Tensor {
    return gruSequence(x, h0, { z: cellLinear(this.xh_to_z), r: cellLinear(this.xh_to_r), hbar: cellLinear(this.xh_to_hbar) });
  }
}

function cellLinear(l: Linear): CellLinear {
  if (l.bias === null) throw new Error('a cell Linear has a bias');
  return { weight: l.weight, bias: l.bias };
}

export type CellType = 'rnn' | 'gru';

/** makemore.py's RNN: forward(idx (B, T) int32) → logits (B, T, vocab). */
export class RNN extends SequenceModel {
  readonly start: Tensor;
  readonly wte: Embedding;
  readonly cell: RecurrentCell;
  readonly lm_head: Linear;

  constructor(config: ModelConfig, readonly cellType: CellType, g: Generator) {
    super(config);
    this.start = this.registerParameter('start', zeros([1, config.hidden]));
    this.wte = this.registerModule('wte', new Embedding(config.vocabSize, config.embedDim, { generator: g }));
    this.cell = this.registerModule('cell', cellType === 'rnn' ? new RNNCell(config, g) : new GRUCell(config, g));
    this.lm_head = this.registerModule('lm_head', new Linear(config.hidden, config.vocabSize, { generator: g }));
  }

  forward(idx: Tensor): Tensor {
    return this.lm_head.forward(this.cell.sequence(this.wte.forward(idx), this.startState(idx.shape[0])));
  }

  /** makemore.py's forward as written: the cell's `step` at each position, then stack (the fused forward's reference). */
  forwardSteps(idx: Tensor): Tensor {
    const emb = this.wte.forward(idx); // (b, t, n_embd)
    let hprev = this.startState(idx.shape[0]);
    const hiddens: Tensor[] = [];
    for (let i = 0; i < idx.shape[1]; i++) {
      hprev = this.cell.step(emb.select(1, i), hprev); // (b, n_embd2)
      hiddens.push(hprev);
    }
    return this.lm_head.forward(stack(hiddens, 1)); // (b, t, vocab)
  }

  /** start.expand((b, -1)): row 0 gathered b times, so its gradient is the sum over the batch. */
  private startState(b: number): Tensor {
    return index(this.start, zeros([b], { dtype: 'int32' }));
  }
}

function recurrentKind(cellType: CellType, description: string) {
  return defineSequenceKind({
    arch: cellType,
    description,
    create: (config: ModelConfig, g: Generator) => new RNN(config, cellType, g),
  });
}

export const rnnKind = recurrentKind('rnn', "makemore.py's RNN: a tanh cell over the embedded word, a learned start state");
export const gruKind = recurrentKind('gru', "makemore.py's GRU: reset and update gates, a learned start state");
