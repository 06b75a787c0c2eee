// The messages between the page (main.ts) and the training worker (worker.ts).
//
// The page sends requests; the worker answers with events. Requests that expect one answer
// (sample, export, load-model) carry an `id` that the answer repeats. Training is a loop of
// slices (~40 ms of steps) inside the worker; after every slice it posts a `progress` event
// with what is new since the last one (per-step losses, validation points, layer statistics),
// so the page only appends. `pause` stops the loop between two slices; `resume` restarts it.
//
// Every training run has an id that the page picks (`start.run`) and the worker repeats on each of
// that run's events (`started`, `progress`, `paused`, `done`, a failed step's `error`). Events of a
// run the page has since reset or restarted are still in flight when it does; it drops them.
import type { BackendChoice } from '../../src/kernels/index.js';
import type { NetworkLayer } from '../../src/model/index.js';
import type { ModelConfig, TrainConfig } from '../../src/model/config.js';
import type { ReplayCell } from '../../src/experiments/seedNotebook.js';
import type { KindChoice } from '../../src/model/kind.js';

/** A type of makemore.py's family (`train --type`) the registry holds: its arch and its kind's choice. */
export interface FamilyChoice extends KindChoice {
  type: string;
  arch: string;
}

/** A model config without the vocabulary size, which comes from the data. */
export type ModelShape = Omit<ModelConfig, 'vocabSize'>;

export interface RunConfig {
  model: ModelShape;
  /** lrDecayStep already resolved (the CLI's default is half the steps). */
  train: TrainConfig;
  backend: BackendChoice;
  /** Layer statistics every this many steps (and at the last step); 0: never. */
  statsEvery: number;
  /** Validation loss before training and every this many steps (and at the end); 0: never. */
  evalEvery: number;
}

/** The bundled names.txt, or the text of a word list the user picked or dropped. */
export type DataSource = { kind: 'bundled' } | { kind: 'text'; name: string; text: string };

export type Request =
  | { type: 'data'; source: DataSource }
  | { type: 'start'; run: number; config: RunConfig }
  /** Continue the loaded model file's run to `config.train.steps` (as `makemore train --resume`). */
  | { type: 'continue'; run: number; config: RunConfig }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'reset' }
  | { type: 'sample'; id: number; count: number; temperature: number; prefix: string; seed: number; fresh: boolean }
  | { type: 'export'; id: number }
  | { type: 'load-model'; id: number; name: string; bytes: ArrayBuffer }
  /** The guided tour: replay the seed notebook's cells with `steps` steps per training cell. */
  | { type: 'tour'; id: number; steps: number; backend: BackendChoice }
  | { type: 'tour-stop' }
  /** The current model's next-character probabilities after a prefix (the explorer's bars). */
  | { type: 'next-char'; id: number; prefix: string; temperature: number }
  /** The current model's parameters and its embedding table in 2-D (the explorer's diagram and scatter). */
  | { type: 'inspect'; id: number };

/** The statistics of one statistics step that the page draws (histograms of the tanh outputs, update:data). */
export interface StatsPoint {
  step: number;
  lr: number;
  activations: { layer: string; mean: number; std: number; saturation: number; centers: number[]; density: number[] }[];
  /** log10(std(lr·grad) / std(data)) of every parameter; `weight`: a 2-D weight (the lecture plots those). */
  updates: { name: string; shape: number[]; weight: boolean; log10: number }[];
}

/** `evaluating`: the steps are done, the final train/val/test losses are being computed. */
/** A model file's stored diagnostics, as the page draws them (see diagnosticsMetadata). */
export interface LoadedCurves {
  /** log10 loss every `stride` steps from `startStep`, and its means over windows of `window` steps. */
  loss?: { startStep: number; stride: number; lossLog10: number[]; window: number; smoothLog10: number[] };
  val: { step: number; loss: number }[];
  /** The statistics steps; histograms only in the first and the last. */
  stats: StatsPoint[];
}

export type RunState = 'idle' | 'running' | 'paused' | 'evaluating' | 'done' | 'failed';

