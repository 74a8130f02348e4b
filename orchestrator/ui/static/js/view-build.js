// A build's page: summary, cancel, the step timeline (bars over time, attempts, durations), live
// logs over SSE, and (once published) the manifest and launch configs.
import { api, authHeaders } from './api.js';
import { formatAgo, formatDuration, h, setChildren, statusBadge } from './dom.js';
import { followSse } from './sse.js';
import { renderBundle } from './view-bundle.js';

const REFRESH_MS = 1500;
const TERMINAL = ['succeeded', 'failed', 'cancelled'];
const MAX_LOG_LINES = 5000;

/** The timeline's rows: each step's bar as fractions of the build's time window. */
export function timelineRows(build, now = Date.now()) {
  const t0 = Date.parse(build.createdAt);
  const ends = build.steps.map((s) => Date.parse(s.finishedAt ?? '')).filter(Number.isFinite);
  const terminal = TERMINAL.includes(build.status);
  const t1 = Math.max(t0 + 1, terminal ? Math.max(Date.parse(build.updatedAt), ...ends) : now);
  return build.steps.map((s) => {
    const start = Date.parse(s.startedAt ?? '');
    if (!Number.isFinite(start)) return { step: s, left: 0, width: 0, ms: null };
    const end = Number.isFinite(Date.parse(s.finishedAt ?? ''))
      ? Date.parse(s.finishedAt)
      : s.status === 'running'
        ? now
        : start;
    const left = (start - t0) / (t1 - t0);
    return {
      step: s,
      left: Math.min(1, Math.max(0, left)),
      width: Math.max(0.004, Math.min(1 - left, (end - start) / (t1 - t0))),
      ms: end - start,
    };
  });
}

function renderTimeline(el, build) {
  const rows = timelineRows(build);
  setChildren(
    el,
    rows.map(({ step, left, width, ms }) => {
      const bar = h('div', { class: `bar status-${step.status}`, title: `${step.kind}: ${step.status}` });
      bar.style.left = `${(left * 100).toFixed(2)}%`;
      bar.style.width = `${(width * 100).toFixed(2)}%`;
      if (step.progress !== null && step.status === 'running') {
        const fill = h('div', { class: 'fill' });
        fill.style.width = `${Math.round(step.progress * 100)}%`;
        bar.append(fill);
      }
      return h(
        'div',
        { class: 'tl-row', 'data-step': step.id, 'data-kind': step.kind, 'data-status': step.status },
        h('div', { class: 'tl-label' }, h('strong', {}, step.kind), ' ', statusBadge(step.status)),
        h('div', { class: 'tl-track' }, bar),
        h(
          'div',
          { class: 'tl-meta' },
          ms === null ? 'not started' : formatDuration(ms),
          step.attempts > 1
            ? h('span', { class: 'attempts', title: 'attempts' }, ` · ${step.attempts} attempts`)
            : step.attempts === 1
              ? ' · 1 attempt'
              : '',
          step.progress !== null && step.status === 'running' ? ` · ${Math.round(step.progress * 100)}%` : '',
        ),
      );
    }),
  );
}

function renderSummary(el, build, onCancel) {
  const canCancel = !TERMINAL.includes(build.status);
  setChildren(
    el,
    h(
      'div',
      { class: 'title-row' },
      h('h1', { class: 'mono' }, build.id),
      statusBadge(build.status),
      build.cancelRequested && canCancel ? h('span', { class: 'muted' }, 'cancel requested…') : null,
      canCancel
        ? h('button', { class: 'danger', id: 'cancel-build', type: 'button', onclick: onCancel }, 'Cancel build')
        : null,
    ),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'GPU type'),
      h('dd', {}, build.gpuType),
      h('dt', {}, 'Attempts'),
      h('dd', {}, String(build.attempts)),
      h('dt', {}, 'Created'),
      h('dd', { title: build.createdAt }, `${formatAgo(build.createdAt)} (${build.createdAt})`),
      h('dt', {}, 'Updated'),
      h('dd', { title: build.updatedAt }, formatAgo(build.updatedAt)),
      h('dt', {}, 'Plan'),
      h('dd', { class: 'mono small' }, build.planHash),
      build.artifacts
        ? [
            h('dt', {}, 'Published'),
            h('dd', { class: 'mono small' }, `${build.artifacts.store} ${build.artifacts.prefix}`),
          ]
        : null,
    ),
    build.waitReason && build.status === 'queued'
      ? h('div', { class: 'wait-box', id: 'wait-reason' }, h('strong', {}, 'Waiting: '), build.waitReason)
      : null,
    build.error
      ? h(
          'div',
          { class: 'error-box', id: 'build-error' },
          h('strong', {}, build.error.code),
          ': ',
          build.error.message,
          build.error.advice ? h('div', { class: 'advice' }, build.error.advice) : null,
        )
      : null,
  );
}

