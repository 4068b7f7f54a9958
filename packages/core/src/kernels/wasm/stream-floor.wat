;; Memory floor of a fused optimizer step, for `unbiased perf transforms` only: the loads and stores of a step
;; with (next to) no arithmetic, f32x4 SIMD like the fused kernels. No optimizer can be faster on this backend
;; than the loop that only moves its bytes, so `fused kernel - floor` is the arithmetic's cost.
;;
;; Built by packages/core/scripts/build-wasm.mjs into generated/stream-floor.wasm.ts (base64, with the
;; shared-memory variant); a test checks that the committed binary equals a fresh compile of this file and
;; what the functions compute. Pointers are byte offsets into the tfjs wasm backend's memory (imported).
;;
;;   streams28(g, m, v, p, n): m += g; v += g; p += v   (reads g, m, v, p; writes m, v, p: Adam's 28 B/param)
;;   streams20(g, m, p, n):    m += g; p += m           (reads g, m, p; writes m, p: Signum's / Lion's 20 B/param)
;; n must be a multiple of 4 (the callers' sizes are).
(module
  (import "env" "memory" (memory 0))

  (func (export "streams28") (param $g i32) (param $m i32) (param $v i32) (param $p i32) (param $n i32)
    (local $off i32) (local $end i32) (local $gx v128) (local $vx v128)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $done
      (br_if $done (i32.eqz (local.get $end)))
      (loop $l
        (local.set $gx (v128.load align=4 (i32.add (local.get $g) (local.get $off))))
        (v128.store align=4 (i32.add (local.get $m) (local.get $off))
          (f32x4.add (v128.load align=4 (i32.add (local.get $m) (local.get $off))) (local.get $gx)))
        (local.set $vx (f32x4.add (v128.load align=4 (i32.add (local.get $v) (local.get $off))) (local.get $gx)))
        (v128.store align=4 (i32.add (local.get $v) (local.get $off)) (local.get $vx))
        (v128.store align=4 (i32.add (local.get $p) (local.get $off))
          (f32x4.add (v128.load align=4 (i32.add (local.get $p) (local.get $off))) (local.get $vx)))
        (local.set $off (i32.add (local.get $off) (i32.const 16)))
        (br_if $l (i32.lt_u (local.get $off) (local.get $end))))))

  (func (export "streams20") (param $g i32) (param $m i32) (param $p i32) (param $n i32)
    (local $off i32) (local $end i32) (local $mx v128)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $done
      (br_if $done (i32.eqz (local.get $end)))
      (loop $l
        (local.set $mx
          (f32x4.add (v128.load align=4 (i32.add (local.get $m) (local.get $off)))
            (v128.load align=4 (i32.add (local.get $g) (local.get $off)))))
        (v128.store align=4 (i32.add (local.get $m) (local.get $off)) (local.get $mx))
        (v128.store align=4 (i32.add (local.get $p) (local.get $off))
          (f32x4.add (v128.load align=4 (i32.add (local.get $p) (local.get $off))) (local.get $mx)))
        (local.set $off (i32.add (local.get $off) (i32.const 16)))
        (br_if $l (i32.lt_u (local.get $off) (local.get $end))))))
)
