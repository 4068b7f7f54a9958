;; Fused Adam moments (optax scale_by_adam), float32, f32x4 SIMD with a scalar tail.
;;
;; Built by packages/core/scripts/build-wasm.mjs into generated/adam-moments.wasm.ts (base64); a test checks
;; that the committed binary equals a fresh compile of this file.
;;
;; The module owns no memory: it imports the tfjs wasm backend's memory ("env" "memory") with a declared
;; minimum of 0 pages, so it links against the backend's memory whatever its current size. Every pointer
;; is a byte offset into that memory (tfjs `memoryOffset`), read as unsigned 32-bit. The build also emits a
;; shared-memory variant (ADAM_MOMENTS_SHARED_WASM_BASE64) for tfjs's threaded build, whose memory is shared:
;; the same text with only the memory import declared (memory 0 65536 shared) (a shared import needs a
;; maximum; 65536 pages is the wasm32 limit), so keep that import written exactly once below. Plain loads and
;; stores, no atomics: a call runs on one thread over tensors no other thread touches meanwhile.
;;
;; Per element, in this order, every operation rounded to float32 (WebAssembly never contracts to FMA,
;; so the result equals the JS loop that applies Math.fround after each operation, bit for bit):
;;   m'     = b1 * m + omb1 * g
;;   v'     = b2 * v + omb2 * (g * g)
;;   update = (m' / bc1) / (sqrt(v' / bc2 + epsRoot) + eps)
;; The three outputs must not alias the inputs (tfjs outputs are fresh allocations).
;;
;; "adamApply" is the same pass that also takes the parameters p and writes the new parameters instead of
;; the update: p' = p + update * scale (scale = -learning rate), each operation rounded to float32, so it
;; equals the fused update followed by tfjs's Mul and Add, bit for bit. "adamApplyDecayed" adds decoupled
;; weight decay first (AdamW): p' = p + (update + p * wd) * scale, as addDecayedWeights then the Mul and Add.
;; Both have a second SIMD loop for bc1 = bc2 = 1 and epsRoot = 0 (the bias corrections round to exactly 1 in
;; float32 after some steps): update = m' / (sqrt(v') + eps), the same bits with one division instead of three.
(module
  (import "env" "memory" (memory 0))

  (func (export "adamMoments")
    (param $g i32) (param $m i32) (param $v i32)
    (param $mOut i32) (param $vOut i32) (param $uOut i32)
    (param $n i32)
    (param $b1 f32) (param $omb1 f32) (param $b2 f32) (param $omb2 f32)
    (param $bc1 f32) (param $bc2 f32) (param $eps f32) (param $epsRoot f32)
    (local $off i32) (local $end4 i32) (local $end i32)
    (local $vb1 v128) (local $vomb1 v128) (local $vb2 v128) (local $vomb2 v128)
    (local $vbc1 v128) (local $vbc2 v128) (local $veps v128) (local $vepsRoot v128)
    (local $gx v128) (local $mx v128) (local $vx v128)
    (local $gs f32) (local $ms f32) (local $vs f32)

    ;; byte offsets: end4 covers the largest multiple of 4 elements, end all n elements
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $end4 (i32.and (local.get $end) (i32.const -16)))

    (local.set $vb1 (f32x4.splat (local.get $b1)))
    (local.set $vomb1 (f32x4.splat (local.get $omb1)))
    (local.set $vb2 (f32x4.splat (local.get $b2)))
    (local.set $vomb2 (f32x4.splat (local.get $omb2)))
    (local.set $vbc1 (f32x4.splat (local.get $bc1)))
    (local.set $vbc2 (f32x4.splat (local.get $bc2)))
    (local.set $veps (f32x4.splat (local.get $eps)))
    (local.set $vepsRoot (f32x4.splat (local.get $epsRoot)))

    (local.set $off (i32.const 0))
    (block $simdDone
      (br_if $simdDone (i32.eqz (local.get $end4)))
      (loop $simd
        (local.set $gx (v128.load align=4 (i32.add (local.get $g) (local.get $off))))
        ;; m' = b1 * m + omb1 * g
        (local.set $mx
          (f32x4.add
            (f32x4.mul (local.get $vb1) (v128.load align=4 (i32.add (local.get $m) (local.get $off))))
            (f32x4.mul (local.get $vomb1) (local.get $gx))))
        (v128.store align=4 (i32.add (local.get $mOut) (local.get $off)) (local.get $mx))
        ;; v' = b2 * v + omb2 * (g * g)
        (local.set $vx
          (f32x4.add
            (f32x4.mul (local.get $vb2) (v128.load align=4 (i32.add (local.get $v) (local.get $off))))
            (f32x4.mul (local.get $vomb2) (f32x4.mul (local.get $gx) (local.get $gx)))))
        (v128.store align=4 (i32.add (local.get $vOut) (local.get $off)) (local.get $vx))
        ;; update = (m' / bc1) / (sqrt(v' / bc2 + epsRoot) + eps)
        (v128.store align=4 (i32.add (local.get $uOut) (local.get $off))
          (f32x4.div
            (f32x4.div (local.get $mx) (local.get $vbc1))
            (f32x4.add
              (f32x4.sqrt (f32x4.add (f32x4.div (local.get $vx) (local.get $vbc2)) (local.get $vepsRoot)))
              (local.get $veps))))
        (local.set $off (i32.add (local.get $off) (i32.const 16)))
        (br_if $simd (i32.lt_u (local.get $off) (local.get $end4)))))

    ;; scalar tail: the last n mod 4 elements, same operations in the same order
    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.ge_u (local.get $off) (local.get $end)))
        (local.set $gs (f32.load (i32.add (local.get $g) (local.get $off))))
        (local.set $ms
          (f32.add
            (f32.mul (local.get $b1) (f32.load (i32.add (local.get $m) (local.get $off))))
            (f32.mul (local.get $omb1) (local.get $gs))))
        (f32.store (i32.add (local.get $mOut) (local.get $off)) (local.get $ms))
        (local.set $vs
          (f32.add
            (f32.mul (local.get $b2) (f32.load (i32.add (local.get $v) (local.get $off))))
            (f32.mul (local.get $omb2) (f32.mul (local.get $gs) (local.get $gs)))))
        (f32.store (i32.add (local.get $vOut) (local.get $off)) (local.get $vs))
        (f32.store (i32.add (local.get $uOut) (local.get $off))
          (f32.div
            (f32.div (local.get $ms) (local.get $bc1))
            (f32.add
              (f32.sqrt (f32.add (f32.div (local.get $vs) (local.get $bc2)) (local.get $epsRoot)))
              (local.get $eps))))
        (local.set $off (i32.add (local.get $off) (i32.const 4)))
        (br $tail)))
  )

  (func (export "adamApply")
    (param $g i32) (param $m i32) (param $v i32) (param $p i32)
    (param $mOut i32) (param $vOut i32) (param $pOut i32)
    (param $n i32)
    (param $b1 f32) (param $omb1 f32) (param $b2 f32) (param $omb2 f32)
    (param $bc1 f32) (param $bc2 f32) (param $eps f32) (param $epsRoot f32) (param $scale f32)
    (local $off i32) (local $end4 i32) (local $end i32)
    (local $vb1 v128) (local $vomb1 v128) (local $vb2 v128) (local $vomb2 v128)
    (local $vbc1 v128) (local $vbc2 v128) (local $veps v128) (local $vepsRoot v128) (local $vscale v128)
    (local $gx v128) (local $mx v128) (local $vx v128)
    (local $gs f32) (local $ms f32) (local $vs f32)

    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $end4 (i32.and (local.get $end) (i32.const -16)))

    (local.set $vb1 (f32x4.splat (local.get $b1)))
    (local.set $vomb1 (f32x4.splat (local.get $omb1)))
    (local.set $vb2 (f32x4.splat (local.get $b2)))
    (local.set $vomb2 (f32x4.splat (local.get $omb2)))
    (local.set $vbc1 (f32x4.splat (local.get $bc1)))
    (local.set $vbc2 (f32x4.splat (local.get $bc2)))
    (local.set $veps (f32x4.splat (local.get $eps)))
    (local.set $vepsRoot (f32x4.splat (local.get $epsRoot)))
    (local.set $vscale (f32x4.splat (local.get $scale)))

    (local.set $off (i32.const 0))
    ;; Bias corrections exactly 1 in float32 (for b1 = 0.9 from step 165, b2 = 0.999 from step 17,321) and
    ;; epsRoot 0: x / 1 and x + 0 are exact and v' is never -0, so the update is m' / (sqrt(v') + eps) with the
    ;; same bits and one division instead of three. The general loop below goes on from where this one stopped.
    (if (i32.and
          (i32.and (f32.eq (local.get $bc1) (f32.const 1)) (f32.eq (local.get $bc2) (f32.const 1)))
          (f32.eq (local.get $epsRoot) (f32.const 0)))
      (then
        (block $bcOneDone
          (br_if $bcOneDone (i32.eqz (local.get $end4)))
          (loop $bcOne
            (local.set $gx (v128.load align=4 (i32.add (local.get $g) (local.get $off))))
            (local.set $mx
              (f32x4.add
                (f32x4.mul (local.get $vb1) (v128.load align=4 (i32.add (local.get $m) (local.get $off))))
                (f32x4.mul (local.get $vomb1) (local.get $gx))))
            (v128.store align=4 (i32.add (local.get $mOut) (local.get $off)) (local.get $mx))
            (local.set $vx
              (f32x4.add
                (f32x4.mul (local.get $vb2) (v128.load align=4 (i32.add (local.get $v) (local.get $off))))
                (f32x4.mul (local.get $vomb2) (f32x4.mul (local.get $gx) (local.get $gx)))))
            (v128.store align=4 (i32.add (local.get $vOut) (local.get $off)) (local.get $vx))
            ;; p' = p + (m' / (sqrt(v') + eps)) * scale
            (v128.store align=4 (i32.add (local.get $pOut) (local.get $off))
              (f32x4.add
                (v128.load align=4 (i32.add (local.get $p) (local.get $off)))
                (f32x4.mul
                  (f32x4.div (local.get $mx) (f32x4.add (f32x4.sqrt (local.get $vx)) (local.get $veps)))
                  (local.get $vscale))))
            (local.set $off (i32.add (local.get $off) (i32.const 16)))
            (br_if $bcOne (i32.lt_u (local.get $off) (local.get $end4)))))))
    (block $simdDone
      (br_if $simdDone (i32.ge_u (local.get $off) (local.get $end4)))
      (loop $simd
        (local.set $gx (v128.load align=4 (i32.add (local.get $g) (local.get $off))))
        (local.set $mx
          (f32x4.add
            (f32x4.mul (local.get $vb1) (v128.load align=4 (i32.add (local.get $m) (local.get $off))))
            (f32x4.mul (local.get $vomb1) (local.get $gx))))
        (v128.store align=4 (i32.add (local.get $mOut) (local.get $off)) (local.get $mx))
        (local.set $vx
          (f32x4.add
            (f32x4.mul (local.get $vb2) (v128.load align=4 (i32.add (local.get $v) (local.get $off))))
            (f32x4.mul (local.get $vomb2) (f32x4.mul (local.get $gx) (local.get $gx)))))
        (v128.store align=4 (i32.add (local.get $vOut) (local.get $off)) (local.get $vx))
        ;; p' = p + update * scale
        (v128.store align=4 (i32.add (local.get $pOut) (local.get $off))
          (f32x4.add
            (v128.load align=4 (i32.add (local.get $p) (local.get $off)))
            (f32x4.mul
              (f32x4.div
                (f32x4.div (local.get $mx) (local.get $vbc1))
                (f32x4.add
                  (f32x4.sqrt (f32x4.add (f32x4.div (local.get $vx) (local.get $vbc2)) (local.get $vepsRoot)))
                  (local.get $veps)))
              (local.get $vscale))))
        (local.set $off (i32.add (local.get $off) (i32.const 16)))
        (br_if $simd (i32.lt_u (local.get $off) (local.get $end4)))))

    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.ge_u (local.get $off) (local.get $end)))
        (local.set $gs (f32.load (i32.add (local.get $g) (local.get $off))))
        (local.set $ms
          (f32.add
            (f32.mul (local.get $b1) (f32.load (i32.add (local.get $m) (local.get $off))))
            (f32.mul (local.get $omb1) (local.get $gs))))
        (f32.store (i32.add (local.get $mOut) (local.get $off)) (local.get $ms))
        (local.set $vs
          (f32.add
            (f32.mul (local.get $b2) (f32.load (i32.add (local.get $v) (local.get $off))))
            (f32.mul (local.get $omb2) (f32.mul (local.get $gs) (local.get $gs)))))
        (f32.store (i32.add (local.get $vOut) (local.get $off)) (local.get $vs))
        (f32.store (i32.add (local.get $pOut) (local.get $off))
          (f32.add
            (f32.load (i32.add (local.get $p) (local.get $off)))
            (f32.mul
              (f32.div
                (f32.div (local.get $ms) (local.get $bc1))
                (f32.add
                  (f32.sqrt (f32.add (f32.div (local.get $vs) (local.get $bc2)) (local.get $epsRoot)))
                  (local.get $eps)))
              (local.get $scale))))
        (local.set $off (i32.add (local.get $off) (i32.const 4)))
        (br $tail)))
  )

  (func (export "adamApplyDecayed")
    (param $g i32) (param $m i32) (param $v i32) (param $p i32)
    (param $mOut i32) (param $vOut i32) (param $pOut i32)
    (param $n i32)
    (param $b1 f32) (param $omb1 f32) (param $b2 f32) (param $omb2 f32)
    (param $bc1 f32) (param $bc2 f32) (param $eps f32) (param $epsRoot f32) (param $scale f32) (param $wd f32)
    (local $off i32) (local $end4 i32) (local $end i32)
    (local $vb1 v128) (local $vomb1 v128) (local $vb2 v128) (local $vomb2 v128)
    (local $vbc1 v128) (local $vbc2 v128) (local $veps v128) (local $vepsRoot v128) (local $vscale v128) (local $vwd v128) (local $px v128) (local $ps f32)
    (local $gx v128) (local $mx v128) (local $vx v128)
    (local $gs f32) (local $ms f32) (local $vs f32)

    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $end4 (i32.and (local.get $end) (i32.const -16)))

    (local.set $vb1 (f32x4.splat (local.get $b1)))
    (local.set $vomb1 (f32x4.splat (local.get $omb1)))
    (local.set $vb2 (f32x4.splat (local.get $b2)))
    (local.set $vomb2 (f32x4.splat (local.get $omb2)))
    (local.set $vbc1 (f32x4.splat (local.get $bc1)))
    (local.set $vbc2 (f32x4.splat (local.get $bc2)))
    (local.set $veps (f32x4.splat (local.get $eps)))
    (local.set $vepsRoot (f32x4.splat (local.get $epsRoot)))
    (local.set $vscale (f32x4.splat (local.get $scale)))
    (local.set $vwd (f32x4.splat (local.get $wd)))

    (local.set $off (i32.const 0))
    ;; Bias corrections exactly 1 in float32 (for b1 = 0.9 from step 165, b2 = 0.999 from step 17,321) and
    ;; epsRoot 0: x / 1 and x + 0 are exact and v' is never -0, so the update is m' / (sqrt(v') + eps) with the
    ;; same bits and one division instead of three. The general loop below goes on from where this one stopped.
    (if (i32.and
          (i32.and (f32.eq (local.get $bc1) (f32.const 1)) (f32.eq (local.get $bc2) (f32.const 1)))
          (f32.eq (local.get $epsRoot) (f32.const 0)))
      (then
        (block $bcOneDone
          (br_if $bcOneDone (i32.eqz (local.get $end4)))
          (loop $bcOne
            (local.set $gx (v128.load align=4 (i32.add (local.get $g) (local.get $off))))
            (local.set $mx
              (f32x4.add
                (f32x4.mul (local.get $vb1) (v128.load align=4 (i32.add (local.get $m) (local.get $off))))
                (f32x4.mul (local.get $vomb1) (local.get $gx))))
            (v128.store align=4 (i32.add (local.get $mOut) (local.get $off)) (local.get $mx))
            (local.set $vx
              (f32x4.add
                (f32x4.mul (local.get $vb2) (v128.load align=4 (i32.add (local.get $v) (local.get $off))))
                (f32x4.mul (local.get $vomb2) (f32x4.mul (local.get $gx) (local.get $gx)))))
            (v128.store align=4 (i32.add (local.get $vOut) (local.get $off)) (local.get $vx))
            ;; p' = p + (m' / (sqrt(v') + eps) + p * wd) * scale
            (local.set $px (v128.load align=4 (i32.add (local.get $p) (local.get $off))))
            (v128.store align=4 (i32.add (local.get $pOut) (local.get $off))
              (f32x4.add
                (local.get $px)
                (f32x4.mul
                  (f32x4.add
                    (f32x4.div (local.get $mx) (f32x4.add (f32x4.sqrt (local.get $vx)) (local.get $veps)))
                    (f32x4.mul (local.get $px) (local.get $vwd)))
                  (local.get $vscale))))
            (local.set $off (i32.add (local.get $off) (i32.const 16)))
            (br_if $bcOne (i32.lt_u (local.get $off) (local.get $end4)))))))
    (block $simdDone
      (br_if $simdDone (i32.ge_u (local.get $off) (local.get $end4)))
      (loop $simd
        (local.set $gx (v128.load align=4 (i32.add (local.get $g) (local.get $off))))
        (local.set $mx
          (f32x4.add
            (f32x4.mul (local.get $vb1) (v128.load align=4 (i32.add (local.get $m) (local.get $off))))
            (f32x4.mul (local.get $vomb1) (local.get $gx))))
        (v128.store align=4 (i32.add (local.get $mOut) (local.get $off)) (local.get $mx))
        (local.set $vx
          (f32x4.add
            (f32x4.mul (local.get $vb2) (v128.load align=4 (i32.add (local.get $v) (local.get $off))))
            (f32x4.mul (local.get $vomb2) (f32x4.mul (local.get $gx) (local.get $gx)))))
        (v128.store align=4 (i32.add (local.get $vOut) (local.get $off)) (local.get $vx))
        ;; p' = p + (update + p * wd) * scale
        (local.set $px (v128.load align=4 (i32.add (local.get $p) (local.get $off))))
        (v128.store align=4 (i32.add (local.get $pOut) (local.get $off))
          (f32x4.add
            (local.get $px)
            (f32x4.mul
              (f32x4.add
                (f32x4.div
                  (f32x4.div (local.get $mx) (local.get $vbc1))
                  (f32x4.add
                    (f32x4.sqrt (f32x4.add (f32x4.div (local.get $vx) (local.get $vbc2)) (local.get $vepsRoot)))
                    (local.get $veps)))
                (f32x4.mul (local.get $px) (local.get $vwd)))
              (local.get $vscale))))
        (local.set $off (i32.add (local.get $off) (i32.const 16)))
        (br_if $simd (i32.lt_u (local.get $off) (local.get $end4)))))

    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.ge_u (local.get $off) (local.get $end)))
        (local.set $gs (f32.load (i32.add (local.get $g) (local.get $off))))
        (local.set $ms
          (f32.add
            (f32.mul (local.get $b1) (f32.load (i32.add (local.get $m) (local.get $off))))
            (f32.mul (local.get $omb1) (local.get $gs))))
        (f32.store (i32.add (local.get $mOut) (local.get $off)) (local.get $ms))
        (local.set $vs
          (f32.add
            (f32.mul (local.get $b2) (f32.load (i32.add (local.get $v) (local.get $off))))
            (f32.mul (local.get $omb2) (f32.mul (local.get $gs) (local.get $gs)))))
        (f32.store (i32.add (local.get $vOut) (local.get $off)) (local.get $vs))
        (local.set $ps (f32.load (i32.add (local.get $p) (local.get $off))))
        (f32.store (i32.add (local.get $pOut) (local.get $off))
          (f32.add
            (local.get $ps)
            (f32.mul
              (f32.add
                (f32.div
                  (f32.div (local.get $ms) (local.get $bc1))
                  (f32.add
                    (f32.sqrt (f32.add (f32.div (local.get $vs) (local.get $bc2)) (local.get $epsRoot)))
                    (local.get $eps)))
                (f32.mul (local.get $ps) (local.get $wd)))
              (local.get $scale))))
        (local.set $off (i32.add (local.get $off) (i32.const 4)))
        (br $tail)))
  )
)
