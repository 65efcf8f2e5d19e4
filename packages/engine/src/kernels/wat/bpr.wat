;; BPR SGD steps (f32x4 SIMD) over data laid out by models/bpr/wasmBpr.ts: factor rows, item
;; biases and the user × item CSR with a row index per entry. Same sampling as the JS
;; reference (xorshift32, uniform entry, uniform negative rejected when the user has it). The
;; factor count must be a multiple of 4; pointers are byte offsets. Several threads may run it
;; on one shared memory at once (Hogwild): updates are plain loads and stores, no locks.
(module
  (import "env" "memory" (memory 1))

  ;; eˣ for |x| ≤ 80: 2ᵏ·eʳ with r = x − k·ln2, |r| ≤ ln2/2, degree-7 Taylor for eʳ (error < 1e-9)
  (func $exp (param $x f64) (result f64)
    (local $k f64) (local $r f64) (local $p f64)
    (local.set $x (f64.min (f64.const 80) (f64.max (f64.const -80) (local.get $x))))
    (local.set $k (f64.nearest (f64.mul (local.get $x) (f64.const 1.4426950408889634))))
    (local.set $r (f64.sub (local.get $x) (f64.mul (local.get $k) (f64.const 0.6931471805599453))))
    ;; Horner: p = 1 + r(1 + r(1/2 + r(1/6 + r(1/24 + r(1/120 + r(1/720 + r/5040))))))
    (local.set $p (f64.add (f64.const 0.001388888888888889) (f64.mul (local.get $r) (f64.const 0.0001984126984126984))))
    (local.set $p (f64.add (f64.const 0.008333333333333333) (f64.mul (local.get $r) (local.get $p))))
    (local.set $p (f64.add (f64.const 0.041666666666666664) (f64.mul (local.get $r) (local.get $p))))
    (local.set $p (f64.add (f64.const 0.16666666666666666) (f64.mul (local.get $r) (local.get $p))))
    (local.set $p (f64.add (f64.const 0.5) (f64.mul (local.get $r) (local.get $p))))
    (local.set $p (f64.add (f64.const 1.0) (f64.mul (local.get $r) (local.get $p))))
    (local.set $p (f64.add (f64.const 1.0) (f64.mul (local.get $r) (local.get $p))))
    (f64.mul (local.get $p)
      (f64.reinterpret_i64 (i64.shl (i64.add (i64.trunc_f64_s (local.get $k)) (i64.const 1023)) (i64.const 52)))))

  ;; whether v is in the sorted i32 slice [lo, hi) at base
  (func $contains (param $base i32) (param $lo i32) (param $hi i32) (param $v i32) (result i32)
    (local $mid i32) (local $m i32)
    (block $no
      (loop $l
        (br_if $no (i32.ge_s (local.get $lo) (local.get $hi)))
        (local.set $mid (i32.shr_u (i32.add (local.get $lo) (local.get $hi)) (i32.const 1)))
        (local.set $m (i32.load (i32.add (local.get $base) (i32.shl (local.get $mid) (i32.const 2)))))
        (if (i32.eq (local.get $m) (local.get $v)) (then (return (i32.const 1))))
        (if (i32.lt_s (local.get $m) (local.get $v))
          (then (local.set $lo (i32.add (local.get $mid) (i32.const 1))))
          (else (local.set $hi (local.get $mid))))
        (br $l)))
    (i32.const 0))

;; Runs `samples` steps; returns how many sampled pairs were already ordered correctly and
  ;; stores the number of steps taken at the `done` pointer. Entries come from one xorshift32
  ;; stream and negatives from another, so a batch of 32 samples can be drawn before any of
  ;; its steps: the draws' loads (entry, row bounds, the row's items) and then every factor row
  ;; the batch will update are issued back to back, dozens of random fetches in flight instead
  ;; of one or two, and the steps then run in order on cached rows. The steps are exactly those
  ;; of one sample at a time (sampling reads only the fixed matrix). `batch` holds 32 × 16 bytes.
  (func (export "sgd") (param $x i32) (param $y i32) (param $b i32) (param $indptr i32) (param $indices i32)
        (param $entryUser i32) (param $nnz i32) (param $nItems i32) (param $f i32) (param $lr f32) (param $reg f32)
        (param $samples i32) (param $seed i32) (param $done i32) (param $batch i32) (result i32)
    (local $s i32) (local $sn i32) (local $n i32) (local $q i32) (local $u i32) (local $i i32) (local $j i32) (local $lo i32) (local $hi i32)
    (local $f4 i32) (local $xo i32) (local $io i32) (local $jo i32) (local $o i32) (local $correct i32) (local $steps i32)
    (local $acc v128) (local $d f32) (local $z f32) (local $bi i32) (local $bj i32)
    (local $xu v128) (local $yi v128) (local $yj v128) (local $lrv v128) (local $regv v128) (local $zv v128)
    (local $m i32) (local $k i32) (local $slot i32) (local $sink i32)
    (local.set $f4 (i32.shl (local.get $f) (i32.const 2)))
    (local.set $s (i32.xor (local.get $seed) (i32.const 0x9e3779b9)))
    (if (i32.eqz (local.get $s)) (then (local.set $s (i32.const 1))))
    (local.set $sn (i32.xor (local.get $s) (i32.const 0x6a09e667)))
    (if (i32.eqz (local.get $sn)) (then (local.set $sn (i32.const 1))))
    (local.set $lrv (f32x4.splat (local.get $lr)))
    (local.set $regv (f32x4.splat (local.get $reg)))
    (block $end
      (loop $batches
        (br_if $end (i32.ge_u (local.get $n) (local.get $samples)))
        (local.set $m (select (i32.const 32) (i32.sub (local.get $samples) (local.get $n))
          (i32.gt_u (i32.sub (local.get $samples) (local.get $n)) (i32.const 32))))
        (local.set $n (i32.add (local.get $n) (local.get $m)))
        ;; draw the entries: slot = (u, i, lo, hi); touch the first, middle and last of the row's items
        (local.set $k (i32.const 0))
        (loop $draw
          (local.set $slot (i32.add (local.get $batch) (i32.shl (local.get $k) (i32.const 4))))
        (local.set $s (i32.xor (local.get $s) (i32.shl (local.get $s) (i32.const 13))))
        (local.set $s (i32.xor (local.get $s) (i32.shr_u (local.get $s) (i32.const 17))))
        (local.set $s (i32.xor (local.get $s) (i32.shl (local.get $s) (i32.const 5))))
          (local.set $q (i32.wrap_i64 (i64.shr_u (i64.mul (i64.extend_i32_u (local.get $s)) (i64.extend_i32_u (local.get $nnz))) (i64.const 32))))
          (local.set $u (i32.load (i32.add (local.get $entryUser) (i32.shl (local.get $q) (i32.const 2)))))
          (local.set $lo (i32.load (i32.add (local.get $indptr) (i32.shl (local.get $u) (i32.const 2)))))
          (local.set $hi (i32.load offset=4 (i32.add (local.get $indptr) (i32.shl (local.get $u) (i32.const 2)))))
          (local.set $sink (i32.or (local.get $sink) (i32.or
            (i32.or (i32.load (i32.add (local.get $indices) (i32.shl (local.get $lo) (i32.const 2))))
              (i32.load (i32.add (local.get $indices) (i32.shl (i32.shr_u (i32.add (local.get $lo) (local.get $hi)) (i32.const 1)) (i32.const 2)))))
            (i32.load offset=0 (i32.add (local.get $indices) (i32.shl (i32.sub (local.get $hi) (i32.const 1)) (i32.const 2)))))))
          (i32.store (local.get $slot) (local.get $u))
          (i32.store offset=4 (local.get $slot) (i32.load (i32.add (local.get $indices) (i32.shl (local.get $q) (i32.const 2)))))
          (i32.store offset=8 (local.get $slot) (local.get $lo))
          (i32.store offset=12 (local.get $slot) (local.get $hi))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br_if $draw (i32.lt_u (local.get $k) (local.get $m))))
        ;; draw the negatives (j = −1: the user has every item, no step), touching their biases
        (local.set $k (i32.const 0))
        (loop $negs
          (local.set $slot (i32.add (local.get $batch) (i32.shl (local.get $k) (i32.const 4))))
          (local.set $lo (i32.load offset=8 (local.get $slot)))
          (local.set $hi (i32.load offset=12 (local.get $slot)))
          (local.set $j (i32.const -1))
          (if (i32.lt_s (i32.sub (local.get $hi) (local.get $lo)) (local.get $nItems))
            (then
              (loop $neg
              (local.set $sn (i32.xor (local.get $sn) (i32.shl (local.get $sn) (i32.const 13))))
        (local.set $sn (i32.xor (local.get $sn) (i32.shr_u (local.get $sn) (i32.const 17))))
        (local.set $sn (i32.xor (local.get $sn) (i32.shl (local.get $sn) (i32.const 5))))
                (local.set $j (i32.wrap_i64 (i64.shr_u (i64.mul (i64.extend_i32_u (local.get $sn)) (i64.extend_i32_u (local.get $nItems))) (i64.const 32))))
                (br_if $neg (call $contains (local.get $indices) (local.get $lo) (local.get $hi) (local.get $j))))
              (local.set $sink (i32.or (local.get $sink) (i32.load (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))))))
          (i32.store offset=8 (local.get $slot) (local.get $j))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br_if $negs (i32.lt_u (local.get $k) (local.get $m))))
        ;; touch the three factor rows and the positive's bias each step will update
        (local.set $k (i32.const 0))
        (loop $rowsTouch
          (local.set $slot (i32.add (local.get $batch) (i32.shl (local.get $k) (i32.const 4))))
          (local.set $j (i32.load offset=8 (local.get $slot)))
          (local.set $j (select (local.get $j) (i32.const 0) (i32.ge_s (local.get $j) (i32.const 0))))
          (local.set $xo (i32.add (local.get $x) (i32.mul (i32.load (local.get $slot)) (local.get $f4))))
          (local.set $io (i32.add (local.get $y) (i32.mul (i32.load offset=4 (local.get $slot)) (local.get $f4))))
          (local.set $jo (i32.add (local.get $y) (i32.mul (local.get $j) (local.get $f4))))
          (local.set $o (i32.const 0))
          (loop $lines
            (local.set $sink (i32.or (local.get $sink) (i32.or (i32.load (i32.add (local.get $xo) (local.get $o)))
              (i32.or (i32.load (i32.add (local.get $io) (local.get $o))) (i32.load (i32.add (local.get $jo) (local.get $o)))))))
            (local.set $o (i32.add (local.get $o) (i32.const 64)))
            (br_if $lines (i32.lt_u (local.get $o) (local.get $f4))))
          (local.set $sink (i32.or (local.get $sink) (i32.load (i32.add (local.get $b) (i32.shl (i32.load offset=4 (local.get $slot)) (i32.const 2))))))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br_if $rowsTouch (i32.lt_u (local.get $k) (local.get $m))))
        ;; the steps, in sample order
        (local.set $k (i32.const 0))
        (block $stepsDone (loop $step
          (br_if $stepsDone (i32.ge_u (local.get $k) (local.get $m)))
          (local.set $slot (i32.add (local.get $batch) (i32.shl (local.get $k) (i32.const 4))))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (local.set $j (i32.load offset=8 (local.get $slot)))
          (br_if $step (i32.lt_s (local.get $j) (i32.const 0)))
          (local.set $u (i32.load (local.get $slot)))
          (local.set $i (i32.load offset=4 (local.get $slot)))
          (local.set $xo (i32.add (local.get $x) (i32.mul (local.get $u) (local.get $f4))))
          (local.set $io (i32.add (local.get $y) (i32.mul (local.get $i) (local.get $f4))))
          (local.set $jo (i32.add (local.get $y) (i32.mul (local.get $j) (local.get $f4))))
          (local.set $bi (i32.add (local.get $b) (i32.shl (local.get $i) (i32.const 2))))
          (local.set $bj (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))
          (local.set $acc (v128.const i32x4 0 0 0 0))
          (local.set $o (i32.const 0))
          (block $d1 (loop $l1
            (br_if $d1 (i32.ge_u (local.get $o) (local.get $f4)))
            (local.set $acc (f32x4.add (local.get $acc)
              (f32x4.mul (v128.load (i32.add (local.get $xo) (local.get $o)))
                (f32x4.sub (v128.load (i32.add (local.get $io) (local.get $o))) (v128.load (i32.add (local.get $jo) (local.get $o)))))))
            (local.set $o (i32.add (local.get $o) (i32.const 16)))
            (br $l1)))
          (local.set $d (f32.add (f32.sub (f32.load (local.get $bi)) (f32.load (local.get $bj)))
            (f32.add (f32.add (f32x4.extract_lane 0 (local.get $acc)) (f32x4.extract_lane 1 (local.get $acc)))
                     (f32.add (f32x4.extract_lane 2 (local.get $acc)) (f32x4.extract_lane 3 (local.get $acc))))))
          (if (f32.gt (local.get $d) (f32.const 0)) (then (local.set $correct (i32.add (local.get $correct) (i32.const 1)))))
          (local.set $steps (i32.add (local.get $steps) (i32.const 1)))
          (local.set $z (f32.demote_f64 (f64.div (f64.const 1) (f64.add (f64.const 1) (call $exp (f64.promote_f32 (local.get $d)))))))
          (local.set $zv (f32x4.splat (local.get $z)))
          (local.set $o (i32.const 0))
          (block $d2 (loop $l2
            (br_if $d2 (i32.ge_u (local.get $o) (local.get $f4)))
            (local.set $xu (v128.load (i32.add (local.get $xo) (local.get $o))))
            (local.set $yi (v128.load (i32.add (local.get $io) (local.get $o))))
            (local.set $yj (v128.load (i32.add (local.get $jo) (local.get $o))))
            ;; x += lr·(z·(yi − yj) − reg·x); yi += lr·(z·x − reg·yi); yj += lr·(−z·x − reg·yj)
            (v128.store (i32.add (local.get $xo) (local.get $o)) (f32x4.add (local.get $xu) (f32x4.mul (local.get $lrv)
              (f32x4.sub (f32x4.mul (local.get $zv) (f32x4.sub (local.get $yi) (local.get $yj))) (f32x4.mul (local.get $regv) (local.get $xu))))))
            (v128.store (i32.add (local.get $io) (local.get $o)) (f32x4.add (local.get $yi) (f32x4.mul (local.get $lrv)
              (f32x4.sub (f32x4.mul (local.get $zv) (local.get $xu)) (f32x4.mul (local.get $regv) (local.get $yi))))))
            (v128.store (i32.add (local.get $jo) (local.get $o)) (f32x4.add (local.get $yj) (f32x4.mul (local.get $lrv)
              (f32x4.sub (f32x4.neg (f32x4.mul (local.get $zv) (local.get $xu))) (f32x4.mul (local.get $regv) (local.get $yj))))))
            (local.set $o (i32.add (local.get $o) (i32.const 16)))
            (br $l2)))
          (f32.store (local.get $bi) (f32.add (f32.load (local.get $bi))
            (f32.mul (local.get $lr) (f32.sub (local.get $z) (f32.mul (local.get $reg) (f32.load (local.get $bi)))))))
          (f32.store (local.get $bj) (f32.add (f32.load (local.get $bj))
            (f32.mul (local.get $lr) (f32.sub (f32.neg (local.get $z)) (f32.mul (local.get $reg) (f32.load (local.get $bj)))))))
          (br $step)))
        (br $batches)))
    (i32.store (local.get $done) (local.get $steps))
    ;; keep the touched words live
    (i32.store offset=4 (local.get $done) (local.get $sink))
    (local.get $correct))
)
