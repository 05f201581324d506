import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { A4bService } from '../../cloud-link/cloud/a4b/service.js';
import { mosquittoPasswordHash } from '../../cloud-link/broker/mosquitto-passwd.js';
import { SystemClock } from '../../core/clock.js';
import { createLogger } from '../../core/log.js';

export interface RegisterBenchResult {
  devices: number;
  /** Whether Mosquitto's `$7$` hash was computed too (an external Mosquitto's password file). */
  mosquitto: boolean;
  register_s: number;
  register_ms_per_device: number;
  /** Every device's first login check (its secret against what registration stored), all at once. */
  first_logins_s: number;
}

/**
 * What provisioning costs the cloud: RegisterDevice `devices` times in process (no HTTP, no device),
 * one after the other as the fleet's provisioning does, then each device's first login check.
 */
export async function runRegisterBench(o: { devices: number; mosquitto: boolean }): Promise<RegisterBenchResult> {
  const dir = mkdtempSync(path.join(tmpdir(), 'echosim-bench-register-'));
  const service = A4bService.open({
    dir,
    clock: new SystemClock(),
    log: createLogger('bench', 'warn'),
    ...(o.mosquitto ? { brokerPasswordHash: (secret: string) => mosquittoPasswordHash(secret) } : {}),
  });
  try {
    const secrets: Array<[string, string]> = [];
    let t = performance.now();
    for (let i = 0; i < o.devices; i++) {
      const id = `reg-${String(i).padStart(5, '0')}`;
      const { Secret } = (await service.call('RegisterDevice', { DeviceSerialNumber: id, DeviceType: 'echo-dot-3', DeviceName: id })) as { Secret: string };
      secrets.push([id, Secret]);
    }
    const registerMs = performance.now() - t;
    t = performance.now();
    const ok = await Promise.all(secrets.map(([id, secret]) => service.verifyDeviceSecret(id, secret)));
    const loginMs = performance.now() - t;
    if (ok.some((v) => !v)) throw new Error('a registered device could not log in');
    return {
      devices: o.devices,
      mosquitto: o.mosquitto,
      register_s: Math.round(registerMs / 10) / 100,
      register_ms_per_device: Math.round((registerMs / o.devices) * 100) / 100,
      first_logins_s: Math.round(loginMs / 10) / 100,
    };
  } finally {
    service.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