export interface FinalLosses {
  train: number;
  val: number;
  test: number;
}

export type WorkerEvent =
  /** `kinds`: the registry's model kinds, which the page offers (the norm menu and the fields each reads). */
  /**
   * `threads`: the cores the browser reports, and why fast mode's step cannot be split over them
   * here (null: it can, for the notebook model with statistics off).
   */
  | { type: 'ready'; backend: string; wasm: boolean; kinds: KindChoice[]; family: FamilyChoice[]; threads: { cores: number; unavailable: string | null } }
  | { type: 'data-info'; name: string; words: number; vocab: string; sample: string[] }
  | {
    type: 'started';
    run: number;
    backend: string;
    parameters: number;
    examples: { train: number; val: number; test: number };
    config: RunConfig;
    dataName: string;
    /** 0, or the step a continued run starts at. */
    startStep: number;
    /** Threads the training step runs on (fast mode splits the notebook model's over the cores). */
    threads: number;
    /** With the Kernels choice fast: on how many threads, or why one ("the page is not cross-origin isolated"). */
    threadsNote: string | null;
  }
  | {
    type: 'progress';
    run: number;
    state: RunState;
    /** Steps done (the next step to run). */
    step: number;
    steps: number;
    /** log10 loss of the steps run since the last progress event, from step `from`. */
    from: number;
    lossLog10: Float32Array;
    lastLoss: number;
    lr: number;
    /** Steps per second of training over the last slice and over the whole run (time in slices, diagnostics excluded). */
    stepsPerSec: number;
    avgStepsPerSec: number;
    /** Milliseconds: training steps, diagnostics (statistics and validation) inside them, whole slices. */
    trainMs: number;
    diagMs: number;
    val: { step: number; loss: number }[];
    stats: StatsPoint[];
    /** The CLI's loss lines ("  10000/ 200000: 2.0322") reached in this slice. */
    log: string[];
  }
  | { type: 'done'; run: number; final: FinalLosses; step: number }
  | { type: 'paused'; run: number; step: number }
  | { type: 'reset' }
  | { type: 'samples'; id: number; words: string[]; seed: number; draw: number }
  | { type: 'model-file'; id: number; bytes: ArrayBuffer; fileName: string }
  | {
    type: 'model-loaded';
    id: number;
    name: string;
    config: ModelShape & { vocabSize: number };
    step: number;
    train?: TrainConfig;
    parameters: number;
    vocab: string;
    /** Losses on the current word list's splits, when its vocabulary is the model's. */
    final?: FinalLosses;
    /** The run's curves and statistics, when the file has them (files the page or `--report` wrote). */
    curves?: LoadedCurves;
    /** The file holds its training state (generator, schedule): its run can be continued. */
    resumable: boolean;
  }
  /** The tour (request `id`): a cell's loss line as it is printed, a finished cell, training progress, the end. */
  | { type: 'tour-line'; id: number; cell: number; line: string }
  | { type: 'tour-cell'; id: number; cell: ReplayCell }
  | { type: 'tour-progress'; id: number; cell: number; step: number }
  | { type: 'tour-done'; id: number; stopped: boolean; seconds: number }
  | { type: 'next-char'; id: number; prefix: string; temperature: number; chars: string[]; probs: number[] }
  | {
    type: 'model-view';
    id: number;
    /** What the model is: its kind's title, the step it was trained to. */
    title: string;
    step: number;
    /** Parameters and buffers in model-file order, PyTorch names. */
    tensors: { name: string; shape: number[]; parameter: boolean }[];
    /** The model's layers in forward order (`networkLayers`): the network diagram. */
    layers: NetworkLayer[];
    parameters: number;
    /** The embedding table's rows in 2-D, one per character (null: the model has no such table). */
    embedding: { chars: string[]; x: number[]; y: number[]; axes: string; explained: number } | null;
  }
  /** `id`: the request that failed; `run`: the run whose step failed. */
  | { type: 'error'; id?: number; run?: number; message: string };
