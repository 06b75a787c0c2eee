// The guided tour: the seed notebook's cells in order, one at a time, each with its explanation
// (tourCells.ts), the lines this page computes (the worker replays the notebook with the code of
// `makemore notebook`) and the lines the seed printed on Apple's MPS device (seedPrinted.ts).
import type { ReplayCell } from '../../src/experiments/seedNotebook.js';
import { SEED_PRINTED } from '../../src/experiments/seedPrinted.js';
import type { BackendChoice } from '../../src/kernels/index.js';
import type { Request, WorkerEvent } from './protocol.js';
import { TOUR_CELLS } from './tourCells.js';

type TourEvent = Extract<WorkerEvent, { type: 'tour-line' | 'tour-cell' | 'tour-progress' | 'tour-done' }>;

/** What the tour shows, for tests and the curious (window.__playground.tour). */
export interface TourState {
  running: boolean;
  /** Steps per training cell of the replay shown (0: none yet). */
  steps: number;
  /** The lines of each cell computed so far (a training cell's loss lines arrive one by one). */
  lines: Record<number, string[]>;
  /** The cells finished, with their numbers. */
  cells: ReplayCell[];
  /** The cell on screen. */
  shown: number;
  seconds: number;
  stopped: boolean;
}

const fmtInt = (n: number): string => n.toLocaleString('en-US');

export class Tour {
  readonly state: TourState = { running: false, steps: 0, lines: {}, cells: [], shown: TOUR_CELLS[0].cell, seconds: 0, stopped: false };
  private id = -1;
  private progress = '';
  private trainingBusy = false;

