;; Dense f32 kernel for blocked Gauss-Jordan inversion: C -= X·Y with register tiling.
;; Layout:
;;   X packed in 4-row tiles: tile t holds rows 4t..4t+3 as nb groups of four floats (k-major);
;;   Y packed in 8-column tiles: tile u holds columns 8u..8u+7 as nb groups of eight floats;
;;   C row-major with leading dimension ldc (floats); m % 4 == 0 and ncols % 8 == 0.
;; Each 4×8 block of C keeps eight f32x4 accumulators in registers over the whole k loop, so C is
;; read and written once per call; columns go in chunks of 256 so the Y chunk stays in L2.
;; With lower != 0 only the 4×8 tiles with a column start below the tile's last row are updated
;; (the lower triangle plus the diagonal tiles), for symmetric results at half the work.
;; X values are broadcast with load32_splat (a load-port broadcast on x86) rather than lane
;; shuffles, which would compete with the multiplies and adds for the vector ALU ports.
(module
  (import "env" "memory" (memory 1))

  (func $gemmSub (export "gemmSub") (param $c i32) (param $ldc i32) (param $x i32) (param $y i32) (param $m i32) (param $ncols i32) (param $nb i32) (param $lower i32)
    (local $jc i32) (local $jtEnd i32) (local $jcEnd i32) (local $it i32) (local $jt i32) (local $xp i32) (local $yp i32)
    (local $xq i32) (local $yq i32) (local $xend i32) (local $cp i32) (local $ldcb i32)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128) (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128) (local $xs v128) (local $y0 v128) (local $y1 v128)
    (local.set $ldcb (i32.shl (local.get $ldc) (i32.const 2)))
    (block $doneJc
      (loop $jcLoop
        (br_if $doneJc (i32.ge_u (local.get $jc) (local.get $ncols)))
        (local.set $jcEnd (select (i32.add (local.get $jc) (i32.const 256)) (local.get $ncols)
          (i32.lt_u (i32.add (local.get $jc) (i32.const 256)) (local.get $ncols))))
        (local.set $it (select (local.get $jc) (i32.const 0) (local.get $lower)))
        (block $doneIt
          (loop $itLoop
            (br_if $doneIt (i32.ge_u (local.get $it) (local.get $m)))
            (local.set $xp (i32.add (local.get $x) (i32.shl (i32.mul (local.get $it) (local.get $nb)) (i32.const 2))))
            (local.set $xend (i32.add (local.get $xp) (i32.shl (local.get $nb) (i32.const 4))))
            (local.set $jtEnd (local.get $jcEnd))
            (if (i32.and (i32.ne (local.get $lower) (i32.const 0))
                         (i32.lt_u (i32.add (local.get $it) (i32.const 4)) (local.get $jcEnd)))
              (then (local.set $jtEnd (i32.add (local.get $it) (i32.const 4)))))
            (local.set $jt (local.get $jc))
            (block $doneJt
              (loop $jtLoop
                (br_if $doneJt (i32.ge_u (local.get $jt) (local.get $jtEnd)))
                (local.set $yp (i32.add (local.get $y) (i32.shl (i32.mul (local.get $jt) (local.get $nb)) (i32.const 2))))
            (local.set $c00 (v128.const i32x4 0 0 0 0))
            (local.set $c01 (v128.const i32x4 0 0 0 0))
            (local.set $c10 (v128.const i32x4 0 0 0 0))
            (local.set $c11 (v128.const i32x4 0 0 0 0))
            (local.set $c20 (v128.const i32x4 0 0 0 0))
            (local.set $c21 (v128.const i32x4 0 0 0 0))
            (local.set $c30 (v128.const i32x4 0 0 0 0))
            (local.set $c31 (v128.const i32x4 0 0 0 0))
                (local.set $xq (local.get $xp))
                (local.set $yq (local.get $yp))
                (block $doneK
                  (loop $kLoop
                    (br_if $doneK (i32.ge_u (local.get $xq) (local.get $xend)))
                    (local.set $y0 (v128.load (local.get $yq)))
                    (local.set $y1 (v128.load offset=16 (local.get $yq)))
                (local.set $xs (v128.load32_splat (local.get $xq)))
                (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $xs) (local.get $y0))))
                (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $xs) (local.get $y1))))
                (local.set $xs (v128.load32_splat offset=4 (local.get $xq)))
                (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $xs) (local.get $y0))))
                (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $xs) (local.get $y1))))
                (local.set $xs (v128.load32_splat offset=8 (local.get $xq)))
                (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $xs) (local.get $y0))))
                (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $xs) (local.get $y1))))
                (local.set $xs (v128.load32_splat offset=12 (local.get $xq)))
                (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $xs) (local.get $y0))))
                (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $xs) (local.get $y1))))
                    (local.set $xq (i32.add (local.get $xq) (i32.const 16)))
                    (local.set $yq (i32.add (local.get $yq) (i32.const 32)))
                    (br $kLoop)))
                (local.set $cp (i32.add (i32.add (local.get $c) (i32.mul (local.get $it) (local.get $ldcb))) (i32.shl (local.get $jt) (i32.const 2))))
            (v128.store (local.get $cp) (f32x4.sub (v128.load (local.get $cp)) (local.get $c00)))
            (v128.store offset=16 (local.get $cp) (f32x4.sub (v128.load offset=16 (local.get $cp)) (local.get $c01)))
            (local.set $cp (i32.add (local.get $cp) (local.get $ldcb)))
            (v128.store (local.get $cp) (f32x4.sub (v128.load (local.get $cp)) (local.get $c10)))
            (v128.store offset=16 (local.get $cp) (f32x4.sub (v128.load offset=16 (local.get $cp)) (local.get $c11)))
            (local.set $cp (i32.add (local.get $cp) (local.get $ldcb)))
            (v128.store (local.get $cp) (f32x4.sub (v128.load (local.get $cp)) (local.get $c20)))
            (v128.store offset=16 (local.get $cp) (f32x4.sub (v128.load offset=16 (local.get $cp)) (local.get $c21)))
            (local.set $cp (i32.add (local.get $cp) (local.get $ldcb)))
            (v128.store (local.get $cp) (f32x4.sub (v128.load (local.get $cp)) (local.get $c30)))
            (v128.store offset=16 (local.get $cp) (f32x4.sub (v128.load offset=16 (local.get $cp)) (local.get $c31)))
                (local.set $jt (i32.add (local.get $jt) (i32.const 8)))
                (br $jtLoop)))
            (local.set $it (i32.add (local.get $it) (i32.const 4)))
            (br $itLoop)))
        (local.set $jc (local.get $jcEnd))
        (br $jcLoop))))
)
