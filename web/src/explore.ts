// The explorer: the current model (the run's, or a loaded file's) to play with. Next-character
// probabilities for a typed prefix (a bar per character, live as you type, with temperature);
// the embedding table in 2-D with each character labelled (as the lectures plot C); the model's
// parameters and buffers with their shapes and sizes, and its layers as a diagram (network.ts).
import type { Request, WorkerEvent } from './protocol.js';
import { NetworkDiagram, type ChartedLines } from './network.js';

type NextChar = Extract<WorkerEvent, { type: 'next-char' }>;
type ModelView = Extract<WorkerEvent, { type: 'model-view' }>;

/** What the explorer shows (window.__playground.explore, for tests). */
export interface ExploreState {
  nextChar: NextChar | null;
  view: ModelView | null;
}

const SVG = 'http://www.w3.org/2000/svg';
const fmtInt = (n: number): string => n.toLocaleString('en-US');

export class Explorer {
  readonly state: ExploreState = { nextChar: null, view: null };
  /** The latest request of each kind; answers to older ones are dropped. */
  private charId = -1;
  private viewId = -1;
  private haveModel = false;
  /** The layers as boxes and arrows. */
  readonly diagram: NetworkDiagram;

  constructor(
    private readonly $: (id: string) => HTMLElement,
    private readonly send: (r: Request) => void,
    private readonly newId: () => number,
    /** The update:data chart: the colour of a parameter's line (null: not plotted), and lighting one. */
    private readonly updates: ChartedLines,
  ) {
    this.diagram = new NetworkDiagram(this.$('net-diagram') as unknown as SVGSVGElement, updates);
    for (const id of ['nc-prefix', 'nc-temperature']) this.$(id).addEventListener('input', () => this.askNextChar());
    this.render();
  }

  /** A model is there (run paused or done, or a file loaded): refresh everything; null: none any more. */
  modelChanged(have: boolean): void {
    this.haveModel = have;
    if (!have) {
      this.state.nextChar = null;
      this.state.view = null;
      this.render();
      return;
    }
    this.askNextChar();
    this.viewId = this.newId();
    this.send({ type: 'inspect', id: this.viewId });
  }

  /** Whether the failed request `id` was the explorer's (its error is shown in the panel). */
  failed(id: number | undefined, message: string): boolean {
    if (id === undefined || (id !== this.charId && id !== this.viewId)) return false;
    this.$('nc-note').textContent = message;
    return true;
  }

  handle(e: NextChar | ModelView): void {
    if (e.type === 'next-char') {
      if (e.id !== this.charId) return;
      this.state.nextChar = e;
    } else {
      if (e.id !== this.viewId) return;
      this.state.view = e;
    }
    this.render();
  }

  private askNextChar(): void {
    if (!this.haveModel) return;
    const prefix = (this.$('nc-prefix') as HTMLInputElement).value;
    const temperature = Number((this.$('nc-temperature') as HTMLInputElement).value);
    if (!(temperature > 0)) {
      this.$('nc-note').textContent = 'the temperature must be a positive number';
      return;
    }
    this.charId = this.newId();
    this.send({ type: 'next-char', id: this.charId, prefix, temperature });
  }

  private render(): void {
    this.renderBars();
    this.renderEmbedding();
    this.renderTensors();
  }

  private renderBars(): void {
    const e = this.state.nextChar;
    const bars = this.$('nc-bars');
    if (e === null) {
      bars.replaceChildren();
      this.$('nc-note').textContent = 'train a model (or load one): the probabilities of the next character appear here as you type';
      return;
    }
    const max = Math.max(...e.probs);
    bars.replaceChildren(...e.probs.map((p, k) => {
      const row = document.createElement('div');
      row.className = 'bar-row';
      const ch = document.createElement('span');
      ch.className = 'ch';
      ch.textContent = k === 0 ? '.' : e.chars[k];
      const track = document.createElement('span');
      track.className = 'track';
      const bar = document.createElement('span');
      bar.className = 'bar';
      bar.style.width = `${max > 0 ? (100 * p) / max : 0}%`;
      track.append(bar);
      const v = document.createElement('span');
      v.className = 'p';
      v.textContent = `${(100 * p).toFixed(1)}%`;
      row.title = `${k === 0 ? 'the end of the word' : `"${e.chars[k]}"`}: ${(100 * p).toFixed(3)}%`;
      row.append(ch, track, v);
      return row;
    }));
    const best = e.probs.indexOf(max);
    this.$('nc-note').textContent = `${e.prefix === '' ? 'at the start of a word' : `after "${e.prefix}"`}, temperature ${e.temperature}: most likely ${best === 0 ? 'the end of the word (".")' : `"${e.chars[best]}"`} at ${(100 * max).toFixed(1)}%`;
  }

