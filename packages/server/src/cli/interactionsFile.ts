import type { Interaction, WeightingOptions } from '@attune/engine';
import { numberField, readDelimitedFile, textField } from '../io/delimited.ts';
import { CliError } from './cliError.ts';

/**
 * Loads interactions from a CSV/TSV file with a header naming at least user_id and item_id,
 * optionally rating/value and timestamp (the P1 benchmark file format). Bad rows fail with the
 * file, line and field.
 */
export const INTERACTION_FIELDS = {
  user_id: ['user', 'userid', 'user id', 'userId'],
  item_id: ['item', 'itemid', 'item id', 'itemId', 'movie_id', 'movieId'],
  rating: ['value', 'score'],
  timestamp: ['time', 'ts', 'date', 'datetime'],
} as const;

export interface LoadedInteractions {
  rows: Interaction[];
  hasRatings: boolean;
  hasTimestamps: boolean;
}

/** Epoch seconds (MovieLens) become ms; large numbers are already ms; other text must parse as a date. */
function parseTime(raw: string, file: string, line: number): number {
  const s = raw.trim();
  if (/^-?\d+(\.\d+)?$/.test(s)) {
    const v = Number(s);
    return Math.abs(v) < 1e11 ? v * 1000 : v;
  }
  const t = Date.parse(s);
  if (!Number.isFinite(t)) throw new CliError(`${file}:${line}: field "timestamp": expected epoch seconds, epoch ms or an ISO date, got ${JSON.stringify(raw)}`);
  return t;
}

export async function loadInteractions(path: string): Promise<LoadedInteractions> {
  const rows: Interaction[] = [];
  let hasRatings = false;
  let hasTimestamps = false;
  let header: string[] | undefined;
  try {
    for await (const row of readDelimitedFile(path, { fields: INTERACTION_FIELDS, required: ['user_id', 'item_id'] })) {
      header ??= Object.keys(row.record);
      const e: Interaction = { userId: textField(row, 'user_id', path), itemId: textField(row, 'item_id', path) };
      if ('rating' in row.record) {
        const v = numberField(row, 'rating', path);
        if (v !== undefined) e.value = v;
        hasRatings = true;
      }
      if ('timestamp' in row.record) {
        const raw = row.record.timestamp as string;
        if (raw.trim() === '') throw new CliError(`${path}:${row.line}: field "timestamp": is empty`);
        e.timestamp = parseTime(raw, path, row.line);
        hasTimestamps = true;
      }
      rows.push(e);
    }
  } catch (err) {
    if (err instanceof Error && 'code' in err && err.code === 'ENOENT') throw new CliError(`${path}: file not found`);
    if (err instanceof Error && 'code' in err && err.code === 'EISDIR') throw new CliError(`${path}: is a directory, expected a file`);
    throw err;
  }
  if (rows.length === 0) throw new CliError(`${path}:2: no interactions after the header`);
  return { rows, hasRatings, hasTimestamps };
}

export type WeightMode = 'one' | 'rating';

/** P1 counts every row once; `rating` multiplies by the row's rating (or value). */
export function weightingFor(mode: WeightMode): WeightingOptions {
  return mode === 'rating' ? { useValue: true } : {};
}

export function parseWeightMode(v: string): WeightMode {
  if (v !== 'one' && v !== 'rating') throw new CliError(`--weight: expected "one" or "rating", got ${JSON.stringify(v)}`);
  return v;
}
