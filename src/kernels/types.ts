// The kernel interface: arithmetic on flat typed arrays, nothing else.
// A kernel knows nothing of tensors, shapes beyond the sizes it is given, or autograd.
// Layouts are row-major. "+=" kernels accumulate into their output (gradients).

/** Storage a float kernel reads and writes: float32 in training, float64 for gradient checks. */
export type FloatArray = Float32Array | Float64Array;
/** Integer storage: indexes and targets. */
export type IntArray = Int32Array;

export type BinaryOp = 'add' | 'sub' | 'mul' | 'div';
export type UnaryOp = 'neg' | 'exp' | 'log' | 'log10' | 'tanh' | 'sqrt' | 'abs';
/** The unary ops with a derivative kernel (neg is a scalar multiply). */
export type UnaryGradOp = Exclude<UnaryOp, 'neg'>;
/** A block product's layout: 'nn' a·b (matmul), 'tn' aᵀ·b (matmulTransA), 'nt' a·bᵀ (matmulTransB). */
export type MatmulLayout = 'nn' | 'tn' | 'nt';

export interface Backend {
  readonly name: string;

  // ---- matmul family: the three layouts of a Linear layer ----
  /** out[m×n] (=|+=) a[m×k] · b[k×n] */
  matmul(out: FloatArray, a: FloatArray, b: FloatArray, m: number, k: number, n: number, accumulate: boolean): void;
  /** out[k×n] (=|+=) a[m×k]ᵀ · b[m×n]   (weight gradient: Xᵀ·dY) */
  matmulTransA(out: FloatArray, a: FloatArray, b: FloatArray, m: number, k: number, n: number, accumulate: boolean): void;
  /** out[m×k] (=|+=) a[m×n] · b[k×n]ᵀ   (input gradient: dY·Wᵀ) */
  matmulTransB(out: FloatArray, a: FloatArray, b: FloatArray, m: number, k: number, n: number, accumulate: boolean): void;

  /** out[c×r] (=|+=) a[r×c]ᵀ; int32 arrays are moved bit for bit (accumulate is for floats only). */
  transpose(out: FloatArray | IntArray, a: FloatArray | IntArray, rows: number, cols: number, accumulate: boolean): void;

  // ---- elementwise ----
  /**
   * out[i] = a[ia] op b[ib] over an n-d index of `shape`; aStrides/bStrides are element strides
   * with 0 on broadcast dimensions.
   */
  binary(op: BinaryOp, out: FloatArray, a: FloatArray, aStrides: readonly number[], b: FloatArray, bStrides: readonly number[], shape: readonly number[]): void;
  /** out[i] = a[i] op s (or s op a[i] when reversed) */
  binaryScalar(op: BinaryOp, out: FloatArray, a: FloatArray, s: number, reversed: boolean): void;
  unary(op: UnaryOp, out: FloatArray, a: FloatArray): void;
  /** out[i] (+)= a[i] * b[i] */
  mulInto(out: FloatArray, a: FloatArray, b: FloatArray, accumulate: boolean): void;
  /** out[i] += a[i] * s */
  axpy(out: FloatArray, a: FloatArray, s: number): void;
  /** dx[i] += dy[i] * (1 − y[i]²), y = tanh(x) */
  tanhBackward(dx: FloatArray, dy: FloatArray, y: FloatArray): void;
  /**
   * dx[i] += dy[i]·op′(x[i]), given the input x and the output y = op(x): exp y, log 1/x,
   * log10 1/(x·ln 10), tanh 1 − y², sqrt 0.5/y, abs sign(x).
   */
  unaryBackward(op: UnaryGradOp, dx: FloatArray, dy: FloatArray, x: FloatArray, y: FloatArray): void;
  /** out[i] = a[i]^p */
  powScalar(out: FloatArray, a: FloatArray, p: number): void;
  /** dx[i] += dy[i]·p·x[i]^(p−1) */
  powBackward(dx: FloatArray, dy: FloatArray, x: FloatArray, p: number): void;

