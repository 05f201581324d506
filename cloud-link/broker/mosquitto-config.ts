import { mkdir, open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { EchosimError } from '../../core/errors.js';
import { ensurePrivateDirAsync } from '../../core/private-files.js';
import { TOPIC_SPECS } from '../protocol/topics.js';
import { HOME_ASSISTANT_ROOT } from '../protocol/home-assistant-topics.js';
import { DEVICES_ROOT, TOPIC_ROOT, isValidDeviceId, type BrokerRole } from './acl.js';
import { homeAssistantAclLines } from './home-assistant-acl.js';
import { mosquittoPasswordHash } from './mosquitto-passwd.js';
import { CLOUD_MAX_PACKET_BYTES } from './packet-limits.js';

/**
 * The files a Mosquitto 2.0 broker needs to enforce the same rules as the embedded broker
 * (embedded-broker.ts, acl.ts):
 *
 * - `passwd`: one `username:$7$...` line per user (mosquitto-passwd.ts), no anonymous access;
 * - `acl`: `pattern read echosim/v1/devices/%u/#` (every device reads its own subtree; Mosquitto
 *   substitutes the authenticated username for `%u`) and one `pattern write` per topic the protocol
 *   lets a device publish (protocol/topics.ts), plus `topic readwrite echosim/v1/#` for each cloud
 *   user, and the narrow lines of home-assistant-acl.ts for Home Assistant's user. Writing only protocol topics means every message a device can get stored is one the cloud
 *   subscribes to, so the cloud sees (and clears) any retained message a device leaves outside
 *   availability (cloud/mqtt/stray-retained.ts): Mosquitto has no per-topic retain setting;
 * - `mosquitto.conf`: the listener, `allow_anonymous false`, both files, and
 *   `use_username_as_clientid true`, which binds every session to its username. Without it, device B
 *   connecting with clientId "A" and its own credentials takes over A's persistent session: the ACL
 *   keeps A's messages from reaching B, but they are gone for A too (measured on Mosquitto 2.0.11).
 *   The embedded broker refuses such a CONNECT instead; either way one username is one session, so
 *   every concurrent cloud connection needs its own cloud user.
 *
 * Mosquitto 2.0 checks a subscription against the ACL only when it delivers, so a device may
 * SUBSCRIBE to another device's topics and gets a SUBACK, but nothing is ever delivered on it; a
 * denied PUBLISH is PUBACKed and dropped. The embedded broker refuses the subscription (SUBACK 0x80)
 * and closes the connection of a client that publishes outside its ACL. A device learns nothing of
 * another device's traffic on either broker.
 *
 * Limits (the embedded broker's are in packet-limits.ts and queue-limit.ts): `max_packet_size` is
 * broker-wide in Mosquitto, so it is the cloud's (the largest any client needs), checked from the
 * fixed header before the body is read; `max_queued_messages` / `max_queued_bytes` cap what is kept
 * per client; `memory_limit` is the last resort for the whole broker (a publish that would pass it is
 * dropped and its sender disconnected).
 *
 * Mosquitto rereads `passwd` and `acl` on SIGHUP, so a cloud that registers a device rewrites them
 * with writeMosquittoAuth and signals the broker.
 */
export interface MosquittoUser {
  username: string;
  /** The plain password (hashed when the file is written), or: */
  password?: string;
  /** a hash already in Mosquitto's `$7$` format (the cloud stores one per device at registration). */
  passwordHash?: string;
  role: BrokerRole;
}

export interface MosquittoAuthFiles {
  passwordFile: string;
  aclFile: string;
}

export interface MosquittoConfigOptions extends MosquittoAuthFiles {
  /** TCP port of the listener (Mosquitto cannot report an ephemeral one: pick a free port). */
  port: number;
  /** Interface to listen on; default 127.0.0.1. */
  host?: string;
  /**
   * Where to keep sessions and queued QoS 1 messages across restarts (written on a clean shutdown
   * and every `autosaveIntervalSeconds`); omitted: in memory only, lost on restart.
   */
  persistenceDir?: string;
  /** Default 60 s. A SIGKILL loses what changed since the last save; SIGTERM saves everything. */
  autosaveIntervalSeconds?: number;
  /**
   * Mosquitto started as root switches to the `mosquitto` user, which cannot read files made by
   * another user with mode 0600. Name the user to stay as (e.g. root in a container).
   */
  runAsUser?: string;
  /** QoS 1 messages kept per offline session; default 1000 (Mosquitto's). */
  maxQueuedMessages?: number;
  /** Payload bytes kept per session; default 32 MiB (as the embedded broker). */
  maxQueuedBytes?: number;
  /** Largest packet any client may send, fixed header included; default the cloud's (packet-limits.ts). */
  maxPacketBytes?: number;
  /** Heap the whole broker may use, bytes; default 1 GiB. */
  memoryLimitBytes?: number;
  /**
   * Make the listener `mqtts://`: the server certificate and key it presents (e.g. the cloud's,
   * `<data dir>/tls/server.pem` and `server-key.pem`) and the CA that signed it; TLS 1.2 minimum.
   * Mosquitto reads the files as the user it runs as (see runAsUser).
   */
  tls?: MosquittoTlsFiles;
}

export interface MosquittoTlsFiles {
  cafile: string;
  certfile: string;
  keyfile: string;
}

export const DEFAULT_MOSQUITTO_MAX_QUEUED_BYTES = 32 * 1024 * 1024;
export const DEFAULT_MOSQUITTO_MEMORY_LIMIT_BYTES = 1024 * 1024 * 1024;

const FILE_MODE = 0o600;

function invalid(message: string, hint: string, details?: Record<string, unknown>): EchosimError {
  return new EchosimError('MQTT_ACL_CONFIG_INVALID', message, { hint, ...(details ? { details } : {}) });
}

/** A username Mosquitto's files can carry unambiguously, and that fits its role. */
function checkUser(user: MosquittoUser): void {
  if (user.role === 'device' && !isValidDeviceId(user.username)) {
    throw invalid(`device username "${user.username}" is not a device id`, 'Device ids are 1-64 characters of A-Z a-z 0-9 _ -.', {
      username: user.username,
    });
  }
  if (user.role !== 'device' && !/^[A-Za-z0-9_.-]{1,64}$/.test(user.username)) {
    throw invalid(`${user.role} username "${user.username}" cannot be written to a Mosquitto password file`, 'Use 1-64 characters of A-Z a-z 0-9 _ . -.', {
      username: user.username,
    });
  }
  if ((user.password === undefined) === (user.passwordHash === undefined)) {
    throw invalid(`user "${user.username}" needs exactly one of password or passwordHash`, 'Give the plain password, or the $7$ hash stored at registration.', {
      username: user.username,
    });
  }
  if (user.password !== undefined && (user.password.length === 0 || /[\r\n]/.test(user.password))) {
    throw invalid(`the password of "${user.username}" is empty or contains a line break`, 'Use a generated secret of printable characters.', {
      username: user.username,
    });
  }
  if (user.passwordHash !== undefined && !/^\$7\$[0-9]+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/.test(user.passwordHash)) {
    throw invalid(`the password hash of "${user.username}" is not a Mosquitto $7$ hash`, 'Store hashes made by mosquittoPasswordHash (or mosquitto_passwd).', {
      username: user.username,
    });
  }
}

function checkUsers(users: readonly MosquittoUser[]): void {
  const seen = new Set<string>();
  for (const user of users) {
    checkUser(user);
    if (seen.has(user.username)) {
      throw invalid(`username "${user.username}" appears twice`, 'Each device and cloud user needs exactly one entry.');
    }
    seen.add(user.username);
  }
}

/** The password file's text (fresh salts every time, like mosquitto_passwd). */
export function renderPasswordFile(users: readonly MosquittoUser[]): string {
  checkUsers(users);
  return users.map((u) => `${u.username}:${u.passwordHash ?? mosquittoPasswordHash(u.password ?? '')}\n`).join('');
}

/**
 * The ACL file's text. `pattern` lines apply to every authenticated user wherever they appear;
 * `topic` lines apply to the `user` line above them. A cloud user also matches the pattern for its
 * own name, which is harmless: no device can have a cloud username.
 */
export function renderAclFile(users: readonly MosquittoUser[]): string {
  checkUsers(users);
  const lines = [
    '# Written by echosim (cloud-link/broker/mosquitto-config.ts); rewritten on every device registration.',
    '# Every device: only its own topics, and writes only to the ones the protocol lets it publish.',
    '# %u is the authenticated username (= the device id).',
    `pattern read ${DEVICES_ROOT}/%u/#`,
    ...devicePublishedPatterns().map((p) => `pattern write ${DEVICES_ROOT}/%u/${p}`),
  ];
  for (const u of users.filter((x) => x.role === 'cloud')) {
    lines.push('', `user ${u.username}`, `topic readwrite ${TOPIC_ROOT}/#`, `topic readwrite ${HOME_ASSISTANT_ROOT}/#`);
  }
  for (const u of users.filter((x) => x.role === 'home-assistant')) {
    lines.push('', '# Home Assistant (home-assistant-acl.ts): discovery, state and availability; writes only its status and commands.', ...homeAssistantAclLines(u.username));
  }
  return `${lines.join('\n')}\n`;
}

/** The topics below a device's root it may publish on, job and utterance ids as `+`. */
function devicePublishedPatterns(): string[] {
  return TOPIC_SPECS.filter((spec) => spec.publisher === 'device').map((spec) => spec.pattern.replace(/\{jobId\}|\{n\}/g, '+'));
}

/** A positive whole number of bytes or messages for mosquitto.conf. */
function checkCount(value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value < 1) throw invalid(`${what} ${value} is not a positive whole number`, `Give ${what} as a positive integer.`);
  return value;
}

