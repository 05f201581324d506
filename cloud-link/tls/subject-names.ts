import { isIP } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import type { X509Certificate } from 'node:crypto';
import { EchosimError } from '../../core/errors.js';

/**
 * The names a server certificate must carry (its subjectAltNames): every name or address a client
 * may use to reach the listeners. Loopback names are always in, so the cloud's own connections and
 * tools on the same machine verify; a wildcard bind (0.0.0.0, ::) adds the machine's host name and
 * the addresses of its interfaces; a specific bind adds that host; `--tls-san` adds the rest (a DNS
 * name behind a NAT, a load balancer's address).
 */
export interface SubjectNames {
  dns: string[];
  ips: string[];
}

const LOOPBACK: SubjectNames = { dns: ['localhost'], ips: ['127.0.0.1', '::1'] };
const WILDCARD_HOSTS = new Set(['', '0.0.0.0', '::', '[::]']);
/** A DNS name: labels of letters, digits and hyphens (a leading `*.` for a wildcard). */
const DNS_NAME = /^(\*\.)?([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** True for 127.0.0.0/8, ::1 and `localhost`: a bind no other machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const h = unbracket(host).toLowerCase();
  return h === 'localhost' || h === '::1' || (isIP(h) === 4 && h.startsWith('127.'));
}

function unbracket(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** One `--tls-san` value (a DNS name or an IP address), or TLS_CONFIG_INVALID saying what fits. */
export function parseSubjectName(value: string): { kind: 'dns' | 'ip'; name: string } {
  const name = unbracket(value.trim());
  if (isIP(name) !== 0) return { kind: 'ip', name };
  if (name.length <= 253 && DNS_NAME.test(name)) return { kind: 'dns', name: name.toLowerCase() };
  throw new EchosimError('TLS_CONFIG_INVALID', `"${value}" is neither a DNS name nor an IP address`, {
    hint: 'Give a host name (e.g. echo-cloud.lan, *.example.org) or an address (e.g. 192.168.1.20, fd00::1).',
    details: { value },
  });
}

/** The names a certificate for listeners bound to `binds` must hold, plus `extra` (`--tls-san`). */
export function subjectNamesFor(binds: readonly string[], extra: readonly string[] = []): SubjectNames {
  const dns = new Set(LOOPBACK.dns);
  const ips = new Set(LOOPBACK.ips);
  const add = (value: string): void => {
    const n = parseSubjectName(value);
    (n.kind === 'ip' ? ips : dns).add(n.name);
  };
  for (const bind of binds) {
    if (WILDCARD_HOSTS.has(bind)) {
      for (const n of machineNames()) add(n);
    } else if (!isLoopbackHost(bind)) {
      add(bind);
    }
  }
  for (const e of extra) add(e);
  return { dns: [...dns].sort(), ips: [...ips].sort() };
}

/** This machine's host name and the addresses of its interfaces (no link-local IPv6: it needs a scope). */
function machineNames(): string[] {
  const names: string[] = [];
  const host = hostname();
  if (DNS_NAME.test(host)) names.push(host);
  for (const addresses of Object.values(networkInterfaces())) {
    for (const a of addresses ?? []) {
      if (a.family === 'IPv6' && a.address.toLowerCase().startsWith('fe80:')) continue;
      names.push(a.address);
    }
  }
  return names;
}

/** The names in `wanted` that `cert` does not cover (empty: it serves every one). */
export function uncoveredNames(cert: X509Certificate, wanted: SubjectNames): string[] {
  // A wildcard is covered only by the same wildcard (checkHost would accept one concrete name for it).
  const listed = new Set((cert.subjectAltName ?? '').split(', ').filter((e) => e.startsWith('DNS:')).map((e) => e.slice(4).toLowerCase()));
  return [
    ...wanted.dns.filter((d) => (d.startsWith('*.') ? !listed.has(d) : cert.checkHost(d, { subject: 'never' }) === undefined)),
    ...wanted.ips.filter((ip) => cert.checkIP(ip) === undefined),
  ];
}
