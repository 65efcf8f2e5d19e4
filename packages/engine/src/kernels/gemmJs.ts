/**
 * Plain-TS version of dense.wat's gemmSub (the fallback and the test reference): C -= X·Y with
 * X packed in 4-row tiles (tile t = rows 4t..4t+3 as nb groups of four, k-major) and Y packed
 * in 8-column tiles (tile u = columns 8u..8u+7 as nb groups of eight). All offsets are in floats
 * into one Float32Array; m % 4 == 0, ncols % 8 == 0. With `lower`, only the 4×8 tiles whose first
 * column is below the tile's last row are updated, exactly as the WASM kernel does.
 */
export function gemmSubJs(mem: Float32Array, c: number, ldc: number, x: number, y: number, m: number, ncols: number, nb: number, lower = false): void {
  for (let i = 0; i < m; i++) {
    const xt = x + (i >> 2) * nb * 4 + (i & 3);
    const crow = c + i * ldc;
    const jEnd = lower ? Math.min(ncols, ((i & ~3) + 4 + 7) & ~7) : ncols;
    for (let j = 0; j < jEnd; j++) {
      const yt = y + (j >> 3) * nb * 8 + (j & 7);
      let s = 0;
      for (let k = 0; k < nb; k++) s += (mem[xt + k * 4] as number) * (mem[yt + k * 8] as number);
      mem[crow + j] -= s;
    }
  }
}

/**
 * Writes the column panel A[0..m, c0..c0+nb) of a row-major matrix (leading dim lda) as a packed X
 * operand. Rows below `mirrorBelow` are read from the lower triangle instead, A[i][c] = sign·A[c][i]
 * (for a matrix kept only in its lower triangle).
 */
export function packX(mem: Float32Array, a: number, lda: number, m: number, c0: number, nb: number, x: number, mirrorBelow = 0, sign = 1): void {
  for (let i = 0; i < m; i++) {
    const dst = x + (i >> 2) * nb * 4 + (i & 3);
    if (i < mirrorBelow) {
      for (let k = 0; k < nb; k++) mem[dst + k * 4] = sign * (mem[a + (c0 + k) * lda + i] as number);
    } else {
      const src = a + i * lda + c0;
      for (let k = 0; k < nb; k++) mem[dst + k * 4] = mem[src + k] as number;
    }
  }
}

/**
 * Writes the row panel A[r0..r0+nb, 0..ncols) of a row-major matrix (leading dim lda) as a packed Y
 * operand. Columns from `mirrorFrom` on are read from the lower triangle, A[r][j] = A[j][r].
 */
export function packY(mem: Float32Array, a: number, lda: number, r0: number, nb: number, ncols: number, y: number, mirrorFrom = ncols): void {
  for (let k = 0; k < nb; k++) {
    const src = a + (r0 + k) * lda;
    const lim = Math.min(ncols, mirrorFrom);
    for (let j = 0; j < lim; j++) mem[y + (j >> 3) * nb * 8 + k * 8 + (j & 7)] = mem[src + j] as number;
    for (let j = lim; j < ncols; j++) mem[y + (j >> 3) * nb * 8 + k * 8 + (j & 7)] = mem[a + j * lda + r0 + k] as number;
  }
}
