;; Implicit-ALS inner loops (f32x4 SIMD) over data laid out by models/als/wasmAls.ts in one
;; memory: conjugate-gradient row solves and Gram accumulation. The factor count f must be a
;; multiple of 8 (two accumulators of four lanes); "f4" arguments are row strides in bytes (4·f).
;; All pointers are byte offsets.
(module
  (import "env" "memory" (memory 1))

  (func $hsum (param $v v128) (result f32)
    (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $v)) (f32x4.extract_lane 1 (local.get $v)))
      (f32.add (f32x4.extract_lane 2 (local.get $v)) (f32x4.extract_lane 3 (local.get $v)))))

  (func $dot (param $a i32) (param $b i32) (param $f4 i32) (result f32)
    (local $o i32) (local $s0 v128) (local $s1 v128)
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $o) (local.get $f4)))
        (local.set $s0 (f32x4.add (local.get $s0)
          (f32x4.mul (v128.load (i32.add (local.get $a) (local.get $o))) (v128.load (i32.add (local.get $b) (local.get $o))))))
        (local.set $s1 (f32x4.add (local.get $s1)
          (f32x4.mul (v128.load offset=16 (i32.add (local.get $a) (local.get $o))) (v128.load offset=16 (i32.add (local.get $b) (local.get $o))))))
        (local.set $o (i32.add (local.get $o) (i32.const 32)))
        (br $l)))
    (call $hsum (f32x4.add (local.get $s0) (local.get $s1))))

  ;; acc += w·y
  (func $axpy (param $w f32) (param $y i32) (param $acc i32) (param $f4 i32)
    (local $o i32) (local $wv v128) (local $p i32)
    (local.set $wv (f32x4.splat (local.get $w)))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $o) (local.get $f4)))
        (local.set $p (i32.add (local.get $acc) (local.get $o)))
        (v128.store (local.get $p) (f32x4.add (v128.load (local.get $p))
          (f32x4.mul (local.get $wv) (v128.load (i32.add (local.get $y) (local.get $o))))))
        (v128.store offset=16 (local.get $p) (f32x4.add (v128.load offset=16 (local.get $p))
          (f32x4.mul (local.get $wv) (v128.load offset=16 (i32.add (local.get $y) (local.get $o))))))
        (local.set $o (i32.add (local.get $o) (i32.const 32)))
        (br $l))))

;; out = sign·G·v for the f×f matrix G, four rows at a time so each load of v serves four
  ;; rows (G stays in L1: the loads, not the arithmetic, bound this loop)
  (func $symv (param $g i32) (param $v i32) (param $out i32) (param $f4 i32) (param $sign f32)
    (local $i i32) (local $o i32) (local $g0 i32) (local $g1 i32) (local $g2 i32) (local $g3 i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $vv v128)
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $f4)))
        ;; byte offset i = 4·row, so row·f4 = i·f
        (local.set $g0 (i32.add (local.get $g) (i32.mul (local.get $i) (i32.shr_u (local.get $f4) (i32.const 2)))))
        (local.set $g1 (i32.add (local.get $g0) (local.get $f4)))
        (local.set $g2 (i32.add (local.get $g1) (local.get $f4)))
        (local.set $g3 (i32.add (local.get $g2) (local.get $f4)))
        (local.set $a0 (v128.const i32x4 0 0 0 0))
        (local.set $a1 (v128.const i32x4 0 0 0 0))
        (local.set $a2 (v128.const i32x4 0 0 0 0))
        (local.set $a3 (v128.const i32x4 0 0 0 0))
        (local.set $o (i32.const 0))
        (block $d2 (loop $l2
          (br_if $d2 (i32.ge_u (local.get $o) (local.get $f4)))
          (local.set $vv (v128.load (i32.add (local.get $v) (local.get $o))))
          (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $vv) (v128.load (i32.add (local.get $g0) (local.get $o))))))
          (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $vv) (v128.load (i32.add (local.get $g1) (local.get $o))))))
          (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (local.get $vv) (v128.load (i32.add (local.get $g2) (local.get $o))))))
          (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (local.get $vv) (v128.load (i32.add (local.get $g3) (local.get $o))))))
          (local.set $o (i32.add (local.get $o) (i32.const 16)))
          (br $l2)))
        (f32.store (i32.add (local.get $out) (local.get $i)) (f32.mul (local.get $sign) (call $hsum (local.get $a0))))
        (f32.store offset=4 (i32.add (local.get $out) (local.get $i)) (f32.mul (local.get $sign) (call $hsum (local.get $a1))))
        (f32.store offset=8 (i32.add (local.get $out) (local.get $i)) (f32.mul (local.get $sign) (call $hsum (local.get $a2))))
        (f32.store offset=12 (i32.add (local.get $out) (local.get $i)) (f32.mul (local.get $sign) (call $hsum (local.get $a3))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $l))))

