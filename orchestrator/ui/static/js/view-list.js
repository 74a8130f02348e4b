// The builds list: newest first, a status filter, refreshed every few seconds while visible.
import { api } from './api.js';
import { formatAgo, formatDuration, h, setChildren, statusBadge } from './dom.js';

export const STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'];
const REFRESH_MS = 2000;

/** Milliseconds a build has taken so far (or took). */
export function buildDuration(b, now = Date.now()) {
  const starts = b.steps.map((s) => Date.parse(s.startedAt)).filter(Number.isFinite);
  if (starts.length === 0) return null;
  const start = Math.min(...starts);
  const terminal = ['succeeded', 'failed', 'cancelled'].includes(b.status);
  const ends = b.steps.map((s) => Date.parse(s.finishedAt)).filter(Number.isFinite);
  return (terminal ? Math.max(start, ...ends, Date.parse(b.updatedAt)) : now) - start;
}

function stepsCell(b) {
  const done = b.steps.filter((s) => s.status === 'succeeded' || s.status === 'skipped').length;
  const running = b.steps.find((s) => s.status === 'running');
  return h(
    'span',
    { class: 'steps' },
    `${done}/${b.steps.length}`,
    running
      ? h(
          'span',
          { class: 'muted' },
          ` · ${running.kind}${running.progress !== null ? ` ${Math.round(running.progress * 100)}%` : ''}`,
        )
      : null,
  );
}

/** Renders the list into `root`; returns a cleanup function. */
export function renderList(root, params) {
  const status = STATUSES.includes(params.get('status')) ? params.get('status') : '';
  const select = h(
    'select',
    { id: 'status-filter', 'aria-label': 'Status filter' },
    h('option', { value: '' }, 'all statuses'),
    STATUSES.map((s) => h('option', { value: s }, s)),
  );
  select.value = status;
  select.addEventListener('change', () => {
    location.hash = select.value ? `#/?status=${select.value}` : '#/';
  });
  const updated = h('span', { class: 'muted', id: 'list-updated' }, 'loading…');
  const body = h('tbody');
  const error = h('div', { class: 'error-box', hidden: true });
  setChildren(
    root,
    h('div', { class: 'toolbar' }, h('h1', {}, 'Builds'), h('label', { class: 'filter' }, 'Status ', select), updated),
    error,
    h(
      'table',
      { class: 'builds', id: 'builds-table' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['Build', 'Status', 'GPU', 'Steps', 'Attempts', 'Created', 'Duration'].map((c) => h('th', {}, c)),
        ),
      ),
      body,
    ),
  );
  let timer = null;
  let stopped = false;
  const refresh = async () => {
    try {
      const q = new URLSearchParams({ limit: '50' });
      if (status) q.set('status', status);
      const page = await api('GET', `/v1/builds?${q}`);
      error.hidden = true;
      const now = Date.now();
      setChildren(
        body,
        page.items.length === 0
          ? h(
              'tr',
              {},
              h(
                'td',
                { colspan: 7, class: 'muted empty' },
                status ? `No ${status} builds.` : 'No builds yet. Submit one with trt-build submit or POST /v1/builds.',
              ),
            )
          : page.items.map((b) =>
              h(
                'tr',
                { 'data-build': b.id, 'data-status': b.status },
                h('td', {}, h('a', { href: `#/builds/${b.id}`, class: 'mono' }, b.id)),
                h(
                  'td',
                  {},
                  statusBadge(b.status),
                  b.cancelRequested && b.status === 'running' ? h('span', { class: 'muted' }, ' cancelling') : null,
                  b.status === 'queued' && b.waitReason ? h('div', { class: 'muted small' }, b.waitReason) : null,
                ),
                h('td', {}, b.gpuType),
                h('td', {}, stepsCell(b)),
                h('td', {}, String(b.attempts)),
                h('td', { title: b.createdAt }, formatAgo(b.createdAt, now)),
                h('td', {}, formatDuration(buildDuration(b, now) ?? NaN)),
              ),
            ),
      );
      updated.textContent = `${page.total} build${page.total === 1 ? '' : 's'} · updated ${new Date(now).toLocaleTimeString()}`;
    } catch (err) {
      error.hidden = false;
      error.textContent = `Could not load builds: ${err.message}`;
    }
    if (!stopped) timer = setTimeout(tick, REFRESH_MS);
  };
  const tick = () => {
    if (document.hidden) timer = setTimeout(tick, REFRESH_MS);
    else void refresh();
  };
  void refresh();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
