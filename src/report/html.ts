// The HTML report: one self-contained file. vega, vega-lite and vega-embed are inlined from
// node_modules, the data is inline in the specs, so it opens offline, from disk or a mail.
import { readFileSync, mkdirSync } from 'node:fs';
import { writeFileAtomic } from '../model/fileio.js';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { activationTable, batchNormTable, outputGradTable, weightGradTable, updateRatioTable } from '../diagnostics/tables.js';
import type { DiagnosticsRecord } from '../diagnostics/types.js';
import { buildPlots, histogramSteps, type Plot } from './specs.js';

const require = createRequire(import.meta.url);

/** The browser builds of vega, vega-lite and vega-embed (script text). */
export function vegaScripts(): { name: string; text: string }[] {
  const build = (pkg: string, file: string): string => join(dirname(require.resolve(pkg)), file);
  return [
    { name: 'vega', text: readFileSync(build('vega', 'vega.min.js'), 'utf8') },
    { name: 'vega-lite', text: readFileSync(build('vega-lite', 'vega-lite.min.js'), 'utf8') },
    { name: 'vega-embed', text: readFileSync(build('vega-embed', 'vega-embed.min.js'), 'utf8') },
  ];
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** JSON that is safe inside a <script> element. */
function scriptJson(v: unknown): string {
  return JSON.stringify(v).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function fmtLoss(x: number | undefined): string {
  return x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(4);
}

function keyValueTable(rows: [string, string][]): string {
  return `<table class="kv">${rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('')}</table>`;
}

const STYLE = `
body { font-family: 'DejaVu Sans', 'Liberation Sans', Arial, sans-serif; margin: 24px auto; max-width: 1100px; color: #222; padding: 0 16px; }
h1 { font-size: 22px; margin-bottom: 4px; } h2 { font-size: 17px; margin-top: 32px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
.columns { display: flex; gap: 40px; flex-wrap: wrap; align-items: flex-start; }
table.kv th { text-align: left; font-weight: normal; color: #555; padding: 1px 16px 1px 0; } table.kv td { font-family: monospace; }
table.losses { border-collapse: collapse; } table.losses th, table.losses td { padding: 3px 14px; border-bottom: 1px solid #eee; text-align: right; font-family: monospace; }
pre { background: #f6f7f9; padding: 10px 12px; font-size: 12.5px; overflow-x: auto; border-radius: 4px; }
figure.plot { margin: 18px 0 28px; } figure.plot figcaption { color: #555; font-size: 13px; margin-top: 4px; max-width: 900px; }
.vis svg { max-width: 100%; height: auto; } .muted { color: #777; font-size: 13px; }
`;

/** Renders every .vis from the inline specs; sets data-rendered (count) or data-error on <body>. */
const BOOT = `
(function () {
  var plots = JSON.parse(document.getElementById('plot-specs').textContent);
  var jobs = plots.map(function (p) {
    return vegaEmbed('#vis-' + p.id, p.spec, { renderer: 'svg', actions: { export: true, source: false, compiled: false, editor: false } });
  });
  Promise.all(jobs).then(function () { document.body.setAttribute('data-rendered', String(jobs.length)); },
    function (e) { document.body.setAttribute('data-error', String(e && e.message || e)); console.error(e); });
})();
`;

function statsSection(r: DiagnosticsRecord): string {
  const parts: string[] = [];
  for (const s of histogramSteps(r.stats)) {
    const lines = [
      `# step ${s.step}, lr ${s.lr}, loss ${s.loss.toFixed(4)}`,
      '# activations', ...activationTable(s),
      ...(s.outputGrads.length ? ['# gradients of the tanh outputs', ...outputGradTable(s)] : []),
      '# weight gradients', ...weightGradTable(s),
      '# update:data ratio (log10)', ...updateRatioTable(s),
    ];
    parts.push(`<pre>${escapeHtml(lines.join('\n'))}</pre>`);
  }
  if (r.batchNorm) parts.push(`<pre>${escapeHtml(['# batch norm: running vs full training split', ...batchNormTable(r.batchNorm)].join('\n'))}</pre>`);
  return parts.join('\n');
}

/** A table shown in the report (e.g. an experiment's results). */
export interface ReportTable {
  title: string;
  header: string[];
  rows: string[][];
}

export function tableHtml(t: ReportTable): string {
  const head = `<tr>${t.header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>`;
  const body = t.rows.map((r) => `<tr>${r.map((c, i) => (i === 0 ? `<th>${escapeHtml(c)}</th>` : `<td>${escapeHtml(c)}</td>`)).join('')}</tr>`).join('\n');
  return `<h2>${escapeHtml(t.title)}</h2><table class="losses">${head}${body}</table>`;
}

/** The report as HTML text; `tables` go above the plots. */
export function reportHtml(r: DiagnosticsRecord, plots: Plot[] = buildPlots(r), tables: ReportTable[] = []): string {
  const config: [string, string][] = Object.entries(r.config).map(([k, v]) => [k, String(v)]);
  if (r.numParameters !== undefined) config.push(['parameters', String(r.numParameters)]);
  const f = r.final ?? {};
  const lastVal = r.val.length > 0 ? r.val[r.val.length - 1] : undefined;
  const losses = `<table class="losses"><tr><th></th><th>loss</th></tr>
<tr><th>train</th><td>${fmtLoss(f.train)}</td></tr><tr><th>val</th><td>${fmtLoss(f.val)}</td></tr><tr><th>test</th><td>${fmtLoss(f.test)}</td></tr></table>
${lastVal ? `<p class="muted">last validation check: step ${lastVal.step}, ${fmtLoss(lastVal.loss)}</p>` : ''}`;
  const figures = plots.map((p) => `<figure class="plot" id="plot-${p.id}"><h3>${escapeHtml(p.title)}</h3><div class="vis" id="vis-${p.id}"></div><figcaption>${escapeHtml(p.caption)}</figcaption></figure>`).join('\n');
  const notes = (r.notes ?? []).map((n) => `<p class="muted">${escapeHtml(n)}</p>`).join('\n');
  const stats = r.stats.length > 0 || r.batchNorm ? `<h2>Statistics</h2>\n${statsSection(r)}` : '';
  const scripts = vegaScripts().map((s) => `<script data-lib="${s.name}">${s.text.replace(/<\/script/gi, '<\\/script')}</script>`).join('\n');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(r.title)}</title><style>${STYLE}</style></head>
<body>
<h1>${escapeHtml(r.title)}</h1>
<div class="columns"><div><h2>Config</h2>${keyValueTable(config)}</div>${r.final ? `<div><h2>Final losses (eval mode)</h2>${losses}</div>` : ''}</div>
${notes}
${tables.map(tableHtml).join('\n')}
<h2>Plots</h2>
${figures || '<p class="muted">no plots: nothing was recorded</p>'}
${stats}
<script type="application/json" id="plot-specs">${scriptJson(plots.map((p) => ({ id: p.id, spec: p.spec })))}</script>
${scripts}
<script>${BOOT}</script>
</body></html>
`;
}

/** Write the report; returns the plots it holds. */
export function writeReport(path: string, r: DiagnosticsRecord, plots: Plot[] = buildPlots(r), tables: ReportTable[] = []): Plot[] {
  mkdirSync(dirname(path) || '.', { recursive: true });
  writeFileAtomic(path, new TextEncoder().encode(reportHtml(r, plots, tables)));
  return plots;
}