  private renderEmbedding(): void {
    const svg = this.$('emb-chart');
    const view = this.state.view;
    const e = view?.embedding ?? null;
    if (e === null) {
      svg.replaceChildren();
      this.$('emb-note').textContent = view === null ? 'train a model (or load one): each character\'s embedding vector appears here as a point' : 'this model has no embedding table';
      return;
    }
    const W = 400, H = 300, pad = 16;
    const [x0, x1] = [Math.min(...e.x), Math.max(...e.x)];
    const [y0, y1] = [Math.min(...e.y), Math.max(...e.y)];
    const sx = (x: number): number => pad + ((x - x0) / (x1 - x0 || 1)) * (W - 2 * pad);
    const sy = (y: number): number => H - pad - ((y - y0) / (y1 - y0 || 1)) * (H - 2 * pad);
    const nodes: SVGElement[] = [];
    e.chars.forEach((ch, i) => {
      const g = document.createElementNS(SVG, 'g');
      const c = document.createElementNS(SVG, 'circle');
      c.setAttribute('cx', sx(e.x[i]).toFixed(1));
      c.setAttribute('cy', sy(e.y[i]).toFixed(1));
      c.setAttribute('r', '9');
      const t = document.createElementNS(SVG, 'text');
      t.setAttribute('x', sx(e.x[i]).toFixed(1));
      t.setAttribute('y', sy(e.y[i]).toFixed(1));
      t.textContent = ch;
      const title = document.createElementNS(SVG, 'title');
      title.textContent = `"${ch}": (${e.x[i].toFixed(3)}, ${e.y[i].toFixed(3)})`;
      g.append(c, t, title);
      nodes.push(g);
    });
    svg.replaceChildren(...nodes);
    this.$('emb-note').textContent = `${e.chars.length} characters, ${e.axes}${e.explained < 1 ? ` (${(100 * e.explained).toFixed(0)}% of the rows' variance)` : ''}: characters the model treats alike sit close together`;
  }

  /** Each row's swatch in the colour of its update:data line (the statistics shown for it), if it has one. */
  markSeries(): void {
    this.diagram.mark();
    for (const tr of this.$('net-table').querySelectorAll<HTMLTableRowElement>('tbody tr')) {
      const color = this.updates.colorOf(tr.dataset.name ?? '');
      const first = tr.firstElementChild as HTMLElement | null;
      if (first === null) continue;
      first.style.borderLeft = color === null ? '' : `4px solid ${color}`;
      tr.classList.toggle('charted', color !== null);
      tr.title = color === null ? '' : 'its update:data line is drawn in this colour; hover to light it';
    }
  }

  private renderTensors(): void {
    const view = this.state.view;
    const body = this.$('net-table').querySelector('tbody')!;
    this.diagram.render(view?.layers ?? null);
    if (view === null) {
      body.replaceChildren();
      this.$('net-note').textContent = 'train a model (or load one): its parameters and buffers appear here with their shapes';
      return;
    }
    body.replaceChildren(...view.tensors.map((t) => {
      const tr = document.createElement('tr');
      tr.dataset.name = t.name;
      const n = t.shape.reduce((a, b) => a * b, 1);
      for (const text of [t.name, `[${t.shape.join(' × ')}]`, fmtInt(n), t.parameter ? 'parameter' : 'buffer (not trained by SGD)']) {
        const td = document.createElement('td');
        td.textContent = text;
        tr.append(td);
      }
      // Hovering a weight the update:data chart plots lights its line there.
      tr.addEventListener('mouseenter', () => { if (this.updates.colorOf(t.name) !== null) this.updates.highlight(t.name); });
      tr.addEventListener('mouseleave', () => this.updates.highlight(null));
      return tr;
    }));
    this.markSeries();
    this.$('net-note').textContent = `${view.title}, trained ${fmtInt(view.step)} steps: ${fmtInt(view.parameters)} parameters`;
  }
}
