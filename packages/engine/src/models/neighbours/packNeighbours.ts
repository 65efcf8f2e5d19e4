import type { CsrMatrix } from '../../data/csr.ts';
import type { PackedArray } from '../../data/pack.ts';

/** A sparse matrix as prefixed named arrays for `pack` (models store the fitted matrix alongside). */
export function matrixArrays(prefix: string, m: CsrMatrix): Record<string, PackedArray> {
  return { [`${prefix}_indptr`]: m.indptr, [`${prefix}_indices`]: m.indices, [`${prefix}_data`]: m.data };
}

export function matrixFromArrays(prefix: string, shape: [number, number], arrays: Record<string, PackedArray>): CsrMatrix {
  const get = (name: string): PackedArray => {
    const a = arrays[`${prefix}_${name}`];
    if (!a) throw new Error(`artifact is missing array "${prefix}_${name}"`);
    return a;
  };
  return { rows: shape[0], cols: shape[1], indptr: get('indptr') as Int32Array, indices: get('indices') as Int32Array, data: get('data') as Float32Array };
}
