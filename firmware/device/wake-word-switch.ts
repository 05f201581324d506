import { EchosimError } from '../../core/errors.js';
import type { HeadSpec, WakeWordRegistry } from '../../models/wakeword/registry.js';
import { canSwitchKeywords, type KeywordSwitching, type WakeWordEngine } from '../../models/wakeword/types.js';

/** The spotter changed its word (a room profile's WakeWord). */
export interface WakeWordChange {
  /** What it spots from now on, and the room-profile WakeWord that is. */
  readonly keywords: readonly string[];
  readonly wakeWord?: string;
  readonly previous: readonly string[];
  /** Asked for while LISTENING, and made when that request ended. */
  readonly deferred: boolean;
  readonly at: number;
}

export interface WakeWordSwitchHooks {
  /** Whether a request is being captured now (LISTENING, or a stream still open). */
  listening(): boolean;
  changed(change: WakeWordChange): void;
  now(): number;
}

/**
 * Switches the device's spotter to the word a room profile selects, without a restart. The ring
 * buffer keeps running and the spotter keeps its feature history (the features do not depend on
 * the word), so the new head is warm at once: from the next 80 ms chunk it scores the last 1.28 s.
 *
 * A switch never happens in the middle of a request: asked for while the device is LISTENING, it is
 * made when that LISTENING ends, so an open stream (its pre-roll, its wake-word indices, the word the
 * cloud verifies) belongs to one word from start to end. Two steps, so a profile can be applied all
 * or nothing: `prepare` loads the head (the step that can fail), `request` switches (cannot fail).
 */
export class WakeWordSwitch {
  private active: readonly string[];
  private pending: HeadSpec | undefined;

  constructor(
    private readonly spotter: KeywordSwitching,
    private readonly registry: WakeWordRegistry,
    private readonly hooks: WakeWordSwitchHooks,
  ) {
    this.active = [...spotter.keywords];
  }

  /** The room-profile WakeWords this device has a head for. */
  get supported(): string[] {
    return this.registry.wakeWords;
  }

  /** What the spotter runs now. */
  get keywords(): readonly string[] {
    return this.active;
  }

  /** The room-profile WakeWord the spotter runs now, when it runs exactly one word that is one. */
  get wakeWord(): string | undefined {
    return this.active.length === 1 ? this.registry.wakeWordOf(this.active[0]!) : undefined;
  }

  /** The word a switch waits to make at the end of the current request. */
  get pendingKeyword(): string | undefined {
    return this.pending?.keyword;
  }

  /** Loads the head of a WakeWord so that `request` cannot fail; WAKE_WORD_UNSUPPORTED when none covers it. */
  async prepare(wakeWord: string): Promise<HeadSpec> {
    const head = this.registry.forWakeWord(wakeWord);
    if (!head) {
      throw new EchosimError('WAKE_WORD_UNSUPPORTED', `no wake-word model covers ${wakeWord}`, {
        hint: `This device has heads for ${this.supported.join(', ') || 'no room-profile wake word'}.`,
      });
    }
    await this.spotter.loadKeywords([head]);
    return head;
  }

  /** Switches to a prepared head now, or at the end of the current request. Running it already: nothing. */
  request(head: HeadSpec): void {
    if (this.active.length === 1 && this.active[0] === head.keyword) {
      this.pending = undefined;
      return;
    }
    if (this.hooks.listening()) this.pending = head;
    else this.make(head, false);
  }

  /** The request being captured has ended: make a switch that waited for it. */
  requestEnded(): void {
    const head = this.pending;
    if (!head || this.hooks.listening()) return;
    this.pending = undefined;
    this.make(head, true);
  }

  private make(head: HeadSpec, deferred: boolean): void {
    this.spotter.useKeywords([head]);
    const previous = this.active;
    this.active = [head.keyword];
    this.hooks.changed({ keywords: this.active, ...(head.wakeWord ? { wakeWord: head.wakeWord } : {}), previous, deferred, at: this.hooks.now() });
  }
}

/** The switch for a device's engine, or undefined when it has no heads to switch to or cannot switch (Porcupine). */
export function wakeWordSwitchFor(engine: WakeWordEngine, registry: WakeWordRegistry | undefined, hooks: WakeWordSwitchHooks): WakeWordSwitch | undefined {
  return registry && canSwitchKeywords(engine) ? new WakeWordSwitch(engine, registry, hooks) : undefined;
}
