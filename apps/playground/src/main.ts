// The playground page: lists the registered experiments and optimizers (from the worker, which loads every
// plug-in), runs one at a time in the worker with progress and cancel, and shows the claim, metrics, the
// comparison with the baselines and the CLI report's plots (vega-embed over the CLI's own vega-lite specs).
import type { ExperimentResult, PlotSpec } from '@unbiased/core';
import { BACKEND_NAMES, type Backend, type ExperimentInfo, type FromWorker, type OptimizerInfo, type PluginStatus, type RuntimeSummary, type ToWorker } from './protocol.js';
import './style.css';

const $ = <T extends HTMLElement = HTMLElement>(selector: string): T => {
  const element = document.querySelector<T>(selector);
  if (!element) throw new Error(`missing ${selector}`);
  return element;
};

function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === 'text') element.textContent = value;
    else if (key === 'class') element.className = value;
    else element.setAttribute(key, value);
  }
  element.append(...children);
  return element;
}

/** Numbers as the CLI prints them (4 significant digits), the exact value kept in `data-value`. */
function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value !== 0 && (Math.abs(value) >= 1e5 || Math.abs(value) < 1e-3)) return value.toExponential(3);
  return String(Number(value.toPrecision(4)));
}

let worker: Worker;
let nextRunId = 1;
let activeRun: { id: number; kind: 'run' | 'train' } | undefined;
let experiments: ExperimentInfo[] = [];
let optimizers: OptimizerInfo[] = [];
let selected: ExperimentInfo | undefined;
let onReady: (() => void) | undefined;

function setState(state: string): void {
  document.body.dataset.state = state;
}

function startWorker(): void {
  worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
  worker.onmessage = (event: MessageEvent<FromWorker>) => handle(event.data);
  worker.onerror = (event) => {
    setStatus(`worker error: ${event.message}`);
    setState('error');
  };
  send({ type: 'init' });
}

function send(message: ToWorker): void {
  worker.postMessage(message);
}

function setStatus(text: string, target = '#status'): void {
  $(target).textContent = text;
}

function showRuntime(runtime: RuntimeSummary): void {
  const box = $('#runtime');
  box.replaceChildren(
    h('span', { class: 'pill', 'data-backend': runtime.backend, text: runtime.backend }),
    h('span', { text: ` ${runtime.detail}` }),
    ...(runtime.adapter ? [h('span', { class: 'adapter', text: ` · adapter: ${runtime.adapter}` })] : []),
    h('span', { class: 'muted', text: ` · tfjs ${runtime.tfjs}` }),
  );
  box.dataset.backend = runtime.backend;
}

function renderPlugins(statuses: PluginStatus[]): void {
  const list = $('#plugins');
  list.replaceChildren(
    ...statuses.map((status) =>
      h('li', { 'data-plugin': status.name, 'data-loaded': String(status.loaded) }, h('code', { text: status.name }), status.loaded ? ' ✓' : ` — not in this browser: ${status.detail ?? ''}`),
    ),
  );
  $('#plugins-summary').textContent = `${statuses.filter((s) => s.loaded).length} of ${statuses.length} plug-ins loaded`;
}

function renderExperimentList(): void {
  const list = $('#experiment-list');
  list.replaceChildren(
    ...experiments.map((experiment) => {
      const button = h('button', { type: 'button', 'data-id': experiment.id }, h('strong', { text: experiment.id }), h('span', { text: experiment.title }));
      button.addEventListener('click', () => selectExperiment(experiment.id));
      return h('li', {}, button);
    }),
  );
  $('#experiment-count').textContent = String(experiments.length);
}

function selectExperiment(id: string): void {
  selected = experiments.find((experiment) => experiment.id === id);
  if (!selected) return;
  for (const button of document.querySelectorAll<HTMLButtonElement>('#experiment-list button')) button.classList.toggle('selected', button.dataset.id === id);
  const paper = selected.paper;
  $('#experiment-title').textContent = selected.title;
  $('#experiment-id').textContent = `${selected.id} · ${selected.packageName}`;
  const link = paper.url ? h('a', { href: paper.url, target: '_blank', rel: 'noreferrer', text: paper.title }) : h('span', { text: paper.title });
  $('#paper').replaceChildren(link, ` (${paper.year})`);
  $('#claim-text').textContent = paper.claim;
  $('#results').hidden = true;
  $('#run').removeAttribute('disabled');
  document.body.dataset.selected = id;
}

