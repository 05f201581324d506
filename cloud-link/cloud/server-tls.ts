import { EventEmitter } from 'node:events';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Clock, TimerHandle } from '../../core/clock.js';
import { EchosimError } from '../../core/errors.js';
import { rootLogger, type Logger } from '../../core/log.js';
import { writeFileAtomically } from '../../core/atomic-files.js';
import { assertPrivateFile } from './secrets.js';
import { DAY_MS, createCertificateAuthority, createServerCertificate } from '../tls/certificates.js';
import { checkCaPem } from '../tls/client-tls.js';
import { uncoveredNames, type SubjectNames } from '../tls/subject-names.js';

/**
 * The cloud's TLS identity, kept in `<data dir>/tls/` (0700, every file 0600):
 *
 *   ca.pem          the CA certificate: give it to devices and clients (`--ca`)
 *   ca-key.pem      the CA's private key: never leaves this directory
 *   server.pem      the server certificate the broker and the API present
 *   server-key.pem  its private key
 *
 * On first start the CA (10 years) and a server certificate (90 days) are made. On every start, and
 * every 12 h while running, the server certificate is made again (same CA, new key) when it has less
 * than 30 days left, does not cover every name the listeners are reached by, or no longer matches
 * its key or the CA; the listeners then switch to it without dropping anyone. Certificates given by
 * the operator (`--tls-cert/--tls-key [--tls-ca]`) are used as they are, re-read on the same schedule
 * (a renewal by another tool is picked up) and never written.
 *
 * Certificate dates follow the real wall clock, not an injected one: the peers check them against
 * theirs.
 */
export const TLS_DIR = 'tls';
export const CA_CERT_FILE = 'ca.pem';
const CA_KEY_FILE = 'ca-key.pem';
const SERVER_CERT_FILE = 'server.pem';
const SERVER_KEY_FILE = 'server-key.pem';

/** The files another TLS server (Mosquitto) is configured with to serve the cloud's certificate. */
export function serverTlsFiles(tlsDir: string): { caFile: string; certFile: string; keyFile: string } {
  return { caFile: path.join(tlsDir, CA_CERT_FILE), certFile: path.join(tlsDir, SERVER_CERT_FILE), keyFile: path.join(tlsDir, SERVER_KEY_FILE) };
}

/** What a TLS listener serves, and the CA its clients verify it with. */
export interface ServerTlsMaterial {
  key: string;
  /** PEM, the server certificate first (then any intermediates). */
  cert: string;
  /** PEM of the CA clients should trust; undefined for a given certificate without `caFile`. */
  ca: string | undefined;
  caFile: string | undefined;
  notAfter: Date;
}

export interface GivenCertificate {
  certFile: string;
  keyFile: string;
  caFile?: string;
}

export interface CloudTlsOptions {
  /** Where the cloud's own CA and server certificate live (`<data dir>/tls`). */
  dir: string;
  /** Names the server certificate must cover (subjectNamesFor). */
  names: SubjectNames;
  /** The operator's certificate instead of the cloud's own. */
  given?: GivenCertificate;
  /** Schedules the renewal checks; without one, only start() and refresh() check. */
  timers?: Clock;
  /** Real time by default (see above). */
  now?: () => Date;
  log?: Logger;
  caValidityDays?: number;
  serverValidityDays?: number;
  renewBeforeDays?: number;
  checkIntervalMs?: number;
}

export interface CloudTlsEvents {
  renewed: [ServerTlsMaterial];
}

export class CloudTls extends EventEmitter<CloudTlsEvents> {
  private current!: ServerTlsMaterial;
  private timer: TimerHandle | undefined;
  private readonly log: Logger;
  private readonly now: () => Date;

  private constructor(private readonly options: CloudTlsOptions) {
    super();
    this.log = (options.log ?? rootLogger()).child({ component: 'tls' });
    this.now = options.now ?? (() => new Date());
  }

