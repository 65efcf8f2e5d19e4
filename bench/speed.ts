// `npm run bench:speed`: ALS s/iteration, BPR samples/s, and the kernel sections (top-k scoring,
// dense EASE-style algebra) when present; writes the 'speed' section of BENCHMARKS.md.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { writeSection } from './report.ts';
import { benchAls } from './speed/als.ts';
import { benchBpr } from './speed/bpr.ts';
import { stamp, since } from './speed/measure.ts';
import { lastfmShaped } from './speed/synthetic.ts';

type Section = () => Promise<string>;

/** A section from another bench/speed module, if that module exists yet. */
async function optional(file: string, name: string): Promise<Section | undefined> {
  const url = new URL(file, import.meta.url);
  if (!existsSync(fileURLToPath(url))) return undefined;
  const mod = (await import(url.href)) as Record<string, unknown>;
  const fn = mod[name];
  return typeof fn === 'function' ? (fn as Section) : undefined;
}

const only = process.argv.slice(2);
const want = (name: string): boolean => only.length === 0 || only.includes(name);
const parts: string[] = [];
/** Keeps a finished section and prints it at once, so a long run shows progress. */
function add(title: string, markdown: string): void {
  parts.push(title, markdown);
  console.error(`${title}\n\n${markdown}\n`);
}

if (want('als') || want('bpr')) {
  const t0 = stamp();
  const data = lastfmShaped();
  console.error(`synthetic last.fm-shaped set: ${data.indices.length} entries in ${since(t0).wall.toFixed(1)} s`);
  if (want('als')) add('### Implicit ALS', await benchAls(data));
  if (want('bpr')) add('### BPR', await benchBpr(data));
}
for (const [key, file, fn, title] of [
  ['scoring', './speed/scoring.ts', 'benchScoring', 'Top-k scoring'],
  ['dense', './speed/dense.ts', 'benchDense', 'Dense algebra (EASE)'],
] as const) {
  if (!want(key)) continue;
  const section = await optional(file, fn);
  if (!section) continue;
  try {
    add(`### ${title}`, await section());
  } catch (e) {
    // one broken section must not lose the figures measured before it
    add(`### ${title}`, `Not measured: ${file} failed (${e instanceof Error ? e.message : String(e)}).`);
  }
}
const markdown = parts.join('\n\n');
if (only.length === 0) writeSection('speed', 'Speed', 'npm run bench:speed', markdown);
else console.error('(partial run: BENCHMARKS.md not updated)');
