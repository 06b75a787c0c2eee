// The model architectures (config.arch): a file of its own so config.ts and registry.ts both read it.
/**
 * The model architectures: "mlp", the makemore MLPs (the default; a config or model file without
 * `arch` is one), and "wavenet", the part-5 lecture's hierarchical tree (kinds/wavenet.ts).
 * A registered kind may add its own (registerModelKind).
 */
export type BuiltinArch = 'mlp' | 'wavenet';
/**
 * makemore.py's family (`--type`, kinds/sequence.ts): models over whole padded words. Its MLP is
 * "makemore-mlp" here, since "mlp" names this project's context MLPs.
 */
export type SequenceArch = 'bigram' | 'makemore-mlp' | 'rnn' | 'gru' | 'bow' | 'transformer';
export type Arch = BuiltinArch | (string & Record<never, never>);
export const ARCHS: readonly BuiltinArch[] = ['mlp', 'wavenet'];
export const DEFAULT_ARCH: BuiltinArch = 'mlp';