  /** Loads (making or renewing what is needed) the certificate the listeners serve. */
  static async open(options: CloudTlsOptions): Promise<CloudTls> {
    const tls = new CloudTls(options);
    tls.current = await tls.load();
    return tls;
  }

  get material(): ServerTlsMaterial {
    return this.current;
  }

  /** The CA file clients need (`--ca`), when there is one. */
  get caFile(): string | undefined {
    return this.current.caFile;
  }

  /** Checks the certificate again; emits `renewed` (and resolves true) when it changed. */
  async refresh(): Promise<boolean> {
    const next = await this.load();
    if (next.cert === this.current.cert && next.key === this.current.key) return false;
    this.current = next;
    this.emit('renewed', next);
    return true;
  }

  /** Runs refresh() every `checkIntervalMs` (12 h) on the timers' clock until stop(). */
  startRenewal(): void {
    const timers = this.options.timers;
    if (!timers || this.timer) return;
    const schedule = (): void => {
      this.timer = timers.setTimeout(() => {
        this.refresh()
          .catch((err: unknown) => this.log.error({ err: (err as Error).message }, 'TLS certificate check failed; the listeners keep the current one'))
          .finally(() => {
            if (this.timer) schedule();
          });
      }, this.options.checkIntervalMs ?? 12 * 60 * 60 * 1000);
    };
    schedule();
  }

  stop(): void {
    if (this.timer) this.options.timers?.clearTimeout(this.timer);
    this.timer = undefined;
    this.removeAllListeners();
  }

  private load(): Promise<ServerTlsMaterial> {
    return this.options.given ? Promise.resolve(this.loadGiven(this.options.given)) : this.loadOwn();
  }

  private loadGiven(given: GivenCertificate): ServerTlsMaterial {
    const cert = readText(given.certFile, 'the TLS certificate');
    assertPrivateFile(given.keyFile, 'the TLS private key');
    const key = readText(given.keyFile, 'the TLS private key');
    const leaf = parseCert(cert, given.certFile);
    if (!leaf.checkPrivateKey(createPrivateKey(key))) {
      throw configError(`${given.keyFile} is not the private key of ${given.certFile}`, 'Give the key the certificate was issued for.');
    }
    let ca: string | undefined;
    if (given.caFile !== undefined) {
      ca = readText(given.caFile, 'the TLS CA certificate');
      checkCaPem(ca, given.caFile);
      const single = (cert.match(/-----BEGIN CERTIFICATE-----/g) ?? []).length === 1;
      if (single && !leaf.checkIssued(parseCert(ca, given.caFile))) {
        throw configError(`${given.certFile} is not issued by the CA in ${given.caFile}`, 'Give the CA that signed it, or append the intermediate certificates to the certificate file.');
      }
    }
    const notAfter = new Date(leaf.validTo);
    const left = notAfter.getTime() - this.now().getTime();
    if (left <= 0) throw configError(`${given.certFile} expired on ${notAfter.toISOString()}`, 'Renew it (the listeners re-read it every 12 h), or let the cloud make its own (leave out --tls-cert).');
    if (left < this.renewBeforeMs) this.log.warn({ file: given.certFile, notAfter: notAfter.toISOString() }, 'the given TLS certificate expires soon: renew it');
    return { key, cert, ca, caFile: given.caFile === undefined ? undefined : path.resolve(given.caFile), notAfter };
  }

  private get renewBeforeMs(): number {
    return (this.options.renewBeforeDays ?? 30) * DAY_MS;
  }

