import { StringDecoder } from 'node:string_decoder';
import type { Clock, TimerHandle } from '../../core/clock.js';
import { rootLogger, type Logger } from '../../core/log.js';
import { resolveButton } from './names.js';
import type { ButtonDriver, ButtonEdge, ButtonName } from './types.js';

/** What a key does: press a button, or quit. */
export type KeyAction = { readonly button: ButtonName } | { readonly quit: true };

/** The stream keys come from: a TTY (raw mode is used) or any readable (a pipe, a test's PassThrough). */
export interface KeyInput extends NodeJS.ReadableStream {
  readonly isTTY?: boolean;
  readonly isRaw?: boolean;
  setRawMode?(mode: boolean): unknown;
}

export interface KeyboardButtonsOptions {
  /** The model's buttons; keys for buttons it lacks are ignored (`c` on an Echo). */
  readonly buttons: readonly ButtonName[];
  readonly clock: Clock;
  /** Default process.stdin. */
  readonly input?: KeyInput;
  /**
   * Called on `q` or Ctrl-C. Default: raise SIGINT on this process, which is what Ctrl-C would have
   * done had raw mode not swallowed it.
   */
  readonly onQuit?: () => void;
  /** How long a key press holds its button down, ms. Default 100. */
  readonly clickMs?: number;
  readonly logger?: Logger;
}

const KEYS: Readonly<Record<string, string>> = {
  m: 'mic-off',
  a: 'action',
  ' ': 'action',
  c: 'call',
  '+': 'volume-up',
  '=': 'volume-up',
  '-': 'volume-down',
};

/**
 * The action of one key for a model with `buttons`: m mic-off (mute on a Trio), a or space action,
 * c call, + or = volume-up (= is + without shift), - volume-down, q or Ctrl-C quit. Letters are
 * case-insensitive so Caps Lock does not get in the way. Undefined for any other key.
 */
export function keyAction(key: string, buttons: readonly ButtonName[]): KeyAction | undefined {
  if (key === '\u0003' || key === 'q' || key === 'Q') return { quit: true };
  const name = KEYS[key.toLowerCase()];
  const button = name === undefined ? undefined : resolveButton(name, buttons);
  return button === undefined ? undefined : { button };
}

/**
 * Buttons on the keyboard, for a developer at a terminal. Each key is a click: the button goes down
 * when the key arrives and up `clickMs` later on the Clock. Terminal auto-repeat of a held key
 * arrives as more of the same key while the button is still down; each one pushes the release back,
 * so holding a key (after the terminal's repeat delay) holds the button, which is enough to reach
 * the setup-mode hold by hand.
 *
 * On a TTY the input is put in raw mode (keys arrive one by one, unechoed, without Enter) and
 * restored to its previous mode on close; Ctrl-C then arrives as a key, hence `onQuit`. Any other
 * readable works too (keys arrive as they are written). Escape sequences (arrow and function keys)
 * are skipped whole so their letters do not press buttons.
 */
export class KeyboardButtons implements ButtonDriver {
  private readonly input: KeyInput;
  private readonly clickMs: number;
  private readonly log: Logger;
  private readonly releases = new Map<ButtonName, TimerHandle>();
  private readonly decoder = new StringDecoder('utf8');
  private onEdge: ((e: ButtonEdge) => void) | undefined;
  private wasRaw: boolean | undefined;
  private inEscape: 'start' | 'csi' | undefined;
  private readonly onData = (chunk: Buffer | string): void => {
    this.keys(typeof chunk === 'string' ? chunk : this.decoder.write(chunk));
  };

  constructor(private readonly options: KeyboardButtonsOptions) {
    this.input = options.input ?? process.stdin;
    this.clickMs = options.clickMs ?? 100;
    this.log = options.logger ?? rootLogger().child({ module: 'hal/buttons/keyboard' });
  }

  start(onEdge: (e: ButtonEdge) => void): void {
    if (this.onEdge) throw new Error('KeyboardButtons.start() was already called');
    this.onEdge = onEdge;
    if (this.input.isTTY && typeof this.input.setRawMode === 'function') {
      this.wasRaw = this.input.isRaw ?? false;
      this.input.setRawMode(true);
    }
    this.input.on('data', this.onData);
    this.input.resume();
  }

  async close(): Promise<void> {
    if (!this.onEdge) return;
    this.input.off('data', this.onData);
    for (const t of this.releases.values()) this.options.clock.clearTimeout(t);
    this.releases.clear();
    if (this.wasRaw !== undefined) this.input.setRawMode?.(this.wasRaw);
    this.wasRaw = undefined;
    // Without this a paused-then-resumed process.stdin keeps the process alive after close.
    this.input.pause();
    this.onEdge = undefined;
  }

  private keys(text: string): void {
    for (const key of text) {
      if (this.skipEscape(key)) continue;
      const action = keyAction(key, this.options.buttons);
      if (!action) {
        this.log.debug({ key }, 'key does nothing on this model');
      } else if ('quit' in action) {
        (this.options.onQuit ?? (() => process.kill(process.pid, 'SIGINT')))();
      } else {
        this.click(action.button);
      }
    }
  }

  /** True while `key` is part of an escape sequence (ESC, then `[` or `O`, then up to a final byte). */
  private skipEscape(key: string): boolean {
    if (key === '\u001b') {
      this.inEscape = 'start';
      return true;
    }
    if (this.inEscape === 'start') {
      this.inEscape = key === '[' || key === 'O' ? 'csi' : undefined;
      return true;
    }
    if (this.inEscape === 'csi') {
      const c = key.charCodeAt(0);
      if (c >= 0x40 && c <= 0x7e) this.inEscape = undefined;
      return true;
    }
    return false;
  }

  private click(button: ButtonName): void {
    const clock = this.options.clock;
    const held = this.releases.get(button);
    if (held) {
      clock.clearTimeout(held);
    } else {
      this.onEdge?.({ button, pressed: true, at: clock.now() });
    }
    this.releases.set(
      button,
      clock.setTimeout(() => {
        this.releases.delete(button);
        this.onEdge?.({ button, pressed: false, at: clock.now() });
      }, this.clickMs),
    );
  }
}