  // ---- reductions over the middle axis of an (outer × dim × inner) view ----
  /** out[o,i] (=|+=) Σ_d a[o,d,i] */
  sumAxis(out: FloatArray, a: FloatArray, outer: number, dim: number, inner: number, accumulate: boolean): void;
  /**
   * out[j] (=|+=) Σ_i a[i·f + j] over n rows of float32, in PyTorch 1.13 CPU's order (ATen's
   * cascade sum, js/stepwise.ts columnSums): a Linear's bias gradient as PyTorch sums it.
   */
  sumRows(out: FloatArray, a: FloatArray, n: number, f: number, accumulate: boolean): void;
  /** out[o,d,i] += g[o,i]   (the backward of sumAxis: broadcast back) */
  broadcastAxis(out: FloatArray, g: FloatArray, outer: number, dim: number, inner: number, scale: number): void;
  /** var[o,i] = Σ_d (a − mean)² / (dim − correction); mean written too */
  varAxis(varOut: FloatArray, meanOut: FloatArray, a: FloatArray, outer: number, dim: number, inner: number, correction: number): void;
  /**
   * Backward of varAxis (std null) or of its square root std: dx[o,d,i] += s·(a[o,d,i] − mean[o,i])
   * with s = 2·g/(dim − correction) for the variance, g/((dim − correction)·std) for std.
   */
  varBackward(dx: FloatArray, g: FloatArray, a: FloatArray, mean: FloatArray, std: FloatArray | null,
    outer: number, dim: number, inner: number, correction: number): void;

  // ---- fused layers ----
  /** out[b,:] = table[idx[b],:] (out and table both float, or both int32) */
  gatherRows(out: FloatArray | IntArray, table: FloatArray | IntArray, idx: IntArray, rowLen: number): void;
  /** gradTable[idx[b],:] += g[b,:] */
  scatterAddRows(gradTable: FloatArray, g: FloatArray, idx: IntArray, rowLen: number): void;
  /**
   * Batch norm in training mode over x[n×f]: per feature mean and variance (divided by
   * n − correction); xhat = (x − mean)·invStd with invStd = 1/(sqrt(var + eps) + epsStd)
   * (epsStd: the seed notebook's `(h − mean)/(std + 1e-5)`, default 0);
   * out = gain·xhat + bias (gain/bias may be null). mean, var, xhat, invStd are written for the
   * backward pass and the running estimates.
   */
  batchNormTrain(out: FloatArray, xhat: FloatArray, meanOut: FloatArray, varOut: FloatArray, invStd: FloatArray,
    x: FloatArray, gain: FloatArray | null, bias: FloatArray | null, n: number, f: number, eps: number, correction: number, epsStd?: number): void;
  /** out = gain·(x − mean)/sqrt(var + eps) + bias, or with a std directly when `isStd` */
  batchNormEval(out: FloatArray, x: FloatArray, mean: FloatArray, varOrStd: FloatArray, isStd: boolean,
    gain: FloatArray | null, bias: FloatArray | null, n: number, f: number, eps: number): void;
  /**
   * Backward of batchNormEval (fixed statistics): with sd = std or sqrt(var + eps),
   * dx += dy·gain/sd; dGain += Σ dy·(x − mean)/sd; dBias += Σ dy (null skips).
   */
  batchNormEvalBackward(dx: FloatArray | null, dGain: FloatArray | null, dBias: FloatArray | null, dy: FloatArray, x: FloatArray,
    mean: FloatArray, varOrStd: FloatArray, isStd: boolean, gain: FloatArray | null, n: number, f: number, eps: number): void;
  /**
   * running[j] = (1 − momentum)·running[j] + momentum·scale·batch[j], in double, rounded once
   * (BatchNorm1d's running statistics; scale n/(n − 1) turns a biased batch variance unbiased).
   */
  runningAverage(running: FloatArray, batch: FloatArray, momentum: number, scale: number): void;
  /**
   * Backward of batchNormTrain: dx += invStd·(dxhat − mean(dxhat) − xhat·Σ(dxhat·xhat)/(n − correction)),
   * dxhat = dy·gain; dGain += Σ dy·xhat; dBias += Σ dy (null skips). With epsStd (added to the
   * std) the projection term is scaled by (std + epsStd)/std = 1/(1 − epsStd·invStd).
   */
  batchNormBackward(dx: FloatArray | null, dGain: FloatArray | null, dBias: FloatArray | null,
    dy: FloatArray, xhat: FloatArray, invStd: FloatArray, gain: FloatArray | null, n: number, f: number, correction: number, epsStd?: number): void;
  /**
   * The part-5 lecture's batch norm op by op in float32, as PyTorch 1.13's CPU computes it bit for
   * bit (js/stepwise.ts): mean = cascade column sum / n, var unbiased (double, rounded once),
   * den = sqrt(var + eps), xhat = (x − mean)/den, out = gain·xhat + bias.
   */
  batchNormStepwise(out: FloatArray, xhat: FloatArray, meanOut: FloatArray, varOut: FloatArray, den: FloatArray,
    x: FloatArray, gain: FloatArray | null, bias: FloatArray | null, n: number, f: number, eps: number): void;
  /** Autograd's backward of batchNormStepwise's expression, node by node; scratch: n·f floats. */
  batchNormStepwiseBackward(dx: FloatArray | null, dGain: FloatArray | null, dBias: FloatArray | null, dy: FloatArray,
    x: FloatArray, xhat: FloatArray, mean: FloatArray, den: FloatArray, gain: FloatArray | null, n: number, f: number, scratch: FloatArray): void;
  /** gain·((x − mean)/sqrt(var + eps)) + bias, op by op in float32 (the lecture's eval mode). */
  batchNormEvalStepwise(out: FloatArray, x: FloatArray, mean: FloatArray, variance: FloatArray,
    gain: FloatArray | null, bias: FloatArray | null, n: number, f: number, eps: number): void;
  /** running = (1 − momentum)·running + momentum·batch, each op in float32 (the lecture's update). */
  runningAverageStepwise(running: FloatArray, batch: FloatArray, momentum: number): void;
  /** Row-wise softmax of x[rows×cols] (max-subtracted, stable). */
  softmaxRows(out: FloatArray, x: FloatArray, rows: number, cols: number): void;
  /** Row-wise log-softmax. */
  logSoftmaxRows(out: FloatArray, x: FloatArray, rows: number, cols: number): void;
  /** Backward of softmaxRows given its output y: dx += y ⊙ (dy − Σ_row dy·y) */
  softmaxBackward(dx: FloatArray, dy: FloatArray, y: FloatArray, rows: number, cols: number): void;
  /** Backward of logSoftmaxRows given its output y: dx += dy − exp(y)·Σ_row dy */
  logSoftmaxBackward(dx: FloatArray, dy: FloatArray, y: FloatArray, rows: number, cols: number): void;
  /**
   * Mean cross-entropy of logits[rows×cols] against targets (F.cross_entropy; float32 bit for bit
   * as PyTorch's CPU kernels, js/logSoftmax.ts); writes the log-probabilities to `logProbs` for
   * the backward pass. Returns the loss (float32 for float32 logits).
   */
  crossEntropyForward(logProbs: FloatArray, logits: FloatArray, targets: IntArray, rows: number, cols: number): number;
  /** nll[r] = −log softmax(logits row r)[targets[r]]: F.cross_entropy with reduction 'none' (no backward). */
  crossEntropyRows(nll: FloatArray, logits: FloatArray, targets: IntArray, rows: number, cols: number): void;
  /** dlogits += the gradient of crossEntropyForward's mean times `scale`, from its logProbs. */
  crossEntropyBackward(dlogits: FloatArray, logProbs: FloatArray, targets: IntArray, rows: number, cols: number, scale: number): void;
  /** p[i] −= lr·g[i] */
  sgdStep(p: FloatArray, g: FloatArray, lr: number): void;

