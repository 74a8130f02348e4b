// The GPU view: registered workers (GET /v1/workers), their GPUs, and what each one runs.
// Servers without the worker registry answer 404: the page says so and shows running builds.
import { api } from './api.js';
import { formatAgo, h, setChildren, statusBadge } from './dom.js';

const REFRESH_MS = 3000;

/** Normalises a worker record (tolerates `gpus: [{id, build, step}]` or `gpuIds` + `holders`). */
export function workerGpus(w) {
  if (Array.isArray(w.gpus))
    return w.gpus.map((g) =>
      typeof g === 'object' && g !== null
        ? { id: String(g.id ?? g.gpuId ?? '?'), build: g.build ?? g.buildId ?? null, step: g.step ?? g.stepId ?? null }
        : { id: String(g), build: null, step: null },
    );
  const holders = w.holders ?? w.held ?? {};
  return (w.gpuIds ?? []).map((id) => {
    const hold = holders[id] ?? null;
    return { id: String(id), build: hold?.build ?? hold?.buildId ?? null, step: hold?.step ?? hold?.stepId ?? null };
  });
}

function workersTable(workers) {
  if (workers.length === 0)
    return h('p', { class: 'muted' }, 'No worker has registered. Start trt-worker with GPU_TYPE and GPU_IDS.');
  return workers.map((w) =>
    h(
      'div',
      { class: 'card worker', 'data-worker': w.name ?? w.id ?? '' },
      h(
        'div',
        { class: 'card-head' },
        h('strong', { class: 'mono' }, w.name ?? w.id ?? 'worker'),
        h(
          'span',
          { class: 'muted' },
          ` · ${[w.host, w.gpuType ?? 'no GPUs', w.io ? 'IO' : null].filter(Boolean).join(' · ')}`,
        ),
        h(
          'span',
          { class: 'muted right' },
          w.lastHeartbeat
            ? `heartbeat ${formatAgo(typeof w.lastHeartbeat === 'number' ? new Date(w.lastHeartbeat).toISOString() : w.lastHeartbeat)}`
            : '',
        ),
      ),
      h(
        'div',
        { class: 'gpus' },
        workerGpus(w).map((g) =>
          h(
            'div',
            { class: `gpu ${g.build ? 'busy' : 'idle'}` },
            h('div', { class: 'gpu-id' }, `GPU ${g.id}`),
            g.build
              ? h(
                  'div',
                  {},
                  h('a', { href: `#/builds/${g.build}`, class: 'mono small' }, g.build),
                  g.step ? h('div', { class: 'muted small' }, g.step) : null,
                )
              : h('div', { class: 'muted small' }, 'idle'),
          ),
        ),
      ),
    ),
  );
}

/** Renders the GPU view into `root`; returns a cleanup function. */
export function renderGpus(root) {
  const workersEl = h('div', { id: 'workers' }, h('p', { class: 'muted' }, 'loading…'));
  const runningEl = h('div', { id: 'running' });
  setChildren(root, h('h1', {}, 'GPUs and workers'), workersEl, h('h2', {}, 'Running builds'), runningEl);
  let timer = null;
  let stopped = false;
  const refresh = async () => {
    try {
      const r = await api('GET', '/v1/workers');
      setChildren(workersEl, workersTable(Array.isArray(r) ? r : (r.items ?? r.workers ?? [])));
    } catch (err) {
      setChildren(
        workersEl,
        h(
          'p',
          { class: err.status === 404 ? 'muted' : 'error-box' },
          err.status === 404
            ? 'This server does not report its workers yet (no GET /v1/workers).'
            : `Could not load workers: ${err.message}`,
        ),
      );
    }
    try {
      const page = await api('GET', '/v1/builds?status=running&limit=50');
      setChildren(
        runningEl,
        page.items.length === 0
          ? h('p', { class: 'muted' }, 'Nothing is running.')
          : h(
              'table',
              { class: 'builds' },
              h(
                'tbody',
                {},
                page.items.map((b) =>
                  h(
                    'tr',
                    {},
                    h('td', {}, h('a', { href: `#/builds/${b.id}`, class: 'mono' }, b.id)),
                    h('td', {}, statusBadge(b.status)),
                    h('td', {}, b.gpuType),
                    h('td', {}, b.steps.find((s) => s.status === 'running')?.kind ?? '–'),
                  ),
                ),
              ),
            ),
      );
    } catch (err) {
      setChildren(runningEl, h('div', { class: 'error-box' }, `Could not load builds: ${err.message}`));
    }
    if (!stopped) timer = setTimeout(refresh, REFRESH_MS);
  };
  void refresh();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
