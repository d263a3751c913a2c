import { readFileSync } from 'node:fs';

/** The parts of a V8 .cpuprofile (node --cpu-prof) that self time needs. */
interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }[];
  samples: number[];
  timeDeltas: number[];
}

/** Group a script URL by package (node_modules/<name>), by project file, or as Node's own code. */
function moduleOf(url: string): string {
  if (!url) return '(native or idle)';
  const packageMatch = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (packageMatch) return packageMatch[1];
  if (url.startsWith('node:')) return 'node core';
  const projectMatch = /\/dist\/(.*)$/.exec(url);
  return projectMatch ? projectMatch[1] : url;
}

/** Print the top self-time entries of a CPU profile by package and by function. */
function summarize(file: string, top: number): void {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfByNode = new Map<number, number>();
  profile.samples.forEach((id, index) => selfByNode.set(id, (selfByNode.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0)));

  const total = [...selfByNode.values()].reduce((sum, value) => sum + value, 0);
  const byModule = new Map<string, number>();
  const byFunction = new Map<string, number>();
  for (const [id, micros] of selfByNode) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const module = moduleOf(url);
    byModule.set(module, (byModule.get(module) ?? 0) + micros);
    const name = `${functionName || '(anonymous)'} ${module}:${lineNumber + 1}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + micros);
  }

  const print = (title: string, entries: Map<string, number>) => {
    console.log(`\n${title}`);
    for (const [name, micros] of [...entries].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      console.log(`${((micros / total) * 100).toFixed(1).padStart(5)}%  ${(micros / 1000).toFixed(0).padStart(7)} ms  ${name}`);
    }
  };
  console.log(`${file}: ${(total / 1e6).toFixed(1)} s sampled`);
  print('Self time by package or file', byModule);
  print('Self time by function', byFunction);
}

const [file, top] = process.argv.slice(2);
if (!file) {
  console.error('Usage: node dist/bench/profile-summary.js FILE.cpuprofile [TOP]');
  process.exit(1);
}
summarize(file, Number(top ?? 25));
