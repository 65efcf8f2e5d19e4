;; Kernels over a row-major rows×dim float32 factor matrix (f32x4 SIMD): dot product, batched
;; scoring M·q, top-k selection with a skip mask, and Gram accumulation MᵀM. The memory is
;; imported so that each FactorMatrix owns a dedicated memory sized once (no grow, no detached
;; views). All pointers are byte offsets into that memory.
(module
  (import "env" "memory" (memory 1))

  (func $hsum (param $v v128) (result f32)
    (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $v)) (f32x4.extract_lane 1 (local.get $v)))
      (f32.add (f32x4.extract_lane 2 (local.get $v)) (f32x4.extract_lane 3 (local.get $v)))))

  ;; Σ a[i]·b[i] over n floats; two accumulators hide the add latency.
  (func $dot (export "dot") (param $a i32) (param $b i32) (param $n i32) (result f32)
    (local $acc0 v128) (local $acc1 v128) (local $off i32) (local $end i32) (local $s f32)
    (local.set $end (i32.shl (i32.and (local.get $n) (i32.const -8)) (i32.const 2)))
    (block $done8
      (loop $l8
        (br_if $done8 (i32.ge_u (local.get $off) (local.get $end)))
        (local.set $acc0 (f32x4.add (local.get $acc0)
          (f32x4.mul (v128.load (i32.add (local.get $a) (local.get $off)))
                     (v128.load (i32.add (local.get $b) (local.get $off))))))
        (local.set $acc1 (f32x4.add (local.get $acc1)
          (f32x4.mul (v128.load offset=16 (i32.add (local.get $a) (local.get $off)))
                     (v128.load offset=16 (i32.add (local.get $b) (local.get $off))))))
        (local.set $off (i32.add (local.get $off) (i32.const 32)))
        (br $l8)))
    (local.set $acc0 (f32x4.add (local.get $acc0) (local.get $acc1)))
    (local.set $end (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (if (i32.lt_u (local.get $off) (local.get $end))
      (then
        (local.set $acc0 (f32x4.add (local.get $acc0)
          (f32x4.mul (v128.load (i32.add (local.get $a) (local.get $off)))
                     (v128.load (i32.add (local.get $b) (local.get $off))))))
        (local.set $off (i32.add (local.get $off) (i32.const 16)))))
    (local.set $s (call $hsum (local.get $acc0)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $done1
      (loop $l1
        (br_if $done1 (i32.ge_u (local.get $off) (local.get $end)))
        (local.set $s (f32.add (local.get $s)
          (f32.mul (f32.load (i32.add (local.get $a) (local.get $off)))
                   (f32.load (i32.add (local.get $b) (local.get $off))))))
        (local.set $off (i32.add (local.get $off) (i32.const 4)))
        (br $l1)))
    (local.get $s))

  ;; out[r] = M[r]·q for r < rows. Four rows at a time: four independent accumulators and one
  ;; query load per four row loads; the sweep is memory-bandwidth bound for large matrices.
  (func $scoreRows (export "scoreRows") (param $m i32) (param $rows i32) (param $dim i32) (param $q i32) (param $out i32)
    (local $r i32) (local $stride i32) (local $end4 i32) (local $off i32)
    (local $p0 i32) (local $p1 i32) (local $p2 i32) (local $p3 i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $qv v128)
    (local $t0 v128) (local $t1 v128) (local $tail v128)
    (local.set $stride (i32.shl (local.get $dim) (i32.const 2)))
    (local.set $end4 (i32.shl (i32.and (local.get $dim) (i32.const -4)) (i32.const 2)))
    (block $doneRows
      (loop $rowLoop
        (br_if $doneRows (i32.gt_u (i32.add (local.get $r) (i32.const 4)) (local.get $rows)))
        (local.set $p0 (i32.add (local.get $m) (i32.mul (local.get $r) (local.get $stride))))
        (local.set $p1 (i32.add (local.get $p0) (local.get $stride)))
        (local.set $p2 (i32.add (local.get $p1) (local.get $stride)))
        (local.set $p3 (i32.add (local.get $p2) (local.get $stride)))
        (local.set $a0 (v128.const i32x4 0 0 0 0))
        (local.set $a1 (v128.const i32x4 0 0 0 0))
        (local.set $a2 (v128.const i32x4 0 0 0 0))
        (local.set $a3 (v128.const i32x4 0 0 0 0))
        (local.set $off (i32.const 0))
        (block $doneCols
          (loop $colLoop
            (br_if $doneCols (i32.ge_u (local.get $off) (local.get $end4)))
            (local.set $qv (v128.load (i32.add (local.get $q) (local.get $off))))
            (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $qv) (v128.load (i32.add (local.get $p0) (local.get $off))))))
            (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $qv) (v128.load (i32.add (local.get $p1) (local.get $off))))))
            (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (local.get $qv) (v128.load (i32.add (local.get $p2) (local.get $off))))))
            (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (local.get $qv) (v128.load (i32.add (local.get $p3) (local.get $off))))))
            (local.set $off (i32.add (local.get $off) (i32.const 16)))
            (br $colLoop)))
        ;; transpose-and-add: lane i of the result is the horizontal sum of accumulator i
        (local.set $t0 (f32x4.add
          (i8x16.shuffle 0 1 2 3 16 17 18 19 8 9 10 11 24 25 26 27 (local.get $a0) (local.get $a1))
          (i8x16.shuffle 4 5 6 7 20 21 22 23 12 13 14 15 28 29 30 31 (local.get $a0) (local.get $a1))))
        (local.set $t1 (f32x4.add
          (i8x16.shuffle 0 1 2 3 16 17 18 19 8 9 10 11 24 25 26 27 (local.get $a2) (local.get $a3))
          (i8x16.shuffle 4 5 6 7 20 21 22 23 12 13 14 15 28 29 30 31 (local.get $a2) (local.get $a3))))
        (local.set $a0 (f32x4.add
          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t1))
          (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t1))))
        ;; dimensions past the last multiple of four
        (block $doneTail
          (loop $tailLoop
            (br_if $doneTail (i32.ge_u (local.get $off) (local.get $stride)))
            (local.set $tail (f32x4.splat (f32.load (i32.add (local.get $p0) (local.get $off)))))
            (local.set $tail (f32x4.replace_lane 1 (local.get $tail) (f32.load (i32.add (local.get $p1) (local.get $off)))))
            (local.set $tail (f32x4.replace_lane 2 (local.get $tail) (f32.load (i32.add (local.get $p2) (local.get $off)))))
            (local.set $tail (f32x4.replace_lane 3 (local.get $tail) (f32.load (i32.add (local.get $p3) (local.get $off)))))
            (local.set $a0 (f32x4.add (local.get $a0)
              (f32x4.mul (local.get $tail) (f32x4.splat (f32.load (i32.add (local.get $q) (local.get $off)))))))
            (local.set $off (i32.add (local.get $off) (i32.const 4)))
            (br $tailLoop)))
        (v128.store (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 2))) (local.get $a0))
        (local.set $r (i32.add (local.get $r) (i32.const 4)))
        (br $rowLoop)))
    (block $doneRest
      (loop $restLoop
        (br_if $doneRest (i32.ge_u (local.get $r) (local.get $rows)))
        (f32.store (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 2)))
          (call $dot (i32.add (local.get $m) (i32.mul (local.get $r) (local.get $stride))) (local.get $q) (local.get $dim)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $restLoop))))

  ;; Exact top-k of n scores into outIdx/outVal (best first; ties to the smaller index), ignoring
  ;; non-finite scores and indices with skip[i] != 0 (skip = 0: no mask). Returns how many were
  ;; kept. A sorted run of k entries with a threshold: once full, a block of four scores that
  ;; cannot beat the threshold is rejected with one SIMD compare, which is almost every block.
  (func $topK (export "topK") (param $s i32) (param $n i32) (param $k i32) (param $skip i32) (param $oi i32) (param $ov i32) (result i32)
    (local $cnt i32) (local $thr f32) (local $thrv v128) (local $inf v128) (local $i i32) (local $end4 i32)
    (local $lim i32) (local $x f32) (local $p i32) (local $prev i32)
    (if (i32.le_s (local.get $k) (i32.const 0)) (then (return (i32.const 0))))
    (local.set $thr (f32.const -inf))
    (local.set $thrv (f32x4.splat (f32.const -inf)))
    (local.set $inf (f32x4.splat (f32.const inf)))
    (local.set $end4 (i32.and (local.get $n) (i32.const -4)))
    (block $exit
      (loop $outer
        (if (i32.lt_u (local.get $i) (local.get $end4))
          (then
            (if (i32.eqz (v128.any_true (v128.and
                  (f32x4.gt (v128.load (i32.add (local.get $s) (i32.shl (local.get $i) (i32.const 2)))) (local.get $thrv))
                  (f32x4.lt (v128.load (i32.add (local.get $s) (i32.shl (local.get $i) (i32.const 2)))) (local.get $inf)))))
              (then
                (local.set $i (i32.add (local.get $i) (i32.const 4)))
                (br $outer)))
            (local.set $lim (i32.add (local.get $i) (i32.const 4))))
          (else
            (br_if $exit (i32.ge_u (local.get $i) (local.get $n)))
            (local.set $lim (local.get $n))))
        (block $doneScalar
          (loop $scalar
            (br_if $doneScalar (i32.ge_u (local.get $i) (local.get $lim)))
            (local.set $x (f32.load (i32.add (local.get $s) (i32.shl (local.get $i) (i32.const 2)))))
            (if (i32.and
                  (i32.and (f32.gt (local.get $x) (local.get $thr)) (f32.lt (local.get $x) (f32.const inf)))
                  (i32.or (i32.eqz (local.get $skip))
                          (i32.eqz (i32.load8_u (i32.add (local.get $skip) (local.get $i))))))
              (then
                (if (i32.lt_s (local.get $cnt) (local.get $k))
                  (then
                    (local.set $p (local.get $cnt))
                    (local.set $cnt (i32.add (local.get $cnt) (i32.const 1))))
                  (else (local.set $p (i32.sub (local.get $k) (i32.const 1)))))
                ;; shift strictly worse entries down; equal scores keep their (smaller) index first
                (block $placed
                  (loop $shift
                    (br_if $placed (i32.eqz (local.get $p)))
                    (local.set $prev (i32.shl (i32.sub (local.get $p) (i32.const 1)) (i32.const 2)))
                    (br_if $placed (i32.eqz (f32.lt (f32.load (i32.add (local.get $ov) (local.get $prev))) (local.get $x))))
                    (f32.store (i32.add (local.get $ov) (i32.shl (local.get $p) (i32.const 2)))
                      (f32.load (i32.add (local.get $ov) (local.get $prev))))
                    (i32.store (i32.add (local.get $oi) (i32.shl (local.get $p) (i32.const 2)))
                      (i32.load (i32.add (local.get $oi) (local.get $prev))))
                    (local.set $p (i32.sub (local.get $p) (i32.const 1)))
                    (br $shift)))
                (f32.store (i32.add (local.get $ov) (i32.shl (local.get $p) (i32.const 2))) (local.get $x))
                (i32.store (i32.add (local.get $oi) (i32.shl (local.get $p) (i32.const 2))) (local.get $i))
                (if (i32.eq (local.get $cnt) (local.get $k))
                  (then
                    (local.set $thr (f32.load (i32.add (local.get $ov) (i32.shl (i32.sub (local.get $k) (i32.const 1)) (i32.const 2)))))
                    (local.set $thrv (f32x4.splat (local.get $thr)))))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $scalar)))
        (br $outer)))
    (local.get $cnt))

  ;; G (dim×dim, f32) += Σ_r M[r]ᵀ·M[r] over rows rows. Four rows per pass over G so G (which
  ;; stays in L1 for usual factor counts) is loaded and stored a quarter as often.
  (func $gramAccum (export "gramAccum") (param $m i32) (param $rows i32) (param $dim i32) (param $g i32)
    (local $r i32) (local $stride i32) (local $end4 i32) (local $aoff i32) (local $boff i32) (local $grow i32)
    (local $p0 i32) (local $p1 i32) (local $p2 i32) (local $p3 i32)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128)
    (local $x0 f32) (local $x1 f32) (local $x2 f32) (local $x3 f32) (local $ga i32)
    (local.set $stride (i32.shl (local.get $dim) (i32.const 2)))
    (local.set $end4 (i32.shl (i32.and (local.get $dim) (i32.const -4)) (i32.const 2)))
    (block $done4
      (loop $rows4
        (br_if $done4 (i32.gt_u (i32.add (local.get $r) (i32.const 4)) (local.get $rows)))
        (local.set $p0 (i32.add (local.get $m) (i32.mul (local.get $r) (local.get $stride))))
        (local.set $p1 (i32.add (local.get $p0) (local.get $stride)))
        (local.set $p2 (i32.add (local.get $p1) (local.get $stride)))
        (local.set $p3 (i32.add (local.get $p2) (local.get $stride)))
        (local.set $aoff (i32.const 0))
        (block $doneA
          (loop $aLoop
            (br_if $doneA (i32.ge_u (local.get $aoff) (local.get $stride)))
            (local.set $x0 (f32.load (i32.add (local.get $p0) (local.get $aoff))))
            (local.set $x1 (f32.load (i32.add (local.get $p1) (local.get $aoff))))
            (local.set $x2 (f32.load (i32.add (local.get $p2) (local.get $aoff))))
            (local.set $x3 (f32.load (i32.add (local.get $p3) (local.get $aoff))))
            (local.set $s0 (f32x4.splat (local.get $x0)))
            (local.set $s1 (f32x4.splat (local.get $x1)))
            (local.set $s2 (f32x4.splat (local.get $x2)))
            (local.set $s3 (f32x4.splat (local.get $x3)))
            (local.set $grow (i32.add (local.get $g) (i32.mul (local.get $aoff) (local.get $dim))))
            (local.set $boff (i32.const 0))
            (block $doneB
              (loop $bLoop
                (br_if $doneB (i32.ge_u (local.get $boff) (local.get $end4)))
                (local.set $ga (i32.add (local.get $grow) (local.get $boff)))
                (v128.store (local.get $ga)
                  (f32x4.add
                    (f32x4.add (v128.load (local.get $ga))
                      (f32x4.add (f32x4.mul (local.get $s0) (v128.load (i32.add (local.get $p0) (local.get $boff))))
                                 (f32x4.mul (local.get $s1) (v128.load (i32.add (local.get $p1) (local.get $boff))))))
                    (f32x4.add (f32x4.mul (local.get $s2) (v128.load (i32.add (local.get $p2) (local.get $boff))))
                               (f32x4.mul (local.get $s3) (v128.load (i32.add (local.get $p3) (local.get $boff)))))))
                (local.set $boff (i32.add (local.get $boff) (i32.const 16)))
                (br $bLoop)))
            (block $doneBt
              (loop $bTail
                (br_if $doneBt (i32.ge_u (local.get $boff) (local.get $stride)))
                (local.set $ga (i32.add (local.get $grow) (local.get $boff)))
                (f32.store (local.get $ga)
                  (f32.add
                    (f32.add (f32.load (local.get $ga))
                      (f32.add (f32.mul (local.get $x0) (f32.load (i32.add (local.get $p0) (local.get $boff))))
                               (f32.mul (local.get $x1) (f32.load (i32.add (local.get $p1) (local.get $boff))))))
                    (f32.add (f32.mul (local.get $x2) (f32.load (i32.add (local.get $p2) (local.get $boff))))
                             (f32.mul (local.get $x3) (f32.load (i32.add (local.get $p3) (local.get $boff)))))))
                (local.set $boff (i32.add (local.get $boff) (i32.const 4)))
                (br $bTail)))
            (local.set $aoff (i32.add (local.get $aoff) (i32.const 4)))
            (br $aLoop)))
        (local.set $r (i32.add (local.get $r) (i32.const 4)))
        (br $rows4)))
    ;; remaining rows one at a time
    (block $done1
      (loop $rows1
        (br_if $done1 (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $p0 (i32.add (local.get $m) (i32.mul (local.get $r) (local.get $stride))))
        (local.set $aoff (i32.const 0))
        (block $doneA1
          (loop $aLoop1
            (br_if $doneA1 (i32.ge_u (local.get $aoff) (local.get $stride)))
            (local.set $x0 (f32.load (i32.add (local.get $p0) (local.get $aoff))))
            (local.set $s0 (f32x4.splat (local.get $x0)))
            (local.set $grow (i32.add (local.get $g) (i32.mul (local.get $aoff) (local.get $dim))))
            (local.set $boff (i32.const 0))
            (block $doneB1
              (loop $bLoop1
                (br_if $doneB1 (i32.ge_u (local.get $boff) (local.get $end4)))
                (local.set $ga (i32.add (local.get $grow) (local.get $boff)))
                (v128.store (local.get $ga)
                  (f32x4.add (v128.load (local.get $ga))
                    (f32x4.mul (local.get $s0) (v128.load (i32.add (local.get $p0) (local.get $boff))))))
                (local.set $boff (i32.add (local.get $boff) (i32.const 16)))
                (br $bLoop1)))
            (block $doneBt1
              (loop $bTail1
                (br_if $doneBt1 (i32.ge_u (local.get $boff) (local.get $stride)))
                (local.set $ga (i32.add (local.get $grow) (local.get $boff)))
                (f32.store (local.get $ga)
                  (f32.add (f32.load (local.get $ga))
                    (f32.mul (local.get $x0) (f32.load (i32.add (local.get $p0) (local.get $boff))))))
                (local.set $boff (i32.add (local.get $boff) (i32.const 4)))
                (br $bTail1)))
            (local.set $aoff (i32.add (local.get $aoff) (i32.const 4)))
            (br $aLoop1)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rows1))))

  ;; Bounds on M·q from an int8 copy of M, for exact top-k with a quarter of the memory traffic.
  ;; Row r has codes c (int8, `stride` bytes, zero-padded to a multiple of 8), scale s_r (f32 at
  ;; scales) and l1_r = s_r·Σ|c| (f32 at l1s); the query has int16 codes d (zero-padded) with scale
  ;; t. With a = s_r·t·Σ c·d, the exact product lies within a ± e where
  ;;   e = t/2·l1_r + s_r·qL1/2 + slack·qMax·(l1_r + s_r·dim/2)
  ;; (quantization of the row, of the query, and float rounding of either dot product). Four rows
  ;; per pass: their four int32 sums are transposed into one vector and the bounds computed in f32x4.
  (func $qscoreRows (export "qscoreRows") (param $codes i32) (param $rows i32) (param $stride i32) (param $scales i32) (param $l1s i32)
      (param $qc i32) (param $t f32) (param $qL1 f32) (param $qMax f32) (param $slack f32) (param $dim f32)
      (param $outL i32) (param $outU i32)
    (local $r i32) (local $p0 i32) (local $p1 i32) (local $p2 i32) (local $p3 i32) (local $off i32) (local $qv v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $u0 v128) (local $u1 v128)
    (local $sv v128) (local $lv v128) (local $av v128) (local $ev v128) (local $ro i32)
    (local $ht v128) (local $hq v128) (local $sq v128) (local $hd v128) (local $tv v128)
    (local.set $tv (f32x4.splat (local.get $t)))
    (local.set $ht (f32x4.splat (f32.mul (f32.const 0.5) (local.get $t))))
    (local.set $hq (f32x4.splat (f32.mul (f32.const 0.5) (local.get $qL1))))
    (local.set $sq (f32x4.splat (f32.mul (local.get $slack) (local.get $qMax))))
    (local.set $hd (f32x4.splat (f32.mul (f32.const 0.5) (local.get $dim))))
    (block $done4
      (loop $rows4
        (br_if $done4 (i32.gt_u (i32.add (local.get $r) (i32.const 4)) (local.get $rows)))
        (local.set $p0 (i32.add (local.get $codes) (i32.mul (local.get $r) (local.get $stride))))
        (local.set $p1 (i32.add (local.get $p0) (local.get $stride)))
        (local.set $p2 (i32.add (local.get $p1) (local.get $stride)))
        (local.set $p3 (i32.add (local.get $p2) (local.get $stride)))
        (local.set $a0 (v128.const i32x4 0 0 0 0))
        (local.set $a1 (v128.const i32x4 0 0 0 0))
        (local.set $a2 (v128.const i32x4 0 0 0 0))
        (local.set $a3 (v128.const i32x4 0 0 0 0))
        (local.set $off (i32.const 0))
        (block $doneCols
          (loop $colLoop
            (br_if $doneCols (i32.ge_u (local.get $off) (local.get $stride)))
            (local.set $qv (v128.load (i32.add (local.get $qc) (i32.shl (local.get $off) (i32.const 1)))))
            (local.set $a0 (i32x4.add (local.get $a0) (i32x4.dot_i16x8_s (v128.load8x8_s (i32.add (local.get $p0) (local.get $off))) (local.get $qv))))
            (local.set $a1 (i32x4.add (local.get $a1) (i32x4.dot_i16x8_s (v128.load8x8_s (i32.add (local.get $p1) (local.get $off))) (local.get $qv))))
            (local.set $a2 (i32x4.add (local.get $a2) (i32x4.dot_i16x8_s (v128.load8x8_s (i32.add (local.get $p2) (local.get $off))) (local.get $qv))))
            (local.set $a3 (i32x4.add (local.get $a3) (i32x4.dot_i16x8_s (v128.load8x8_s (i32.add (local.get $p3) (local.get $off))) (local.get $qv))))
            (local.set $off (i32.add (local.get $off) (i32.const 8)))
            (br $colLoop)))
        (local.set $u0 (i32x4.add
          (i8x16.shuffle 0 1 2 3 16 17 18 19 8 9 10 11 24 25 26 27 (local.get $a0) (local.get $a1))
          (i8x16.shuffle 4 5 6 7 20 21 22 23 12 13 14 15 28 29 30 31 (local.get $a0) (local.get $a1))))
        (local.set $u1 (i32x4.add
          (i8x16.shuffle 0 1 2 3 16 17 18 19 8 9 10 11 24 25 26 27 (local.get $a2) (local.get $a3))
          (i8x16.shuffle 4 5 6 7 20 21 22 23 12 13 14 15 28 29 30 31 (local.get $a2) (local.get $a3))))
        (local.set $a0 (i32x4.add
          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $u0) (local.get $u1))
          (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $u0) (local.get $u1))))
        (local.set $ro (i32.shl (local.get $r) (i32.const 2)))
        (local.set $sv (v128.load (i32.add (local.get $scales) (local.get $ro))))
        (local.set $lv (v128.load (i32.add (local.get $l1s) (local.get $ro))))
        (local.set $av (f32x4.mul (f32x4.mul (local.get $sv) (local.get $tv)) (f32x4.convert_i32x4_s (local.get $a0))))
        (local.set $ev (f32x4.add
          (f32x4.add (f32x4.mul (local.get $ht) (local.get $lv)) (f32x4.mul (local.get $hq) (local.get $sv)))
          (f32x4.mul (local.get $sq) (f32x4.add (local.get $lv) (f32x4.mul (local.get $hd) (local.get $sv))))))
        (v128.store (i32.add (local.get $outL) (local.get $ro)) (f32x4.sub (local.get $av) (local.get $ev)))
        (v128.store (i32.add (local.get $outU) (local.get $ro)) (f32x4.add (local.get $av) (local.get $ev)))
        (local.set $r (i32.add (local.get $r) (i32.const 4)))
        (br $rows4)))
    ;; remaining rows one at a time, same arithmetic in lane 0
    (block $done1
      (loop $rows1
        (br_if $done1 (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $p0 (i32.add (local.get $codes) (i32.mul (local.get $r) (local.get $stride))))
        (local.set $a0 (v128.const i32x4 0 0 0 0))
        (local.set $off (i32.const 0))
        (block $doneCols1
          (loop $colLoop1
            (br_if $doneCols1 (i32.ge_u (local.get $off) (local.get $stride)))
            (local.set $a0 (i32x4.add (local.get $a0)
              (i32x4.dot_i16x8_s (v128.load8x8_s (i32.add (local.get $p0) (local.get $off)))
                                 (v128.load (i32.add (local.get $qc) (i32.shl (local.get $off) (i32.const 1)))))))
            (local.set $off (i32.add (local.get $off) (i32.const 8)))
            (br $colLoop1)))
        (local.set $a0 (i32x4.splat (i32.add
          (i32.add (i32x4.extract_lane 0 (local.get $a0)) (i32x4.extract_lane 1 (local.get $a0)))
          (i32.add (i32x4.extract_lane 2 (local.get $a0)) (i32x4.extract_lane 3 (local.get $a0))))))
        (local.set $ro (i32.shl (local.get $r) (i32.const 2)))
        (local.set $sv (f32x4.splat (f32.load (i32.add (local.get $scales) (local.get $ro)))))
        (local.set $lv (f32x4.splat (f32.load (i32.add (local.get $l1s) (local.get $ro)))))
        (local.set $av (f32x4.mul (f32x4.mul (local.get $sv) (local.get $tv)) (f32x4.convert_i32x4_s (local.get $a0))))
        (local.set $ev (f32x4.add
          (f32x4.add (f32x4.mul (local.get $ht) (local.get $lv)) (f32x4.mul (local.get $hq) (local.get $sv)))
          (f32x4.mul (local.get $sq) (f32x4.add (local.get $lv) (f32x4.mul (local.get $hd) (local.get $sv))))))
        (f32.store (i32.add (local.get $outL) (local.get $ro)) (f32x4.extract_lane 0 (f32x4.sub (local.get $av) (local.get $ev))))
        (f32.store (i32.add (local.get $outU) (local.get $ro)) (f32x4.extract_lane 0 (f32x4.add (local.get $av) (local.get $ev))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rows1))))

  ;; Writes to outIdx the indices i < n with u[i] >= thr and skip[i] == 0 (skip = 0: no mask);
  ;; returns how many. Blocks of four below the threshold are rejected with one compare.
  (func $filterAtLeast (export "filterAtLeast") (param $u i32) (param $n i32) (param $thr f32) (param $skip i32) (param $outIdx i32) (result i32)
    (local $i i32) (local $end4 i32) (local $lim i32) (local $cnt i32) (local $thrv v128)
    (local.set $thrv (f32x4.splat (local.get $thr)))
    (local.set $end4 (i32.and (local.get $n) (i32.const -4)))
    (block $exit
      (loop $outer
        (if (i32.lt_u (local.get $i) (local.get $end4))
          (then
            (if (i32.eqz (v128.any_true (f32x4.ge (v128.load (i32.add (local.get $u) (i32.shl (local.get $i) (i32.const 2)))) (local.get $thrv))))
              (then
                (local.set $i (i32.add (local.get $i) (i32.const 4)))
                (br $outer)))
            (local.set $lim (i32.add (local.get $i) (i32.const 4))))
          (else
            (br_if $exit (i32.ge_u (local.get $i) (local.get $n)))
            (local.set $lim (local.get $n))))
        (block $doneScalar
          (loop $scalar
            (br_if $doneScalar (i32.ge_u (local.get $i) (local.get $lim)))
            (if (i32.and
                  (f32.ge (f32.load (i32.add (local.get $u) (i32.shl (local.get $i) (i32.const 2)))) (local.get $thr))
                  (i32.or (i32.eqz (local.get $skip))
                          (i32.eqz (i32.load8_u (i32.add (local.get $skip) (local.get $i))))))
              (then
                (i32.store (i32.add (local.get $outIdx) (i32.shl (local.get $cnt) (i32.const 2))) (local.get $i))
                (local.set $cnt (i32.add (local.get $cnt) (i32.const 1)))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $scalar)))
        (br $outer)))
    (local.get $cnt))
)