function checkPath(p: string, what: string): string {
  if (/\s/.test(p)) {
    throw invalid(`the ${what} path "${p}" contains whitespace, which mosquitto.conf cannot carry`, 'Use a directory without spaces.');
  }
  return path.resolve(p);
}

/** The mosquitto.conf text for one listener with the echosim rules. */
export function renderMosquittoConfig(options: MosquittoConfigOptions): string {
  const host = options.host ?? '127.0.0.1';
  if (!Number.isInteger(options.port) || options.port < 1 || options.port > 65535) {
    throw invalid(`port ${options.port} is not a TCP port`, 'Pick a free port between 1 and 65535 (Mosquitto cannot use port 0).');
  }
  const lines = [
    '# Written by echosim (cloud-link/broker/mosquitto-config.ts).',
    'per_listener_settings false',
    'allow_anonymous false',
    `password_file ${checkPath(options.passwordFile, 'password file')}`,
    `acl_file ${checkPath(options.aclFile, 'ACL file')}`,
    '# Limits (packet-limits.ts): one client cannot make the broker hold more than this.',
    `max_packet_size ${checkCount(options.maxPacketBytes ?? CLOUD_MAX_PACKET_BYTES, 'max_packet_size')}`,
    `max_queued_messages ${checkCount(options.maxQueuedMessages ?? 1000, 'max_queued_messages')}`,
    `max_queued_bytes ${checkCount(options.maxQueuedBytes ?? DEFAULT_MOSQUITTO_MAX_QUEUED_BYTES, 'max_queued_bytes')}`,
    `memory_limit ${checkCount(options.memoryLimitBytes ?? DEFAULT_MOSQUITTO_MEMORY_LIMIT_BYTES, 'memory_limit')}`,
    // Listener options must follow their `listener` line: before it they would configure (and
    // open) Mosquitto's default listener on port 1883.
    `listener ${options.port} ${host}`,
    '# One username = one session: a device cannot take over another device\'s persistent session.',
    'use_username_as_clientid true',
    ...renderMosquittoTlsLines(options.tls),
  ];
  if (options.persistenceDir !== undefined) {
    lines.push(
      'persistence true',
      `persistence_location ${checkPath(options.persistenceDir, 'persistence')}${path.sep}`,
      `autosave_interval ${options.autosaveIntervalSeconds ?? 60}`,
    );
  } else {
    lines.push('persistence false');
  }
  if (options.runAsUser !== undefined) lines.push(`user ${options.runAsUser}`);
  lines.push('log_dest stderr', 'log_type error', 'log_type warning', 'log_type notice', 'log_type information', 'connection_messages true');
  return `${lines.join('\n')}\n`;
}

