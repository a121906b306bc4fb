// EdgeAgent hub dashboard: plain JavaScript, no build step, no external resources.
// Every API call carries the bearer token kept in sessionStorage; text from the API is only ever set as textContent.
'use strict';

const TOKEN_KEY = 'edge-hub-token';
const STATUSES = ['ok', 'needs-review', 'out-of-distribution', 'rejected'];
// The review queue: every result a radiologist has to look at before anyone relies on it.
const ATTENTION = 'needs-review,out-of-distribution';
const state = { devices: new Map(), view: null, stream: null };

// ---------- small helpers ----------
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}
const fmtTime = (iso) => (iso ? new Date(iso).toLocaleString() : '—');
const pct = (p) => (p === null || p === undefined ? '—' : (p * 100).toFixed(1) + ' %');
function ago(iso) {
  if (!iso) return '—';
  const s = Math.max(0, (Date.now() - new Date(iso).getTime()) / 1000);
  if (s < 60) return Math.round(s) + ' s ago';
  if (s < 3600) return Math.round(s / 60) + ' min ago';
  if (s < 86400) return Math.round(s / 3600) + ' h ago';
  return Math.round(s / 86400) + ' d ago';
}
const statusBadge = (s) => el('span', { class: 'badge ' + s, text: s });
const token = () => sessionStorage.getItem(TOKEN_KEY);

class Unauthorized extends Error {}

async function api(path, asBlob) {
  const response = await fetch(path, { headers: { Authorization: 'Bearer ' + token() } });
  if (response.status === 401) throw new Unauthorized();
  if (!response.ok) {
    let message = response.status + ' ' + response.statusText;
    try { message = (await response.json()).error || message; } catch { /* not JSON */ }
    throw new Error(message);
  }
  return asBlob ? response.blob() : response.json();
}

// ---------- sign-in ----------
function showLogin(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  stopStream();
  document.getElementById('view').replaceChildren();
  document.getElementById('login').hidden = false;
  document.getElementById('signout').hidden = true;
  const error = document.getElementById('login-error');
  error.hidden = !message;
  error.textContent = message || '';
}

document.getElementById('login-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  sessionStorage.setItem(TOKEN_KEY, document.getElementById('token').value.trim());
  try {
    await api('/api/stats');
  } catch (e) {
    showLogin(e instanceof Unauthorized ? 'That token was refused.' : 'The hub did not answer: ' + e.message);
    return;
  }
  document.getElementById('token').value = '';
  start();
});
document.getElementById('signout').addEventListener('click', () => showLogin());

// ---------- live updates (Server-Sent Events read through fetch, so the token travels in a header) ----------
function stopStream() {
  if (state.stream) state.stream.abort();
  state.stream = null;
  setLive(false);
}
function setLive(on) {
  const live = document.getElementById('live');
  live.className = 'live ' + (on ? 'on' : 'off');
  live.textContent = on ? 'live' : 'reconnecting…';
}
async function runStream() {
  const controller = new AbortController();
  state.stream = controller;
  while (!controller.signal.aborted) {
    try {
      const response = await fetch('/api/events', { headers: { Authorization: 'Bearer ' + token() }, signal: controller.signal });
      if (response.status === 401) { showLogin('The token was refused.'); return; }
      if (!response.ok || !response.body) throw new Error('events ' + response.status);
      setLive(true);
      // Anything missed while disconnected is picked up by re-rendering the current view.
      if (state.view) state.view.refresh();
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let cut;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          dispatch(buffer.slice(0, cut));
          buffer = buffer.slice(cut + 2);
        }
      }
    } catch (e) {
      if (controller.signal.aborted) return;
    }
    setLive(false);
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}
function dispatch(block) {
  let type = 'message';
  let data = '';
  for (const line of block.split('\n')) {
    if (line.startsWith('event: ')) type = line.slice(7);
    else if (line.startsWith('data: ')) data += line.slice(6);
  }
  if (!data || type === 'heartbeat') return;
  const payload = JSON.parse(data);
  if (type === 'device') {
    state.devices.set(payload.site + '/' + payload.deviceId, payload);
  }
  if (state.view && state.view.onEvent) state.view.onEvent(type, payload);
}