function renderResult(result: ExperimentResult, runtime: RuntimeSummary, seconds: number): void {
  const claim = result.claim;
  const status = claim.status ?? (claim.holds ? 'holds' : 'fails');
  const claimBox = $('#claim');
  claimBox.dataset.holds = String(claim.holds);
  claimBox.dataset.status = status;
  claimBox.replaceChildren(h('span', { class: `badge ${status}`, text: status === 'holds' ? '✔ holds' : status === 'partial' ? '◐ partial' : '✘ does not hold' }), ` ${claim.text}`);
  $('#metrics').replaceChildren(
    h('tr', {}, h('th', { text: 'metric' }), h('th', { text: 'value' })),
    ...Object.entries(result.metrics).map(([name, value]) =>
      h('tr', { 'data-metric': name }, h('td', { text: name }), h('td', { 'data-value': String(value), title: String(value), text: formatNumber(value) })),
    ),
  );
  const table = $('#table');
  if (result.table) {
    table.replaceChildren(
      h('tr', {}, ...result.table.columns.map((column) => h('th', { text: column }))),
      ...result.table.rows.map((row) => h('tr', {}, ...row.map((cell) => h('td', { text: typeof cell === 'number' ? formatNumber(cell) : String(cell) })))),
    );
  } else table.replaceChildren();
  renderBaselines(result.plots ?? []);
  $('#run-info').textContent = `${runtime.backend} · ${seconds.toFixed(2)} s`;
  $('#results').hidden = false;
  void renderPlots(result.plots ?? []);
}

/** The comparison with the baselines: the last finite value of every series of every curve plot, baselines marked. */
function renderBaselines(plots: PlotSpec[]): void {
  const rows: HTMLTableRowElement[] = [];
  for (const plot of plots) {
    if (plot.kind === 'bar' || plot.kind === 'point') continue;
    for (const series of plot.series) {
      const finite = series.y.filter((y) => Number.isFinite(y));
      const last = finite[finite.length - 1];
      if (last === undefined) continue;
      rows.push(
        h('tr', { 'data-role': series.role === 'baseline' ? 'baseline' : 'method' }, h('td', { text: plot.title }), h('td', { text: series.name }), h('td', { text: series.role === 'baseline' ? 'baseline' : 'method' }), h('td', { text: `${formatNumber(last)} ${plot.yLabel}` })),
      );
    }
  }
  $('#baselines').replaceChildren(h('tr', {}, h('th', { text: 'plot' }), h('th', { text: 'series' }), h('th', { text: 'role' }), h('th', { text: 'final value' })), ...rows);
}

/**
 * vega-lite's logger without the one warning every curve plot gives (the report's rule, apps/bench plot.ts): the
 * markers' shape legend merged into the lines' colour legend, reported as a "Conflicting legend property".
 */
function quietLogger() {
  let current = 2;
  const logger = {
    level(value?: number) {
      if (value === undefined) return current;
      current = value;
      return logger;
    },
    error: (...messages: unknown[]) => {
      console.error(...messages);
      return logger;
    },
    warn: (...messages: unknown[]) => {
      if (!/Conflicting legend property "disable"/.test(messages.map(String).join(' '))) console.warn(...messages);
      return logger;
    },
    info: () => logger,
    debug: () => logger,
  };
  return logger;
}

async function renderPlots(plots: PlotSpec[]): Promise<void> {
  const box = $('#plots');
  box.replaceChildren();
  if (plots.length === 0) return;
  box.dataset.rendered = 'pending';
  // vega, vega-lite and vega-embed load on the first result only (not in the initial bundle).
  const [{ default: embed }, { plotToVegaLite }, { compile }] = await Promise.all([import('vega-embed'), import('@unbiased-bench/plot'), import('vega-lite')]);
  for (const plot of plots) {
    const figure = h('figure', { class: 'plot', 'data-plot': plot.id });
    box.append(figure);
    const target = h('div');
    figure.append(target);
    if (plot.caption) figure.append(h('figcaption', { text: plot.caption }));
    // Compiled here with the report's logger rules, then drawn as Vega (the same spec as the CLI's SVG).
    const spec = compile(plotToVegaLite(plot), { logger: quietLogger() as never }).spec;
    await embed(target, spec as never, { mode: 'vega', actions: false, renderer: 'svg', tooltip: true });
  }
  box.dataset.rendered = String(plots.length);
}

function run(): void {
  if (!selected || activeRun) return;
  const id = nextRunId++;
  activeRun = { id, kind: 'run' };
  const backend = $<HTMLSelectElement>('#backend').value as Backend;
  const seed = Number($<HTMLInputElement>('#seed').value);
  const scale = $<HTMLSelectElement>('#scale').value as 'smoke' | 'full';
  $<HTMLProgressElement>('#progress').value = 0;
  $('#results').hidden = true;
  $('#run').setAttribute('disabled', '');
  $('#cancel').removeAttribute('disabled');
  setStatus(`running ${selected.id} on ${backend}, seed ${seed}, ${scale}…`);
  setState('running');
  send({ type: 'run', runId: id, id: selected.id, backend, seed, scale });
}

