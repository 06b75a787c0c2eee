// nn.functional: the stateless ops, named as in torch.nn.functional.
export { crossEntropy, softmax, logSoftmax, linear } from '../tensor/index.js';
export { layerNorm, groupNorm, instanceNorm, rmsNorm } from '../tensor/index.js';