// ---------- shared pieces ----------
function deviceTable(devices) {
  if (devices.length === 0) return el('p', { class: 'muted', text: 'No device has reported yet.' });
  return el('table', { id: 'devices' },
    el('thead', {}, el('tr', {}, ['State', 'Device', 'Site', 'Last seen', 'Agent', 'Model', 'Queue', 'Processed', 'Alarms'].map((h) => el('th', { text: h })))),
    el('tbody', {}, devices.map(deviceRow)));
}
function deviceRow(d) {
  const alarms = (d.alarms || []).map((a) => el('span', { class: 'badge alarm', text: a }));
  if (d.lastError) alarms.push(el('span', { class: 'muted', title: d.lastError, text: ' last error' }));
  return el('tr', { 'data-device': d.site + '/' + d.deviceId, 'data-state': d.state },
    el('td', {}, el('span', { class: 'dot ' + d.state }), d.state),
    el('td', { text: d.deviceId }),
    el('td', { text: d.site }),
    el('td', { title: fmtTime(d.lastSeen), text: ago(d.lastSeen) }),
    el('td', { text: d.agentVersion || '—' }),
    el('td', { text: d.modelName ? d.modelName + ' ' + d.modelVersion : '—' }),
    el('td', { class: 'num', text: d.queueDepth }),
    el('td', { class: 'num', text: d.processed }),
    el('td', {}, alarms.length ? alarms : '—'));
}
function resultTable(items, id) {
  return el('table', { id },
    el('thead', {}, el('tr', {}, ['Acquired', 'Device', 'Status', 'Label', 'Confidence', 'Model', 'File'].map((h) => el('th', { text: h })))),
    el('tbody', {}, items.map((r) => resultRow(r, false))));
}
function resultRow(r, fresh) {
  return el('tr', { class: 'clickable' + (fresh ? ' fresh' : ''), 'data-result-id': r.resultId, 'data-acquired': r.acquiredAt, onclick: () => { location.hash = '#/result/' + encodeURIComponent(r.resultId); } },
    el('td', { title: 'received ' + fmtTime(r.receivedAt), text: fmtTime(r.acquiredAt) }),
    el('td', { text: r.site + '/' + r.deviceId }),
    el('td', {}, statusBadge(r.status)),
    el('td', { text: r.label || '—' }),
    el('td', { class: 'num', text: pct(r.confidence) }),
    el('td', { text: r.modelName + ' ' + r.modelVersion }),
    el('td', { text: r.fileName }));
}
// Lists are ordered newest acquisition first, like the API: a live result goes where a reload would put it.
function insertLive(body, r, max) {
  if (body.querySelector(`tr[data-result-id="${CSS.escape(r.resultId)}"]`)) return;
  const at = new Date(r.acquiredAt).getTime();
  const before = [...body.children].find((row) => new Date(row.dataset.acquired).getTime() < at);
  if (!before && body.children.length >= max) return;
  body.insertBefore(resultRow(r, true), before || null);
  while (body.children.length > max) body.lastChild.remove();
}
function matches(r, filter) {
  return (!filter.device || r.deviceId === filter.device) && (!filter.site || r.site === filter.site)
    && (!filter.label || r.label === filter.label) && (!filter.status || filter.status.split(',').includes(r.status));
}

// ---------- views ----------
function overviewView(root) {
  const devicesBox = el('div', {}, el('p', { class: 'muted', text: 'Loading…' }));
  const resultsBox = el('div', {});
  root.replaceChildren(el('h1', { text: 'Overview' }), el('h2', { text: 'Devices' }), devicesBox,
    el('h2', {}, 'Latest results ', el('a', { href: '#/results', text: '(all, with filters)' }), ' ',
      el('a', { href: '#/results?status=' + encodeURIComponent(ATTENTION), id: 'attention-link', text: '(needs attention)' })), resultsBox);
  const renderDevices = () => devicesBox.replaceChildren(deviceTable([...state.devices.values()].sort((a, b) => (a.site + a.deviceId).localeCompare(b.site + b.deviceId))));
  return {
    async refresh() {
      const [devices, page] = await Promise.all([api('/api/devices'), api('/api/results?limit=25')]);
      state.devices = new Map(devices.map((d) => [d.site + '/' + d.deviceId, d]));
      renderDevices();
      resultsBox.replaceChildren(page.items.length ? resultTable(page.items, 'results') : el('p', { class: 'muted', id: 'results-empty', text: 'No results yet.' }));
    },
    onEvent(type, payload) {
      if (type === 'device') renderDevices();
      if (type === 'result') {
        let body = resultsBox.querySelector('#results tbody');
        if (!body) { resultsBox.replaceChildren(resultTable([], 'results')); body = resultsBox.querySelector('#results tbody'); }
        insertLive(body, payload, 25);
      }
    },
  };
}

