import { z } from 'zod';
import { notFound, parseInput } from './input.js';
import type { PersistentState } from '../../core/persistent-state.js';

/** Echo devices remember a bounded number of paired devices; the least recently used one is dropped. */
export const MAX_BLUETOOTH_HISTORY = 16;

/** A Bluetooth device address (EUI-48), six colon-separated hex octets; stored upper case. */
export const BLUETOOTH_ADDRESS = /^[0-9A-F]{2}(:[0-9A-F]{2}){5}$/;

const BluetoothDeviceSchema = z.object({
  address: z.string().regex(BLUETOOTH_ADDRESS),
  name: z.string(),
  pairedAt: z.number().finite(),
  lastConnectedAt: z.number().finite().nullable(),
});
export type BluetoothDevice = z.infer<typeof BluetoothDeviceSchema>;

export const BluetoothStateSchema = z.object({
  /** Address of the connected device, if any; always one of `history`. */
  connected: z.string().nullable(),
  /** Paired devices, most recently paired or connected first. */
  history: z.array(BluetoothDeviceSchema).max(MAX_BLUETOOTH_HISTORY),
});
export type BluetoothState = z.infer<typeof BluetoothStateSchema>;

export function defaultBluetoothState(): BluetoothState {
  return { connected: null, history: [] };
}

const AddressSchema = z
  .string()
  .trim()
  .transform((s) => s.toUpperCase())
  .pipe(z.string().regex(BLUETOOTH_ADDRESS, 'address must look like AA:BB:CC:DD:EE:FF'));

/** Bluetooth names are at most 248 bytes of UTF-8 (Core spec, Local Name). */
const NameSchema = z
  .string()
  .trim()
  .min(1)
  .refine((s) => Buffer.byteLength(s, 'utf8') <= 248, 'name must be at most 248 bytes of UTF-8');

const ADDRESS_HINT = 'Give the address as AA:BB:CC:DD:EE:FF.';

/**
 * Bluetooth pairing history with a simulated radio: there is nothing to scan, so pairing is the
 * caller's word that a device with this address and name paired. What matters for a shared device is
 * the history (a reset must clear it, docs/alexa-for-business.md#startdevicesync) and which device is connected.
 */
export class Bluetooth {
  constructor(
    private readonly state: PersistentState<BluetoothState>,
    private readonly wallNow: () => number,
  ) {}

  /**
   * Records a pairing (re-pairing a known address renames it and moves it to the front). When the
   * history is full the least recently used device is dropped, and disconnected if it was connected.
   */
  async pair(device: { address: string; name: string }): Promise<BluetoothDevice> {
    const input = parseInput(
      z.strictObject({ address: AddressSchema, name: NameSchema }),
      device,
      'bluetooth device',
      `${ADDRESS_HINT} The name must not be blank.`,
    );
    const now = this.wallNow();
    return this.state.update((draft) => {
      const known = draft.history.find((d) => d.address === input.address);
      const entry: BluetoothDevice = { address: input.address, name: input.name, pairedAt: now, lastConnectedAt: known?.lastConnectedAt ?? null };
      draft.history = [entry, ...draft.history.filter((d) => d.address !== input.address)].slice(0, MAX_BLUETOOTH_HISTORY);
      if (draft.connected !== null && !draft.history.some((d) => d.address === draft.connected)) draft.connected = null;
      return structuredClone(entry);
    });
  }

  /** Connects a paired device (any other connection is dropped: one audio sink at a time). */
  async connect(address: string): Promise<BluetoothDevice> {
    const addr = parseInput(AddressSchema, address, 'bluetooth address', ADDRESS_HINT);
    const now = this.wallNow();
    return this.state.update((draft) => {
      const known = draft.history.find((d) => d.address === addr);
      if (!known) throw notFound('paired bluetooth device', addr, 'Pair it first (pair()); see history().');
      known.lastConnectedAt = now;
      draft.history = [known, ...draft.history.filter((d) => d !== known)];
      draft.connected = addr;
      return structuredClone(known);
    });
  }

  /** Drops the connection; resolves with the device that was connected, or null if none was. */
  async disconnect(): Promise<BluetoothDevice | null> {
    return this.state.update((draft) => {
      const was = draft.history.find((d) => d.address === draft.connected) ?? null;
      draft.connected = null;
      return was && structuredClone(was);
    });
  }

  /** Removes a device from the history (disconnecting it first if needed); resolves with it as it was. */
  async forget(address: string): Promise<BluetoothDevice> {
    const addr = parseInput(AddressSchema, address, 'bluetooth address', ADDRESS_HINT);
    return this.state.update((draft) => {
      const known = draft.history.find((d) => d.address === addr);
      if (!known) throw notFound('paired bluetooth device', addr, 'See history() for the paired devices.');
      draft.history = draft.history.filter((d) => d !== known);
      if (draft.connected === addr) draft.connected = null;
      return structuredClone(known);
    });
  }

  /** Paired devices, most recent first. */
  history(): BluetoothDevice[] {
    return structuredClone(this.state.value.history);
  }

  /** The connected device, or null. */
  connected(): BluetoothDevice | null {
    const { connected, history } = this.state.value;
    const device = history.find((d) => d.address === connected);
    return device ? structuredClone(device) : null;
  }

  /** Reset BLUETOOTH: disconnects and forgets every device. */
  async clear(): Promise<void> {
    await this.state.update((draft) => {
      draft.connected = null;
      draft.history = [];
    });
  }

  snapshot(): BluetoothState {
    return structuredClone(this.state.value);
  }
}
