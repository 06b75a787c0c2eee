// A worker thread of the norms lab: loads the words once, then trains the cells the main thread
// sends ({ cell }), answering { result } or { error } for each.
import { parentPort, workerData } from 'node:worker_threads';
import { buildSplits, readWords, Vocab } from '../data/index.js';
import { DEFAULT_TRAIN } from '../model/index.js';
import { runCell, type Cell, type GridSpec } from './normsGrid.js';

const { data, spec } = workerData as { data: string; spec: GridSpec };
const words = readWords(data);
const vocab = Vocab.fromWords(words);
const splits = buildSplits(words, vocab, 3, DEFAULT_TRAIN.splitSeed);

parentPort!.on('message', (msg: { cell: Cell }) => {
  try {
    parentPort!.postMessage({ result: runCell(msg.cell, spec, splits, vocab.size) });
  } catch (e) {
    parentPort!.postMessage({ error: `${msg.cell.variant} batch ${msg.cell.batchSize} seed ${msg.cell.seed}: ${e instanceof Error ? e.message : String(e)}` });
  }
});