function resultsView(root, params) {
  const filter = {
    device: params.get('device') || '', site: params.get('site') || '', label: params.get('label') || '',
    status: params.get('status') || '', from: params.get('from') || '', to: params.get('to') || '',
    offset: Number(params.get('offset') || 0), limit: 50,
  };
  const query = () => {
    const q = new URLSearchParams();
    for (const key of ['device', 'site', 'label', 'status']) if (filter[key]) q.set(key, filter[key]);
    if (filter.from) q.set('from', new Date(filter.from).toISOString());
    if (filter.to) q.set('to', new Date(filter.to).toISOString());
    return q;
  };
  const field = (name, label, input) => el('label', {}, label, input);
  const text = (name) => el('input', { name, value: filter[name], size: 12 });
  const status = el('select', { name: 'status' }, el('option', { value: '', text: 'any' }),
    el('option', { value: ATTENTION, text: 'needs attention (review or out-of-distribution)', selected: filter.status === ATTENTION }),
    STATUSES.map((s) => el('option', { value: s, text: s, selected: filter.status === s })));
  const form = el('form', { class: 'filters', id: 'filters' },
    field('device', 'Device', text('device')), field('site', 'Site', text('site')), field('label', 'Label', text('label')),
    field('status', 'Status', status),
    field('from', 'Acquired from', el('input', { name: 'from', type: 'datetime-local', value: filter.from })),
    field('to', 'Acquired before', el('input', { name: 'to', type: 'datetime-local', value: filter.to })),
    el('button', { type: 'submit', text: 'Filter' }),
    el('button', { type: 'button', text: 'Export CSV', onclick: exportCsv }));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const q = new URLSearchParams();
    for (const [key, value] of new FormData(form)) if (value) q.set(key, value);
    location.hash = '#/results?' + q.toString();
  });
  const table = el('div', {}, el('p', { class: 'muted', text: 'Loading…' }));
  const pager = el('div', { class: 'pager' });
  root.replaceChildren(el('h1', { text: 'Results' }), form, pager, table);

  async function exportCsv() {
    const blob = await api('/api/results.csv?' + query().toString(), true);
    const link = el('a', { href: URL.createObjectURL(blob), download: 'edge-hub-results.csv' });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10000);
  }
  function go(offset) {
    const q = new URLSearchParams(params);
    q.set('offset', String(Math.max(0, offset)));
    location.hash = '#/results?' + q.toString();
  }
  return {
    async refresh() {
      const q = query();
      q.set('offset', String(filter.offset));
      q.set('limit', String(filter.limit));
      const page = await api('/api/results?' + q.toString());
      table.replaceChildren(page.items.length ? resultTable(page.items, 'results') : el('p', { class: 'muted', text: 'No results match.' }));
      const last = Math.min(page.offset + page.items.length, page.total);
      pager.replaceChildren(
        el('button', { type: 'button', text: '← Newer', disabled: page.offset === 0, onclick: () => go(page.offset - page.limit) }),
        el('span', { id: 'page-info', text: page.total ? `${page.offset + 1}–${last} of ${page.total}` : '0 results' }),
        el('button', { type: 'button', text: 'Older →', disabled: last >= page.total, onclick: () => go(page.offset + page.limit) }));
    },
    onEvent(type, payload) {
      // New results appear live only on the first page of an open-ended filter.
      if (type !== 'result' || filter.offset !== 0 || filter.to || !matches(payload, filter)) return;
      if (filter.from && new Date(payload.acquiredAt) < new Date(filter.from)) return;
      let body = table.querySelector('#results tbody');
      if (!body) { table.replaceChildren(resultTable([], 'results')); body = table.querySelector('#results tbody'); }
      insertLive(body, payload, filter.limit);
    },
  };
}

