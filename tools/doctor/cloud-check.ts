import { statSync } from 'node:fs';
import { connect, type IConnackPacket } from 'mqtt';
import { describeClientError } from '../../cloud-link/mqtt/mqtt-errors.js';
import { tlsConnectOptions } from '../../cloud-link/tls/client-tls.js';
import { cloudConnection } from '../commands/device.js';
import { check, ok, type CheckResult, type DoctorContext } from './check.js';

export interface CloudTarget {
  readonly url: string;
  readonly deviceId: string;
  readonly secretFile: string;
  readonly ca?: string;
}

/** The credentials file: readable, and private (a wider mode is a warning: the secret logs the device in). */
export function checkCredentialsFile(target: CloudTarget): Promise<CheckResult> {
  const piece = 'credentials file';
  return check(piece, async () => {
    // The same reading the device does at start, so the failure says the same thing; the secret itself is never shown.
    cloudConnection({ cloud: target.url, deviceId: target.deviceId, secretFile: target.secretFile, ...(target.ca ? { ca: target.ca } : {}) }, {});
    const mode = statSync(target.secretFile).mode & 0o777;
    if ((mode & 0o077) !== 0) {
      return { piece, status: 'warn', detail: `${target.secretFile} is readable by other users (mode ${mode.toString(8).padStart(4, '0')})`, fix: `\`chmod 600 ${target.secretFile}\` and give it to the device's user` };
    }
    return ok(piece, `${target.secretFile} holds the secret of ${target.deviceId} (mode 0600)`);
  });
}

/**
 * Connects to the broker as the device, with its secret, and disconnects at the CONNACK: the broker is
 * reachable, TLS verifies, and the credentials are accepted. The session is kept (clean: false) and
 * nothing is subscribed, so what the cloud queued for the device stays queued; a running device with
 * the same id is disconnected by this and reconnects at once.
 */
export function checkBroker(target: CloudTarget, ctx: DoctorContext): Promise<CheckResult> {
  const piece = 'cloud broker';
  return check(piece, async () => {
    const conn = cloudConnection({ cloud: target.url, deviceId: target.deviceId, secretFile: target.secretFile, ...(target.ca ? { ca: target.ca } : {}) }, {});
    if (!conn) throw new Error('no cloud configured');
    const { secret, tls } = conn;
    const client = connect(target.url, {
      ...tlsConnectOptions(tls),
      protocolVersion: 4,
      clientId: target.deviceId,
      username: target.deviceId,
      password: secret,
      clean: false,
      reconnectPeriod: 0,
      connectTimeout: ctx.timeoutMs,
    });
    try {
      await new Promise<IConnackPacket>((resolve, reject) => {
        client.once('connect', resolve);
        client.once('error', reject);
        client.once('close', () => reject(Object.assign(new Error('the connection closed before the broker answered'), { code: 'ECONNRESET' })));
      });
    } catch (err) {
      throw describeClientError(err as Error & { code?: unknown }, target.url, target.deviceId, tls?.caSource);
    } finally {
      await client.endAsync(true).catch(() => undefined);
    }
    return ok(piece, `${target.url} accepted ${target.deviceId}'s credentials${tls ? ' over verified TLS' : ''}`);
  });
}