;; Loads one word of every cache line of the factor rows of entries [q, end) and returns
  ;; them or-ed together (so the loads cannot be dropped). The loads are independent of each
  ;; other, so the core keeps dozens of row fetches in flight at once; the dot/axpy passes that
  ;; follow, whose loads each wait for the previous entry's arithmetic, then hit the cache. The
  ;; random row fetches, one or two at a time, were what bound the solve.
  (func $touch (param $y i32) (param $indices i32) (param $q i32) (param $end i32) (param $f4 i32) (result i32)
    (local $sink i32) (local $row i32) (local $o i32)
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $q) (local.get $end)))
        (local.set $row (i32.add (local.get $y) (i32.mul (i32.load (i32.add (local.get $indices) (i32.shl (local.get $q) (i32.const 2)))) (local.get $f4))))
        (local.set $o (i32.const 0))
        (loop $lines
          (local.set $sink (i32.or (local.get $sink) (i32.load (i32.add (local.get $row) (local.get $o)))))
          (local.set $o (i32.add (local.get $o) (i32.const 64)))
          (br_if $lines (i32.lt_u (local.get $o) (local.get $f4))))
        (local.set $q (i32.add (local.get $q) (i32.const 1)))
        (br $l)))
    (local.get $sink))

;; One pass over the entries [lo, hi) of a row: acc += Σ wᵢ·yᵢ with wᵢ = k0 + cᵢ·(k1 + k2·(yᵢ·v)),
  ;; cᵢ = α·valueᵢ. The residual pass is (k0, k1, k2) = (1, 1, −1) with v = x, a CG step's
  ;; Ap pass is (0, 0, 1) with v = p. Each chunk of 32 entries is touched first (see $touch).
  ;; Returns the touched words.
  (func $pass (param $y i32) (param $indices i32) (param $cm1 i32) (param $lo i32) (param $hi i32)
        (param $v i32) (param $acc i32) (param $f4 i32) (param $k0 f32) (param $k1 f32) (param $k2 f32) (result i32)
    (local $q i32) (local $yi i32) (local $c f32) (local $sink i32)
    (if (i32.eq (local.get $f4) (i32.const 256))
      (then (return (call $pass64 (local.get $y) (local.get $indices) (local.get $cm1) (local.get $lo) (local.get $hi)
        (local.get $v) (local.get $acc) (local.get $k0) (local.get $k1) (local.get $k2)))))
    (local.set $q (local.get $lo))
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $q) (local.get $hi)))
      (if (i32.eqz (i32.and (i32.sub (local.get $q) (local.get $lo)) (i32.const 31)))
        (then (local.set $sink (i32.or (local.get $sink) (call $touch (local.get $y) (local.get $indices) (local.get $q)
          (select (local.get $hi) (i32.add (local.get $q) (i32.const 32)) (i32.lt_u (local.get $hi) (i32.add (local.get $q) (i32.const 32)))) (local.get $f4))))))
      (local.set $yi (i32.add (local.get $y) (i32.mul (i32.load (i32.add (local.get $indices) (i32.shl (local.get $q) (i32.const 2)))) (local.get $f4))))
      (local.set $c (f32.load (i32.add (local.get $cm1) (i32.shl (local.get $q) (i32.const 2)))))
      (call $axpy (f32.add (local.get $k0) (f32.mul (local.get $c) (f32.add (local.get $k1)
          (f32.mul (local.get $k2) (call $dot (local.get $yi) (local.get $v) (local.get $f4))))))
        (local.get $yi) (local.get $acc) (local.get $f4))
      (local.set $q (i32.add (local.get $q) (i32.const 1)))
      (br $l)))
    (local.get $sink))

  ;; $pass for f = 64, fully unrolled: no calls or loop counters per entry, and the dot product
  ;; uses four independent accumulators so its add chain is short.
  (func $pass64 (param $y i32) (param $indices i32) (param $cm1 i32) (param $lo i32) (param $hi i32)
        (param $v i32) (param $acc i32) (param $k0 f32) (param $k1 f32) (param $k2 f32) (result i32)
    (local $q i32) (local $yi i32) (local $c f32) (local $sink i32) (local $wv v128)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128)
    (local.set $q (local.get $lo))
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $q) (local.get $hi)))
      (if (i32.eqz (i32.and (i32.sub (local.get $q) (local.get $lo)) (i32.const 31)))
        (then (local.set $sink (i32.or (local.get $sink) (call $touch (local.get $y) (local.get $indices) (local.get $q)
          (select (local.get $hi) (i32.add (local.get $q) (i32.const 32)) (i32.lt_u (local.get $hi) (i32.add (local.get $q) (i32.const 32)))) (i32.const 256))))))
      (local.set $yi (i32.add (local.get $y) (i32.shl (i32.load (i32.add (local.get $indices) (i32.shl (local.get $q) (i32.const 2)))) (i32.const 8))))
      (local.set $c (f32.load (i32.add (local.get $cm1) (i32.shl (local.get $q) (i32.const 2)))))
      (local.set $s0 (f32x4.mul (v128.load offset=0 (local.get $yi)) (v128.load offset=0 (local.get $v))))
      (local.set $s1 (f32x4.mul (v128.load offset=16 (local.get $yi)) (v128.load offset=16 (local.get $v))))
      (local.set $s2 (f32x4.mul (v128.load offset=32 (local.get $yi)) (v128.load offset=32 (local.get $v))))
      (local.set $s3 (f32x4.mul (v128.load offset=48 (local.get $yi)) (v128.load offset=48 (local.get $v))))
      (local.set $s0 (f32x4.add (local.get $s0) (f32x4.mul (v128.load offset=64 (local.get $yi)) (v128.load offset=64 (local.get $v)))))
      (local.set $s1 (f32x4.add (local.get $s1) (f32x4.mul (v128.load offset=80 (local.get $yi)) (v128.load offset=80 (local.get $v)))))
      (local.set $s2 (f32x4.add (local.get $s2) (f32x4.mul (v128.load offset=96 (local.get $yi)) (v128.load offset=96 (local.get $v)))))
      (local.set $s3 (f32x4.add (local.get $s3) (f32x4.mul (v128.load offset=112 (local.get $yi)) (v128.load offset=112 (local.get $v)))))
      (local.set $s0 (f32x4.add (local.get $s0) (f32x4.mul (v128.load offset=128 (local.get $yi)) (v128.load offset=128 (local.get $v)))))
      (local.set $s1 (f32x4.add (local.get $s1) (f32x4.mul (v128.load offset=144 (local.get $yi)) (v128.load offset=144 (local.get $v)))))
      (local.set $s2 (f32x4.add (local.get $s2) (f32x4.mul (v128.load offset=160 (local.get $yi)) (v128.load offset=160 (local.get $v)))))
      (local.set $s3 (f32x4.add (local.get $s3) (f32x4.mul (v128.load offset=176 (local.get $yi)) (v128.load offset=176 (local.get $v)))))
      (local.set $s0 (f32x4.add (local.get $s0) (f32x4.mul (v128.load offset=192 (local.get $yi)) (v128.load offset=192 (local.get $v)))))
      (local.set $s1 (f32x4.add (local.get $s1) (f32x4.mul (v128.load offset=208 (local.get $yi)) (v128.load offset=208 (local.get $v)))))
      (local.set $s2 (f32x4.add (local.get $s2) (f32x4.mul (v128.load offset=224 (local.get $yi)) (v128.load offset=224 (local.get $v)))))
      (local.set $s3 (f32x4.add (local.get $s3) (f32x4.mul (v128.load offset=240 (local.get $yi)) (v128.load offset=240 (local.get $v)))))
      (local.set $wv (f32x4.splat (f32.add (local.get $k0) (f32.mul (local.get $c) (f32.add (local.get $k1)
        (f32.mul (local.get $k2) (call $hsum (f32x4.add (f32x4.add (local.get $s0) (local.get $s1)) (f32x4.add (local.get $s2) (local.get $s3))))))))))
      (v128.store offset=0 (local.get $acc) (f32x4.add (v128.load offset=0 (local.get $acc)) (f32x4.mul (local.get $wv) (v128.load offset=0 (local.get $yi)))))
      (v128.store offset=16 (local.get $acc) (f32x4.add (v128.load offset=16 (local.get $acc)) (f32x4.mul (local.get $wv) (v128.load offset=16 (local.get $yi)))))
      (v128.store offset=32 (local.get $acc) (f32x4.add (v128.load offset=32 (local.get $acc)) (f32x4.mul (local.get $wv) (v128.load offset=32 (local.get $yi)))))
      (v128.store offset=48 (local.get $acc) (f32x4.add (v128.load offset=48 (local.get $acc)) (f32x4.mul (local.get $wv) (v128.load offset=48 (local.get $yi)))))
      (v128.store offset=64 (local.get $acc) (f32x4.add (v128.load offset=64 (local.get $acc)) (f32x4.mul (local.get $wv) (v128.load offset=64 (local.get $yi)))))
      (v128.store offset=80 (local.get $acc) (f32x4.add (v128.load offset=80 (local.get $acc)) (f32x4.mul (local.get $wv) (v128.load offset=80 (local.get $yi)))))
      (v128.store offset=96 (local.get $acc) (f32x4.add (v128.load offset=96 (local.get $acc)) (f32x4.mul (local.get $wv) (v128.load offset=96 (local.get $yi)))))
      (v128.store offset=112 (local.get $acc) (f32x4.add (v128.load offset=112 (local.get $acc)) (f32x4.mul (local.get $wv) (v128.load offset=112 (local.get $yi)))))
      (v128.store offset=128 (local.get $acc) (f32x4.add (v128.load offset=128 (local.get $acc)) (f32x4.mul (local.get $wv) (v128.load offset=128 (local.get $yi)))))
      (v128.store offset=144 (local.get $acc) (f32x4.add (v128.load offset=144 (local.get $acc)) (f32x4.mul (local.get $wv) (v128.load offset=144 (local.get $yi)))))
      (v128.store offset=160 (local.get $acc) (f32x4.add (v128.load offset=160 (local.get $acc)) (f32x4.mul (local.get $wv) (v128.load offset=160 (local.get $yi)))))
      (v128.store offset=176 (local.get $acc) (f32x4.add (v128.load offset=176 (local.get $acc)) (f32x4.mul (local.get $wv) (v128.load offset=176 (local.get $yi)))))
      (v128.store offset=192 (local.get $acc) (f32x4.add (v128.load offset=192 (local.get $acc)) (f32x4.mul (local.get $wv) (v128.load offset=192 (local.get $yi)))))
      (v128.store offset=208 (local.get $acc) (f32x4.add (v128.load offset=208 (local.get $acc)) (f32x4.mul (local.get $wv) (v128.load offset=208 (local.get $yi)))))
      (v128.store offset=224 (local.get $acc) (f32x4.add (v128.load offset=224 (local.get $acc)) (f32x4.mul (local.get $wv) (v128.load offset=224 (local.get $yi)))))
      (v128.store offset=240 (local.get $acc) (f32x4.add (v128.load offset=240 (local.get $acc)) (f32x4.mul (local.get $wv) (v128.load offset=240 (local.get $yi)))))
      (local.set $q (i32.add (local.get $q) (i32.const 1)))
      (br $l)))
    (local.get $sink))

  ;; For every row u in [start, end): `steps` CG iterations on
  ;; (G + Σ cm1ᵢ·yᵢyᵢᵀ)·x = Σ (1 + cm1ᵢ)·yᵢ, warm-started from x's row, where G = YᵀY + λI and
  ;; the row's entries are indices[indptr[u]..indptr[u+1]) with cm1 = α·value. Scratch holds
  ;; three f-vectors (r, p, Ap).
  (func (export "cgRows") (param $y i32) (param $x i32) (param $indptr i32) (param $indices i32) (param $cm1 i32)
        (param $g i32) (param $f i32) (param $start i32) (param $end i32) (param $steps i32) (param $scratch i32)
    (local $f4 i32) (local $u i32) (local $q i32) (local $lo i32) (local $hi i32) (local $xo i32)
    (local $r i32) (local $p i32) (local $ap i32) (local $c f32) (local $yi i32) (local $d f32)
    (local $rsold f32) (local $rsnew f32) (local $pap f32) (local $a f32) (local $beta f32) (local $it i32)
    (local $o i32) (local $av v128) (local $bv v128) (local $sink i32)
    (local.set $f4 (i32.shl (local.get $f) (i32.const 2)))
    (local.set $r (local.get $scratch))
    (local.set $p (i32.add (local.get $scratch) (local.get $f4)))
    (local.set $ap (i32.add (local.get $p) (local.get $f4)))
    (local.set $u (local.get $start))
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_u (local.get $u) (local.get $end)))
        (local.set $lo (i32.load (i32.add (local.get $indptr) (i32.shl (local.get $u) (i32.const 2)))))
        (local.set $hi (i32.load offset=4 (i32.add (local.get $indptr) (i32.shl (local.get $u) (i32.const 2)))))
        (local.set $xo (i32.add (local.get $x) (i32.mul (local.get $u) (local.get $f4))))
        (if (i32.eq (local.get $lo) (local.get $hi))
          (then (memory.fill (local.get $xo) (i32.const 0) (local.get $f4)))
          (else
            ;; r = −G·x + Σ (1 + c − c·(yᵢ·x))·yᵢ
            (call $symv (local.get $g) (local.get $xo) (local.get $r) (local.get $f4) (f32.const -1))
            (local.set $sink (i32.or (local.get $sink) (call $pass (local.get $y) (local.get $indices) (local.get $cm1) (local.get $lo) (local.get $hi)
              (local.get $xo) (local.get $r) (local.get $f4) (f32.const 1) (f32.const 1) (f32.const -1))))
            (memory.copy (local.get $p) (local.get $r) (local.get $f4))
            (local.set $rsold (call $dot (local.get $r) (local.get $r) (local.get $f4)))
            (local.set $it (i32.const 0))
            (block $cgDone (loop $cg
              (br_if $cgDone (i32.ge_u (local.get $it) (local.get $steps)))
              (br_if $cgDone (f32.lt (local.get $rsold) (f32.const 1e-20)))
              ;; Ap = G·p + Σ c·(yᵢ·p)·yᵢ
              (call $symv (local.get $g) (local.get $p) (local.get $ap) (local.get $f4) (f32.const 1))
              (local.set $sink (i32.or (local.get $sink) (call $pass (local.get $y) (local.get $indices) (local.get $cm1) (local.get $lo) (local.get $hi)
                (local.get $p) (local.get $ap) (local.get $f4) (f32.const 0) (f32.const 0) (f32.const 1))))
              (local.set $pap (call $dot (local.get $p) (local.get $ap) (local.get $f4)))
              (br_if $cgDone (i32.eqz (f32.gt (local.get $pap) (f32.const 0))))
              (local.set $a (f32.div (local.get $rsold) (local.get $pap)))
              ;; x += a·p; r −= a·Ap
              (call $axpy (local.get $a) (local.get $p) (local.get $xo) (local.get $f4))
              (call $axpy (f32.neg (local.get $a)) (local.get $ap) (local.get $r) (local.get $f4))
              (local.set $rsnew (call $dot (local.get $r) (local.get $r) (local.get $f4)))
              (local.set $beta (f32.div (local.get $rsnew) (local.get $rsold)))
              ;; p = r + β·p
              (local.set $bv (f32x4.splat (local.get $beta)))
              (local.set $o (i32.const 0))
              (block $d3 (loop $l3
                (br_if $d3 (i32.ge_u (local.get $o) (local.get $f4)))
                (v128.store (i32.add (local.get $p) (local.get $o))
                  (f32x4.add (v128.load (i32.add (local.get $r) (local.get $o)))
                    (f32x4.mul (local.get $bv) (v128.load (i32.add (local.get $p) (local.get $o))))))
                (local.set $o (i32.add (local.get $o) (i32.const 16)))
                (br $l3)))
              (local.set $rsold (local.get $rsnew))
              (local.set $it (i32.add (local.get $it) (i32.const 1)))
              (br $cg)))))
        (local.set $u (i32.add (local.get $u) (i32.const 1)))
        (br $rows)))
    ;; keep the touched words live
    (i32.store (local.get $r) (local.get $sink)))

  ;; out += Σ yᵣyᵣᵀ over rows [start, end) of the rows×f matrix at y (f×f row-major, lower triangle)
  (func (export "gramAdd") (param $y i32) (param $start i32) (param $end i32) (param $f i32) (param $out i32)
    (local $f4 i32) (local $row i32) (local $i i32)
    (local.set $f4 (i32.shl (local.get $f) (i32.const 2)))
    (local.set $row (i32.add (local.get $y) (i32.mul (local.get $start) (local.get $f4))))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $start) (local.get $end)))
        (local.set $i (i32.const 0))
        (block $di (loop $li
          (br_if $di (i32.ge_u (local.get $i) (local.get $f4)))
          ;; lower triangle only (columns ≤ row, rounded up to 8); the caller mirrors it
          (call $axpy (f32.load (i32.add (local.get $row) (local.get $i))) (local.get $row)
            (i32.add (local.get $out) (i32.mul (local.get $i) (local.get $f)))
            (i32.and (i32.add (local.get $i) (i32.const 32)) (i32.const -32)))
          (local.set $i (i32.add (local.get $i) (i32.const 4)))
          (br $li)))
        (local.set $row (i32.add (local.get $row) (local.get $f4)))
        (local.set $start (i32.add (local.get $start) (i32.const 1)))
        (br $rows))))
)