  private async loadOwn(): Promise<ServerTlsMaterial> {
    const { dir } = this.options;
    const file = (name: string): string => path.join(dir, name);
    const now = this.now();
    if (!existsSync(file(CA_CERT_FILE))) {
      // No CA certificate was ever written, so no client can trust an older key: start afresh.
      const made = await createCertificateAuthority('echosim cloud CA', now, this.options.caValidityDays ?? 3650);
      await writePrivate(dir, file(CA_KEY_FILE), made.keyPem);
      await writePrivate(dir, file(CA_CERT_FILE), made.certPem);
      this.log.info({ file: file(CA_CERT_FILE) }, 'made the cloud CA (give ca.pem to devices)');
    }
    const caPem = readText(file(CA_CERT_FILE), 'the cloud CA certificate');
    const ca = parseCert(caPem, file(CA_CERT_FILE));
    if (new Date(ca.validTo).getTime() <= now.getTime()) {
      throw configError(`the cloud CA ${file(CA_CERT_FILE)} expired on ${new Date(ca.validTo).toISOString()}`, `Move ${dir} aside to make a new CA, then give every device the new ca.pem.`);
    }
    const reason = this.renewalReason(ca, now);
    if (reason !== undefined) {
      const caKey = this.readCaKey(file(CA_KEY_FILE));
      const made = await createServerCertificate({ certPem: caPem, keyPem: caKey }, this.options.names, now, this.options.serverValidityDays ?? 90);
      await writePrivate(dir, file(SERVER_KEY_FILE), made.keyPem);
      await writePrivate(dir, file(SERVER_CERT_FILE), made.certPem);
      this.log.info({ reason, names: this.options.names }, 'made a new server certificate');
    }
    assertPrivateFile(file(SERVER_KEY_FILE), 'the TLS server key');
    const cert = readText(file(SERVER_CERT_FILE), 'the TLS server certificate');
    return {
      key: readText(file(SERVER_KEY_FILE), 'the TLS server key'),
      cert,
      ca: caPem,
      caFile: file(CA_CERT_FILE),
      notAfter: new Date(parseCert(cert, file(SERVER_CERT_FILE)).validTo),
    };
  }

  /** Why the server certificate on disk cannot be served as it is, or undefined when it can. */
  private renewalReason(ca: X509Certificate, now: Date): string | undefined {
    const certFile = path.join(this.options.dir, SERVER_CERT_FILE);
    const keyFile = path.join(this.options.dir, SERVER_KEY_FILE);
    if (!existsSync(certFile) || !existsSync(keyFile)) return 'none yet';
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(readFileSync(certFile));
      assertPrivateFile(keyFile, 'the TLS server key');
      if (!cert.checkPrivateKey(createPrivateKey(readFileSync(keyFile)))) return 'the key does not match';
    } catch (err) {
      if (err instanceof EchosimError) throw err;
      return `unreadable (${(err as Error).message})`;
    }
    if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) return 'not issued by the cloud CA';
    const left = new Date(cert.validTo).getTime() - now.getTime();
    if (left < this.renewBeforeMs) return `expires ${new Date(cert.validTo).toISOString()}`;
    const missing = uncoveredNames(cert, this.options.names);
    if (missing.length > 0) return `does not cover ${missing.join(', ')}`;
    return undefined;
  }

  private readCaKey(file: string): string {
    if (!existsSync(file)) {
      throw configError(`the cloud CA's key ${file} is missing, so no server certificate can be made`, `Restore it from a backup, or move ${this.options.dir} aside to make a new CA (then give every device the new ca.pem).`);
    }
    assertPrivateFile(file, "the cloud CA's key");
    return readText(file, "the cloud CA's key");
  }
}

function configError(message: string, hint: string): EchosimError {
  return new EchosimError('TLS_CONFIG_INVALID', message, { hint });
}

function readText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new EchosimError('TLS_CONFIG_INVALID', `cannot read ${what} ${file}: ${(err as Error).message}`, { hint: 'Check the path and its permissions.', cause: err, details: { file } });
  }
}

function parseCert(pem: string, file: string): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch (err) {
    throw new EchosimError('TLS_CONFIG_INVALID', `${file} is not a PEM certificate`, { hint: 'Give a file starting with -----BEGIN CERTIFICATE-----.', cause: err });
  }
}

async function writePrivate(dir: string, file: string, text: string): Promise<void> {
  await writeFileAtomically(dir, `${file}.tmp-${process.pid}`, file, Buffer.from(text));
}

