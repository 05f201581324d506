import { ScriptedButtons, parseButtonScript } from '../../../hal/buttons/scripted.js';
import type { ButtonEdge, ButtonName } from '../../../hal/buttons/types.js';
import { VirtualClock } from '../../../core/clock.js';
import { thrown } from '../mic/helpers.js';

const ECHO: readonly ButtonName[] = ['action', 'mic-off', 'volume-up', 'volume-down'];
const TRIO: readonly ButtonName[] = ['mute', 'call', 'volume-up', 'volume-down'];

describe('parseButtonScript', () => {
  test('the issue example: times in seconds, 0.1 s clicks by default, an explicit 8 s hold', () => {
    expect(parseButtonScript('1.5:mic-off,4.0:mic-off,6.0:action,10:action:8', ECHO)).toEqual([
      { button: 'mic-off', startMs: 1500, holdMs: 100, entry: '1.5:mic-off' },
      { button: 'mic-off', startMs: 4000, holdMs: 100, entry: '4.0:mic-off' },
      { button: 'action', startMs: 6000, holdMs: 100, entry: '6.0:action' },
      { button: 'action', startMs: 10000, holdMs: 8000, entry: '10:action:8' },
    ]);
  });

  test('aliases, spaces, upper case, a trailing comma; the result is sorted by time', () => {
    const presses = parseButtonScript(' 3 : vol+ , 1:MIC, 2:-:0.25, 4:vol-, 5:+,', ECHO);
    expect(presses.map((p) => [p.startMs, p.button, p.holdMs])).toEqual([
      [1000, 'mic-off', 100],
      [2000, 'volume-down', 250],
      [3000, 'volume-up', 100],
      [4000, 'volume-down', 100],
      [5000, 'volume-up', 100],
    ]);
    expect(parseButtonScript('', ECHO)).toEqual([]);
  });

  test('on the Trio, mic-off (and mic) is its mute key', () => {
    expect(parseButtonScript('1:mic-off,2:mic,3:mute,4:call', TRIO).map((p) => p.button)).toEqual(['mute', 'mute', 'mute', 'call']);
  });

  test.each([
    ['1.5', 'entry 1 "1.5" is not SECONDS:BUTTON[:HOLD_SECONDS]'],
    ['1:action:2:3', 'is not SECONDS:BUTTON[:HOLD_SECONDS]'],
    ['1:action,,2:action', 'entry 2 "" is empty'],
    ['x:action', 'has time "x", which is not a number of seconds'],
    ['1:actoin', 'names no button ("actoin")'],
    ['1:call', 'names call, which this model does not have'],
    ['1:mute', 'names mute, which this model does not have'],
    ['-1:action', 'has a negative time (-1 s)'],
    ['inf:action', 'has time "inf", which is not a number of seconds'],
    ['Infinity:action', 'has time "Infinity"'],
    ['NaN:action', 'has time "NaN"'],
    ['1e3:action', 'has time "1e3"'],
    ['1:action:0', 'a hold must be longer than 0'],
    ['1:action:-2', 'has a negative hold'],
    ['1:action:abc', 'has hold "abc"'],
    ['1:action:5,3:action', 'entry 2 "3:action" presses action while "1:action:5" still holds it (until 6 s)'],
    ['1:action:1,2:action', 'entry 2 "2:action" presses action while "1:action:1" still holds it'],
  ])('%s is BUTTON_SCRIPT_INVALID: %s', (script, message) => {
    const err = thrown(() => parseButtonScript(script, ECHO));
    expect(err.code).toBe('BUTTON_SCRIPT_INVALID');
    expect(err.message).toContain(message);
    expect(err.hint).toContain('SECONDS:BUTTON[:HOLD_SECONDS]');
    expect(err.hint).toContain('1.5:mic-off,4.0:mic-off,6.0:action,10:action:8');
    expect(err.hint).toContain("this model's buttons: action, mic-off, volume-up, volume-down");
  });

  test('presses of different buttons may overlap; the same button may be pressed again once released', () => {
    expect(parseButtonScript('1:action:5,2:vol+,6.1:action', ECHO)).toHaveLength(3);
  });

  test('mic and mute are one key on the Trio, so they cannot overlap there', () => {
    expect(thrown(() => parseButtonScript('1:mute:2,2:mic', TRIO)).message).toContain('presses mute');
  });
});

describe('ScriptedButtons', () => {
  function record(driver: ScriptedButtons): ButtonEdge[] {
    const edges: ButtonEdge[] = [];
    driver.start((e) => edges.push({ ...e, at: e.at }));
    return edges;
  }

  test('edges fire at their absolute clock times; remaining counts presses not yet released', async () => {
    const clock = new VirtualClock();
    const driver = ScriptedButtons.fromScript('1.5:mic-off,6.0:action,10:action:8', ECHO, clock);
    expect(driver.remaining).toBe(3);
    expect(driver.endsAt).toBe(18000);
    const edges = record(driver);
    await clock.advance(1499);
    expect(edges).toEqual([]);
    await clock.advance(1);
    expect(edges).toEqual([{ button: 'mic-off', pressed: true, at: 1500 }]);
    expect(driver.remaining).toBe(3);
    await clock.advanceTo(1600);
    expect(driver.remaining).toBe(2);
    await clock.advanceTo(17999);
    expect(driver.remaining).toBe(1);
    await clock.advanceTo(18000);
    expect(driver.remaining).toBe(0);
    expect(edges).toEqual([
      { button: 'mic-off', pressed: true, at: 1500 },
      { button: 'mic-off', pressed: false, at: 1600 },
      { button: 'action', pressed: true, at: 6000 },
      { button: 'action', pressed: false, at: 6100 },
      { button: 'action', pressed: true, at: 10000 },
      { button: 'action', pressed: false, at: 18000 },
    ]);
    expect(clock.pending).toBe(0);
  });

  test('an origin shifts the script; edges already due when it starts come at once, with their own times', async () => {
    const clock = new VirtualClock(5000);
    const driver = ScriptedButtons.fromScript('1:vol+,2:vol-,8:action', ECHO, clock, { originMs: 2000 });
    const edges = record(driver);
    await clock.advance(0);
    expect(edges).toEqual([
      { button: 'volume-up', pressed: true, at: 3000 },
      { button: 'volume-up', pressed: false, at: 3100 },
      { button: 'volume-down', pressed: true, at: 4000 },
      { button: 'volume-down', pressed: false, at: 4100 },
    ]);
    await clock.advanceTo(10100);
    expect(edges.slice(4)).toEqual([
      { button: 'action', pressed: true, at: 10000 },
      { button: 'action', pressed: false, at: 10100 },
    ]);
  });

  test('simultaneous presses of different buttons keep script order', async () => {
    const clock = new VirtualClock();
    const edges = record(ScriptedButtons.fromScript('1:vol+,1:action', ECHO, clock));
    await clock.advance(2000);
    expect(edges.map((e) => `${e.button}:${e.pressed}@${e.at}`)).toEqual([
      'volume-up:true@1000',
      'action:true@1000',
      'volume-up:false@1100',
      'action:false@1100',
    ]);
  });

  test('close() cancels what is left', async () => {
    const clock = new VirtualClock();
    const driver = ScriptedButtons.fromScript('1:action,5:action', ECHO, clock);
    const edges = record(driver);
    await clock.advance(1050);
    await driver.close();
    expect(clock.pending).toBe(0);
    await clock.advance(10_000);
    expect(edges).toEqual([{ button: 'action', pressed: true, at: 1000 }]);
    expect(driver.remaining).toBe(2);
  });
});
