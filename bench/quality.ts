/**
 * Quality benchmark, protocol P1 (../shared/benchmarks/PROTOCOL.md beside the repository): for every registered
 * model, tune on p1_val_train / p1_val_test only, refit the chosen parameters on p1_train and
 * evaluate once on p1_test; `auto` picks among the tuned models (or a blend of the best) by
 * validation NDCG@10 alone. Writes the tables into BENCHMARKS.md (section "quality").
 *
 *   npm run bench:quality -- [--data DIR] [--datasets a,b] [--models a,b] [--budget SECONDS]
 *                            [--max-trials N] [--skip dataset:model,…] [--fix 'dataset:model:{json}']
 *                            [--merge] [--no-write] [--render-only]
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  autoCandidates,
  buildEvalData,
  evaluateRecommender,
  getFactory,
  fitModel,
  selectAuto,
  tuneModel,
  type EvalData,
  type EvalResult,
  type TuneResult,
} from '@attune/engine';
import { loadInteractions } from '../packages/server/src/cli/interactionsFile.ts';
import { table, writeSection } from './report.ts';
import { sharedPath } from './sharedData.ts';

const { values: args } = parseArgs({
  options: {
    data: { type: 'string', default: sharedPath('benchmarks') },
    datasets: { type: 'string', default: 'ml-100k,ml-latest-small' },
    models: { type: 'string' },
    budget: { type: 'string', default: '150' },
    'max-trials': { type: 'string', default: '12' },
    skip: { type: 'string', default: '' },
    'no-write': { type: 'boolean', default: false },
    /** pin parameters a priori (compute bounds), as dataset:model:JSON; repeatable */
    fix: { type: 'string', multiple: true, default: [] },
    /** keep the saved rows of models not in --models and re-run only auto's selection over all of them */
    merge: { type: 'boolean', default: false },
    /** only rebuild the section from the saved per-dataset results */
    'render-only': { type: 'boolean', default: false },
    /** per-dataset results are kept here, so data sets can run in separate processes and share one section */
    results: { type: 'string', default: 'node_modules/.cache/attune-quality' },
  },
});

/** Reference figures from reference.md (numpy/scipy implementations), NDCG@10 and the full row. */
const REFERENCE: Record<string, Record<string, { label: string; p: number; r: number; ndcg: number; hr: number; map: number; cov: number; fit: string }>> = {
  'ml-100k': {
    popular: { label: 'most popular', p: 0.102, r: 0.0591, ndcg: 0.1132, hr: 0.5292, map: 0.0524, cov: 0.043, fit: '~0 s' },
    'item-knn': { label: 'item-kNN k=100', p: 0.1558, r: 0.1027, ndcg: 0.1771, hr: 0.6607, map: 0.0916, cov: 0.238, fit: '0.2 s' },
    ease: { label: 'EASE λ=500', p: 0.1645, r: 0.1114, ndcg: 0.1902, hr: 0.6999, map: 0.0996, cov: 0.218, fit: '0.3 s' },
    als: { label: 'implicit ALS 64f', p: 0.1634, r: 0.1143, ndcg: 0.19, hr: 0.7116, map: 0.0964, cov: 0.323, fit: '8 s' },
  },
  'ml-latest-small': {
    popular: { label: 'most popular', p: 0.0739, r: 0.039, ndcg: 0.0876, hr: 0.3869, map: 0.0423, cov: 0.01, fit: '~0 s' },
    'item-knn': { label: 'item-kNN k=100', p: 0.1056, r: 0.0597, ndcg: 0.1181, hr: 0.4984, map: 0.0584, cov: 0.078, fit: '2.3 s' },
    ease: { label: 'EASE λ=200', p: 0.1184, r: 0.0689, ndcg: 0.13, hr: 0.5508, map: 0.063, cov: 0.063, fit: '0.4 s' },
    als: { label: 'implicit ALS 64f', p: 0.1061, r: 0.0606, ndcg: 0.118, hr: 0.5016, map: 0.0573, cov: 0.046, fit: '12 s' },
  },
};
const GOAL: Record<string, number> = { 'ml-100k': 0.2, 'ml-latest-small': 0.137 };

interface Row {
  model: string;
  params: Record<string, unknown>;
  valNdcg: number;
  trials: number;
  test?: EvalResult;
  fitSeconds?: number;
  error?: string;
}

/** What one data set's run saved: the command that produced it and its rows. */
interface Saved {
  command: string;
  rows: Row[];
}

