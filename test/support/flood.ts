import { spawn } from 'node:child_process';
import { join } from 'node:path';

export interface FloodTally {
  ok: number;
  limited: number;
  other: number;
}

/** Run test/support/flood-client.js in a child process; it exits by itself once every event has its ack or after 60 s. */
export function startFlood(url: string, token: string, event: string, count: number) {
  const child = spawn(process.execPath, [join(__dirname, 'flood-client.js'), url, token, event, String(count)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let errors = '';
  child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));

  const started = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.startsWith('started\n')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`flood client exited with ${code} before starting: ${errors}`)));
  });
  const finished = new Promise<FloodTally>((resolve, reject) => {
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`flood client exited with ${code}: ${errors}`));
      resolve(JSON.parse(output.split('\n')[1]) as FloodTally);
    });
  });
  return { started, finished };
}
