import type { Command } from 'commander';
import path from 'node:path';
import { renderMosquittoTlsLines } from '../../cloud-link/broker/mosquitto-config.js';
import type { CloudTlsConfig } from '../../cloud-link/cloud/cloud-options.js';
import { isTlsBrokerUrl } from '../../cloud-link/mqtt/mqtt-errors.js';
import { readCaFile, type ClientTlsOptions } from '../../cloud-link/tls/client-tls.js';
import { CloudTls, TLS_DIR, serverTlsFiles } from '../../cloud-link/cloud/server-tls.js';
import { isLoopbackHost, parseSubjectName, subjectNamesFor } from '../../cloud-link/tls/subject-names.js';
import { EchosimError } from '../../core/errors.js';

/**
 * `echosim cloud`'s TLS options, and when TLS is on.
 *
 * Loopback binds (the default: `npm start`, the README's commands) stay plain unless `--tls` says
 * otherwise: nothing on the wire leaves the machine. A listener bound to anything else (another
 * machine can reach it) gets TLS by default, because its connections carry device secrets, the admin
 * token, Wi-Fi passwords and audio; `--no-tls` is the explicit way to serve them in clear anyway (a
 * TLS-terminating proxy in front), and says so at start.
 */
export interface CloudTlsCliOptions {
  tls?: boolean;
  tlsSan: string[];
  tlsCert?: string;
  tlsKey?: string;
  tlsCa?: string;
  broker?: string;
  brokerCa?: string;
  tlsInit?: boolean;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, ...value.split(',').map((v) => v.trim()).filter(Boolean)];
}

export function addCloudTlsOptions(cmd: Command): Command {
  return cmd
    .option('--tls', 'serve mqtts:// (port 8883 by default) and https:// with a certificate the cloud makes with its own CA in <data>/tls (default when a listener is not on loopback)')
    .option('--no-tls', 'serve plain mqtt:// and http:// even on a non-loopback address (credentials and audio in clear)')
    .option('--tls-san <name>', 'with TLS: another DNS name or IP the server certificate must cover (repeatable, or comma-separated)', collect, [])
    .option('--tls-cert <file>', 'with TLS: serve this certificate (PEM, chain after it) instead of making one')
    .option('--tls-key <file>', 'with --tls-cert: its private key (mode 0600)')
    .option('--tls-ca <file>', 'with --tls-cert: the CA that signed it, which clients are given (--ca); default: a public CA signed it')
    .option('--broker-ca <file>', 'with an mqtts:// --broker: the CA to verify it with (default Node\'s public CAs)')
    .option('--tls-init', 'make (or renew) the CA and server certificate in <data>/tls, print where they are and the lines a Mosquitto TLS listener needs, and exit');
}

function usage(message: string, hint: string): EchosimError {
  return new EchosimError('CLI_ARGUMENT_INVALID', message, { hint });
}

/**
 * The cloud's TLS config (undefined: plain listeners) from the options and the addresses it binds.
 * `warn` gets the line printed when non-loopback listeners are plain on purpose.
 */
export function cloudTlsConfig(opts: CloudTlsCliOptions, binds: readonly string[], warn: (line: string) => void): CloudTlsConfig | undefined {
  if ((opts.tlsCert === undefined) !== (opts.tlsKey === undefined)) throw usage('--tls-cert and --tls-key go together', 'Give the certificate and its private key, or neither (the cloud then makes its own).');
  if (opts.tlsCa !== undefined && opts.tlsCert === undefined) throw usage('--tls-ca goes with --tls-cert', 'Without --tls-cert the cloud uses its own CA, <data>/tls/ca.pem.');
  for (const name of opts.tlsSan) parseSubjectName(name);
  const given = opts.tlsCert !== undefined && opts.tlsKey !== undefined ? { certFile: opts.tlsCert, keyFile: opts.tlsKey, ...(opts.tlsCa ? { caFile: opts.tlsCa } : {}) } : undefined;
  const exposed = binds.filter((h) => !isLoopbackHost(h));
  if (opts.tls === false) {
    if (given || opts.tlsSan.length > 0 || opts.tlsInit) throw usage('--no-tls cannot go with --tls-cert, --tls-key, --tls-san or --tls-init', 'Leave out --no-tls to serve TLS.');
    if (exposed.length > 0) warn(`echosim cloud: --no-tls: listening on ${exposed.join(', ')} WITHOUT TLS; device secrets, the admin token, Wi-Fi passwords and audio cross the network in clear.`);
    return undefined;
  }
  if (opts.tls !== true && opts.tlsInit !== true && !given && opts.tlsSan.length === 0 && exposed.length === 0) return undefined;
  return { names: opts.tlsSan, ...(given ? { given } : {}) };
}

/** The CA the cloud's own client verifies an external `mqtts://` broker with (`--broker-ca`). */
export function brokerTls(opts: CloudTlsCliOptions): ClientTlsOptions | undefined {
  if (opts.brokerCa === undefined) return undefined;
  if (opts.broker === undefined || !isTlsBrokerUrl(opts.broker)) throw usage('--broker-ca needs an mqtts:// --broker', 'e.g. --broker mqtts://mqtt.example.lan:8883 --broker-ca ca.pem');
  return readCaFile(opts.brokerCa);
}

/**
 * `--tls-init`: the certificate a cloud with the same options would serve, made now (for a Mosquitto
 * that must have it before the cloud starts, or to hand ca.pem to devices first). The names cover the
 * cloud's listeners, an external broker's host, and `--tls-san`.
 */
export async function initTls(dataDir: string, opts: CloudTlsCliOptions, binds: readonly string[]): Promise<string> {
  if (opts.tlsCert !== undefined) throw usage('--tls-init makes the cloud\'s own certificate; it does not go with --tls-cert', 'Leave out --tls-init: a given certificate is used as it is.');
  const dir = path.join(dataDir, TLS_DIR);
  const brokerHost = opts.broker === undefined ? [] : [new URL(opts.broker).hostname];
  const tls = await CloudTls.open({ dir, names: subjectNamesFor([...binds, ...brokerHost], opts.tlsSan) });
  tls.stop();
  const files = serverTlsFiles(dir);
  return [
    `CA certificate (give it to devices and clients, --ca): ${files.caFile}`,
    `server certificate: ${files.certFile} (valid until ${tls.material.notAfter.toISOString()}; renewed 30 days before)`,
    `server key (0600):  ${files.keyFile}`,
    'A Mosquitto TLS listener serving it (after its `listener` line; Mosquitto must run as this user to read the files):',
    ...renderMosquittoTlsLines({ cafile: files.caFile, certfile: files.certFile, keyfile: files.keyFile }).map((l) => `  ${l}`),
    '',
  ].join('\n');
}