function resultView(root, id) {
  let overlayUrl = null;
  const overlayFigure = el('figure', { id: 'overlay-figure' }, el('div', { class: 'absent', text: 'Loading…' }));
  async function loadOverlay(detail) {
    if (!detail.overlayAvailable) {
      overlayFigure.replaceChildren(el('div', { class: 'absent', id: 'overlay-absent',
        text: detail.result.hasOverlay ? 'The overlay has not arrived yet (it appears here when it does), or the hub refused it for size.'
          : detail.result.overlayOmitted ? 'The agent did not send the overlay: ' + detail.result.overlayOmitted + '.' : 'The agent sent no overlay for this result.' }));
      return;
    }
    const blob = await api('/api/results/' + encodeURIComponent(id) + '/overlay', true);
    if (overlayUrl) URL.revokeObjectURL(overlayUrl);
    overlayUrl = URL.createObjectURL(blob);
    overlayFigure.replaceChildren(el('img', { id: 'overlay-img', src: overlayUrl, alt: 'Grad-CAM overlay of result ' + id }));
  }
  return {
    async refresh() {
      const detail = await api('/api/results/' + encodeURIComponent(id));
      const r = detail.result;
      const probs = Object.entries(r.probabilities || {}).sort((a, b) => b[1] - a[1]);
      const input = r.input || {};
      const dicom = [['Study Instance UID', input.studyInstanceUid], ['Series Instance UID', input.seriesInstanceUid],
        ['SOP Instance UID', input.sopInstanceUid], ['Modality', input.modality], ['Body part', input.bodyPartExamined], ['View', input.viewPosition]]
        .filter(([, v]) => v);
      const facts = (rows) => el('dl', { class: 'facts' }, rows.map(([k, v]) => [el('dt', { text: k }), el('dd', { text: v === undefined || v === null || v === '' ? '—' : v })]));
      root.replaceChildren(
        el('p', {}, el('a', { href: '#/results', text: '← Results' })),
        el('h1', {}, (r.label || 'no label') + ' ', statusBadge(r.status)),
        r.reasons && r.reasons.length ? el('div', { class: 'card' }, el('strong', { text: 'Why: ' }), r.reasons.join('; ')) : null,
        el('div', { class: 'images' },
          el('div', {}, el('figure', { id: 'original-figure' }, el('div', { class: 'absent', id: 'original-absent', text: detail.originalNote || 'The original image was not sent to the hub.' })),
            el('figcaption', { text: 'Original' })),
          el('div', {}, overlayFigure, el('figcaption', { text: 'Grad-CAM overlay (what drove the decision)' }))),
        el('div', { class: 'grid2' },
          el('div', { class: 'card' }, el('h2', { text: 'Probabilities' }),
            probs.length ? el('div', { class: 'bars', id: 'probabilities' }, probs.map(([label, p], i) => [
              el('span', { text: label }),
              el('div', { class: 'bar' + (i === 0 ? ' top' : '') }, el('span', { style: `width:${(Math.max(0, Math.min(1, p)) * 100).toFixed(1)}%` })),
              el('span', { class: 'num', text: pct(p) })])) : el('p', { class: 'muted', text: 'No probabilities (the input was rejected before the model).' }),
            r.oodScore !== undefined && r.oodScore !== null ? el('p', { class: 'muted', text: 'Out-of-distribution score: ' + r.oodScore.toFixed(3) }) : null,
            r.featureDistance !== undefined && r.featureDistance !== null ? el('p', { class: 'muted', id: 'feature-distance', text: 'Feature distance to the training X-rays: ' + r.featureDistance.toFixed(2) }) : null),
          el('div', { class: 'card' }, el('h2', { text: 'Model and device' }), facts([
            ['Model', r.model.name], ['Version', r.model.version], ['Precision', r.model.precision],
            ['Device', r.site + '/' + r.deviceId], ['Acquired', fmtTime(r.acquiredAt)], ['Diagnosed', fmtTime(r.diagnosedAt)],
            ['Received by hub', fmtTime(detail.receivedAt)],
            ['Timings', Object.entries(r.timingsMs || {}).map(([k, v]) => `${k} ${v.toFixed(0)} ms`).join(', ')]]))),
        el('div', { class: 'grid2' },
          el('div', { class: 'card' }, el('h2', { text: 'DICOM identifiers' }),
            dicom.length ? facts(dicom) : el('p', { class: 'muted', text: 'None: the input was not a DICOM file.' })),
          el('div', { class: 'card' }, el('h2', { text: 'Input' }), facts([['File', input.fileName], ['SHA-256', input.sha256], ['Result id', r.resultId]]))));
      await loadOverlay(detail);
    },
    async onEvent(type, payload) {
      if (type === 'overlay' && payload.resultId === id) await loadOverlay(await api('/api/results/' + encodeURIComponent(id)));
    },
    dispose() { if (overlayUrl) URL.revokeObjectURL(overlayUrl); },
  };
}