  // ---- per-row norms: LayerNorm, GroupNorm, InstanceNorm1d, RMSNorm (js/norms.ts) ----
  /**
   * Normalises each row of x[rows×cols] over its own cols values. centered (Layer/Group/Instance
   * norm): xhat = (x − mean)·invStd with invStd = 1/sqrt(biased var + eps); not centered
   * (RMSNorm): xhat = x·invStd with invStd = 1/sqrt(mean(x²) + eps). out = weight·xhat + bias,
   * where row r uses weight/bias[(r mod period)·cols + j] (null skips). xhat and invStd[rows] are
   * written for the backward pass.
   */
  rowNormForward(out: FloatArray, xhat: FloatArray, invStd: FloatArray, x: FloatArray, weight: FloatArray | null, bias: FloatArray | null,
    rows: number, cols: number, period: number, eps: number, centered: boolean): void;
  /**
   * Backward of rowNormForward: dxhat = dy·weight; dx += invStd·(dxhat − mean(dxhat) − xhat·mean(dxhat·xhat))
   * per row (no mean(dxhat) term when not centered); dWeight += Σ dy·xhat, dBias += Σ dy over the
   * rows sharing a slot (null skips).
   */
  rowNormBackward(dx: FloatArray | null, dWeight: FloatArray | null, dBias: FloatArray | null, dy: FloatArray, xhat: FloatArray,
    invStd: FloatArray, weight: FloatArray | null, rows: number, cols: number, period: number, centered: boolean): void;

