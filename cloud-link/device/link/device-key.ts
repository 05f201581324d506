import { z } from 'zod';
import type { Clock } from '../../../core/clock.js';
import { EchosimError } from '../../../core/errors.js';
import type { Logger } from '../../../core/log.js';
import type { PersistentState } from '../../../core/persistent-state.js';
import { DesiredSecretsSchema, type DesiredSecrets } from '../../protocol/desired-secrets.js';
import { devicePrivateKey, generateDeviceKeyPair, openSecrets, type DeviceKeyPair, type SealBinding } from '../../protocol/sealed-secrets.js';

/**
 * The device's X25519 key pair for secrets sealed end to end (cloud-link/protocol/sealed-secrets.ts):
 * the public half goes with every shadow/get, the cloud seals the answer's passwords to it, and only
 * this device can open them. It lives in the link's private flash store (`device-key`, mode 0600 in
 * a 0700 directory), next to the applied profile whose passwords it protects in transit.
 *
 * Made once, on the first boot, and made anew (rotation) when:
 * - the store is unreadable or holds halves that do not belong together (corruption): the device
 *   cannot open anything sealed to the lost key, so it takes a new one rather than fail forever;
 * - StartDeviceSync resets NETWORK_PROFILE (or ALL): the network secrets are re-sent from the cloud,
 *   sealed to the new key.
 * The cloud keeps no device keys (each request carries its own), so a rotation needs no
 * coordination: the next shadow/get carries the new key. An answer still queued for the old key
 * (a persistent session delivering it after the rotation) fails to open; the device drops it and asks
 * again.
 */

const KeySchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/);

export const DeviceKeyStateSchema = z.object({
  key: z.object({ privateKey: KeySchema, publicKey: KeySchema, createdAt: z.int().min(0) }).nullable(),
});
export type DeviceKeyState = z.infer<typeof DeviceKeyStateSchema>;

export class DeviceKey {
  private constructor(
    private readonly state: PersistentState<DeviceKeyState>,
    private readonly clock: Clock,
    private readonly log: Logger,
    private pair: DeviceKeyPair,
  ) {}

  /** The stored pair, or a new one (first boot, damaged store). */
  static async open(state: PersistentState<DeviceKeyState>, clock: Clock, log: Logger): Promise<DeviceKey> {
    const stored = state.value.key;
    if (stored) {
      try {
        devicePrivateKey(stored);
        return new DeviceKey(state, clock, log, { privateKey: stored.privateKey, publicKey: stored.publicKey });
      } catch (err) {
        log.warn({ code: (err as EchosimError).code }, 'device key unusable: making a new one');
      }
    }
    const key = new DeviceKey(state, clock, log, generateDeviceKeyPair());
    await key.save(stored ? 'the stored key was unusable' : 'first boot');
    return key;
  }

  /** The public half (32 bytes, base64url), sent with every shadow/get. */
  get publicKey(): string {
    return this.pair.publicKey;
  }

  /** Makes a new pair and keeps it; the old one can open nothing any more. */
  async rotate(reason: string): Promise<void> {
    this.pair = generateDeviceKeyPair();
    await this.save(reason);
  }

  /**
   * Opens the secrets of a shadow/get/accepted sealed to this device for the message `binding`
   * describes. Throws SEALED_SECRETS_UNREADABLE when they were sealed to another key or message.
   */
  openSecrets(sealed: unknown, binding: SealBinding): DesiredSecrets {
    const value = openSecrets(sealed, this.pair, binding);
    const parsed = DesiredSecretsSchema.safeParse(value);
    if (!parsed.success) {
      throw new EchosimError('SEALED_SECRETS_UNREADABLE', 'the sealed secrets opened but are not secret fields of a desired state', {
        hint: 'The cloud speaks another protocol version; update the device or the cloud.',
      });
    }
    return parsed.data;
  }

  /**
   * Writes the pair to flash. A failed write keeps the pair for this boot (the device must still
   * reach its network); the next boot makes another one and the cloud follows, it keeps no keys.
   */
  private async save(reason: string): Promise<void> {
    const key = { ...this.pair, createdAt: Math.round(this.clock.wallNow()) };
    try {
      await this.state.update((draft) => {
        draft.key = key;
      });
      this.log.info({ reason }, 'device key pair made');
    } catch (err) {
      this.log.warn({ reason, err: (err as Error).message }, 'device key pair made but not kept on flash; it lasts until the next boot');
    }
  }
}
