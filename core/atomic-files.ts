import { open, readdir, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { ensurePrivateDirAsync, PRIVATE_FILE_MODE } from './private-files.js';

/**
 * Crash-safe file writes for the recording store: the bytes go to `tmp` (created exclusively,
 * mode 0600 whatever the umask), are fsynced, renamed over `final`, and the directory is fsynced so
 * the rename itself survives a power cut. A reader sees the whole file or none; a crash leaves at
 * most the temp file, which the store's sweep removes. The directory and its parent (the store's
 * root) are created 0700, or tightened to it if an older version made them wider.
 */
export async function writeFileAtomically(dir: string, tmp: string, final: string, bytes: Uint8Array): Promise<void> {
  try {
    await ensurePrivateDirAsync(path.dirname(dir));
    await ensurePrivateDirAsync(dir);
    const fh = await open(tmp, 'wx', PRIVATE_FILE_MODE);
    try {
      await fh.chmod(PRIVATE_FILE_MODE);
      await fh.writeFile(bytes);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, final);
    const dh = await open(dir, 'r');
    try {
      await dh.sync();
    } finally {
      await dh.close();
    }
  } catch (err) {
    await removeFile(tmp);
    throw err;
  }
}

/** A directory's entries, sorted; none when it does not exist. */
export async function listDir(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/** Removes a file; false when it was already gone. */
export async function removeFile(file: string): Promise<boolean> {
  try {
    await unlink(file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}
