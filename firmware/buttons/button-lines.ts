import type { Clock, TimerHandle } from '../../core/clock.js';
import type { ButtonEdge, ButtonName } from '../../hal/buttons/types.js';

/** Default debounce time: mechanical tact switches settle within 5-10 ms; 20 ms leaves margin. */
export const DEFAULT_DEBOUNCE_MS = 20;

/** What every debouncing strategy keeps per button: the accepted level and at most one timer. */
export interface LineState {
  /** The accepted level. Every button starts released. */
  stable: boolean;
  timer: TimerHandle | undefined;
}

/**
 * The part the debouncing strategies share: one line of state per button, created on its first edge,
 * the accepted level, and timers cancelled on stop. Subclasses decide when a level is believed.
 */
export abstract class ButtonLines<L extends LineState> {
  private readonly lines = new Map<ButtonName, L>();
  protected stopped = false;

  constructor(
    protected readonly clock: Clock,
    protected readonly onStable: (e: ButtonEdge) => void,
    readonly debounceMs: number = DEFAULT_DEBOUNCE_MS,
  ) {
    if (!Number.isFinite(debounceMs) || debounceMs < 0) throw new RangeError(`debounceMs must be >= 0, got ${debounceMs}`);
  }

  /** The accepted level of `button` (false = released). */
  isPressed(button: ButtonName): boolean {
    return this.lines.get(button)?.stable ?? false;
  }

  /** Cancels pending timers; no more edges come out. */
  stop(): void {
    this.stopped = true;
    for (const line of this.lines.values()) this.disarm(line);
  }

  protected line(button: ButtonName): L {
    let line = this.lines.get(button);
    if (!line) {
      line = this.newLine();
      this.lines.set(button, line);
    }
    return line;
  }

  protected abstract newLine(): L;

  protected disarm(line: L): void {
    if (line.timer) this.clock.clearTimeout(line.timer);
    line.timer = undefined;
  }
}
