import { openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';

/**
 * An exclusive claim on a PGlite data directory. PGlite does not lock its files, and two
 * processes writing one directory lose acknowledged messages, so a second server on the same
 * DATA_DIR must refuse to start. The lock file contains the owner's process id; a file left by a
 * process that no longer runs (after SIGKILL) is taken over.
 */
export class DataDirLock {
  private readonly path: string;
  private acquired = false;

  constructor(dataDir: string) {
    this.path = join(dataDir, 'server.lock');
  }

  acquire(): void {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(this.path, 'wx');
        writeSync(fd, String(process.pid));
        closeSync(fd);
        this.acquired = true;
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }

      const owner = this.ownerPid();
      if (owner !== null && isRunning(owner)) {
        throw new Error(`DATA_DIR is in use by process ${owner} (${this.path}); stop that server or set another DATA_DIR`);
      }
      rmSync(this.path, { force: true });
    }
    throw new Error(`Could not lock ${this.path}; remove it if no server is running`);
  }

  release(): void {
    if (!this.acquired) return;
    rmSync(this.path, { force: true });
    this.acquired = false;
  }

  private ownerPid(): number | null {
    try {
      const pid = Number.parseInt(readFileSync(this.path, 'utf8'), 10);
      return Number.isInteger(pid) && pid > 0 ? pid : null;
    } catch {
      return null;
    }
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM means the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
