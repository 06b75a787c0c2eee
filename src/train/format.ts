// How the notebooks print numbers: the loss line f'{i:7d}/{steps:7d}: {loss:.4f}' and Python's
// print() of a float (repr: the shortest digits that round-trip, as JavaScript's, but with
// Python's choice of fixed or exponent notation and its exponent format).

/** The notebook's line: f'{i:7d}/{steps:7d}: {loss:.4f}' */
export function lossLine(step: number, steps: number, loss: number): string {
  return `${String(step).padStart(7)}/${String(steps).padStart(7)}: ${loss.toFixed(4)}`;
}

/** Python's repr(float(x)): 2.0727899074554443, 0.0, 1e-05, 2.2351741291171123e-10, 1e+16. */
export function pyFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mant, expStr] = x.toExponential().split('e'); // shortest round-trip digits
  const exp = Number(expStr);
  const sign = mant.startsWith('-') ? '-' : '';
  const digits = mant.replace('-', '').replace('.', '');
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
  const frac = digits.slice(exp + 1);
  return `${sign}${intPart}.${frac === '' ? '0' : frac}`;
}
