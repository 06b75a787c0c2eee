export { SGD } from './sgd.js';
export { learningRate } from '../model/config.js';
