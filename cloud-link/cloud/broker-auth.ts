import { readFileSync } from 'node:fs';
import type { BrokerRole } from '../broker/acl.js';
import type { Authenticate } from '../broker/broker-types.js';
import { writeMosquittoAuth, type MosquittoUser } from '../broker/mosquitto-config.js';
import { CLOUD_USERNAME, HOME_ASSISTANT_USERNAME } from '../protocol/topics.js';
import { EchosimError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import type { A4bService } from './a4b/service.js';
import type { AuthThrottle } from './auth/auth-throttle.js';
import { addressSource } from './auth/client-source.js';

/** MQTT usernames are up to 65,535 bytes; a failure record keeps at most this much of one. */
const MAX_SOURCE_USERNAME = 128;

/**
 * Who may use the broker. The embedded broker asks the registry on every CONNECT: a device logs in
 * with its serial and the secret shown once at registration (checked against its keyed hash); the
 * cloud logs in as `echosim-cloud` with the admin token; with `homeAssistant`, Home Assistant logs in
 * as `echosim-home-assistant` with its own password (cloud/home-assistant/). ACLs
 * (cloud-link/broker/acl.ts) then keep each device inside its own topics.
 *
 * Failed logins back off per username at an address, and globally (auth/auth-throttle.ts): a source
 * in back-off is refused ('throttled': CONNACK 3, retry later) before any credential is looked at.
 * Per username *at an address*, so a stranger sending a device's serial with wrong secrets from
 * elsewhere does not lock that device out.
 */
export function registryAuthenticator(service: A4bService, throttle: AuthThrottle, options: { homeAssistant?: boolean } = {}): Authenticate {
  return async (username, password, source): Promise<BrokerRole | 'throttled' | undefined> => {
    const admission = throttle.admit(`mqtt:${username.slice(0, MAX_SOURCE_USERNAME)}@${addressSource(source.remoteAddress)}`);
    if (!admission.admitted) return 'throttled';
    const role: BrokerRole = username === CLOUD_USERNAME ? 'cloud' : username === HOME_ASSISTANT_USERNAME ? 'home-assistant' : 'device';
    const verdict = (ok: boolean): 'ok' | 'denied' => (ok ? 'ok' : 'denied');
    const check =
      role === 'cloud'
        ? verdict(service.verifyAdminToken(password))
        : role === 'home-assistant'
          ? verdict(options.homeAssistant === true && service.verifyLogin('home-assistant', password))
          : await service.checkDeviceSecret(username, password);
    if (check === 'busy') {
      admission.cancel();
      return 'throttled';
    }
    if (check === 'ok') admission.succeeded();
    else admission.failed();
    return check === 'ok' ? role : undefined;
  };
}

export interface MosquittoAuthSyncOptions {
  /** Where Mosquitto's `password_file` and `acl_file` live (its config points at dir/passwd and dir/acl). */
  dir: string;
  /** Makes Mosquitto reread them: by default SIGHUP to the pid in `pidFile`. */
  reload?: () => Promise<void> | void;
  /** Mosquitto's pid_file, for the default reload. */
  pidFile?: string;
  /** Home Assistant's password (service.ensureLogin), when it has a broker user. */
  homeAssistantPassword?: string;
  log: Logger;
}

/**
 * Keeps an external Mosquitto's password and ACL files in step with the registry: every registered
 * device with its `$7$` hash (stored at registration, the only moment the secret is known), plus the
 * cloud's own login. Rewritten atomically on every registration change, then Mosquitto is told to
 * reread them (SIGHUP). Writes are serialised, so the last change always wins.
 */
export class MosquittoAuthSync {
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly service: A4bService,
    private readonly adminToken: string,
    private readonly options: MosquittoAuthSyncOptions,
  ) {}

  /** Rewrites the files and reloads the broker; resolves when done (errors are logged and rethrown). */
  sync(): Promise<void> {
    const run = this.chain.then(() => this.write());
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Resolves once every write started so far has finished (failed ones included). */
  settled(): Promise<void> {
    return this.chain;
  }

  private async write(): Promise<void> {
    const users: MosquittoUser[] = [
      { username: CLOUD_USERNAME, password: this.adminToken, role: 'cloud' },
      ...(this.options.homeAssistantPassword === undefined
        ? []
        : [{ username: HOME_ASSISTANT_USERNAME, password: this.options.homeAssistantPassword, role: 'home-assistant' as const }]),
      ...this.service.brokerUsers().map((u) => ({ username: u.username, passwordHash: u.passwordHash, role: 'device' as const })),
    ];
    await writeMosquittoAuth(this.options.dir, users);
    await this.reload();
    this.options.log.info({ users: users.length, dir: this.options.dir }, 'mosquitto password and ACL files written');
  }

  private async reload(): Promise<void> {
    if (this.options.reload) return void (await this.options.reload());
    if (!this.options.pidFile) return;
    let pid: number;
    try {
      pid = Number(readFileSync(this.options.pidFile, 'utf8').trim());
    } catch (err) {
      throw new EchosimError('MQTT_BROKER_FAILED', `cannot read Mosquitto's pid file ${this.options.pidFile}`, {
        hint: 'Set pid_file in mosquitto.conf and pass the same path, or reload Mosquitto yourself after registering devices.',
        cause: err,
      });
    }
    if (!Number.isSafeInteger(pid) || pid <= 1) {
      throw new EchosimError('MQTT_BROKER_FAILED', `${this.options.pidFile} does not hold a process id`, { hint: 'Point it at the running Mosquitto\'s pid_file.' });
    }
    process.kill(pid, 'SIGHUP');
  }
}