/** The listener's TLS settings: no client certificates (devices log in with their secret), TLS 1.2 minimum. */
export function renderMosquittoTlsLines(tls: MosquittoTlsFiles | undefined): string[] {
  if (!tls) return [];
  return [
    '# TLS: devices verify this certificate against the CA they were given.',
    `cafile ${checkPath(tls.cafile, 'TLS CA')}`,
    `certfile ${checkPath(tls.certfile, 'TLS certificate')}`,
    `keyfile ${checkPath(tls.keyfile, 'TLS key')}`,
    'tls_version tlsv1.2',
  ];
}

/** Writes `text` to `file` so a reader sees either the old or the new content, never half of it. */
async function writeAtomically(file: string, text: string): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}`;
  const fh = await open(tmp, 'w', FILE_MODE);
  try {
    await fh.writeFile(text);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await rename(tmp, file);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

/**
 * Writes `passwd` and `acl` into `dir` (mode 0700; the files 0600, atomically) for these users. Run again with the
 * full list whenever a device is registered or removed, then SIGHUP the broker.
 */
export async function writeMosquittoAuth(dir: string, users: readonly MosquittoUser[]): Promise<MosquittoAuthFiles> {
  checkUsers(users);
  await ensurePrivateDirAsync(dir);
  const passwordFile = path.resolve(dir, 'passwd');
  const aclFile = path.resolve(dir, 'acl');
  await writeAtomically(passwordFile, renderPasswordFile(users));
  await writeAtomically(aclFile, renderAclFile(users));
  return { passwordFile, aclFile };
}

/** Writes `mosquitto.conf` into `dir` (mode 0700; the file 0600) and returns its path. */
export async function writeMosquittoConfig(dir: string, options: MosquittoConfigOptions): Promise<string> {
  await ensurePrivateDirAsync(dir);
  if (options.persistenceDir !== undefined) await mkdir(options.persistenceDir, { recursive: true });
  const configFile = path.resolve(dir, 'mosquitto.conf');
  await writeAtomically(configFile, renderMosquittoConfig(options));
  return configFile;
}
