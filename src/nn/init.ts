// Weight initialisation, as torch.nn.init. Each takes a generator so runs are reproducible.
import { defaultGenerator, type Generator } from '../random/index.js';
import type { Tensor } from '../tensor/index.js';

export type Nonlinearity = 'linear' | 'tanh' | 'relu' | 'leaky_relu' | 'sigmoid';

/** torch.nn.init.calculate_gain */
export function calculateGain(nonlinearity: Nonlinearity): number {
  switch (nonlinearity) {
    case 'tanh': return 5 / 3;
    case 'relu': return Math.SQRT2;
    case 'leaky_relu': return Math.SQRT2; // negative slope 0, PyTorch's default `a`
    default: return 1;
  }
}

/** (fanIn, fanOut) of a weight in PyTorch layout (out × in). */
export function fans(t: Tensor): [number, number] {
  if (t.ndim < 2) throw new RangeError('fan in and fan out need a tensor with at least 2 dimensions');
  return [t.shape[1], t.shape[0]];
}

function fillNormal(t: Tensor, std: number, g: Generator): Tensor {
  const f = t.floatData;
  const draws = new Float32Array(f.length);
  g.normal(draws);
  for (let i = 0; i < f.length; i++) f[i] = Math.fround(draws[i] * std);
  return t;
}

/**
 * W ~ N(0, (gain/√fanIn)²): Kaiming normal, fan-in mode. The default nonlinearity is PyTorch's
 * (leaky_relu with slope 0, gain √2); pass 'tanh' for the lecture's 5/3.
 */
export function kaimingNormal(t: Tensor, nonlinearity: Nonlinearity = 'leaky_relu', generator: Generator = defaultGenerator): Tensor {
  const [fanIn] = fans(t);
  return fillNormal(t, calculateGain(nonlinearity) / Math.sqrt(fanIn), generator);
}

/** W ~ N(0, gain²·2/(fanIn + fanOut)): Xavier (Glorot) normal. */
export function xavierNormal(t: Tensor, gain = 1, generator: Generator = defaultGenerator): Tensor {
  const [fanIn, fanOut] = fans(t);
  return fillNormal(t, gain * Math.sqrt(2 / (fanIn + fanOut)), generator);
}

/** W ~ U(−bound, bound). */
export function uniform(t: Tensor, low: number, high: number, generator: Generator = defaultGenerator): Tensor {
  // Draws are float32, as torch's uniform_ on a float32 tensor.
  const draws = t.floatData instanceof Float32Array ? t.floatData : new Float32Array(t.numel);
  generator.uniform(draws, low, high);
  if (draws !== t.floatData) t.floatData.set(draws);
  return t;
}

/**
 * PyTorch's default Linear init: kaiming_uniform(a=√5) for the weight, i.e. U(±1/√fanIn),
 * and U(±1/√fanIn) for the bias.
 */
export function defaultLinearInit(weight: Tensor, bias: Tensor | null, generator: Generator = defaultGenerator): void {
  const [fanIn] = fans(weight);
  const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
  uniform(weight, -bound, bound, generator);
  if (bias !== null) uniform(bias, -bound, bound, generator);
}
