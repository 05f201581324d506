// The cloud page: logs in with the admin token over the cloud socket, then keeps a fleet table,
// rooms and profiles current, with live ring thumbnails for the rows in view.
import { createRing } from '/ring.js';
import { openSocket } from '/socket.js';

const $ = (id) => document.getElementById(id);
const FEATURES = ['BLUETOOTH', 'VOLUME', 'NOTIFICATIONS', 'LISTS', 'SKILLS', 'NETWORK_PROFILE', 'SETTINGS', 'ALL'];
const devices = new Map(); // deviceId -> { row, tr, ring }
let socket;
let nextId = 1;
const pending = new Map();

for (const f of FEATURES) {
  const label = document.createElement('label');
  const box = document.createElement('input');
  box.type = 'checkbox';
  box.value = f;
  box.name = 'feature';
  label.append(box, ` ${f}`);
  label.className = 'feature';
  $('reset-features').append(label, ' ');
}

$('login').addEventListener('submit', (e) => {
  e.preventDefault();
  const token = $('token').value.trim();
  $('token').value = '';
  sessionStorage.setItem('echosim-admin-token', token);
  login(token);
});

const saved = sessionStorage.getItem('echosim-admin-token');
if (saved) login(saved);

function login(token) {
  socket?.close();
  socket = openSocket({
    onOpen: () => socket.send({ type: 'auth', token }),
    onStatus: (s) => {
      $('connection').textContent = s;
      if (s.startsWith('refused')) {
        sessionStorage.removeItem('echosim-admin-token');
        $('login-view').hidden = false;
        $('cloud-view').hidden = true;
      }
    },
    onMessage: handle,
  });
}

function handle(m) {
  switch (m.type) {
    case 'snapshot':
      $('login-view').hidden = true;
      $('cloud-view').hidden = false;
      $('login-error').textContent = '';
      devices.clear();
      $('fleet').tBodies[0].replaceChildren();
      for (const row of m.devices) upsert(row);
      rooms(m.rooms, m.profiles);
      summary();
      deviceChoices();
      watchRows();
      return;
    case 'devices':
      for (const row of m.devices) upsert(row);
      summary();
      deviceChoices();
      return;
    case 'removed':
      for (const id of m.deviceIds) {
        devices.get(id)?.tr.remove();
        devices.delete(id);
      }
      summary();
      deviceChoices();
      return;
    case 'rooms':
      rooms(m.rooms, m.profiles);
      return;
    case 'rings':
      for (const r of m.rings) {
        const entry = devices.get(r.deviceId);
        if (!entry) continue;
        if (entry.ledCount !== r.leds.length) {
          entry.ring = createRing(entry.holder, { ledCount: r.leds.length, size: 34, label: `Ring of ${entry.row.name}` });
          entry.ledCount = r.leds.length;
        }
        entry.ring.set(r.leds);
      }
      return;
    case 'result': {
      const done = pending.get(m.id);
      pending.delete(m.id);
      done?.(m);
      return;
    }
    case 'error':
      $('login-error').textContent = `${m.code}: ${m.message}`;
      return;
  }
}

function request(command) {
  const id = nextId++;
  return new Promise((resolve) => {
    pending.set(id, resolve);
    socket.send({ ...command, id });
  });
}

const ago = (seconds) => {
  if (!seconds) return '-';
  const s = Math.max(0, Math.round(Date.now() / 1000 - seconds));
  return s < 60 ? `${s} s ago` : s < 3600 ? `${Math.round(s / 60)} min ago` : new Date(seconds * 1000).toLocaleString();
};

