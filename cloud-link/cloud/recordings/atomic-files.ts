import { mkdir, open, readdir, rename, unlink } from 'node:fs/promises';

/**
 * Crash-safe file writes for the recording store: the bytes go to `tmp` (created exclusively,
 * mode 0600 whatever the umask), are fsynced, renamed over `final`, and the directory is fsynced so
 * the rename itself survives a power cut. A reader sees the whole file or none; a crash leaves at
 * most the temp file, which the store's sweep removes. The directory is created 0700.
 */
export async function writeFileAtomically(dir: string, tmp: string, final: string, bytes: Uint8Array): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const fh = await open(tmp, 'wx', 0o600);
    try {
      await fh.chmod(0o600);
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
