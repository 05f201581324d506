import { BUTTON_NAMES, type ButtonName } from './types.js';

/** Short names people type in scripts and on the command line. */
const ALIASES: Readonly<Record<string, ButtonName>> = {
  mic: 'mic-off',
  'vol+': 'volume-up',
  '+': 'volume-up',
  'vol-': 'volume-down',
  '-': 'volume-down',
};

/**
 * The button of this model that `token` means, or undefined when the model has no such button.
 *
 * Accepts the canonical names and the aliases (`mic`, `vol+`/`+`, `vol-`/`-`), case-insensitively.
 * The Polycom Trio has no mic-off button: its `mute` key does that job, so on a model without
 * `mic-off` a `mic-off` request lands on `mute`. Scripts written for an Echo then run on a Trio.
 */
export function resolveButton(token: string, buttons: readonly ButtonName[]): ButtonName | undefined {
  const t = token.trim().toLowerCase();
  const canonical = ALIASES[t] ?? BUTTON_NAMES.find((b) => b === t);
  if (canonical === undefined) return undefined;
  if (buttons.includes(canonical)) return canonical;
  if (canonical === 'mic-off' && buttons.includes('mute')) return 'mute';
  return undefined;
}

/** True when `token` names a button at all (on some model), aliases included. */
export function isKnownButtonToken(token: string): boolean {
  const t = token.trim().toLowerCase();
  return ALIASES[t] !== undefined || BUTTON_NAMES.some((b) => b === t);
}
