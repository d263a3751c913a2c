import { readFileSync } from 'node:fs';
import { Client } from 'pg';

/** Kernel clock ticks per second in /proc/<pid>/stat (USER_HZ), 100 on Linux for x86 and ARM. */
const TICKS_PER_SECOND = 100;

/** utime + stime of a process in ticks, or undefined when /proc does not list it (another host, or not Linux). */
function cpuTicksOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name, which may itself contain spaces: utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}

async function backendPids(url: string): Promise<number[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
    );
    return rows.map((row) => row.pid);
  } finally {
    await client.end();
  }
}

/**
 * Measure the CPU time of the PostgreSQL backends connected to the benchmark's database, which
 * are the server's pool connections. Works only when PostgreSQL runs on this machine; stop()
 * resolves to null otherwise. Backends that exit during the measurement are not counted.
 */
export async function startDatabaseCpu(url: string): Promise<{ stop(): Promise<number | null> }> {
  const before = new Map<number, number>();
  for (const pid of await backendPids(url)) {
    const ticks = cpuTicksOf(pid);
    if (ticks !== undefined) before.set(pid, ticks);
  }

  return {
    async stop() {
      let ticks = 0;
      let seen = 0;
      for (const pid of await backendPids(url)) {
        const now = cpuTicksOf(pid);
        if (now === undefined) continue;
        seen += 1;
        ticks += now - (before.get(pid) ?? 0);
      }
      return seen === 0 ? null : ticks / TICKS_PER_SECOND;
    },
  };
}
