import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { chmod, mkdir, stat } from 'node:fs/promises';

/**
 * Modes of everything a device or the cloud writes (the device's flash, its outbox and link state;
 * the cloud's database with its -wal and -shm, keys, token, recordings; Mosquitto's password and
 * ACL files): directories 0700 and files 0600, so no other user of the machine can list or read
 * them. New files are created with PRIVATE_FILE_MODE (the umask can only narrow it); directories and
 * files an older version made with wider modes are tightened when they are opened.
 *
 * A directory is tightened only if this user owns it and it has no sticky bit: `--data /tmp` or a
 * shared directory someone else owns is used as it is, never changed.
 */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

const STICKY = 0o1000;

function ours(uid: number, mode: number): boolean {
  return (process.getuid === undefined || uid === process.getuid()) && (mode & STICKY) === 0;
}

/** Creates `dir` (and missing parents) 0700, or tightens it to 0700 if this user made it wider. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  const s = statSync(dir);
  if ((s.mode & 0o777) !== PRIVATE_DIR_MODE && ours(s.uid, s.mode)) chmodSync(dir, PRIVATE_DIR_MODE);
}

/** ensurePrivateDir, without blocking. */
export async function ensurePrivateDirAsync(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  const s = await stat(dir);
  if ((s.mode & 0o777) !== PRIVATE_DIR_MODE && ours(s.uid, s.mode)) await chmod(dir, PRIVATE_DIR_MODE);
}

/** Tightens an existing file to 0600; a missing one is fine. */
export function tightenFile(file: string): void {
  try {
    const s = statSync(file);
    if ((s.mode & 0o777) !== PRIVATE_FILE_MODE && ours(s.uid, 0)) chmodSync(file, PRIVATE_FILE_MODE);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