function finishRun(): void {
  activeRun = undefined;
  $('#cancel').setAttribute('disabled', '');
  $('#opt-cancel').setAttribute('disabled', '');
  if (selected) $('#run').removeAttribute('disabled');
  $('#train').removeAttribute('disabled');
}

function cancel(): void {
  if (!activeRun) return;
  const kind = activeRun.kind;
  // tfjs kernels cannot be interrupted: the worker goes, a fresh one (same plug-ins) takes its place.
  worker.terminate();
  finishRun();
  setStatus('cancelled', kind === 'run' ? '#status' : '#train-status');
  setState('cancelled');
  startWorker();
}

// ---- optimizer page ----
function renderOptimizerList(): void {
  const select = $<HTMLSelectElement>('#opt-select');
  select.replaceChildren(...optimizers.map((optimizer) => h('option', { value: optimizer.name, text: `${optimizer.name} (${optimizer.packageName})` })));
  select.onchange = () => renderOptimizerParams(select.value);
  if (optimizers[0]) renderOptimizerParams(optimizers[0].name);
}

function renderOptimizerParams(name: string): void {
  const optimizer = optimizers.find((o) => o.name === name);
  if (!optimizer) return;
  $('#opt-description').textContent = optimizer.description;
  $('#opt-params').replaceChildren(
    ...Object.entries(optimizer.defaults).map(([key, value]) => {
      const input =
        typeof value === 'boolean'
          ? h('input', { type: 'checkbox', 'data-key': key, 'data-type': 'boolean', ...(value ? { checked: '' } : {}) })
          : h('input', { type: typeof value === 'number' ? 'number' : 'text', step: 'any', 'data-key': key, 'data-type': typeof value, value: String(value) });
      return h('label', {}, h('span', { text: key }), input);
    }),
  );
}

function readOptimizerParams(): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const input of document.querySelectorAll<HTMLInputElement>('#opt-params input')) {
    const key = input.dataset.key as string;
    if (input.dataset.type === 'boolean') options[key] = input.checked;
    else if (input.dataset.type === 'number') options[key] = Number(input.value);
    else options[key] = input.value;
  }
  return options;
}

let losses: number[] = [];

function drawLoss(): void {
  const svg = $('#loss-curve');
  const width = 640;
  const height = 260;
  const pad = 36;
  const finite = losses.filter((loss) => Number.isFinite(loss) && loss > 0);
  if (finite.length === 0) {
    svg.innerHTML = '';
    return;
  }
  const logs = finite.map(Math.log10);
  const lo = Math.min(...logs);
  const hi = Math.max(...logs);
  const steps = Math.max(2, Number($<HTMLInputElement>('#opt-steps').value) || losses.length);
  const xAt = (i: number) => pad + ((width - 2 * pad) * i) / (steps - 1);
  const yAt = (loss: number) => height - pad - ((height - 2 * pad) * (Math.log10(loss) - lo)) / Math.max(1e-12, hi - lo);
  const points = losses.map((loss, i) => (Number.isFinite(loss) && loss > 0 ? `${xAt(i).toFixed(1)},${yAt(loss).toFixed(1)}` : '')).filter(Boolean);
  svg.innerHTML = `<rect x="0" y="0" width="${width}" height="${height}" fill="white"/>
    <line x1="${pad}" y1="${height - pad}" x2="${width - pad}" y2="${height - pad}" stroke="#888"/>
    <line x1="${pad}" y1="${pad}" x2="${pad}" y2="${height - pad}" stroke="#888"/>
    <text x="${pad}" y="${pad - 8}" font-size="11">${(10 ** hi).toPrecision(3)}</text>
    <text x="${pad}" y="${height - pad + 14}" font-size="11">${(10 ** lo).toPrecision(3)} (log scale)</text>
    <text x="${width - pad}" y="${height - pad + 14}" font-size="11" text-anchor="end">step ${losses.length}/${steps}</text>
    <polyline fill="none" stroke="#0072B2" stroke-width="2" points="${points.join(' ')}"/>`;
}

