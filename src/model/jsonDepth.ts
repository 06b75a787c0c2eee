// The nesting depth of JSON text, found by a scan that needs no stack: untrusted metadata is
// refused before parsing when it nests deeper than any file makemore writes.

/** The deepest nesting of arrays and objects in `text` (strings skipped). */
export function jsonDepth(text: string): number {
  let depth = 0, max = 0, inString = false;
  for (let k = 0; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (inString) {
      if (c === 0x5c) k++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) max = Math.max(max, ++depth);
    else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}

/** The most nesting a metadata value may have (makemore writes at most 4 levels). */
export const MAX_JSON_DEPTH = 32;
