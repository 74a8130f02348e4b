// A published build's manifest (files with sha256, sources, lane, GPU) and its launch configs
// (commands and files under launch/), each with a copy button.
import { api, authHeaders } from './api.js';
import { copyButton, formatBytes, h, setChildren, shellJoin } from './dom.js';

const base = (id) => `/ui/api/builds/${encodeURIComponent(id)}`;

async function launchFileText(id, path) {
  const res = await fetch(`${base(id)}/files/${path.split('/').map(encodeURIComponent).join('/')}`, {
    headers: authHeaders(),
    cache: 'no-store',
  });
  if (!res.ok) throw new Error(`${res.status}`);
  return res.text();
}

function launchSection(id, manifest) {
  const launchFiles = manifest.files.filter((f) => f.path.startsWith('launch/'));
  const commands = Object.entries(manifest.launch ?? {});
  return h(
    'div',
    { class: 'launch', id: 'launch-configs' },
    commands.length === 0 ? h('p', { class: 'muted' }, 'This build has no launch commands.') : null,
    commands.map(([name, cfg]) => {
      const cmd = shellJoin(cfg.argv);
      return h(
        'div',
        { class: 'card', 'data-launch': name },
        h(
          'div',
          { class: 'card-head' },
          h('strong', {}, name),
          h('span', { class: 'muted' }, ` · ${cfg.server}`),
          copyButton(cmd, 'Copy command'),
        ),
        h('pre', { class: 'code' }, cmd),
      );
    }),
    launchFiles.map((f) => {
      const pre = h('pre', { class: 'code' }, 'loading…');
      let text = '';
      launchFileText(id, f.path).then(
        (t) => {
          text = t;
          pre.textContent = t;
        },
        (err) => (pre.textContent = `could not load ${f.path}: ${err.message}`),
      );
      return h(
        'div',
        { class: 'card', 'data-launch-file': f.path },
        h(
          'div',
          { class: 'card-head' },
          h('strong', { class: 'mono' }, f.path),
          h('span', { class: 'muted' }, ` · ${formatBytes(f.size)}`),
          copyButton(() => text),
        ),
        pre,
      );
    }),
  );
}

function manifestSection(manifest) {
  const json = JSON.stringify(manifest, null, 2);
  return h(
    'div',
    { class: 'manifest', id: 'manifest' },
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'Artifact'),
      h('dd', {}, `${manifest.artifactKind}, ${manifest.files.length} files, ${formatBytes(manifest.totalBytes)}`),
      h('dt', {}, 'Lane'),
      h(
        'dd',
        { class: 'mono small' },
        `${manifest.lane.name} · ${manifest.lane.image} · TensorRT-LLM ${manifest.lane.trtllmVersion}`,
      ),
      h('dt', {}, 'GPU'),
      h('dd', {}, `${manifest.gpu.count}× ${manifest.gpu.type} (SM ${manifest.gpu.sm})`),
      h('dt', {}, 'Sources'),
      h(
        'dd',
        {},
        (manifest.sources ?? []).map((s) =>
          h('div', { class: 'mono small' }, `${s.role}: ${s.source} ${s.repo} @ ${s.resolvedRevision}`),
        ),
      ),
      h('dt', {}, 'Published'),
      h('dd', {}, manifest.createdAt),
    ),
    h(
      'table',
      { class: 'files' },
      h('thead', {}, h('tr', {}, h('th', {}, 'File'), h('th', { class: 'num' }, 'Size'), h('th', {}, 'sha256'))),
      h(
        'tbody',
        {},
        manifest.files.map((f) =>
          h(
            'tr',
            {},
            h('td', { class: 'mono' }, f.path),
            h('td', { class: 'num' }, formatBytes(f.size)),
            h('td', { class: 'mono small', title: f.sha256 }, `${f.sha256.slice(0, 16)}…`),
          ),
        ),
      ),
    ),
    h(
      'details',
      {},
      h('summary', {}, 'manifest.json ', copyButton(json, 'Copy JSON')),
      h('pre', { class: 'code' }, json),
    ),
  );
}

/** Loads and renders the manifest of build `id` into `el`. */
export async function renderBundle(el, id) {
  setChildren(el, h('p', { class: 'muted' }, 'loading the manifest…'));
  try {
    const manifest = await api('GET', `${base(id)}/manifest`);
    setChildren(
      el,
      h('h3', {}, 'Launch configs'),
      launchSection(id, manifest),
      h('h3', {}, 'Manifest'),
      manifestSection(manifest),
    );
  } catch (err) {
    setChildren(el, h('div', { class: 'error-box' }, `Could not load the manifest: ${err.message}`));
  }
}
