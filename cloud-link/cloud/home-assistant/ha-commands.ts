import type { HaCommand } from '../../protocol/home-assistant-topics.js';

/** Longest command payload looked at (a number or ON/OFF); anything longer is refused unread. */
export const MAX_HA_COMMAND_BYTES = 32;

/**
 * The SendDeviceCommand `Command` for what Home Assistant sent on a command topic: the number's
 * value as text ("7", "7.0") for `volume`, the switch's `ON`/`OFF` for `do_not_disturb`. Only the
 * payload's form is read here; a payload of the wrong form is passed on as it came, so the
 * operation's own validation refuses it with the API's message and nothing changes.
 */
export function commandFor(command: HaCommand, payload: string): Record<string, unknown> {
  const text = payload.trim();
  if (command === 'volume') return { Action: 'SET_VOLUME', Volume: /^\d{1,2}(\.0+)?$/.test(text) ? Number(text) : text };
  return { Action: 'SET_DO_NOT_DISTURB', Enabled: text === 'ON' ? true : text === 'OFF' ? false : text };
}
