// The device page: draws the ring from its scene with the firmware's own code, shows state, mic
// switch, volume, input level and events, sends button edges, and streams the browser's microphone or
// a dropped WAV (resampled to 16 kHz int16 in the page) as binary frames.
import { createRing } from '/ring.js';
import { openSocket } from '/socket.js';
import { sceneFrame } from '/lib/firmware/leds/ring-scene.js';
import { rgbHex } from '/lib/hal/leds/types.js';

const $ = (id) => document.getElementById(id);
const BUTTON_LABELS = { action: 'Action', 'mic-off': 'Microphone off', mute: 'Mute', call: 'Call', 'volume-up': 'Volume up', 'volume-down': 'Volume down' };
const MAX_EVENTS = 200;
let ring;
let modelKey = '';
const state = { state: '', micOn: true };

const socket = openSocket({
  onStatus: (s) => ($('connection').textContent = s),
  onMessage: handle,
});

// The ring: the device sends what it shows (its scene: pattern, start time, overlays) only when that
// changes, and the page draws each frame at the device's frame rate with the firmware's own code
// (firmware/leds/ring-scene.ts, served compiled), so a steadily animating ring needs no message.
// Device time is kept from the snapshot's and each batch's time, running on at the page's pace between.
const view = { scene: null, ledCount: 0, fps: 20, clock: { device: 0, wall: 0 }, drawn: '' };

const sceneInMs = (s) => ({
  pattern: s.pattern,
  since: s.since * 1000,
  direction: s.direction,
  volume: s.volume && { level: s.volume.level, max: s.volume.max, until: s.volume.until * 1000 },
  dndSince: s.dndSince === undefined ? undefined : s.dndSince * 1000,
});

function keepTime(deviceSeconds) {
  view.clock = { device: deviceSeconds * 1000, wall: performance.now() };
}

function draw() {
  requestAnimationFrame(draw);
  if (!ring || !view.scene) return;
  const step = Math.floor(((view.clock.device + performance.now() - view.clock.wall) * view.fps) / 1000);
  const key = `${step} ${view.scene.key}`;
  if (key === view.drawn) return;
  view.drawn = key;
  ring.set(sceneFrame(view.scene.ms, (step * 1000) / view.fps, view.ledCount).leds.map(rgbHex));
}
requestAnimationFrame(draw);

function showScene(s) {
  view.scene = { ms: sceneInMs(s), key: JSON.stringify(s) };
}

function handle(m) {
  switch (m.type) {
    case 'batch':
      keepTime(m.time);
      for (const x of m.messages) handle(x);
      return;
    case 'snapshot':
      setup(m);
      ring.set(m.leds);
      keepTime(m.time);
      view.drawn = '';
      view.ledCount = m.model.ledCount;
      view.fps = m.ledFps;
      showScene(m.ring);
      status(m);
      level(m.level);
      $('events').replaceChildren();
      for (const e of m.events) addEvent(e);
      return;
    case 'ring':
      showScene(m.ring);
      return;
    case 'status':
      status(m);
      return;
    case 'level':
      level(m.dbfs);
      wavPump(m.queuedMs);
      return;
    case 'event':
      addEvent(m.event);
      return;
    case 'error':
      addEvent({ type: 'error', time: null, code: m.code, message: m.message });
      return;
  }
}

function setup(snapshot) {
  const key = `${snapshot.model.id}/${snapshot.model.ledCount}`;
  document.title = `${snapshot.model.name} - echosim`;
  $('model-name').textContent = `${snapshot.model.name} (${snapshot.model.id})`;
  $('use-mic').disabled = !snapshot.microphone.acceptsAudio;
  $('wav-file').disabled = !snapshot.microphone.acceptsAudio;
  if (key === modelKey) return;
  modelKey = key;
  ring = createRing($('ring'), { ledCount: snapshot.model.ledCount, layout: snapshot.model.layout, label: 'Light ring' });
  const box = $('buttons');
  box.replaceChildren();
  for (const name of snapshot.model.buttons) box.append(makeButton(name));
}

/** A button that sends press and release edges: the device decides click or hold, as with the real one. */
function makeButton(name) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = BUTTON_LABELS[name] ?? name;
  b.dataset.button = name;
  b.className = `hw hw-${name}`;
  let down = false;
  const press = (pressed) => {
    if (down === pressed) return;
    down = pressed;
    b.classList.toggle('down', pressed);
    socket.send({ type: 'button', button: name, pressed });
  };
  b.addEventListener('pointerdown', (e) => {
    b.setPointerCapture(e.pointerId);
    press(true);
  });
  b.addEventListener('pointerup', () => press(false));
  b.addEventListener('pointercancel', () => press(false));
  b.addEventListener('keydown', (e) => {
    if ((e.key === ' ' || e.key === 'Enter') && !e.repeat) {
      e.preventDefault();
      press(true);
    }
  });
  b.addEventListener('keyup', (e) => {
    if (e.key === ' ' || e.key === 'Enter') {
      e.preventDefault();
      press(false);
    }
  });
  b.addEventListener('blur', () => press(false));
  return b;
}

const STATE_WORDS = {
  BOOTING: 'booting', SETUP: 'setup mode', CONNECTING: 'connecting to the cloud', IDLE: 'idle', LISTENING: 'listening',
  THINKING: 'thinking', SPEAKING: 'speaking', MIC_OFF: 'microphones off', ERROR: 'error',
};

