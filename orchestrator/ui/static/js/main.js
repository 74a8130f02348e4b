// The dashboard's entry: sign-in (token kept in sessionStorage), hash routes
// (#/ builds, #/builds/<id>, #/gpus) and the Bull Board link (a session cookie, never a URL token).
import { api, getToken, setToken } from './api.js';
import { h, setChildren } from './dom.js';
import { renderBuild } from './view-build.js';
import { renderGpus } from './view-gpus.js';
import { renderList } from './view-list.js';

const main = document.getElementById('main');
const account = document.getElementById('account');
let cleanup = () => {};

function signInForm(message) {
  const input = h('input', {
    type: 'password',
    id: 'token-input',
    autocomplete: 'off',
    placeholder: 'API bearer token',
    'aria-label': 'API bearer token',
    required: true,
  });
  const note = h(
    'p',
    { class: message ? 'error-box' : 'muted', id: 'signin-note' },
    message ?? 'The token is kept in this tab only (sessionStorage) and sent as an Authorization header.',
  );
  const form = h(
    'form',
    { class: 'signin', id: 'signin' },
    h('h1', {}, 'Sign in'),
    h('label', {}, 'API token', input),
    h('button', { type: 'submit' }, 'Sign in'),
    note,
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    setToken(input.value.trim());
    try {
      await api('GET', '/v1/builds?limit=1');
      route();
    } catch (err) {
      setToken(null);
      setChildren(
        main,
        signInForm(err.status === 401 ? 'That token was refused.' : `Could not reach the service: ${err.message}`),
      );
    }
  });
  queueMicrotask(() => input.focus());
  return form;
}

async function openBullBoard() {
  try {
    const r = await api('POST', '/ui/session');
    location.assign(`${r.path}/`);
  } catch (err) {
    alert(`Could not open Bull Board: ${err.message}`);
  }
}

function renderAccount() {
  setChildren(
    account,
    getToken()
      ? [
          h(
            'button',
            {
              type: 'button',
              class: 'link',
              id: 'open-bull-board',
              onclick: openBullBoard,
              title: 'Bull Board, read-only (a 15-minute cookie)',
            },
            'Queues',
          ),
          h(
            'button',
            {
              type: 'button',
              class: 'link',
              id: 'sign-out',
              onclick: async () => {
                setToken(null);
                await fetch('/ui/session', { method: 'DELETE' }).catch(() => {});
                route();
              },
            },
            'Sign out',
          ),
        ]
      : [],
  );
}

function route() {
  cleanup();
  cleanup = () => {};
  renderAccount();
  const current = location.hash || '#/';
  for (const a of document.querySelectorAll('nav a[data-route]'))
    a.classList.toggle(
      'active',
      a.dataset.route === '#/gpus' ? current.startsWith('#/gpus') : !current.startsWith('#/gpus'),
    );
  if (!getToken()) {
    setChildren(main, signInForm());
    return;
  }
  const hash = location.hash || '#/';
  const [path, query = ''] = hash.slice(1).split('?');
  const build = /^\/builds\/([0-9a-f]{16}-[0-9]{1,9})$/.exec(path);
  if (build) cleanup = renderBuild(main, build[1]);
  else if (path === '/gpus') cleanup = renderGpus(main);
  else cleanup = renderList(main, new URLSearchParams(query));
}

window.addEventListener('hashchange', route);
window.addEventListener('trt:unauthorized', () => {
  setToken(null);
  cleanup();
  cleanup = () => {};
  renderAccount();
  setChildren(main, signInForm('The service refused the token (expired or revoked?). Sign in again.'));
});
route();
