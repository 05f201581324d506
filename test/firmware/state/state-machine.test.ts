import { VirtualClock } from '../../../core/clock.js';
import { TRANSITIONS, type GuardContext } from '../../../firmware/state/device-states.js';
import { DEVICE_INPUTS, DEVICE_STATES, type DeviceInput } from '../../../cloud-link/protocol/device-states.js';
import { DeviceStateMachine, type Transition } from '../../../firmware/state/state-machine.js';

function machine(ctx: Partial<GuardContext> = {}) {
  const clock = new VirtualClock();
  const context: GuardContext = { micOn: true, linkUp: true, offline: false, configured: true, ...ctx };
  const m = new DeviceStateMachine(clock, () => context);
  const transitions: Transition[] = [];
  const ignored: DeviceInput[] = [];
  m.on('transition', (t) => transitions.push(t));
  m.on('ignored', (i) => ignored.push(i.input));
  return { clock, m, context, transitions, ignored };
}

describe('device state machine', () => {
  test('the table only names known states and inputs', () => {
    for (const [state, row] of Object.entries(TRANSITIONS)) {
      expect(DEVICE_STATES).toContain(state);
      for (const input of Object.keys(row)) expect(DEVICE_INPUTS).toContain(input);
    }
  });

  test('boot paths: offline to IDLE, unconfigured to SETUP, configured to CONNECTING then IDLE on LINK_UP', () => {
    const a = machine({ offline: true, configured: false, linkUp: false });
    expect(a.m.dispatch('BOOTED_OFFLINE')).toBe('IDLE');
    const b = machine({ configured: false, linkUp: false });
    expect(b.m.dispatch('BOOTED_UNCONFIGURED')).toBe('SETUP');
    const c = machine({ linkUp: false });
    expect(c.m.dispatch('BOOTED_CONFIGURED')).toBe('CONNECTING');
    (c.context as { linkUp: boolean }).linkUp = true;
    expect(c.m.dispatch('LINK_UP')).toBe('IDLE');
    expect(c.transitions.map((t) => `${t.from}>${t.to}:${t.input}`)).toEqual(['BOOTING>CONNECTING:BOOTED_CONFIGURED', 'CONNECTING>IDLE:LINK_UP']);
  });

  test('a request: wake word, stream ended, and THINKING falls back to IDLE after 5 s without a response', async () => {
    const { m, clock, transitions } = machine({ offline: true });
    m.dispatch('BOOTED_OFFLINE');
    m.dispatch('WAKE_WORD');
    expect(m.state).toBe('LISTENING');
    await clock.advance(1000);
    m.dispatch('STREAM_ENDED');
    expect(m.state).toBe('THINKING');
    await clock.advance(4999);
    expect(m.state).toBe('THINKING');
    await clock.advance(1);
    expect(m.state).toBe('IDLE');
    expect(transitions.at(-1)).toMatchObject({ from: 'THINKING', to: 'IDLE', input: 'THINK_TIMEOUT', at: 6000, detail: 'timeout' });
  });

  test('LISTENING has its own cap so a stream that never ends cannot hang the device', async () => {
    const { m, clock } = machine({ offline: true });
    m.dispatch('BOOTED_OFFLINE');
    m.dispatch('TAP');
    await clock.advance(10_000);
    expect(m.state).toBe('IDLE');
  });

  test('a lost cloud link ends a request in LISTENING or THINKING and the device reconnects', () => {
    const { m, context } = machine();
    m.dispatch('BOOTED_CONFIGURED');
    m.dispatch('LINK_UP');
    m.dispatch('WAKE_WORD');
    (context as { linkUp: boolean }).linkUp = false;
    expect(m.dispatch('LINK_DOWN')).toBe('CONNECTING');
  });

  test('mic-off: MIC_OFF from idle and mid-request; only MIC_ON leaves it; wake words and taps are ignored there', () => {
    const { m, context, ignored } = machine({ offline: true });
    m.dispatch('BOOTED_OFFLINE');
    m.dispatch('WAKE_WORD');
    (context as { micOn: boolean }).micOn = false;
    expect(m.dispatch('MIC_OFF')).toBe('MIC_OFF');
    expect(m.dispatch('WAKE_WORD')).toBe('MIC_OFF');
    expect(m.dispatch('TAP')).toBe('MIC_OFF');
    expect(ignored).toEqual(['WAKE_WORD', 'TAP']);
    (context as { micOn: boolean }).micOn = true;
    expect(m.dispatch('MIC_ON')).toBe('IDLE');
  });

  test('speaking is not cut short by mic-off; when it ends the device goes to MIC_OFF', () => {
    const { m, context } = machine({ offline: true });
    m.dispatch('BOOTED_OFFLINE');
    m.dispatch('ANNOUNCE');
    (context as { micOn: boolean }).micOn = false;
    expect(m.dispatch('MIC_OFF')).toBe('SPEAKING');
    expect(m.dispatch('SPEECH_DONE')).toBe('MIC_OFF');
  });

  test('CONNECTING gives up into ERROR, which retries', async () => {
    const { m, clock, context } = machine({ linkUp: false });
    m.dispatch('BOOTED_CONFIGURED');
    await clock.advance(30_000);
    expect(m.state).toBe('ERROR');
    await clock.advance(10_000);
    expect(m.state).toBe('CONNECTING');
    (context as { linkUp: boolean }).linkUp = true;
    expect(m.dispatch('LINK_UP')).toBe('IDLE');
  });

  test('inputs dispatched from a listener are applied after it, in order', () => {
    const { m, transitions } = machine({ offline: true });
    m.on('transition', (t) => {
      if (t.to === 'LISTENING') m.dispatch('STREAM_ENDED');
    });
    m.dispatch('BOOTED_OFFLINE');
    m.dispatch('WAKE_WORD');
    expect(transitions.map((t) => t.to)).toEqual(['IDLE', 'LISTENING', 'THINKING']);
  });

  test('a stopped machine ignores everything and leaves no timer behind', () => {
    const { m, clock } = machine({ offline: true });
    m.dispatch('BOOTED_OFFLINE');
    m.dispatch('WAKE_WORD');
    m.stop();
    expect(clock.pending).toBe(0);
    expect(m.dispatch('STREAM_ENDED')).toBe('LISTENING');
  });
});
