// The network diagram: one box per layer of the model (its name and class, its output shape per
// example with the batch axis as B, its parameter count), arrows in forward order. The model says
// what its layers are (`networkLayers`, sent in the worker's model-view): no kind is named here.
// A box whose weight the update:data chart draws carries that line's colour; hovering the box
// lights its line, and the box of the line the chart lights (hovering the chart) is lit in turn.
import type { NetworkLayer } from '../../src/model/index.js';

const SVG = 'http://www.w3.org/2000/svg';
const BOX = 38, GAP = 16, PAD = 6;
const fmtInt = (n: number): string => n.toLocaleString('en-US');

/** The update:data chart as the diagram uses it. */
export interface ChartedLines {
  colorOf(name: string): string | null;
  highlight(name: string | null): void;
}

/** "(B, 4, 128)": one example's output shape after the batch axis. */
export function shapeLabel(shape: readonly number[]): string {
  return `(B${shape.map((d) => `, ${d}`).join('')})`;
}

export function paramsLabel(n: number): string {
  return n === 0 ? 'no parameters' : `${fmtInt(n)} parameter${n === 1 ? '' : 's'}`;
}

export class NetworkDiagram {
  private layers: NetworkLayer[] = [];

  private width = 0;

  constructor(private readonly svg: SVGSVGElement, private readonly lines: ChartedLines) {
    // drawn at 1:1 (user units = CSS pixels, so text keeps its size): redrawn when the panel resizes
    new ResizeObserver(() => {
      if (this.layers.length > 0 && Math.abs(this.svg.getBoundingClientRect().width - this.width) > 1) this.render(this.layers);
    }).observe(svg);
  }

  render(layers: NetworkLayer[] | null): void {
    this.layers = layers ?? [];
    this.svg.style.display = this.layers.length === 0 ? 'none' : '';
    const W = Math.round(this.svg.getBoundingClientRect().width) || 400;
    this.width = W;
    const h = this.layers.length === 0 ? 1 : this.layers.length * (BOX + GAP) - GAP + 2 * PAD;
    this.svg.setAttribute('viewBox', `0 0 ${W} ${h}`);
    this.svg.style.height = `${h}px`;
    const defs = document.createElementNS(SVG, 'defs');
    defs.innerHTML = '<marker id="net-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z"/></marker>';
    const nodes: SVGElement[] = [defs];
    this.layers.forEach((l, i) => {
      const y = PAD + i * (BOX + GAP);
      const g = document.createElementNS(SVG, 'g');
      g.classList.add('layer');
      g.dataset.name = l.name;
      g.dataset.tensors = l.tensors.join(' ');
      const rect = document.createElementNS(SVG, 'rect');
      for (const [k, v] of [['x', PAD], ['y', y], ['width', W - 2 * PAD], ['height', BOX], ['rx', 5]] as const) rect.setAttribute(k, String(v));
      const title = document.createElementNS(SVG, 'text');
      title.classList.add('name');
      title.setAttribute('x', String(2 * PAD + 4));
      title.setAttribute('y', String(y + 15));
      title.textContent = `${l.name}  ${l.type}`;
      const sub = document.createElementNS(SVG, 'text');
      sub.classList.add('dims');
      sub.setAttribute('x', String(2 * PAD + 4));
      sub.setAttribute('y', String(y + 31));
      sub.textContent = `${shapeLabel(l.shape)} · ${paramsLabel(l.parameters)}`;
      const tip = document.createElementNS(SVG, 'title');
      tip.textContent = `${l.name} (${l.type}): output ${shapeLabel(l.shape)}, ${paramsLabel(l.parameters)}${l.tensors.length > 0 ? ` (${l.tensors.join(', ')})` : ''}${l.statistics !== null ? '; its output is the tanh histogram\'s ' + l.statistics : ''}`;
      g.append(rect, title, sub, tip);
      g.addEventListener('mouseenter', () => {
        const charted = this.chartedTensor(l);
        if (charted !== null) this.lines.highlight(charted);
        this.light(l.name);
      });
      g.addEventListener('mouseleave', () => { this.lines.highlight(null); this.light(null); });
      nodes.push(g);
      if (i + 1 < this.layers.length) {
        const a = document.createElementNS(SVG, 'line');
        a.classList.add('arrow');
        for (const [k, v] of [['x1', W / 2], ['y1', y + BOX], ['x2', W / 2], ['y2', y + BOX + GAP - 1]] as const) a.setAttribute(k, String(v));
        a.setAttribute('marker-end', 'url(#net-arrow)');
        nodes.push(a);
      }
    });
    this.svg.replaceChildren(...nodes);
    this.mark();
  }

  /** Each box whose weight the update:data chart draws in that line's colour; tanh boxes the histogram shows. */
  mark(): void {
    for (const g of this.boxes()) {
      const l = this.layers.find((x) => x.name === g.dataset.name);
      if (l === undefined) continue;
      const charted = this.chartedTensor(l);
      const color = charted === null ? null : this.lines.colorOf(charted);
      g.classList.toggle('charted', color !== null);
      g.classList.toggle('stats', l.statistics !== null);
      (g.firstElementChild as SVGElement).style.stroke = color ?? '';
    }
  }

  /** Lights the box holding parameter `tensor` (the line the chart lights), or none. */
  lightTensor(tensor: string | null): void {
    const l = tensor === null ? undefined : this.layers.find((x) => x.tensors.includes(tensor));
    this.light(l?.name ?? null);
  }

  private light(name: string | null): void {
    for (const g of this.boxes()) g.classList.toggle('lit', g.dataset.name === name);
  }

  private chartedTensor(l: NetworkLayer): string | null {
    return l.tensors.find((t) => this.lines.colorOf(t) !== null) ?? null;
  }

  private boxes(): SVGGElement[] {
    return Array.from(this.svg.querySelectorAll<SVGGElement>('g.layer'));
  }
}
