/**
 * A tiny in-memory A4bBackend for the HTTP server and CLI tests: enough behaviour (names in use, not
 * found, a crash, device search) to exercise routing and error mapping, and it records every call so
 * tests can check exactly what reached the service.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { A4bError } from '../../../../cloud-link/cloud/a4b/errors.js';
import type { A4bBackend } from '../../../../cloud-link/cloud/http/backend.js';

export const ADMIN_TOKEN = 'test-admin-token-5f2c9e';
const ARN = 'arn:aws:a4b:local:000000000000';

export class TestBackend implements A4bBackend {
  readonly calls: Array<{ operation: string; input: unknown }> = [];
  readonly profiles = new Map<string, Record<string, unknown>>();
  readonly networkProfiles = new Map<string, Record<string, unknown>>();
  readonly devices: Array<{ DeviceArn: string; DeviceSerialNumber: string; DeviceName: string }> = [
    { DeviceArn: `${ARN}:device/dev-1`, DeviceSerialNumber: 'ECHO-0001', DeviceName: 'Lobby' },
    { DeviceArn: `${ARN}:device/dev-2`, DeviceSerialNumber: 'ECHO-0002', DeviceName: 'Board room' },
  ];
  /** Set to a promise to hold every call until it settles (in-flight tests). */
  gate: Promise<void> | undefined;
  private arrivals: Array<() => void> = [];

  /** Resolves when the next call reaches the backend. */
  nextCall(): Promise<void> {
    return new Promise((resolve) => this.arrivals.push(resolve));
  }

  verifyAdminToken(token: string): boolean {
    const a = createHash('sha256').update(token).digest();
    const b = createHash('sha256').update(ADMIN_TOKEN).digest();
    return timingSafeEqual(a, b);
  }

  async call(operation: string, input: unknown): Promise<unknown> {
    this.calls.push({ operation, input });
    for (const resolve of this.arrivals.splice(0)) resolve();
    if (this.gate) await this.gate;
    const req = input as Record<string, unknown>;
    switch (operation) {
      case 'CreateProfile': {
        if (typeof req.ProfileName !== 'string') throw new A4bError('ValidationException', 'ProfileName: expected a string');
        if ([...this.profiles.values()].some((p) => p.ProfileName === req.ProfileName)) {
          throw new A4bError('NameInUseException', `A profile named ${req.ProfileName} already exists`);
        }
        const arn = `${ARN}:profile/p-${this.profiles.size + 1}`;
        // like the service, the idempotency token is not part of the profile
        const { ClientRequestToken: _token, ...profile } = req;
        this.profiles.set(arn, { ...profile, ProfileArn: arn });
        return { ProfileArn: arn };
      }
      case 'GetProfile': {
        const p = this.profiles.get(String(req.ProfileArn));
        if (!p) throw new A4bError('NotFoundException', `Profile ${String(req.ProfileArn)} not found`);
        return { Profile: p };
      }
      case 'SearchProfiles':
        return { Profiles: [...this.profiles.values()], TotalCount: this.profiles.size };
      case 'CreateNetworkProfile': {
        const arn = `${ARN}:network-profile/n-${this.networkProfiles.size + 1}`;
        const { ClientRequestToken: _token, ...profile } = req;
        this.networkProfiles.set(arn, { ...profile, NetworkProfileArn: arn });
        return { NetworkProfileArn: arn };
      }
      case 'SearchDevices': {
        const filter = (req.Filters as Array<{ Key: string; Values: string[] }> | undefined)?.find((f) => f.Key === 'DeviceSerialNumber');
        const devices = filter ? this.devices.filter((d) => filter.Values.includes(d.DeviceSerialNumber)) : this.devices;
        return { Devices: devices, TotalCount: devices.length };
      }
      case 'FlashDevice': {
        if (!this.devices.some((d) => d.DeviceArn === req.DeviceArn)) throw new A4bError('NotFoundException', `Device ${String(req.DeviceArn)} not found`);
        return { DeviceArn: req.DeviceArn, DesiredVersion: 4 };
      }
      case 'DeleteProfile':
        throw new A4bError('ResourceInUseException', 'The profile is used by 2 rooms');
      case 'GetDevice':
        throw new Error('SQLITE_CORRUPT: database disk image is malformed');
      default:
        throw new A4bError('UnknownOperationException', `TestBackend does not implement ${operation}`);
    }
  }
}
