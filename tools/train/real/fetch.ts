import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { EchosimError } from '../../../core/errors.js';
import type { DebianSource } from './debian-sources.js';

/** Where a source's packages were unpacked, and the versioned .deb names (they key the feature cache). */
export interface FetchedSource {
  readonly source: DebianSource;
  /** Unpacked roots: one per package, then the unzipped archive when the source has one. */
  readonly roots: readonly string[];
  readonly debs: readonly string[];
}

/**
 * Fetches a source's packages with `apt-get download` into `<dir>/debs` (nothing is installed) and
 * unpacks them with `dpkg -x` into `<dir>/root/<package>`; both only once. Throws
 * TRAIN_FETCH_FAILED when a package cannot be had (no apt, no network, not Debian).
 */
export function fetchDebianSource(dir: string, source: DebianSource): FetchedSource {
  const debDir = path.join(dir, 'debs');
  mkdirSync(debDir, { recursive: true });
  const roots: string[] = [];
  const debs: string[] = [];
  for (const pkg of source.packages) {
    let deb = findDeb(debDir, pkg);
    if (!deb) {
      const r = spawnSync('apt-get', ['download', '-q', pkg], { cwd: debDir, encoding: 'utf8' });
      deb = findDeb(debDir, pkg);
      if (!deb) {
        throw new EchosimError('TRAIN_FETCH_FAILED', `cannot fetch the Debian package ${pkg} (real speech "${source.name}"): ${(r.error?.message ?? r.stderr ?? '').trim().slice(0, 200)}`, {
          hint: 'real speech comes from Debian main with apt-get download; check "apt-get update" works, or leave it out with --no-debian-speech',
        });
      }
    }
    debs.push(deb);
    const root = path.join(dir, 'root', pkg);
    if (!existsSync(path.join(root, '.unpacked'))) {
      mkdirSync(root, { recursive: true });
      mustRun('dpkg', ['-x', path.join(debDir, deb), root], `unpack ${deb}`);
      writeFileSync(path.join(root, '.unpacked'), deb);
    }
    roots.push(root);
  }
  if (source.zip) {
    const out = path.join(dir, 'root', `${source.packages[0]!}-zip`);
    if (!existsSync(path.join(out, '.unpacked'))) {
      mkdirSync(out, { recursive: true });
      mustRun('unzip', ['-q', '-o', path.join(roots[0]!, source.zip), '-d', out], `unzip ${source.zip}`);
      writeFileSync(path.join(out, '.unpacked'), source.zip);
    }
    roots.push(out);
  }
  return { source, roots, debs };
}

function findDeb(dir: string, pkg: string): string | undefined {
  return readdirSync(dir).find((f) => f.startsWith(`${pkg}_`) && f.endsWith('.deb'));
}

function mustRun(cmd: string, args: readonly string[], what: string): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    throw new EchosimError('TRAIN_FETCH_FAILED', `cannot ${what}: ${(r.error?.message ?? r.stderr ?? '').trim().slice(0, 200)}`, {
      hint: `${cmd} is needed to unpack the real speech (bash tools/setup.sh installs it)`,
    });
  }
}
