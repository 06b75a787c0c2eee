export { Module } from './module.js';
export { Embedding, Linear, BatchNorm1d, Tanh, Flatten, Sequential, type BatchNorm1dOptions } from './layers.js';
export * as functional from './functional.js';
export * as init from './init.js';