function train(): void {
  if (activeRun) return;
  const id = nextRunId++;
  activeRun = { id, kind: 'train' };
  losses = [];
  drawLoss();
  const steps = Number($<HTMLInputElement>('#opt-steps').value);
  const backend = $<HTMLSelectElement>('#opt-backend').value as Backend;
  const optimizer = $<HTMLSelectElement>('#opt-select').value;
  $('#train').setAttribute('disabled', '');
  $('#opt-cancel').removeAttribute('disabled');
  const status = $('#train-status');
  delete status.dataset.first;
  delete status.dataset.last;
  setStatus(`training with ${optimizer} on ${backend}…`, '#train-status');
  setState('training');
  send({ type: 'train', runId: id, optimizer, options: readOptimizerParams(), backend, steps, seed: Number($<HTMLInputElement>('#opt-seed').value) });
}

function handle(message: FromWorker): void {
  if (message.type === 'ready') {
    experiments = [...message.experiments].sort((a, b) => a.id.localeCompare(b.id));
    optimizers = [...message.optimizers].sort((a, b) => a.name.localeCompare(b.name));
    renderExperimentList();
    renderPlugins(message.plugins);
    if (!$('#opt-select').childElementCount) renderOptimizerList();
    if (selected) selectExperiment(selected.id);
    document.body.dataset.ready = 'true';
    onReady?.();
    return;
  }
  if (message.type === 'probed') {
    if (message.runtime) showRuntime(message.runtime);
    else $('#runtime').textContent = `${message.backend}: ${message.error}`;
    return;
  }
  if (!activeRun || message.runId !== activeRun.id) return;
  if (message.type === 'progress') {
    $<HTMLProgressElement>('#progress').value = message.fraction;
    if (message.label) setStatus(`${Math.round(message.fraction * 100)}% · ${message.label}`);
  } else if (message.type === 'result') {
    showRuntime(message.runtime);
    $<HTMLProgressElement>('#progress').value = 1;
    renderResult(message.result, message.runtime, message.seconds);
    setStatus(`done in ${message.seconds.toFixed(2)} s`);
    finishRun();
    setState('done');
  } else if (message.type === 'loss') {
    losses.push(message.loss);
    drawLoss();
    setStatus(`step ${message.step}: loss ${formatNumber(message.loss)}`, '#train-status');
  } else if (message.type === 'trained') {
    showRuntime(message.runtime);
    const status = $('#train-status');
    const first = message.losses[0] ?? Number.NaN;
    const last = message.losses[message.losses.length - 1] ?? Number.NaN;
    status.dataset.first = String(first);
    status.dataset.last = String(last);
    status.dataset.steps = String(message.losses.length);
    setStatus(`${message.losses.length} steps in ${message.seconds.toFixed(2)} s: loss ${formatNumber(first)} → ${formatNumber(last)}`, '#train-status');
    finishRun();
    setState('trained');
  } else if (message.type === 'error') {
    const kind = activeRun.kind;
    finishRun();
    setStatus(`error: ${message.message}`, kind === 'run' ? '#status' : '#train-status');
    setState('error');
  }
}

function showTab(tab: string): void {
  for (const section of document.querySelectorAll<HTMLElement>('main > section')) section.hidden = section.id !== `${tab}-page`;
  for (const button of document.querySelectorAll<HTMLButtonElement>('nav button')) button.classList.toggle('selected', button.dataset.tab === tab);
}

function init(): void {
  for (const select of [$<HTMLSelectElement>('#backend'), $<HTMLSelectElement>('#opt-backend')]) {
    select.replaceChildren(...BACKEND_NAMES.map((name) => h('option', { value: name, text: name })));
    select.value = 'gpu' in navigator ? 'webgpu' : 'wasm';
  }
  $('#run').addEventListener('click', run);
  $('#cancel').addEventListener('click', cancel);
  $('#train').addEventListener('click', train);
  $('#opt-cancel').addEventListener('click', cancel);
  $('#probe').addEventListener('click', () => send({ type: 'probe', backend: $<HTMLSelectElement>('#backend').value as Backend }));
  for (const button of document.querySelectorAll<HTMLButtonElement>('nav button')) button.addEventListener('click', () => showTab(button.dataset.tab as string));
  const hash = location.hash.slice(1);
  showTab(hash === 'optimizer' ? 'optimizer' : 'experiments');
  onReady = () => {
    const id = new URLSearchParams(location.search).get('experiment');
    if (id && !selected) selectExperiment(id);
  };
  startWorker();
  // Works offline once loaded: the service worker (production builds) caches every file of the build.
  if (import.meta.env.PROD && 'serviceWorker' in navigator) {
    navigator.serviceWorker.register('./sw.js').then(
      () => navigator.serviceWorker.ready.then(() => (document.body.dataset.offline = 'ready')),
      (error) => console.warn('offline cache unavailable:', error),
    );
  }
}

init();