function modelsView(root) {
  const box = el('div', {}, el('p', { class: 'muted', text: 'Loading…' }));
  root.replaceChildren(el('h1', { text: 'Models' }), box);
  const updateText = (u) => {
    if (u === null || u === undefined) return '—';
    if (typeof u === 'string') return u;
    const parts = [u.state || u.status, u.version, typeof u.progress === 'number' ? Math.round(u.progress <= 1 ? u.progress * 100 : u.progress) + ' %' : u.progress, u.detail || u.reason || u.message]
      .filter((x) => x !== undefined && x !== null && x !== '');
    return parts.length ? parts.join(' · ') : JSON.stringify(u);
  };
  return {
    async refresh() {
      const rollout = await api('/api/models');
      const total = rollout.devices.length || 1;
      box.replaceChildren(
        el('h2', { text: 'Versions in use' }),
        rollout.versions.length ? el('table', { id: 'model-versions' },
          el('thead', {}, el('tr', {}, ['Model', 'Version', 'Devices', 'Online', 'Share'].map((h) => el('th', { text: h })))),
          el('tbody', {}, rollout.versions.map((v) => el('tr', {},
            el('td', { text: v.modelName }), el('td', { text: v.modelVersion }), el('td', { class: 'num', text: v.deviceCount }),
            el('td', { class: 'num', text: v.onlineCount }),
            el('td', { style: 'width:35%' }, el('div', { class: 'bar' }, el('span', { style: `width:${(100 * v.deviceCount / total).toFixed(1)}%` }))))))) :
          el('p', { class: 'muted', text: 'No device has reported a model yet.' }),
        el('h2', { text: 'Devices' }),
        el('table', { id: 'model-devices' },
          el('thead', {}, el('tr', {}, ['Device', 'State', 'Running', 'Update status', 'Updated'].map((h) => el('th', { text: h })))),
          el('tbody', {}, rollout.devices.map((d) => el('tr', { 'data-device': d.site + '/' + d.deviceId },
            el('td', { text: d.site + '/' + d.deviceId }),
            el('td', {}, el('span', { class: 'dot ' + d.state }), d.state),
            el('td', { text: d.modelName ? d.modelName + ' ' + d.modelVersion : '—' }),
            el('td', { text: updateText(d.modelUpdate) }),
            el('td', { text: d.modelUpdateAt ? ago(d.modelUpdateAt) : '—' }))))));
    },
    onEvent(type) { if (type === 'device') this.refresh(); },
  };
}

// ---------- routing ----------
async function route() {
  if (!token()) { showLogin(); return; }
  const root = document.getElementById('view');
  const [path, search] = location.hash.replace(/^#/, '').split('?');
  const params = new URLSearchParams(search || '');
  if (state.view && state.view.dispose) state.view.dispose();
  let name = 'overview';
  if (path.startsWith('/result/')) { name = 'results'; state.view = resultView(root, decodeURIComponent(path.slice(8))); }
  else if (path === '/results') { name = 'results'; state.view = resultsView(root, params); }
  else if (path === '/models') { name = 'models'; state.view = modelsView(root); }
  else state.view = overviewView(root);
  for (const a of document.querySelectorAll('[data-nav]')) a.classList.toggle('active', a.dataset.nav === name);
  try {
    await state.view.refresh();
  } catch (e) {
    if (e instanceof Unauthorized) showLogin('The token was refused.');
    else root.append(el('p', { class: 'error', text: 'Could not load: ' + e.message }));
  }
}

function start() {
  document.getElementById('login').hidden = true;
  document.getElementById('signout').hidden = false;
  if (!state.stream) runStream();
  route();
}

window.addEventListener('hashchange', () => { if (token()) route(); });
if (token()) start(); else showLogin();
