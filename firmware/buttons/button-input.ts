import type { Clock } from '../../core/clock.js';
import type { ButtonEdge } from '../../hal/buttons/types.js';
import { DEFAULT_DEBOUNCE_MS } from './button-lines.js';
import { Debouncer } from './debouncer.js';
import { LeadingDebouncer } from './leading-debouncer.js';
import { ButtonRecognizer, type PressRecognizerOptions } from './press-recognizer.js';

export interface ButtonInputOptions extends PressRecognizerOptions {
  /** Stable time before a level change is believed (stable) or lock after one (leading). Default 20 ms. */
  readonly debounceMs?: number;
  /**
   * `leading` (default): act at the first edge, then ignore the bounce; presses take effect at the
   * instant they happen. `stable`: believe a level only once it has held for debounceMs.
   */
  readonly debounce?: 'leading' | 'stable';
}

/**
 * The device's button input: raw edges from any ButtonDriver in, gestures out (the ButtonRecognizer
 * events: down, up, click, hold). Wire a driver with `driver.start((e) => input.edge(e))`.
 */
export class ButtonInput extends ButtonRecognizer {
  private readonly debouncer: Debouncer | LeadingDebouncer;

  constructor(clock: Clock, options: ButtonInputOptions = {}) {
    super(clock, options);
    const ms = options.debounceMs ?? DEFAULT_DEBOUNCE_MS;
    this.debouncer =
      options.debounce === 'stable' ? new Debouncer(clock, (e) => super.edge(e), ms) : new LeadingDebouncer(clock, (e) => super.edge(e), ms);
  }

  /** Feeds one raw (possibly bouncing) edge. */
  override edge(e: ButtonEdge): void {
    this.debouncer.edge(e);
  }

  override stop(): void {
    this.debouncer.stop();
    super.stop();
  }
}