function cell(text, className) {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function upsert(row) {
  let entry = devices.get(row.deviceId);
  if (!entry) {
    const tr = document.createElement('tr');
    tr.dataset.deviceId = row.deviceId;
    const ringCell = document.createElement('td');
    const holder = document.createElement('div');
    holder.className = 'thumb';
    ringCell.append(holder);
    const ring = createRing(holder, { ledCount: 12, size: 34, label: `Ring of ${row.name}` });
    tr.append(ringCell);
    entry = { row, tr, ring, holder, ledCount: 12 };
    devices.set(row.deviceId, entry);
    $('fleet').tBodies[0].append(tr);
    rowObserver?.observe(tr);
  }
  entry.row = row;
  const tr = entry.tr;
  while (tr.children.length > 1) tr.lastElementChild.remove();
  const name = cell(`${row.name} `);
  const id = document.createElement('small');
  id.textContent = row.deviceId;
  name.append(id);
  const reset = document.createElement('button');
  reset.type = 'button';
  reset.textContent = 'Reset…';
  reset.setAttribute('aria-label', `Reset ${row.name}`);
  reset.addEventListener('click', () => {
    $('reset-device').value = row.arn;
    $('reset-device').focus();
  });
  const recs = document.createElement('button');
  recs.type = 'button';
  recs.textContent = 'Recordings';
  recs.setAttribute('aria-label', `Recordings of ${row.name}`);
  recs.addEventListener('click', () => {
    $('recordings-device').value = row.arn;
    listRecordings(row.arn);
  });
  const actions = document.createElement('td');
  actions.append(reset, ' ', recs);
  tr.append(
    name,
    cell(row.room ?? '-'),
    cell(row.connection.toLowerCase(), row.connection === 'ONLINE' ? 'online' : 'offline'),
    cell(row.sync + (row.syncDetail ? ` (${row.syncDetail})` : ''), `sync-${row.sync}`),
    cell(ago(row.lastSeen)),
    cell(row.state ?? '-'),
    actions,
  );
  tr.dataset.connection = row.connection;
  tr.dataset.sync = row.sync;
}

function summary() {
  let online = 0;
  let synced = 0;
  for (const { row } of devices.values()) {
    if (row.connection === 'ONLINE') online++;
    if (row.sync === 'SYNCED') synced++;
  }
  $('fleet-summary').textContent = `${devices.size} devices, ${online} online, ${synced} in sync`;
}

function options(select, items) {
  const value = select.value;
  select.replaceChildren(...items.map(([v, text]) => Object.assign(document.createElement('option'), { value: v, textContent: text })));
  if (items.some(([v]) => v === value)) select.value = value;
}

function deviceChoices() {
  const items = [...devices.values()].map(({ row }) => [row.arn, `${row.name} (${row.deviceId})`]);
  options($('reset-device'), items);
  options($('recordings-device'), items);
}

function rooms(list, profiles) {
  const body = $('rooms').tBodies[0];
  body.replaceChildren(
    ...list.map((r) => {
      const tr = document.createElement('tr');
      tr.dataset.roomArn = r.arn;
      tr.append(cell(r.name), cell(r.profileName ?? '-'));
      return tr;
    }),
  );
  options($('apply-room'), list.map((r) => [r.arn, r.name]));
  options($('apply-profile'), profiles.map((p) => [p.arn, p.name]));
}

$('apply').addEventListener('submit', async (e) => {
  e.preventDefault();
  const room = $('apply-room').selectedOptions[0]?.textContent;
  const profile = $('apply-profile').selectedOptions[0]?.textContent;
  $('apply-result').textContent = 'applying…';
  const r = await request({ type: 'apply-profile', roomArn: $('apply-room').value, profileArn: $('apply-profile').value });
  $('apply-result').textContent = r.ok ? `${profile} applied to ${room}: its devices sync now` : `${r.code}: ${r.message}`;
});

$('reset').addEventListener('submit', async (e) => {
  e.preventDefault();
  const features = [...document.querySelectorAll('input[name=feature]:checked')].map((b) => b.value);
  if (features.length === 0) {
    $('reset-result').textContent = 'choose at least one feature';
    return;
  }
  const r = await request({ type: 'reset-device', deviceArn: $('reset-device').value, features });
  $('reset-result').textContent = r.ok ? `reset of ${features.join(', ')} queued` : `${r.code}: ${r.message}`;
});

async function listRecordings(arn) {
  const r = await request({ type: 'list-recordings', deviceArn: arn });
  const body = $('recordings').tBodies[0];
  if (!r.ok) {
    $('recordings-result').textContent = `${r.code}: ${r.message}`;
    return;
  }
  body.replaceChildren(
    ...r.recordings.map((rec) => {
      const tr = document.createElement('tr');
      tr.append(cell(new Date(rec.createdTime * 1000).toLocaleString()), cell(`${(rec.durationMs / 1000).toFixed(1)} s`), cell(`${Math.round(rec.sizeBytes / 1024)} KiB`), cell(rec.confirmed === null ? '-' : rec.confirmed ? 'yes' : 'no'));
      return tr;
    }),
  );
  $('recordings-result').textContent = `${r.recordings.length} recordings`;
}

$('recordings-form').addEventListener('submit', (e) => {
  e.preventDefault();
  listRecordings($('recordings-device').value);
});

// Rows in view get live ring thumbnails: the page tells the server which ones they are.
const inView = new Set();
let viewTimer;
const rowObserver = new IntersectionObserver(
  (entries) => {
    for (const e of entries) {
      const id = e.target.dataset.deviceId;
      if (e.isIntersecting) inView.add(id);
      else inView.delete(id);
    }
    clearTimeout(viewTimer);
    viewTimer = setTimeout(() => socket?.send({ type: 'view', deviceIds: [...inView].slice(0, 200) }), 150);
  },
  { root: $('fleet-scroll') },
);

function watchRows() {
  inView.clear();
  for (const { tr } of devices.values()) rowObserver.observe(tr);
}