  // ---- the sequence models' ops: batched matmul, strided copies, causal softmax, GELU, sigmoid,
  // cross-entropy with ignored targets (js/batched.ts, js/activations.ts, js/sequence.ts) ----
  /**
   * For each index of batchShape: out block (=|+=) the product of the a and b blocks in `layout`
   * (sizes as matmul, matmulTransA, matmulTransB for m, k, n); each block starts at Σ index·stride
   * (element strides per batch dimension, 0 broadcasts). Blocks of out that repeat (stride 0)
   * sum only with accumulate.
   */
  matmulBatched(layout: MatmulLayout, out: FloatArray, a: FloatArray, b: FloatArray, m: number, k: number, n: number,
    batchShape: readonly number[], outStrides: readonly number[], aStrides: readonly number[], bStrides: readonly number[], accumulate: boolean): void;
  /** out[Σ i·outStrides] (=|+=) a[Σ i·aStrides] over every index i of `shape` (permute, narrow, cat). */
  copyStrided(out: FloatArray, a: FloatArray, shape: readonly number[], outStrides: readonly number[], aStrides: readonly number[], accumulate: boolean): void;
  /**
   * Softmax of each row of x[rows×cols] over its first min(r mod period + 1, cols) entries, the
   * rest 0 (a causal mask on (…, T, T) rows, period T). Its backward is softmaxBackward.
   */
  causalSoftmaxRows(out: FloatArray, x: FloatArray, rows: number, cols: number, period: number): void;
  /** out = 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))) (GELU, tanh approximation) */
  gelu(out: FloatArray, a: FloatArray): void;
  /** dx[i] += dy[i]·gelu′(x[i]) */
  geluBackward(dx: FloatArray, dy: FloatArray, x: FloatArray): void;
  /** out = 1/(1 + exp(−a)) */
  sigmoid(out: FloatArray, a: FloatArray): void;
  /** dx[i] += dy[i]·y[i]·(1 − y[i]), y = sigmoid(x) */
  sigmoidBackward(dx: FloatArray, dy: FloatArray, y: FloatArray): void;
  /**
   * Cross-entropy of logits[rows×cols] averaged over the rows whose target is not ignoreIndex
   * (NaN when none is); probs are written for every row. Returns the loss (double).
   */
  crossEntropyMaskedForward(probs: FloatArray, logits: FloatArray, targets: IntArray, rows: number, cols: number, ignoreIndex: number): number;
  /** dlogits += scale·(probs − onehot(targets))/kept on the kept rows; ignored rows get nothing. */
  crossEntropyMaskedBackward(dlogits: FloatArray, probs: FloatArray, targets: IntArray, rows: number, cols: number, ignoreIndex: number, scale: number): void;
  /**
   * crossEntropyMaskedForward of the rows table[idx[p]] (rows × cols table, one position p per idx
   * entry) against targets, with its numbers, each table row's log-softmax computed once (the
   * bigram's logits are rows of its table). saved (2 × rows × cols) gets, for every row idx names,
   * its log-softmax at r·cols and their exps at (rows + r)·cols, for the backward.
   */
  lookupCrossEntropyForward(saved: FloatArray, table: FloatArray, idx: IntArray, targets: IntArray, rows: number, cols: number, ignoreIndex: number): number;
  /**
   * gradTable[idx[p]] += position p's gradient of that mean times `scale`, positions in order: the
   * numbers of crossEntropyMaskedBackward then scatterAddRows, without the (n × cols) gradient between.
   */
  lookupCrossEntropyBackward(gradTable: FloatArray, saved: FloatArray, idx: IntArray, targets: IntArray, rows: number, cols: number,
    ignoreIndex: number, scale: number): void;
  // ---- optimizer updates (torch.optim semantics; js/optim.ts), one call per parameter ----
  /**
   * AdamW step t ≥ 1 (torch.optim.AdamW, amsgrad off): p ← p·(1 − lr·weightDecay);
   * m ← β1·m + (1 − β1)·g; v ← β2·v + (1 − β2)·g²; p ← p − lr/(1 − β1ᵗ) · m / (√v / √(1 − β2ᵗ) + eps).
   */
  adamwStep(p: FloatArray, g: FloatArray, m: FloatArray, v: FloatArray, lr: number, beta1: number, beta2: number,
    eps: number, weightDecay: number, t: number): void;
  /**
   * SGD with momentum (torch.optim.SGD): d = g + weightDecay·p; buf ← d when `first`, else
   * momentum·buf + (1 − dampening)·d; p ← p − lr·(nesterov ? d + momentum·buf : buf).
   */
  sgdMomentumStep(p: FloatArray, g: FloatArray, buf: FloatArray, lr: number, momentum: number, dampening: number,
    weightDecay: number, nesterov: boolean, first: boolean): void;
  /** Σ a[i]², in double (gradient-norm clipping). */
  sumSquares(a: FloatArray): number;
}
