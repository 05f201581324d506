import { runLocalCommand } from '../../../firmware/features/local-command-runner.js';
import { DirectiveHandler, type AnswerHost } from '../../../firmware/answers/directive-handler.js';
import type { Directive } from '../../../cloud-link/protocol/directives.js';
import type { LocalCommand } from '../../../cloud-link/protocol/local-command.js';
import type { EchosimError } from '../../../core/errors.js';
import { boot, flashBytes, MIN, tempFlash } from '../features/support.js';

/**
 * The cloud's directives change a device's features through the same runner as the script, the jobs
 * and Home Assistant's commands: the same directive and the same local command leave the same flash.
 */
const flash = tempFlash();
const other = tempFlash();

function host(features: Awaited<ReturnType<typeof boot>>['features'], clock: Awaited<ReturnType<typeof boot>>['clock']) {
  const events: Array<{ type: string; ok: boolean; detail: string }> = [];
  const refused: EchosimError[] = [];
  const volumes: number[] = [];
  const device: AnswerHost = {
    clock,
    features: () => features,
    speaker: { volume: 5, play: () => undefined, stop: () => undefined, stepVolume: () => 5, setVolume: () => 5 } as unknown as AnswerHost['speaker'],
    dismissRinging: () => false,
    emit: ((event: string, e: { type: string; ok: boolean; detail: string }) => void (event === 'directive' && events.push(e))) as AnswerHost['emit'],
    refuse: (_request, err) => void refused.push(err),
  };
  const buttons = {
    stepVolume: (): void => undefined,
    setVolume: (level: number): number => {
      volumes.push(level);
      return level;
    },
  };
  return { handler: new DirectiveHandler(device, buttons), events, refused, volumes };
}

const pairs: Array<[Directive, LocalCommand]> = [
  [{ type: 'SetTimer', durationMs: 5 * MIN }, { Action: 'START_TIMER', DurationSeconds: 300 }],
  [{ type: 'SetAlarm', time: '07:30' }, { Action: 'SET_ALARM', Time: '07:30' }],
  [{ type: 'AddToList', list: 'shopping', item: 'milk' }, { Action: 'ADD_LIST_ITEM', List: 'shopping', Text: 'milk' }],
  [{ type: 'SetDoNotDisturb', enabled: true }, { Action: 'SET_DO_NOT_DISTURB', Enabled: true }],
];

test('a directive leaves the flash exactly as the local command for the same change does', async () => {
  const a = await boot(flash.dir());
  const b = await boot(other.dir());
  try {
    const { handler, events, refused } = host(a.features, a.clock);
    await handler.apply(pairs.map(([d]) => d));
    for (const [, c] of pairs) await runLocalCommand({ features: b.features, setVolume: (v) => v }, c);
    expect(refused).toEqual([]);
    expect(events.map((e) => [e.type, e.ok])).toEqual(pairs.map(([d]) => [d.type, true]));
    expect(events[0]!.detail).toBe(a.features.timers.list()[0]!.id);
    expect(a.features.settings.get().doNotDisturb).toBe(true);
    expect(flashBytes(flash.dir())).toEqual(flashBytes(other.dir()));
  } finally {
    await a.features.close();
    await b.features.close();
  }
});

test('a spoken volume goes through the buttons\' volume path', async () => {
  const a = await boot(flash.dir());
  try {
    const { handler, events, volumes } = host(a.features, a.clock);
    await handler.apply([{ type: 'SetVolume', level: 7 }]);
    expect(volumes).toEqual([7]);
    expect(events).toEqual([expect.objectContaining({ type: 'SetVolume', ok: true, detail: '7' })]);
  } finally {
    await a.features.close();
  }
});

test('a directive the feature refuses is reported and the next one still runs', async () => {
  const a = await boot(flash.dir());
  try {
    const { handler, events, refused } = host(a.features, a.clock);
    await handler.apply([{ type: 'AddToList', list: 'shopping', item: ' ' }, { type: 'SetDoNotDisturb', enabled: true }]);
    expect(events.map((e) => e.ok)).toEqual([false, true]);
    expect(refused).toHaveLength(1);
    expect(a.features.lists.items('shopping')).toEqual([]);
    expect(a.features.settings.get().doNotDisturb).toBe(true);
  } finally {
    await a.features.close();
  }
});
