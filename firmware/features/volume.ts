import { z } from 'zod';
import { parseInput } from './input.js';
import type { PersistentState } from '../../core/persistent-state.js';

import { MAX_VOLUME, MIN_VOLUME } from '../../cloud-link/protocol/local-feature-limits.js';

// The volume's range is the contract's (local commands set it too).
export { MAX_VOLUME, MIN_VOLUME } from '../../cloud-link/protocol/local-feature-limits.js';
/** 50%: what a shared-device reset sets the volume back to (docs/alexa-for-business.md#startdevicesync). */
export const DEFAULT_VOLUME = 5;

export const VolumeStateSchema = z.object({ level: z.number().int().min(MIN_VOLUME).max(MAX_VOLUME) });
export type VolumeState = z.infer<typeof VolumeStateSchema>;

export function defaultVolumeState(): VolumeState {
  return { level: DEFAULT_VOLUME };
}

/**
 * The persisted speaker volume, level 0..10. This is the user's chosen level; the Speaker applies it
 * and clamps it to the room profile's MaxVolumeLimit, so lowering the limit later does not lose the
 * user's choice.
 */
export class Volume {
  constructor(private readonly state: PersistentState<VolumeState>) {}

  get(): number {
    return this.state.value.level;
  }

  /** Sets the level (an integer 0..10); resolves with it once it is on flash. */
  async set(level: number): Promise<number> {
    const next = parseInput(
      z.number().int().min(MIN_VOLUME).max(MAX_VOLUME),
      level,
      'volume',
      `Give a whole level from ${MIN_VOLUME} to ${MAX_VOLUME}.`,
    );
    return this.state.update((draft) => {
      draft.level = next;
      return next;
    });
  }

  /** Reset VOLUME: back to 5 (50%). */
  async clear(): Promise<void> {
    await this.state.update((draft) => {
      draft.level = DEFAULT_VOLUME;
    });
  }

  snapshot(): VolumeState {
    return { level: this.state.value.level };
  }
}