function status(s) {
  state.state = s.state;
  state.micOn = s.micOn;
  $('state').textContent = s.state;
  $('state').dataset.state = s.state;
  $('mic').textContent = s.micOn ? 'on' : 'off (hardware switch)';
  $('mic').dataset.on = String(s.micOn);
  $('volume').textContent = `${s.volume.level} of ${s.volume.max}`;
  ring?.label(`Light ring: ${STATE_WORDS[s.state] ?? s.state}`);
  document.body.dataset.state = s.state;
}

function level(dbfs) {
  $('level').value = dbfs ?? -90;
  $('level-text').textContent = dbfs === null ? 'microphones off' : `${dbfs.toFixed(0)} dBFS`;
}

function describe(e) {
  switch (e.type) {
    case 'state': return `${e.from} → ${e.to} (${e.input}${e.detail ? `: ${e.detail}` : ''})`;
    case 'detection': return `wake word "${e.keyword}", score ${e.score.toFixed(2)}${e.accepted ? '' : ' (ignored)'}`;
    case 'stream-start': return `stream ${e.id} opened (${e.initiator}${e.preRoll.complete ? ', with 500 ms pre-roll' : ''})`;
    case 'stream-end': return `stream ${e.id} closed: ${e.reason}`;
    case 'button': return `${e.button} ${e.action}: ${e.effect}`;
    case 'microphones': return `microphones ${e.on ? 'on' : 'off'} (${e.origin})`;
    case 'volume': return `volume ${e.level}${e.clamped ? ' (limited)' : ''}`;
    case 'direction': return `talker at ${Math.round(e.azimuthDeg)}° (LED ${e.led})`;
    case 'refused': return `refused ${e.request}: ${e.code}`;
    case 'false-wake': return `false wake: ${e.reason}`;
    case 'error': return `${e.code}: ${e.message}`;
    default: return `${e.type}${e.message ? `: ${e.message}` : e.label ? `: ${e.label}` : ''}`;
  }
}

function addEvent(e) {
  const li = document.createElement('li');
  li.dataset.type = e.type;
  const time = document.createElement('span');
  time.className = 'time';
  time.textContent = e.time === null || e.time === undefined ? '' : `${e.time.toFixed(2)} s`;
  li.append(time, ' ', describe(e));
  const list = $('events');
  list.prepend(li);
  while (list.children.length > MAX_EVENTS) list.lastElementChild.remove();
}

// ---- the browser's microphone ----------------------------------------------------------------
let micContext;
$('use-mic').addEventListener('click', async () => {
  const button = $('use-mic');
  if (micContext) {
    await micContext.close();
    micContext = undefined;
    button.setAttribute('aria-pressed', 'false');
    button.textContent = 'Use my microphone';
    $('talk-status').textContent = '';
    return;
  }
  try {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1, echoCancellation: false, noiseSuppression: false, autoGainControl: false } });
    micContext = new AudioContext();
    await micContext.audioWorklet.addModule('/mic-worklet.js');
    const node = new AudioWorkletNode(micContext, 'resample-to-16k');
    node.port.onmessage = (e) => socket.sendBinary(e.data);
    micContext.createMediaStreamSource(stream).connect(node);
    button.setAttribute('aria-pressed', 'true');
    button.textContent = 'Stop my microphone';
    $('talk-status').textContent = `microphone on (${micContext.sampleRate} Hz, sent at 16 kHz)`;
  } catch (err) {
    $('talk-status').textContent = `no microphone: ${err.message}`;
    micContext = undefined;
  }
});

// ---- a WAV file, decoded and resampled by the browser, sent as fast as the device hears it ------
let wav = { samples: null, pos: 0, name: '' };
const CHUNK = 8000; // 0.5 s

async function playFile(file) {
  if (!file) return;
  $('talk-status').textContent = `decoding ${file.name}`;
  try {
    const decoded = await new AudioContext().decodeAudioData(await file.arrayBuffer());
    const offline = new OfflineAudioContext(1, Math.ceil(decoded.duration * 16000), 16000);
    const src = offline.createBufferSource();
    src.buffer = decoded;
    src.connect(offline.destination);
    src.start();
    const rendered = (await offline.startRendering()).getChannelData(0);
    const samples = new Int16Array(rendered.length);
    for (let i = 0; i < rendered.length; i++) samples[i] = Math.max(-32768, Math.min(32767, Math.round(rendered[i] * 32767)));
    socket.send({ type: 'audio-reset' });
    wav = { samples, pos: 0, name: file.name };
    $('talk-status').textContent = `playing ${file.name} (${decoded.duration.toFixed(1)} s)`;
    wavPump(0);
  } catch (err) {
    $('talk-status').textContent = `cannot play ${file.name}: ${err.message}`;
  }
}

/** Sends the next half second of the WAV whenever less than a second is waiting on the device. */
function wavPump(queuedMs) {
  if (!wav.samples || queuedMs > 1000) return;
  const chunk = wav.samples.subarray(wav.pos, wav.pos + CHUNK);
  if (chunk.length === 0) {
    $('talk-status').textContent = `played ${wav.name}`;
    wav = { samples: null, pos: 0, name: '' };
    return;
  }
  socket.sendBinary(chunk.slice().buffer);
  wav.pos += chunk.length;
}

$('wav-file').addEventListener('change', (e) => {
  const file = e.target.files[0];
  e.target.value = ''; // choosing the same file again plays it again
  playFile(file);
});
const drop = $('drop');
drop.addEventListener('dragover', (e) => {
  e.preventDefault();
  drop.classList.add('over');
});
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (e) => {
  e.preventDefault();
  drop.classList.remove('over');
  playFile(e.dataTransfer.files[0]);
});
