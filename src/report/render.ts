// Rendering the report's plots without a browser: Vega-Lite → Vega (vega-lite's compile) → SVG
// (vega's headless View.toSVG) → PNG (resvg). Async, as vega's dataflow is; `writePlotsSync` runs
// the same code in a child process for synchronous callers (the CLI).
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { writeFileAtomic } from '../model/fileio.js';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile } from 'vega-lite';
import { MakemoreError } from '../errors.js';
import type { Plot, VegaLiteSpec } from './specs.js';

/** SVG text of a Vega-Lite spec. */
export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** PNG bytes of an SVG at `scale` × its size, text in DejaVu Sans (Debian's default font). */
export function svgToPng(svg: string, scale = 2): { png: Uint8Array; width: number; height: number } {
  const r = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    background: 'white',
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
  });
  const img = r.render();
  return { png: img.asPng(), width: img.width, height: img.height };
}

export interface WrittenPlot {
  id: string;
  svg: string;
  png: string;
  width: number;
  height: number;
}

/** Write `<id>.svg` and `<id>.png` (scale × the SVG's size) for every plot into dir. */
export async function writePlots(plots: readonly Plot[], dir: string, scale = 2): Promise<WrittenPlot[]> {
  mkdirSync(dir, { recursive: true });
  const out: WrittenPlot[] = [];
  for (const p of plots) {
    const svg = await renderSvg(p.spec);
    const { png, width, height } = svgToPng(svg, scale);
    const svgPath = join(dir, `${p.id}.svg`), pngPath = join(dir, `${p.id}.png`);
    writeFileAtomic(svgPath, new TextEncoder().encode(svg));
    writeFileAtomic(pngPath, png);
    out.push({ id: p.id, svg: svgPath, png: pngPath, width, height });
  }
  return out;
}

/** writePlots, synchronously (a child node process does the rendering). */
export function writePlotsSync(plots: readonly Plot[], dir: string, scale = 2): WrittenPlot[] {
  const worker = fileURLToPath(new URL('./renderWorker.js', import.meta.url));
  try {
    const stdout = execFileSync(process.execPath, [worker], {
      input: JSON.stringify({ plots, dir, scale }),
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    return JSON.parse(stdout) as WrittenPlot[];
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    const why = (err.stderr ?? '').trim().split('\n').pop() || err.message;
    throw new MakemoreError(`could not render the plots into ${dir}: ${why}`);
  }
}