function commandLine(): string {
  return `npm run bench:quality${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
}

const clock = () => performance.now();
const log = (msg: string) => process.stderr.write(`[quality ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

async function load(dir: string, name: string) {
  return (await loadInteractions(join(dir, name))).rows;
}

async function testRow(model: string, params: Record<string, unknown>, full: EvalData): Promise<{ test: EvalResult; fitSeconds: number }> {
  const t0 = clock();
  const fitted = await fitModel(model, params, full, { seed: 42 });
  const fitSeconds = (clock() - t0) / 1000;
  return { test: evaluateRecommender(fitted, full, { k: 10 }), fitSeconds };
}

async function runDataset(name: string): Promise<Row[]> {
  const dir = join(args.data as string, name);
  const [valTrain, valTest, train, test] = await Promise.all(['p1_val_train.tsv', 'p1_val_test.tsv', 'p1_train.tsv', 'p1_test.tsv'].map((f) => load(dir, f)));
  // tuning sees only the validation files; the test file is read for the final evaluation only
  const validation = buildEvalData(valTrain, valTest);
  const full = buildEvalData(train, test);
  log(`${name}: validation ${validation.test.users.length} users, test ${full.test.users.length} users, ${full.items.size} items`);
  const skip = new Set((args.skip as string).split(',').filter(Boolean));
  const models = (args.models ? (args.models as string).split(',') : autoCandidates()).filter((m) => !skip.has(`${name}:${m}`));
  const budgetMs = Number(args.budget) * 1000;
  const maxTrials = Number(args['max-trials']);

  const rows: Row[] = [];
  const tuned: TuneResult[] = [];
  const fixes = new Map<string, Record<string, unknown>>();
  for (const f of args.fix as string[]) {
    const [d, m, ...json] = f.split(':');
    if (d === name && m) fixes.set(m, JSON.parse(json.join(':')) as Record<string, unknown>);
  }
  const savedFile = join(args.results as string, `${name}.json`);
  if (args.merge && existsSync(savedFile)) {
    // earlier rows of other models: same validation data, so their best trials compete in auto as they are
    const saved = JSON.parse(readFileSync(savedFile, 'utf8')) as Saved;
    for (const r of saved.rows) {
      if (r.model.startsWith('auto') || models.includes(r.model)) continue;
      rows.push(r);
      if (Number.isFinite(r.valNdcg)) tuned.push({ model: r.model, best: { model: r.model, params: r.params, score: r.valNdcg }, trials: [] });
    }
  }
  for (const model of models) {
    log(`${name}: tuning ${model}`);
    const fixed = fixes.get(model);
    const result = await tuneModel(model, validation, {
      clock,
      budgetMs,
      maxTrials,
      ...(fixed ? { fixed } : {}),
      onTrial: (t) => log(`  ${model} ${JSON.stringify(t.params)} → ${t.error ? `error: ${t.error}` : `val NDCG@10 ${t.score.toFixed(4)} (${((t.fitMs ?? 0) / 1000).toFixed(1)} s)`}`),
    });
    tuned.push(result);
    const row: Row = { model, params: result.best.params, valNdcg: result.best.score, trials: result.trials.length };
    if (!Number.isFinite(result.best.score)) row.error = result.best.error ?? 'failed';
    else {
      Object.assign(row, await testRow(model, result.best.params, full));
      log(`${name}: ${model} test NDCG@10 ${row.test?.ndcg.toFixed(4)} (refit ${row.fitSeconds?.toFixed(1)} s)`);
    }
    rows.push(row);
  }

  log(`${name}: auto (selection on validation)`);
  const auto = await selectAuto(tuned, validation, { clock, seed: 42 });
  const same = rows.find((r) => r.model === auto.model && JSON.stringify(r.params) === JSON.stringify(auto.params));
  const autoRow: Row = { model: `auto → ${auto.model}`, params: auto.params, valNdcg: auto.score, trials: rows.reduce((n, r) => n + r.trials, 0) + auto.blendTrials.length };
  // a single-model choice was already refitted and tested above with the same seed
  if (same?.test) Object.assign(autoRow, { test: same.test, fitSeconds: same.fitSeconds });
  else Object.assign(autoRow, await testRow(auto.model, auto.params, full));
  log(`${name}: auto chose ${auto.model}, test NDCG@10 ${autoRow.test?.ndcg.toFixed(4)}`);
  rows.push(autoRow);
  return rows;
}

/** Compact parameter text: the tuned (grid) parameters and any that differ from the defaults; a blend lists its children. */
function describe(model: string, params: Record<string, unknown>): string {
  const kv = (name: string, p: Record<string, unknown>) => {
    let f: ReturnType<typeof getFactory> | undefined;
    try {
      f = getFactory(name);
    } catch {
      f = undefined;
    }
    return Object.entries(p)
      .filter(([k, v]) => !f || k in (f.grid ?? {}) || JSON.stringify(f.defaults[k]) !== JSON.stringify(v))
      .map(([k, v]) => `${k}=${typeof v === 'number' ? Number(v.toPrecision(4)) : typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(', ');
  };
  const base = model.replace(/^auto → /, '');
  if (base === 'blend' && Array.isArray(params.models)) {
    const children = (params.models as { model: string; params?: Record<string, unknown>; weight: number }[]).map((c) => `${Number(c.weight.toFixed(2))}·${c.model}(${kv(c.model, c.params ?? {})})`);
    return `${children.join(' + ')}; ${params.fusion}`;
  }
  return kv(base, params) || 'defaults';
}

function render(results: Map<string, Saved>): string {
  const parts: string[] = [
    'P1: tuned on `p1_val_train`/`p1_val_test` only (validation NDCG@10, random/grid search over each model\'s grid within the time budget), refit on `p1_train`, evaluated once on `p1_test`. Full ranking, k = 10. `auto` = the model (or blend of the top validated models) with the best validation NDCG@10. "ref" = reference.md figure for the same model (numpy/scipy).',
  ];
  for (const [name, { command, rows }] of results) {
    const best = rows.filter((r) => r.test).sort((a, b) => (b.valNdcg as number) - (a.valNdcg as number))[0];
    parts.push(`### ${name}\n\nProduced by \`${command}\`.`);
    parts.push(
      table(
        ['model', 'configuration (chosen on validation)', 'val NDCG@10', 'P@10', 'R@10', 'NDCG@10', 'ref NDCG@10', 'HR@10', 'MAP@10', 'Cov@10', 'fit time', 'trials'],
        rows.map((r) => {
          const ref = REFERENCE[name]?.[r.model];
          if (!r.test) return [r.model, `failed: ${r.error ?? ''}`, '–', '–', '–', '–', ref ? ref.ndcg.toFixed(4) : '', '–', '–', '–', '–', r.trials];
          const t = r.test;
          const ndcg = r === best ? `**${t.ndcg.toFixed(4)}**` : t.ndcg.toFixed(4);
          return [r.model, describe(r.model, r.params), r.valNdcg.toFixed(4), t.precision.toFixed(4), t.recall.toFixed(4), ndcg, ref ? ref.ndcg.toFixed(4) : '', t.hitRate.toFixed(4), t.map.toFixed(4), t.coverage.toFixed(3), `${(r.fitSeconds ?? 0).toFixed(1)} s`, r.trials];
        }),
      ),
    );
    const autoRow = rows.find((r) => r.model.startsWith('auto'));
    const goal = GOAL[name];
    if (autoRow?.test && goal !== undefined) {
      parts.push(`Goal NDCG@10 ≥ ${goal.toFixed(3)} for the configuration chosen on validation (auto): **${autoRow.test.ndcg.toFixed(4)}** — ${autoRow.test.ndcg >= goal ? 'met' : 'not met'}.`);
    }
    const refs = REFERENCE[name];
    if (refs) {
      parts.push(
        `Reference rows (reference.md):\n\n${table(
          ['reference model', 'P@10', 'R@10', 'NDCG@10', 'HR@10', 'MAP@10', 'Cov@10', 'fit time'],
          Object.values(refs).map((x) => [x.label, x.p.toFixed(4), x.r.toFixed(4), x.ndcg.toFixed(4), x.hr.toFixed(4), x.map.toFixed(4), x.cov.toFixed(3), x.fit]),
        )}`,
      );
    }
  }
  return parts.join('\n\n');
}

const resultsDir = args.results as string;
mkdirSync(resultsDir, { recursive: true });
for (const name of (args.datasets as string).split(',')) {
  if (!existsSync(join(args.data as string, name, 'p1_train.tsv'))) {
    log(`${name}: no P1 files under ${args.data}; skipped`);
    continue;
  }
  if (!args['render-only']) {
    const file = join(resultsDir, `${name}.json`);
    const previous = args.merge && existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Saved).command : undefined;
    const rows = await runDataset(name);
    writeFileSync(file, JSON.stringify({ command: previous ? `${previous}\` then \`${commandLine()}` : commandLine(), rows }));
  }
  // every data set measured so far (this run or a parallel one), in the protocol's order
  const results = new Map<string, Saved>();
  for (const d of ['ml-100k', 'ml-latest-small']) {
    const f = join(resultsDir, `${d}.json`);
    if (existsSync(f)) results.set(d, JSON.parse(readFileSync(f, 'utf8')) as Saved);
  }
  const md = render(results);
  process.stdout.write(`${md}\n`);
  const commands = [...new Set([...results.values()].map((r) => r.command))];
  if (!args['no-write']) writeSection('quality', 'Quality (protocol P1)', commands.join('` and `'), md);
}
