import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { EchosimError } from '../../core/errors.js';
import { packageRoot } from '../../core/package-root.js';
import { readConfigFile } from '../config/config-file.js';
import { cloudConfigSchema } from '../config/cloud-config.js';
import { deviceConfigSchema } from '../config/device-config.js';
import { renderUnit, unitName, wantedGroups, type ServiceRole } from './unit-file.js';

const run = promisify(execFile);

export const SYSTEM_UNIT_DIR = '/etc/systemd/system';

export interface InstallOptions {
  readonly role: ServiceRole;
  readonly config: string;
  readonly user: string;
  readonly unitDir: string;
  /** Create the system user when missing (needs root). */
  readonly createUser: boolean;
  /** Run `systemctl daemon-reload` and `enable` (needs root and a running systemd). */
  readonly systemctl: boolean;
  readonly node?: string;
  /** Where group names are looked up (`/etc/group`). */
  readonly groupFile?: string;
}

export interface InstallResult {
  readonly unitFile: string;
  readonly unit: string;
  readonly steps: readonly string[];
}

const USER_RE = /^[a-z_][a-z0-9_-]{0,31}$/;

function fail(message: string, hint: string, cause?: unknown): EchosimError {
  return new EchosimError('SERVICE_INSTALL_FAILED', message, { hint, ...(cause ? { cause } : {}) });
}

/** Group names present in /etc/group. */
function existingGroups(file: string): Set<string> {
  try {
    return new Set(readFileSync(file, 'utf8').split('\n').map((l) => l.split(':')[0] ?? '').filter(Boolean));
  } catch {
    return new Set();
  }
}

async function userExists(user: string): Promise<boolean> {
  try {
    await run('id', ['-u', user]);
    return true;
  } catch {
    return false;
  }
}

/**
 * Writes the role's unit. Everything is checked first (the config file validates, the user name is a
 * user name, the unit directory exists), so bad input writes nothing; the unit is written to a
 * temporary file and renamed over the old one.
 */
export async function installService(o: InstallOptions): Promise<InstallResult> {
  if (!USER_RE.test(o.user)) throw fail(`"${o.user}" is not a user name`, 'Use lower-case letters, digits, _ and -, starting with a letter (default: echosim).');
  const configFile = path.resolve(o.config);
  const dataDir = o.role === 'device' ? readConfigFile(configFile, deviceConfigSchema).dataDir : readConfigFile(configFile, cloudConfigSchema).dataDir;
  if (!existsSync(o.unitDir)) throw fail(`the unit directory ${o.unitDir} does not exist`, 'Is this a systemd machine? Pass --unit-dir DIR to write the unit somewhere else.');
  const groups = existingGroups(o.groupFile ?? '/etc/group');
  const unit = renderUnit({
    role: o.role,
    configFile,
    user: o.user,
    node: o.node ?? process.execPath,
    cli: path.join(packageRoot(), 'dist', 'tools', 'cli.js'),
    guide: path.join(packageRoot(), 'docs', 'raspberry-pi.md'),
    groups: wantedGroups(o.role).filter((g) => groups.has(g)),
    ...(dataDir ? { dataDir: path.resolve(path.dirname(configFile), dataDir) } : {}),
  });
  const steps: string[] = [];
  if (o.createUser && !(await userExists(o.user))) {
    try {
      await run('useradd', ['--system', '--user-group', '--no-create-home', '--home-dir', '/var/lib/echosim', '--shell', '/usr/sbin/nologin', o.user]);
    } catch (err) {
      throw fail(`cannot create the system user ${o.user}: ${(err as Error).message}`, 'Run this as root (sudo), or create the user yourself and pass --no-create-user.', err);
    }
    steps.push(`created the system user ${o.user}`);
  }
  const unitFile = path.join(o.unitDir, unitName(o.role));
  try {
    mkdirSync(o.unitDir, { recursive: true });
    writeFileSync(`${unitFile}.tmp`, unit, { mode: 0o644 });
    renameSync(`${unitFile}.tmp`, unitFile);
  } catch (err) {
    rmSync(`${unitFile}.tmp`, { force: true });
    throw fail(`cannot write ${unitFile}: ${(err as Error).message}`, 'Run this as root (sudo), or pass --unit-dir DIR.', err);
  }
  steps.push(`wrote ${unitFile}`);
  if (o.systemctl) {
    await systemctl(['daemon-reload']);
    await systemctl(['enable', unitName(o.role)]);
    steps.push(`enabled ${unitName(o.role)} (starts at boot)`);
  }
  return { unitFile, unit, steps };
}

/** Stops and disables the role's unit (when systemctl is used) and removes its file; data and user stay. */
export async function uninstallService(o: Pick<InstallOptions, 'role' | 'unitDir' | 'systemctl'>): Promise<string[]> {
  const unitFile = path.join(o.unitDir, unitName(o.role));
  if (!existsSync(unitFile)) throw fail(`${unitFile} is not installed`, 'Nothing to remove; pass --unit-dir DIR if it was installed elsewhere.');
  const steps: string[] = [];
  if (o.systemctl) {
    await systemctl(['disable', '--now', unitName(o.role)]);
    steps.push(`stopped and disabled ${unitName(o.role)}`);
  }
  rmSync(unitFile);
  steps.push(`removed ${unitFile}`);
  if (o.systemctl) await systemctl(['daemon-reload']);
  return steps;
}

async function systemctl(args: string[]): Promise<void> {
  try {
    await run('systemctl', args);
  } catch (err) {
    const e = err as Error & { stderr?: string };
    throw fail(`systemctl ${args.join(' ')} failed: ${(e.stderr ?? e.message).trim()}`, 'Run this as root (sudo) on a machine booted with systemd, or pass --no-systemctl and run it yourself.', err);
  }
}
