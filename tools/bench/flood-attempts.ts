import { randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import { connect as tcpConnect } from 'node:net';
import { MqttClient } from 'mqtt';
import { AMZ_JSON_CONTENT_TYPE } from '../../cloud-link/cloud/http/aws-json.js';
import { A4B_TARGET_PREFIX } from '../../cloud-link/cloud/http/operations.js';

/**
 * One wrong-credential attempt each, as an attacker would make them: an API call with a wrong bearer
 * token, or an MQTT CONNECT with a wrong device secret. Each resolves to what came back (`401`,
 * `429`, `connack 5`, `connack 3`, `error ECONNRESET`...), never rejects.
 */
export type Attempt = (localAddress: string) => Promise<string>;

const ATTEMPT_LIMIT_MS = 30_000;

/** A wrong secret of the real ones' shape (32 random bytes, base64url). */
export function wrongSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** Wrong bearer tokens on SearchDevices; `agents` keeps connections alive per local address. */
export function httpAttempt(apiUrl: string, agents: Map<string, Agent>, maxSockets: number): Attempt {
  const url = new URL(apiUrl);
  return (localAddress) =>
    new Promise((resolve) => {
      let agent = agents.get(localAddress);
      if (!agent) agents.set(localAddress, (agent = new Agent({ keepAlive: true, maxSockets })));
      const body = '{}';
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          path: '/',
          method: 'POST',
          agent,
          localAddress,
          timeout: ATTEMPT_LIMIT_MS,
          headers: {
            'Content-Type': AMZ_JSON_CONTENT_TYPE,
            'Content-Length': Buffer.byteLength(body),
            'X-Amz-Target': `${A4B_TARGET_PREFIX}SearchDevices`,
            Authorization: `Bearer ${wrongSecret()}`,
          },
        },
        (res) => {
          res.resume();
          res.once('end', () => resolve(String(res.statusCode)));
          res.once('error', (err: NodeJS.ErrnoException) => resolve(`error ${err.code ?? err.message}`));
        },
      );
      req.once('timeout', () => req.destroy(new Error('timeout')));
      req.once('error', (err: NodeJS.ErrnoException) => resolve(`error ${err.code ?? err.message}`));
      req.end(body);
    });
}

/** MQTT CONNECTs as `username` with a wrong secret, each on a new connection (mqtt.js, no reconnect). */
export function mqttAttempt(mqttUrl: string, username: () => string): Attempt {
  return (localAddress) => mqttConnect(mqttUrl, username(), wrongSecret(), localAddress);
}

/** One CONNECT on a new connection; resolves to `connack <code>` (0: logged in) or what failed. */
export function mqttConnect(mqttUrl: string, username: string, password: string, localAddress: string): Promise<string> {
  const url = new URL(mqttUrl);
  return new Promise((resolve) => {
    const client = new MqttClient(() => tcpConnect({ host: url.hostname, port: Number(url.port || 1883), localAddress }), {
      clientId: username,
      username,
      password,
      protocolVersion: 4,
      reconnectPeriod: 0,
      connectTimeout: ATTEMPT_LIMIT_MS,
      clean: true,
    });
    let outcome: string | undefined;
    const done = (what: string): void => {
      outcome ??= what;
      client.end(true, {}, () => resolve(outcome!));
    };
    client.once('connect', () => done('connack 0'));
    client.once('error', (err: Error & { code?: unknown }) => done(typeof err.code === 'number' ? `connack ${err.code}` : `error ${String(err.code ?? err.message)}`));
    client.once('close', () => done('closed'));
  });
}