function logLine(entry) {
  const ts = new Date(entry.ts).toISOString().slice(11, 19);
  return h(
    'div',
    { class: `log-line ${entry.stream}` },
    h('span', { class: 'log-ts' }, ts),
    h('span', { class: 'log-step' }, entry.step),
    h('span', { class: 'log-text' }, entry.line),
  );
}

/** Live logs of build `id` into `el`; returns `{stop()}`. */
function followLogs(id, el, stateEl) {
  const box = h('div', { class: 'log-box', id: 'log-box', tabindex: 0 });
  const empty = h('div', { class: 'muted' }, 'No log lines yet.');
  box.append(empty);
  setChildren(el, box);
  const labels = {
    connecting: 'connecting…',
    live: 'live',
    reconnecting: 'reconnecting…',
    ended: 'complete',
    error: 'error',
  };
  return followSse(`/v1/builds/${encodeURIComponent(id)}/logs?follow=true`, {
    headers: () => authHeaders(),
    onState: (state, message) => {
      stateEl.textContent = state === 'error' ? `error: ${message}` : labels[state];
      stateEl.dataset.state = state;
    },
    onEvent: (ev) => {
      if (ev.event !== 'log') return;
      const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 24;
      empty.remove();
      box.append(logLine(JSON.parse(ev.data)));
      while (box.childElementCount > MAX_LOG_LINES) box.firstElementChild.remove();
      if (atBottom) box.scrollTop = box.scrollHeight;
    },
  });
}

/** Renders build `id` into `root`; returns a cleanup function. */
export function renderBuild(root, id) {
  const summary = h('section', { class: 'summary' }, h('p', { class: 'muted' }, 'loading…'));
  const timeline = h('div', { class: 'timeline', id: 'timeline' });
  const logState = h('span', { class: 'stream-state', id: 'log-state' }, '');
  const logs = h('div', {});
  const bundle = h(
    'div',
    { id: 'bundle' },
    h('p', { class: 'muted' }, 'The manifest and launch configs appear once the build is published.'),
  );
  setChildren(
    root,
    h('p', {}, h('a', { href: '#/' }, '← all builds')),
    summary,
    h('section', {}, h('h2', {}, 'Steps'), timeline),
    h('section', {}, h('h2', {}, 'Logs ', logState), logs),
    h('section', {}, h('h2', {}, 'Manifest and launch configs'), bundle),
  );
  let stopped = false;
  let timer = null;
  let bundleShown = false;
  const stream = followLogs(id, logs, logState);
  const onCancel = async (ev) => {
    const btn = ev.currentTarget;
    if (!confirm(`Cancel build ${id}?`)) return;
    btn.disabled = true;
    try {
      await api('POST', `/v1/builds/${encodeURIComponent(id)}/cancel`);
    } catch (err) {
      alert(`Cancel failed: ${err.message}`);
    }
    void refresh();
  };
  const refresh = async () => {
    clearTimeout(timer);
    try {
      const build = await api('GET', `/v1/builds/${encodeURIComponent(id)}`);
      renderSummary(summary, build, onCancel);
      renderTimeline(timeline, build);
      if (build.artifacts && !bundleShown) {
        bundleShown = true;
        void renderBundle(bundle, id);
      }
      if (TERMINAL.includes(build.status) && !build.artifacts)
        setChildren(bundle, h('p', { class: 'muted' }, `The build ended ${build.status}; nothing was published.`));
      if (TERMINAL.includes(build.status)) return;
    } catch (err) {
      setChildren(summary, h('div', { class: 'error-box' }, `Could not load build ${id}: ${err.message}`));
      if (err.status === 404) return;
    }
    if (!stopped) timer = setTimeout(refresh, REFRESH_MS);
  };
  void refresh();
  return () => {
    stopped = true;
    clearTimeout(timer);
    stream.stop();
  };
}
