// The report: Vega-Lite specs of the diagnostics, a self-contained HTML file, PNG/SVG plots.
export { buildPlots, histogramSteps, SCHEMA, CONFIG, type Plot, type VegaLiteSpec } from './specs.js';
export { reportHtml, writeReport, vegaScripts, escapeHtml, tableHtml, type ReportTable } from './html.js';
export { renderSvg, svgToPng, writePlots, writePlotsSync, type WrittenPlot } from './render.js';
