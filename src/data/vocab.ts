// Vocabulary: '.' = 0 (start/end), then the distinct characters of the data sorted by code point,
// as Python's sorted(set(''.join(words))).
import { MakemoreError } from '../errors.js';
import { SEPARATOR, codePointName, previewWord } from './words.js';

export class Vocab {
  readonly itos: readonly string[];
  private readonly stoiMap: Map<string, number>;

  constructor(chars: readonly string[]) {
    if (chars[0] !== SEPARATOR) throw new Error(`a vocabulary starts with "${SEPARATOR}"`);
    this.itos = Object.freeze([...chars]);
    this.stoiMap = new Map(chars.map((c, i) => [c, i]));
    if (this.stoiMap.size !== chars.length) throw new Error('a vocabulary cannot repeat a character');
  }

  /** The vocabulary of a word list. Characters are Unicode code points (so an emoji is one). */
  static fromWords(words: readonly string[]): Vocab {
    const set = new Set<string>();
    for (const w of words) for (const ch of w) set.add(ch);
    const chars = [...set].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!);
    return new Vocab([SEPARATOR, ...chars]);
  }

  get size(): number {
    return this.itos.length;
  }

  /** Index of a character; undefined when it is not in the vocabulary. */
  stoi(ch: string): number | undefined {
    return this.stoiMap.get(ch);
  }

  /** Indexes of a word's characters; throws naming the first unknown character. */
  encode(word: string): number[] {
    const out: number[] = [];
    for (const ch of word) {
      const ix = this.stoiMap.get(ch);
      if (ix === undefined) this.unknown(ch, word);
      out.push(ix);
    }
    return out;
  }

  /** Throws the error for a character outside the vocabulary. */
  unknown(ch: string, word: string): never {
    throw new MakemoreError(`character "${previewWord(ch)}" (${codePointName(ch)}) in "${previewWord(word)}" is not in the model's vocabulary`);
  }

  decode(ixs: readonly number[]): string {
    return ixs.map((i) => this.itos[i]).join('');
  }

  /** The characters after '.', as one string (what model files store). */
  toString(): string {
    return this.itos.slice(1).join('');
  }

  equals(other: Vocab): boolean {
    return this.itos.length === other.itos.length && this.itos.every((c, i) => c === other.itos[i]);
  }
}