  constructor(
    private readonly root: HTMLElement,
    private readonly send: (r: Request) => void,
    private readonly newId: () => number,
    private readonly onError: (message: string) => void,
    /** Puts an experiment's values into the page's controls (by element id). */
    private readonly applySetup: (values: Readonly<Record<string, string>>) => void,
    /** The kernels the page's Kernels control chose (the replay runs on them). */
    private readonly kernels: () => BackendChoice,
  ) {
    const nav = this.el('tour-nav');
    nav.replaceChildren(...TOUR_CELLS.map((c) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = c.label ?? `[${c.cell}]`;
      b.title = c.title;
      b.id = `tour-cell-${c.cell}`;
      b.dataset.cell = String(c.cell);
      b.addEventListener('click', () => this.show(c.cell));
      return b;
    }));
    this.el('tour-run').addEventListener('click', () => this.run());
    this.el('tour-stop').addEventListener('click', () => this.send({ type: 'tour-stop' }));
    this.el('tour-prev').addEventListener('click', () => this.step(-1));
    this.el('tour-next').addEventListener('click', () => this.step(1));
    this.el('tour-setup').addEventListener('click', () => {
      const setup = TOUR_CELLS.find((c) => c.cell === this.state.shown)?.setup;
      if (setup !== undefined) this.applySetup(setup.values);
    });
    this.render();
  }

  /** Whether `id` is the tour's request (its errors end the replay). */
  owns(id: number | undefined): boolean { return id !== undefined && id === this.id; }

  /** A training run holds the worker: the tour waits (and Start waits for the tour). */
  setTrainingBusy(busy: boolean): void {
    this.trainingBusy = busy;
    this.render();
  }

  handle(e: TourEvent): void {
    if (e.id !== this.id) return; // a replay that was stopped and replaced
    const s = this.state;
    switch (e.type) {
      case 'tour-line':
        (s.lines[e.cell] ??= []).push(e.line);
        this.progress = `cell [${e.cell}]: ${e.line.trim()}`;
        if (e.cell === s.shown) this.renderCell();
        break;
      case 'tour-progress':
        this.progress = `cell [${e.cell}]: step ${fmtInt(e.step)} of ${fmtInt(s.steps)}`;
        break;
      case 'tour-cell':
        s.cells.push(e.cell);
        s.lines[e.cell.cell] = e.cell.lines;
        this.progress = `cell [${e.cell.cell}] done`;
        if (e.cell.cell === s.shown) this.renderCell();
        break;
      case 'tour-done':
        s.running = false;
        s.seconds = e.seconds;
        s.stopped = e.stopped;
        this.progress = e.stopped ? `stopped after ${e.seconds.toFixed(1)} s` : `all cells replayed in ${e.seconds.toFixed(1)} s`;
        break;
    }
    this.render();
  }

  failed(message: string): void {
    this.state.running = false;
    this.progress = 'failed';
    this.onError(`tour: ${message}`);
    this.render();
  }

  private run(): void {
    if (this.state.running || this.trainingBusy) return;
    const steps = Number((this.el('tour-steps') as HTMLSelectElement).value);
    this.id = this.newId();
    Object.assign(this.state, { running: true, steps, lines: {}, cells: [], seconds: 0, stopped: false });
    this.progress = 'starting…';
    this.send({ type: 'tour', id: this.id, steps, backend: this.kernels() });
    this.render();
  }

  private step(delta: number): void {
    const i = TOUR_CELLS.findIndex((c) => c.cell === this.state.shown);
    const next = TOUR_CELLS[Math.min(TOUR_CELLS.length - 1, Math.max(0, i + delta))];
    this.show(next.cell);
  }

  private show(cell: number): void {
    this.state.shown = cell;
    this.render();
  }

  private el(id: string): HTMLElement {
    const e = this.root.querySelector<HTMLElement>(`#${id}`);
    if (e === null) throw new Error(`#${id} is missing`);
    return e;
  }

  private render(): void {
    const s = this.state;
    (this.el('tour-run') as HTMLButtonElement).disabled = s.running || this.trainingBusy;
    (this.el('tour-run') as HTMLButtonElement).textContent = s.steps > 0 && !s.running ? 'Run again' : 'Run the notebook';
    (this.el('tour-stop') as HTMLButtonElement).disabled = !s.running;
    (this.el('tour-steps') as HTMLSelectElement).disabled = s.running;
    this.el('tour-status').textContent = this.trainingBusy && !s.running
      ? 'a training run is using the worker: pause or reset it to run the tour'
      : this.progress || 'press Run: the page replays the notebook\'s code on its own kernels, cell by cell';
    const i = TOUR_CELLS.findIndex((c) => c.cell === s.shown);
    (this.el('tour-prev') as HTMLButtonElement).disabled = i <= 0;
    (this.el('tour-next') as HTMLButtonElement).disabled = i >= TOUR_CELLS.length - 1;
    for (const b of this.el('tour-nav').querySelectorAll<HTMLButtonElement>('button')) {
      const c = Number(b.dataset.cell);
      b.classList.toggle('current', c === s.shown);
      b.classList.toggle('computed', s.cells.some((x) => x.cell === c));
      b.setAttribute('aria-current', c === s.shown ? 'step' : 'false');
    }
    this.renderCell();
  }

  private renderCell(): void {
    const s = this.state;
    const text = TOUR_CELLS.find((c) => c.cell === s.shown) ?? TOUR_CELLS[0];
    this.el('tour-title').textContent = text.setup === undefined ? `[${text.cell}] ${text.title}` : text.title;
    this.el('tour-text').textContent = text.text;
    // A notebook cell shows its numbers; an experiment, the button that sets it up.
    this.el('tour-numbers').hidden = text.setup !== undefined;
    this.el('tour-setup').hidden = text.setup === undefined;
    this.el('tour-setup').textContent = text.setup?.label ?? '';
    const ours = s.lines[text.cell] ?? [];
    const seed = SEED_PRINTED[text.cell] ?? [];
    const done = s.cells.some((c) => c.cell === text.cell);
    this.el('tour-ours-head').textContent = s.steps > 0 ? `this page (CPU, ${fmtInt(s.steps)} steps per training)` : 'this page';
    this.el('tour-ours-head').title = 'the Kernels control chooses the kernels: the exact ones (wasm, js) print the same losses; a few means of near-zero values (cells 5, 6) differ in their last digits between them';
    const rows: HTMLTableRowElement[] = [];
    for (let r = 0; r < Math.max(ours.length, seed.length, 1); r++) {
      const tr = document.createElement('tr');
      const a = document.createElement('td');
      a.textContent = ours[r] ?? (r === 0 && !done ? (s.running ? 'running…' : 'not run yet') : '');
      a.dataset.line = ours[r] !== undefined ? String(r) : '';
      const b = document.createElement('td');
      b.textContent = seed[r] ?? '';
      tr.append(a, b);
      rows.push(tr);
    }
    this.el('tour-table').querySelector('tbody')!.replaceChildren(...rows);
  }
}
