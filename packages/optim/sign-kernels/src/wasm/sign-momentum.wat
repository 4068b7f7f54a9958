;; Fused sign-momentum optimizer step (StoSignSGD, Signum, Lion) for one variable, float32, f32x4 SIMD with a
;; scalar tail. Core's counter-based hash (hashIndex, @unbiased/core) runs in the loop (i32x4.mul), so no noise is read.
;;
;; Compiled into generated/sign-momentum.wasm.ts (base64) by `pnpm --filter @unbiased/optim-sign-kernels build:wasm`
;; (core's scripts/build-wasm.mjs); a test checks that the committed binary equals a fresh compile of this file.
;;
;; The module owns no memory: it imports the tfjs wasm backend's memory ("env" "memory") with a declared
;; minimum of 0 pages. Pointers are byte offsets into that memory: p, g, m, G and the outputs pOut, mOut, GOut
;; are one variable's float32 tensors (the per-variable state tensors of the reference transforms). The build
;; also emits a shared-memory variant (SIGN_MOMENTUM_SHARED_WASM_BASE64) for tfjs's threaded build, whose
;; memory is shared: the same text with only the memory import declared (memory 0 65536 shared) (a shared
;; import needs a maximum; 65536 pages is the wasm32 limit), so keep that import written exactly once below.
;; Plain loads and stores, no atomics: a call runs on one thread over tensors no other thread touches meanwhile.
;;
;; Flags (bit mask, constant for a whole call):
;;   1 LION       direction d = b1*m + omb1*g, new moment m' = b2*m + omb2*g (otherwise m' = d)
;;   2 ENV        per-coordinate envelope: G' = pmax(G*decay, |d|), read G, write G'
;;   4 TENSOR     per-tensor envelope given as the scalar $gs (= G'); G, GOut and mOut are not touched
;;   8 NOISE      stochastic sign: s = sign(d + n*(G'*c)), n = f32(hash(prefix, i) >> 8) * 2^-23 - 1
;;  16 RESTORED   out = s * G' (otherwise out = s)
;;  32 WD         u = out + p*wd (decoupled weight decay; skipped entirely when wd = 0, as the reference)
;;  64 BF16       m' and G' are rounded to bfloat16 (nearest even, NaN kept) and stored as float32 holding that
;;               value (the reference's layout for stateDtype 'bf16'); the step continues with the rounded
;;               values (the direction d of the momentum kinds, and G'), as core's ema/signConversion do;
;;               Lion's direction is not state and stays float32
;;
;; Per element, every operation rounded to float32 in exactly the order of the reference transform chain
;; (WebAssembly never contracts to FMA), so the results equal the tfjs wasm backend running
;; chain(ema | lionDirection, signConversion | scaleBySign, addDecayedWeights, scaleByLearningRate) bit for bit:
;;   d   = f32(f32(m*b1) + f32(g*omb1))        BF16 and not LION: d = bf16(d)
;;   G'  = pmax(f32(G*decay), |d|)              pmax(a, b) = a < b ? b : a: the tfjs wasm Maximum kernel; BF16: bf16(G')
;;   arg = f32(d + f32(n * f32(G'*c)))       (NOISE)
;;   s   = (arg > 0) - (arg < 0)             (+0 for 0 and NaN, as core's exactSign on wasm)
;;   out = RESTORED ? f32(s*G') : s
;;   u   = WD ? f32(out + f32(p*wd)) : out
;;   p'  = f32(p + f32(u*neglr))             (neglr = f32(-lr))
;; Each output may be its own input (in-place updates: every element is loaded before its own index is stored),
;; except mOut with TENSOR (`amax` writes m' and `step` reads m again).
(module
  (import "env" "memory" (memory 0))

  ;; Generic: every flag combination, elements [start, n) of the variable (start a multiple of 4; the hash
  ;; index of element i is i).
  (func (export "step")
    (param $p i32) (param $g i32) (param $m i32) (param $G i32)
    (param $pOut i32) (param $mOut i32) (param $GOut i32)
    (param $n i32) (param $flags i32) (param $prefix i32)
    (param $b1 f32) (param $omb1 f32) (param $b2 f32) (param $omb2 f32)
    (param $decay f32) (param $c f32) (param $wd f32) (param $neglr f32) (param $gs f32) (param $start i32)
    (local $lion i32) (local $env i32) (local $tensor i32) (local $noise i32)
    (local $restored i32) (local $wdOn i32) (local $bf16 i32)
    (local $i i32) (local $n4 i32) (local $o4 i32)
    (local $vb1 v128) (local $vomb1 v128) (local $vb2 v128) (local $vomb2 v128)
    (local $vdecay v128) (local $vc v128) (local $vwd v128) (local $vneglr v128) (local $vgs v128)
    (local $vprefix v128) (local $vidx v128)
    (local $gx v128) (local $mx v128) (local $dx v128) (local $mn v128) (local $Gx v128) (local $Gn v128)
    (local $h v128) (local $arg v128) (local $sx v128) (local $px v128) (local $ux v128) (local $bits v128)
    (local $gf f32) (local $mf f32) (local $df f32) (local $mnf f32) (local $Gf f32) (local $Gnf f32)
    (local $argf f32) (local $sf f32) (local $pf f32) (local $uf f32)
    (local $hs i32) (local $bs i32)

    (local.set $lion (i32.and (local.get $flags) (i32.const 1)))
    (local.set $env (i32.and (local.get $flags) (i32.const 2)))
    (local.set $tensor (i32.and (local.get $flags) (i32.const 4)))
    (local.set $noise (i32.and (local.get $flags) (i32.const 8)))
    (local.set $restored (i32.and (local.get $flags) (i32.const 16)))
    (local.set $wdOn (i32.and (local.get $flags) (i32.const 32)))
    (local.set $bf16 (i32.and (local.get $flags) (i32.const 64)))

    (local.set $vb1 (f32x4.splat (local.get $b1)))
    (local.set $vomb1 (f32x4.splat (local.get $omb1)))
    (local.set $vb2 (f32x4.splat (local.get $b2)))
    (local.set $vomb2 (f32x4.splat (local.get $omb2)))
    (local.set $vdecay (f32x4.splat (local.get $decay)))
    (local.set $vc (f32x4.splat (local.get $c)))
    (local.set $vwd (f32x4.splat (local.get $wd)))
    (local.set $vneglr (f32x4.splat (local.get $neglr)))
    (local.set $vgs (f32x4.splat (local.get $gs)))
    (local.set $Gn (local.get $vgs))
    (local.set $vprefix (i32x4.splat (local.get $prefix)))
    (local.set $vidx (i32x4.add (i32x4.splat (local.get $start)) (v128.const i32x4 0 1 2 3)))

    (local.set $n4 (i32.and (local.get $n) (i32.const -4)))
    (local.set $i (local.get $start))

    ;; ---- SIMD: four elements per iteration (from $start, a multiple of 4) ----
    (block $simdDone
      (br_if $simdDone (i32.ge_u (local.get $i) (local.get $n4)))
      (loop $simd
        (local.set $o4 (i32.shl (local.get $i) (i32.const 2)))
        (local.set $gx (v128.load align=4 (i32.add (local.get $g) (local.get $o4))))
        (local.set $mx
          (v128.load align=4 (i32.add (local.get $m) (local.get $o4))))
        ;; direction d = m*b1 + g*omb1; Lion's new moment m' = m*b2 + g*omb2
        (local.set $dx (f32x4.add (f32x4.mul (local.get $mx) (local.get $vb1)) (f32x4.mul (local.get $gx) (local.get $vomb1))))
        (local.set $mn (local.get $dx))
        (if (local.get $lion)
          (then (local.set $mn (f32x4.add (f32x4.mul (local.get $mx) (local.get $vb2)) (f32x4.mul (local.get $gx) (local.get $vomb2))))))
        (if (local.get $bf16)
          (then
            ;; round to nearest even: (bits + 0x7fff + ((bits >> 16) & 1)) >> 16; NaN: (bits >> 16) | 0x40
            (local.set $bits (local.get $mn))
            (local.set $h
              (i32x4.shr_u
                (i32x4.add
                  (i32x4.add (local.get $bits) (v128.const i32x4 0x7fff 0x7fff 0x7fff 0x7fff))
                  (v128.and (i32x4.shr_u (local.get $bits) (i32.const 16)) (v128.const i32x4 1 1 1 1)))
                (i32.const 16)))
            (local.set $h
              (v128.bitselect
                (v128.or (i32x4.shr_u (local.get $bits) (i32.const 16)) (v128.const i32x4 0x40 0x40 0x40 0x40))
                (local.get $h)
                (i32x4.gt_u
                  (v128.and (local.get $bits) (v128.const i32x4 0x7fffffff 0x7fffffff 0x7fffffff 0x7fffffff))
                  (v128.const i32x4 0x7f800000 0x7f800000 0x7f800000 0x7f800000))))
            (if (i32.eqz (local.get $tensor))
              (then (v128.store align=4 (i32.add (local.get $mOut) (local.get $o4)) (i32x4.shl (local.get $h) (i32.const 16)))))
            ;; the momentum kinds continue with the stored (rounded) moment, as ema({ stateDtype: 'bf16' })
            (if (i32.eqz (local.get $lion)) (then (local.set $dx (i32x4.shl (local.get $h) (i32.const 16))))))
          (else
            (if (i32.eqz (local.get $tensor))
              (then (v128.store align=4 (i32.add (local.get $mOut) (local.get $o4)) (local.get $mn))))))
        ;; envelope
        (if (local.get $env)
          (then
            (local.set $Gx
              (v128.load align=4 (i32.add (local.get $G) (local.get $o4))))
            (local.set $Gn (f32x4.pmax (f32x4.mul (local.get $Gx) (local.get $vdecay)) (f32x4.abs (local.get $dx))))
            (if (local.get $bf16)
              (then
                (local.set $bits (local.get $Gn))
                (local.set $h
                  (i32x4.shr_u
                    (i32x4.add
                      (i32x4.add (local.get $bits) (v128.const i32x4 0x7fff 0x7fff 0x7fff 0x7fff))
                      (v128.and (i32x4.shr_u (local.get $bits) (i32.const 16)) (v128.const i32x4 1 1 1 1)))
                    (i32.const 16)))
                (local.set $h
                  (v128.bitselect
                    (v128.or (i32x4.shr_u (local.get $bits) (i32.const 16)) (v128.const i32x4 0x40 0x40 0x40 0x40))
                    (local.get $h)
                    (i32x4.gt_u
                      (v128.and (local.get $bits) (v128.const i32x4 0x7fffffff 0x7fffffff 0x7fffffff 0x7fffffff))
                      (v128.const i32x4 0x7f800000 0x7f800000 0x7f800000 0x7f800000))))
                (v128.store align=4 (i32.add (local.get $GOut) (local.get $o4)) (i32x4.shl (local.get $h) (i32.const 16)))
                ;; the sign uses the stored (rounded) envelope, as signConversion({ stateDtype: 'bf16' })
                (local.set $Gn (i32x4.shl (local.get $h) (i32.const 16))))
              (else (v128.store align=4 (i32.add (local.get $GOut) (local.get $o4)) (local.get $Gn))))))
        ;; stochastic sign: arg = d + n * (G' * c), n from hashIndex(prefix, i) (rng/hash.ts)
        (local.set $arg (local.get $dx))
        (if (local.get $noise)
          (then
            (local.set $h
              (v128.xor
                (local.get $vprefix)
                (i32x4.mul
                  (i32x4.add (local.get $vidx) (v128.const i32x4 0x2545f491 0x2545f491 0x2545f491 0x2545f491))
                  (v128.const i32x4 0x27d4eb2f 0x27d4eb2f 0x27d4eb2f 0x27d4eb2f))))
            (local.set $h (v128.xor (local.get $h) (i32x4.shr_u (local.get $h) (i32.const 16))))
            (local.set $h (i32x4.mul (local.get $h) (v128.const i32x4 0x85ebca6b 0x85ebca6b 0x85ebca6b 0x85ebca6b)))
            (local.set $h (v128.xor (local.get $h) (i32x4.shr_u (local.get $h) (i32.const 13))))
            (local.set $h (i32x4.mul (local.get $h) (v128.const i32x4 0xc2b2ae35 0xc2b2ae35 0xc2b2ae35 0xc2b2ae35)))
            (local.set $h (v128.xor (local.get $h) (i32x4.shr_u (local.get $h) (i32.const 16))))
            (local.set $h (i32x4.add (local.get $h) (v128.const i32x4 0x165667b1 0x165667b1 0x165667b1 0x165667b1)))
            (local.set $h (v128.xor (local.get $h) (i32x4.shr_u (local.get $h) (i32.const 16))))
            (local.set $h (i32x4.mul (local.get $h) (v128.const i32x4 0x85ebca6b 0x85ebca6b 0x85ebca6b 0x85ebca6b)))
            (local.set $h (v128.xor (local.get $h) (i32x4.shr_u (local.get $h) (i32.const 13))))
            (local.set $h (i32x4.mul (local.get $h) (v128.const i32x4 0xc2b2ae35 0xc2b2ae35 0xc2b2ae35 0xc2b2ae35)))
            (local.set $h (v128.xor (local.get $h) (i32x4.shr_u (local.get $h) (i32.const 16))))
            ;; n = f32(word >> 8) * 2^-23 - 1: exact (a multiple of 2^-23 in [-1, 1))
            (local.set $arg
              (f32x4.add
                (local.get $dx)
                (f32x4.mul
                  (f32x4.sub
                    (f32x4.mul
                      (f32x4.convert_i32x4_s (i32x4.shr_u (local.get $h) (i32.const 8)))
                      (v128.const f32x4 0x1p-23 0x1p-23 0x1p-23 0x1p-23))
                    (v128.const f32x4 1 1 1 1))
                  (f32x4.mul (local.get $Gn) (local.get $vc)))))))
        (local.set $vidx (i32x4.add (local.get $vidx) (v128.const i32x4 4 4 4 4)))
        ;; s = (arg > 0) - (arg < 0)
        (local.set $sx
          (f32x4.sub
            (v128.and (f32x4.gt (local.get $arg) (v128.const f32x4 0 0 0 0)) (v128.const f32x4 1 1 1 1))
            (v128.and (f32x4.lt (local.get $arg) (v128.const f32x4 0 0 0 0)) (v128.const f32x4 1 1 1 1))))
        (if (local.get $restored) (then (local.set $sx (f32x4.mul (local.get $sx) (local.get $Gn)))))
        (local.set $px (v128.load align=4 (i32.add (local.get $p) (local.get $o4))))
        (if (local.get $wdOn) (then (local.set $sx (f32x4.add (local.get $sx) (f32x4.mul (local.get $px) (local.get $vwd))))))
        (local.set $ux (f32x4.mul (local.get $sx) (local.get $vneglr)))
        (v128.store align=4 (i32.add (local.get $pOut) (local.get $o4)) (f32x4.add (local.get $px) (local.get $ux)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br_if $simd (i32.lt_u (local.get $i) (local.get $n4)))))

    ;; ---- scalar tail: the last n mod 4 elements, same operations in the same order ----
    (local.set $Gnf (local.get $gs))
    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $o4 (i32.shl (local.get $i) (i32.const 2)))
        (local.set $gf (f32.load (i32.add (local.get $g) (local.get $o4))))
        (local.set $mf
          (f32.load (i32.add (local.get $m) (local.get $o4))))
        (local.set $df (f32.add (f32.mul (local.get $mf) (local.get $b1)) (f32.mul (local.get $gf) (local.get $omb1))))
        (local.set $mnf (local.get $df))
        (if (local.get $lion)
          (then (local.set $mnf (f32.add (f32.mul (local.get $mf) (local.get $b2)) (f32.mul (local.get $gf) (local.get $omb2))))))
        (if (local.get $bf16)
          (then
            (local.set $bs (i32.reinterpret_f32 (local.get $mnf)))
            (local.set $hs
              (select
                (i32.or (i32.shr_u (local.get $bs) (i32.const 16)) (i32.const 0x40))
                (i32.shr_u
                  (i32.add (i32.add (local.get $bs) (i32.const 0x7fff)) (i32.and (i32.shr_u (local.get $bs) (i32.const 16)) (i32.const 1)))
                  (i32.const 16))
                (i32.gt_u (i32.and (local.get $bs) (i32.const 0x7fffffff)) (i32.const 0x7f800000))))
            (if (i32.eqz (local.get $tensor)) (then (i32.store (i32.add (local.get $mOut) (local.get $o4)) (i32.shl (local.get $hs) (i32.const 16)))))
            (if (i32.eqz (local.get $lion)) (then (local.set $df (f32.reinterpret_i32 (i32.shl (local.get $hs) (i32.const 16)))))))
          (else
            (if (i32.eqz (local.get $tensor)) (then (f32.store (i32.add (local.get $mOut) (local.get $o4)) (local.get $mnf))))))
        (if (local.get $env)
          (then
            (local.set $Gf
              (f32.load (i32.add (local.get $G) (local.get $o4))))
            ;; pmax(G*decay, |d|) = G*decay < |d| ? |d| : G*decay
            (local.set $Gf (f32.mul (local.get $Gf) (local.get $decay)))
            (local.set $Gnf (select (f32.abs (local.get $df)) (local.get $Gf) (f32.lt (local.get $Gf) (f32.abs (local.get $df)))))
            (if (local.get $bf16)
              (then
                (local.set $bs (i32.reinterpret_f32 (local.get $Gnf)))
                (local.set $hs
                  (select
                    (i32.or (i32.shr_u (local.get $bs) (i32.const 16)) (i32.const 0x40))
                    (i32.shr_u
                      (i32.add (i32.add (local.get $bs) (i32.const 0x7fff)) (i32.and (i32.shr_u (local.get $bs) (i32.const 16)) (i32.const 1)))
                      (i32.const 16))
                    (i32.gt_u (i32.and (local.get $bs) (i32.const 0x7fffffff)) (i32.const 0x7f800000))))
                (i32.store (i32.add (local.get $GOut) (local.get $o4)) (i32.shl (local.get $hs) (i32.const 16)))
                (local.set $Gnf (f32.reinterpret_i32 (i32.shl (local.get $hs) (i32.const 16)))))
              (else (f32.store (i32.add (local.get $GOut) (local.get $o4)) (local.get $Gnf))))))
        (local.set $argf (local.get $df))
        (if (local.get $noise)
          (then
            (local.set $hs
              (i32.xor (local.get $prefix) (i32.mul (i32.add (local.get $i) (i32.const 0x2545f491)) (i32.const 0x27d4eb2f))))
            (local.set $hs (i32.xor (local.get $hs) (i32.shr_u (local.get $hs) (i32.const 16))))
            (local.set $hs (i32.mul (local.get $hs) (i32.const 0x85ebca6b)))
            (local.set $hs (i32.xor (local.get $hs) (i32.shr_u (local.get $hs) (i32.const 13))))
            (local.set $hs (i32.mul (local.get $hs) (i32.const 0xc2b2ae35)))
            (local.set $hs (i32.xor (local.get $hs) (i32.shr_u (local.get $hs) (i32.const 16))))
            (local.set $hs (i32.add (local.get $hs) (i32.const 0x165667b1)))
            (local.set $hs (i32.xor (local.get $hs) (i32.shr_u (local.get $hs) (i32.const 16))))
            (local.set $hs (i32.mul (local.get $hs) (i32.const 0x85ebca6b)))
            (local.set $hs (i32.xor (local.get $hs) (i32.shr_u (local.get $hs) (i32.const 13))))
            (local.set $hs (i32.mul (local.get $hs) (i32.const 0xc2b2ae35)))
            (local.set $hs (i32.xor (local.get $hs) (i32.shr_u (local.get $hs) (i32.const 16))))
            (local.set $argf
              (f32.add
                (local.get $df)
                (f32.mul
                  (f32.sub (f32.mul (f32.convert_i32_s (i32.shr_u (local.get $hs) (i32.const 8))) (f32.const 0x1p-23)) (f32.const 1))
                  (f32.mul (local.get $Gnf) (local.get $c)))))))
        (local.set $sf
          (f32.sub
            (f32.convert_i32_u (f32.gt (local.get $argf) (f32.const 0)))
            (f32.convert_i32_u (f32.lt (local.get $argf) (f32.const 0)))))
        (if (local.get $restored) (then (local.set $sf (f32.mul (local.get $sf) (local.get $Gnf)))))
        (local.set $pf (f32.load (i32.add (local.get $p) (local.get $o4))))
        (if (local.get $wdOn) (then (local.set $sf (f32.add (local.get $sf) (f32.mul (local.get $pf) (local.get $wd))))))
        (local.set $uf (f32.mul (local.get $sf) (local.get $neglr)))
        (f32.store (i32.add (local.get $pOut) (local.get $o4)) (f32.add (local.get $pf) (local.get $uf)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $tail)))
  )

  ;; StoSignSGD fast path, float32 state: exactly `step` with flags ENV|NOISE[|WD] (bounded, per-coordinate
  ;; envelope, parameters out), for elements [start, n & ~3) (start a multiple of 4); the caller runs `step` from
  ;; n & ~3 for the rest. The loop is bound by the vector ALUs (the hash is ~20 SIMD operations per 4 elements),
  ;; so it does as few of them as the bits allow: eight elements per iteration (two independent hash chains,
  ;; immediate load/store offsets), the constants in locals, no flag test inside (one loop with the weight decay,
  ;; one without), the hash's first stage incremental: x_i = (i + 0x2545f491) * 0x27d4eb2f advances by
  ;; 8 * 0x27d4eb2f = 0x3ea75978 (mod 2^32) per iteration in each chain. Then groups of four to n & ~3.
  ;; Same operations in the same order per element as `step` (bit-identical; a test compares them).
  (func (export "stosign32")
    (param $p i32) (param $g i32) (param $m i32) (param $G i32)
    (param $pOut i32) (param $mOut i32) (param $GOut i32)
    (param $n i32) (param $prefix i32) (param $wdOn i32)
    (param $b1 f32) (param $omb1 f32) (param $decay f32) (param $c f32) (param $wd f32) (param $neglr f32)
    (param $start i32)
    (local $o i32) (local $end i32) (local $end8 i32)
    (local $vb1 v128) (local $vomb1 v128) (local $vdecay v128) (local $vc v128) (local $vwd v128) (local $vneglr v128)
    (local $vprefix v128) (local $mix1 v128) (local $mix2 v128) (local $fold v128) (local $ulp v128) (local $one v128)
    (local $zero v128) (local $absMask v128) (local $step8 v128) (local $x0 v128) (local $x1 v128)
    (local $d0 v128) (local $G0 v128) (local $h0 v128) (local $a0 v128) (local $s0 v128) (local $p0 v128)
    (local $d1 v128) (local $G1 v128) (local $h1 v128) (local $a1 v128) (local $s1 v128) (local $p1 v128)
    (local.set $vb1 (f32x4.splat (local.get $b1)))
    (local.set $vomb1 (f32x4.splat (local.get $omb1)))
    (local.set $vdecay (f32x4.splat (local.get $decay)))
    (local.set $vc (f32x4.splat (local.get $c)))
    (local.set $vwd (f32x4.splat (local.get $wd)))
    (local.set $vneglr (f32x4.splat (local.get $neglr)))
    (local.set $vprefix (i32x4.splat (local.get $prefix)))
    ;; fmix32's multipliers, hashIndex's fold constant, 2^-23, 1, |x| mask ($zero stays 0)
    (local.set $mix1 (v128.const i32x4 0x85ebca6b 0x85ebca6b 0x85ebca6b 0x85ebca6b))
    (local.set $mix2 (v128.const i32x4 0xc2b2ae35 0xc2b2ae35 0xc2b2ae35 0xc2b2ae35))
    (local.set $fold (v128.const i32x4 0x165667b1 0x165667b1 0x165667b1 0x165667b1))
    (local.set $ulp (v128.const f32x4 0x1p-23 0x1p-23 0x1p-23 0x1p-23))
    (local.set $one (v128.const f32x4 1 1 1 1))
    (local.set $absMask (v128.const i32x4 0x7fffffff 0x7fffffff 0x7fffffff 0x7fffffff))
    (local.set $step8 (v128.const i32x4 0x3ea75978 0x3ea75978 0x3ea75978 0x3ea75978))
    ;; x for elements start .. start + 3 and start + 4 .. start + 7
    (local.set $x0
      (i32x4.mul
        (i32x4.add (i32x4.splat (local.get $start)) (v128.const i32x4 0x2545f491 0x2545f492 0x2545f493 0x2545f494))
        (v128.const i32x4 0x27d4eb2f 0x27d4eb2f 0x27d4eb2f 0x27d4eb2f)))
    (local.set $x1 (i32x4.add (local.get $x0) (v128.const i32x4 0x9f53acbc 0x9f53acbc 0x9f53acbc 0x9f53acbc)))
    ;; byte offsets: past the last full group of 4, and past the last full group of 8 from start
    (local.set $end (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (local.set $o (i32.shl (local.get $start) (i32.const 2)))
    (local.set $end8 (i32.add (local.get $o) (i32.and (i32.sub (local.get $end) (local.get $o)) (i32.const -32))))
    (block $pairs
      (br_if $pairs (i32.ge_u (local.get $o) (local.get $end8)))
      (if (local.get $wdOn)
        (then
          (loop $decayed
            ;; elements o/4 .. o/4 + 3
            (local.set $d0 (f32x4.add (f32x4.mul (v128.load align=4 (i32.add (local.get $m) (local.get $o))) (local.get $vb1)) (f32x4.mul (v128.load align=4 (i32.add (local.get $g) (local.get $o))) (local.get $vomb1))))
            (v128.store align=4 (i32.add (local.get $mOut) (local.get $o)) (local.get $d0))
            (local.set $G0 (f32x4.pmax (f32x4.mul (v128.load align=4 (i32.add (local.get $G) (local.get $o))) (local.get $vdecay)) (v128.and (local.get $d0) (local.get $absMask))))
            (v128.store align=4 (i32.add (local.get $GOut) (local.get $o)) (local.get $G0))
            (local.set $h0 (v128.xor (local.get $vprefix) (local.get $x0)))
            (local.set $h0 (v128.xor (local.get $h0) (i32x4.shr_u (local.get $h0) (i32.const 16))))
            (local.set $h0 (i32x4.mul (local.get $h0) (local.get $mix1)))
            (local.set $h0 (v128.xor (local.get $h0) (i32x4.shr_u (local.get $h0) (i32.const 13))))
            (local.set $h0 (i32x4.mul (local.get $h0) (local.get $mix2)))
            (local.set $h0 (v128.xor (local.get $h0) (i32x4.shr_u (local.get $h0) (i32.const 16))))
            (local.set $h0 (i32x4.add (local.get $h0) (local.get $fold)))
            (local.set $h0 (v128.xor (local.get $h0) (i32x4.shr_u (local.get $h0) (i32.const 16))))
            (local.set $h0 (i32x4.mul (local.get $h0) (local.get $mix1)))
            (local.set $h0 (v128.xor (local.get $h0) (i32x4.shr_u (local.get $h0) (i32.const 13))))
            (local.set $h0 (i32x4.mul (local.get $h0) (local.get $mix2)))
            (local.set $h0 (v128.xor (local.get $h0) (i32x4.shr_u (local.get $h0) (i32.const 16))))
            (local.set $a0 (f32x4.add (local.get $d0) (f32x4.mul (f32x4.sub (f32x4.mul (f32x4.convert_i32x4_s (i32x4.shr_u (local.get $h0) (i32.const 8))) (local.get $ulp)) (local.get $one)) (f32x4.mul (local.get $G0) (local.get $vc)))))
            (local.set $s0 (f32x4.sub (v128.and (f32x4.gt (local.get $a0) (local.get $zero)) (local.get $one)) (v128.and (f32x4.lt (local.get $a0) (local.get $zero)) (local.get $one))))
            (local.set $p0 (v128.load align=4 (i32.add (local.get $p) (local.get $o))))
            (local.set $s0 (f32x4.add (local.get $s0) (f32x4.mul (local.get $p0) (local.get $vwd))))
            (v128.store align=4 (i32.add (local.get $pOut) (local.get $o)) (f32x4.add (local.get $p0) (f32x4.mul (local.get $s0) (local.get $vneglr))))
            ;; elements o/4 + 4 .. o/4 + 7
            (local.set $d1 (f32x4.add (f32x4.mul (v128.load offset=16 align=4 (i32.add (local.get $m) (local.get $o))) (local.get $vb1)) (f32x4.mul (v128.load offset=16 align=4 (i32.add (local.get $g) (local.get $o))) (local.get $vomb1))))
            (v128.store offset=16 align=4 (i32.add (local.get $mOut) (local.get $o)) (local.get $d1))
            (local.set $G1 (f32x4.pmax (f32x4.mul (v128.load offset=16 align=4 (i32.add (local.get $G) (local.get $o))) (local.get $vdecay)) (v128.and (local.get $d1) (local.get $absMask))))
            (v128.store offset=16 align=4 (i32.add (local.get $GOut) (local.get $o)) (local.get $G1))
            (local.set $h1 (v128.xor (local.get $vprefix) (local.get $x1)))
            (local.set $h1 (v128.xor (local.get $h1) (i32x4.shr_u (local.get $h1) (i32.const 16))))
            (local.set $h1 (i32x4.mul (local.get $h1) (local.get $mix1)))
            (local.set $h1 (v128.xor (local.get $h1) (i32x4.shr_u (local.get $h1) (i32.const 13))))
            (local.set $h1 (i32x4.mul (local.get $h1) (local.get $mix2)))
            (local.set $h1 (v128.xor (local.get $h1) (i32x4.shr_u (local.get $h1) (i32.const 16))))
            (local.set $h1 (i32x4.add (local.get $h1) (local.get $fold)))
            (local.set $h1 (v128.xor (local.get $h1) (i32x4.shr_u (local.get $h1) (i32.const 16))))
            (local.set $h1 (i32x4.mul (local.get $h1) (local.get $mix1)))
            (local.set $h1 (v128.xor (local.get $h1) (i32x4.shr_u (local.get $h1) (i32.const 13))))
            (local.set $h1 (i32x4.mul (local.get $h1) (local.get $mix2)))
            (local.set $h1 (v128.xor (local.get $h1) (i32x4.shr_u (local.get $h1) (i32.const 16))))
            (local.set $a1 (f32x4.add (local.get $d1) (f32x4.mul (f32x4.sub (f32x4.mul (f32x4.convert_i32x4_s (i32x4.shr_u (local.get $h1) (i32.const 8))) (local.get $ulp)) (local.get $one)) (f32x4.mul (local.get $G1) (local.get $vc)))))
            (local.set $s1 (f32x4.sub (v128.and (f32x4.gt (local.get $a1) (local.get $zero)) (local.get $one)) (v128.and (f32x4.lt (local.get $a1) (local.get $zero)) (local.get $one))))
            (local.set $p1 (v128.load offset=16 align=4 (i32.add (local.get $p) (local.get $o))))
            (local.set $s1 (f32x4.add (local.get $s1) (f32x4.mul (local.get $p1) (local.get $vwd))))
            (v128.store offset=16 align=4 (i32.add (local.get $pOut) (local.get $o)) (f32x4.add (local.get $p1) (f32x4.mul (local.get $s1) (local.get $vneglr))))
            (local.set $x0 (i32x4.add (local.get $x0) (local.get $step8)))
            (local.set $x1 (i32x4.add (local.get $x1) (local.get $step8)))
            (local.set $o (i32.add (local.get $o) (i32.const 32)))
            (br_if $decayed (i32.lt_u (local.get $o) (local.get $end8)))))
        (else
          (loop $plain
            ;; elements o/4 .. o/4 + 3
            (local.set $d0 (f32x4.add (f32x4.mul (v128.load align=4 (i32.add (local.get $m) (local.get $o))) (local.get $vb1)) (f32x4.mul (v128.load align=4 (i32.add (local.get $g) (local.get $o))) (local.get $vomb1))))
            (v128.store align=4 (i32.add (local.get $mOut) (local.get $o)) (local.get $d0))
            (local.set $G0 (f32x4.pmax (f32x4.mul (v128.load align=4 (i32.add (local.get $G) (local.get $o))) (local.get $vdecay)) (v128.and (local.get $d0) (local.get $absMask))))
            (v128.store align=4 (i32.add (local.get $GOut) (local.get $o)) (local.get $G0))
            (local.set $h0 (v128.xor (local.get $vprefix) (local.get $x0)))
            (local.set $h0 (v128.xor (local.get $h0) (i32x4.shr_u (local.get $h0) (i32.const 16))))
            (local.set $h0 (i32x4.mul (local.get $h0) (local.get $mix1)))
            (local.set $h0 (v128.xor (local.get $h0) (i32x4.shr_u (local.get $h0) (i32.const 13))))
            (local.set $h0 (i32x4.mul (local.get $h0) (local.get $mix2)))
            (local.set $h0 (v128.xor (local.get $h0) (i32x4.shr_u (local.get $h0) (i32.const 16))))
            (local.set $h0 (i32x4.add (local.get $h0) (local.get $fold)))
            (local.set $h0 (v128.xor (local.get $h0) (i32x4.shr_u (local.get $h0) (i32.const 16))))
            (local.set $h0 (i32x4.mul (local.get $h0) (local.get $mix1)))
            (local.set $h0 (v128.xor (local.get $h0) (i32x4.shr_u (local.get $h0) (i32.const 13))))
            (local.set $h0 (i32x4.mul (local.get $h0) (local.get $mix2)))
            (local.set $h0 (v128.xor (local.get $h0) (i32x4.shr_u (local.get $h0) (i32.const 16))))
            (local.set $a0 (f32x4.add (local.get $d0) (f32x4.mul (f32x4.sub (f32x4.mul (f32x4.convert_i32x4_s (i32x4.shr_u (local.get $h0) (i32.const 8))) (local.get $ulp)) (local.get $one)) (f32x4.mul (local.get $G0) (local.get $vc)))))
            (local.set $s0 (f32x4.sub (v128.and (f32x4.gt (local.get $a0) (local.get $zero)) (local.get $one)) (v128.and (f32x4.lt (local.get $a0) (local.get $zero)) (local.get $one))))
            (local.set $p0 (v128.load align=4 (i32.add (local.get $p) (local.get $o))))
            (v128.store align=4 (i32.add (local.get $pOut) (local.get $o)) (f32x4.add (local.get $p0) (f32x4.mul (local.get $s0) (local.get $vneglr))))
            ;; elements o/4 + 4 .. o/4 + 7
            (local.set $d1 (f32x4.add (f32x4.mul (v128.load offset=16 align=4 (i32.add (local.get $m) (local.get $o))) (local.get $vb1)) (f32x4.mul (v128.load offset=16 align=4 (i32.add (local.get $g) (local.get $o))) (local.get $vomb1))))
            (v128.store offset=16 align=4 (i32.add (local.get $mOut) (local.get $o)) (local.get $d1))
            (local.set $G1 (f32x4.pmax (f32x4.mul (v128.load offset=16 align=4 (i32.add (local.get $G) (local.get $o))) (local.get $vdecay)) (v128.and (local.get $d1) (local.get $absMask))))
            (v128.store offset=16 align=4 (i32.add (local.get $GOut) (local.get $o)) (local.get $G1))
            (local.set $h1 (v128.xor (local.get $vprefix) (local.get $x1)))
            (local.set $h1 (v128.xor (local.get $h1) (i32x4.shr_u (local.get $h1) (i32.const 16))))
            (local.set $h1 (i32x4.mul (local.get $h1) (local.get $mix1)))
            (local.set $h1 (v128.xor (local.get $h1) (i32x4.shr_u (local.get $h1) (i32.const 13))))
            (local.set $h1 (i32x4.mul (local.get $h1) (local.get $mix2)))
            (local.set $h1 (v128.xor (local.get $h1) (i32x4.shr_u (local.get $h1) (i32.const 16))))
            (local.set $h1 (i32x4.add (local.get $h1) (local.get $fold)))
            (local.set $h1 (v128.xor (local.get $h1) (i32x4.shr_u (local.get $h1) (i32.const 16))))
            (local.set $h1 (i32x4.mul (local.get $h1) (local.get $mix1)))
            (local.set $h1 (v128.xor (local.get $h1) (i32x4.shr_u (local.get $h1) (i32.const 13))))
            (local.set $h1 (i32x4.mul (local.get $h1) (local.get $mix2)))
            (local.set $h1 (v128.xor (local.get $h1) (i32x4.shr_u (local.get $h1) (i32.const 16))))
            (local.set $a1 (f32x4.add (local.get $d1) (f32x4.mul (f32x4.sub (f32x4.mul (f32x4.convert_i32x4_s (i32x4.shr_u (local.get $h1) (i32.const 8))) (local.get $ulp)) (local.get $one)) (f32x4.mul (local.get $G1) (local.get $vc)))))
            (local.set $s1 (f32x4.sub (v128.and (f32x4.gt (local.get $a1) (local.get $zero)) (local.get $one)) (v128.and (f32x4.lt (local.get $a1) (local.get $zero)) (local.get $one))))
            (local.set $p1 (v128.load offset=16 align=4 (i32.add (local.get $p) (local.get $o))))
            (v128.store offset=16 align=4 (i32.add (local.get $pOut) (local.get $o)) (f32x4.add (local.get $p1) (f32x4.mul (local.get $s1) (local.get $vneglr))))
            (local.set $x0 (i32x4.add (local.get $x0) (local.get $step8)))
            (local.set $x1 (i32x4.add (local.get $x1) (local.get $step8)))
            (local.set $o (i32.add (local.get $o) (i32.const 32)))
            (br_if $plain (i32.lt_u (local.get $o) (local.get $end8)))))))
    ;; at most one group of four left (x0 is its x)
    (block $done
      (br_if $done (i32.ge_u (local.get $o) (local.get $end)))
      (local.set $d0 (f32x4.add (f32x4.mul (v128.load align=4 (i32.add (local.get $m) (local.get $o))) (local.get $vb1)) (f32x4.mul (v128.load align=4 (i32.add (local.get $g) (local.get $o))) (local.get $vomb1))))
      (v128.store align=4 (i32.add (local.get $mOut) (local.get $o)) (local.get $d0))
      (local.set $G0 (f32x4.pmax (f32x4.mul (v128.load align=4 (i32.add (local.get $G) (local.get $o))) (local.get $vdecay)) (v128.and (local.get $d0) (local.get $absMask))))
      (v128.store align=4 (i32.add (local.get $GOut) (local.get $o)) (local.get $G0))
      (local.set $h0 (v128.xor (local.get $vprefix) (local.get $x0)))
      (local.set $h0 (v128.xor (local.get $h0) (i32x4.shr_u (local.get $h0) (i32.const 16))))
      (local.set $h0 (i32x4.mul (local.get $h0) (local.get $mix1)))
      (local.set $h0 (v128.xor (local.get $h0) (i32x4.shr_u (local.get $h0) (i32.const 13))))
      (local.set $h0 (i32x4.mul (local.get $h0) (local.get $mix2)))
      (local.set $h0 (v128.xor (local.get $h0) (i32x4.shr_u (local.get $h0) (i32.const 16))))
      (local.set $h0 (i32x4.add (local.get $h0) (local.get $fold)))
      (local.set $h0 (v128.xor (local.get $h0) (i32x4.shr_u (local.get $h0) (i32.const 16))))
      (local.set $h0 (i32x4.mul (local.get $h0) (local.get $mix1)))
      (local.set $h0 (v128.xor (local.get $h0) (i32x4.shr_u (local.get $h0) (i32.const 13))))
      (local.set $h0 (i32x4.mul (local.get $h0) (local.get $mix2)))
      (local.set $h0 (v128.xor (local.get $h0) (i32x4.shr_u (local.get $h0) (i32.const 16))))
      (local.set $a0 (f32x4.add (local.get $d0) (f32x4.mul (f32x4.sub (f32x4.mul (f32x4.convert_i32x4_s (i32x4.shr_u (local.get $h0) (i32.const 8))) (local.get $ulp)) (local.get $one)) (f32x4.mul (local.get $G0) (local.get $vc)))))
      (local.set $s0 (f32x4.sub (v128.and (f32x4.gt (local.get $a0) (local.get $zero)) (local.get $one)) (v128.and (f32x4.lt (local.get $a0) (local.get $zero)) (local.get $one))))
      (local.set $p0 (v128.load align=4 (i32.add (local.get $p) (local.get $o))))
      (if (local.get $wdOn) (then (local.set $s0 (f32x4.add (local.get $s0) (f32x4.mul (local.get $p0) (local.get $vwd))))))
      (v128.store align=4 (i32.add (local.get $pOut) (local.get $o)) (f32x4.add (local.get $p0) (f32x4.mul (local.get $s0) (local.get $vneglr)))))
  )

  ;; StoSignSGD fast path, bfloat16-rounded state (FLAG_BF16): exactly `step` with flags ENV|NOISE[|WD]|BF16 (bounded, per-coordinate
  ;; envelope, parameters out), for elements [start, n & ~3) (start a multiple of 4); the caller runs `step` from n & ~3 for the rest. No
  ;; flag tests in the loop but the weight decay one, and the hash's first stage is incremental:
  ;; (i + 0x2545f491) * 0x27d4eb2f advances by 4 * 0x27d4eb2f = 0x9f53acbc (mod 2^32) every 4 elements.
  (func (export "stosign16")
    (param $p i32) (param $g i32) (param $m i32) (param $G i32)
    (param $pOut i32) (param $mOut i32) (param $GOut i32)
    (param $n i32) (param $prefix i32) (param $wdOn i32)
    (param $b1 f32) (param $omb1 f32) (param $decay f32) (param $c f32) (param $wd f32) (param $neglr f32)
    (param $start i32)
    (local $o i32) (local $end i32) (local $bits v128) (local $r v128)
    (local $vb1 v128) (local $vomb1 v128) (local $vdecay v128) (local $vc v128) (local $vwd v128) (local $vneglr v128)
    (local $vprefix v128) (local $x v128)
    (local $dx v128) (local $Gn v128) (local $h v128) (local $arg v128) (local $sx v128) (local $px v128)
    (local.set $vb1 (f32x4.splat (local.get $b1)))
    (local.set $vomb1 (f32x4.splat (local.get $omb1)))
    (local.set $vdecay (f32x4.splat (local.get $decay)))
    (local.set $vc (f32x4.splat (local.get $c)))
    (local.set $vwd (f32x4.splat (local.get $wd)))
    (local.set $vneglr (f32x4.splat (local.get $neglr)))
    (local.set $vprefix (i32x4.splat (local.get $prefix)))
    (local.set $x
      (i32x4.mul
        (i32x4.add (i32x4.add (i32x4.splat (local.get $start)) (v128.const i32x4 0 1 2 3)) (v128.const i32x4 0x2545f491 0x2545f491 0x2545f491 0x2545f491))
        (v128.const i32x4 0x27d4eb2f 0x27d4eb2f 0x27d4eb2f 0x27d4eb2f)))
    ;; byte offset (of float32 arrays) past the last full group of 4
    (local.set $end (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (local.set $o (i32.shl (local.get $start) (i32.const 2)))
    (block $done
      (br_if $done (i32.ge_u (local.get $o) (local.get $end)))
      (loop $loop
        (local.set $dx
          (f32x4.add
            (f32x4.mul (v128.load align=4 (i32.add (local.get $m) (local.get $o))) (local.get $vb1))
            (f32x4.mul (v128.load align=4 (i32.add (local.get $g) (local.get $o))) (local.get $vomb1))))
        (local.set $bits (local.get $dx))
        (local.set $r
          (i32x4.shr_u
            (i32x4.add
              (i32x4.add (local.get $bits) (v128.const i32x4 0x7fff 0x7fff 0x7fff 0x7fff))
              (v128.and (i32x4.shr_u (local.get $bits) (i32.const 16)) (v128.const i32x4 1 1 1 1)))
            (i32.const 16)))
        (local.set $r (v128.bitselect (v128.or (i32x4.shr_u (local.get $bits) (i32.const 16)) (v128.const i32x4 0x40 0x40 0x40 0x40)) (local.get $r) (f32x4.ne (local.get $bits) (local.get $bits))))
        (v128.store align=4 (i32.add (local.get $mOut) (local.get $o)) (i32x4.shl (local.get $r) (i32.const 16)))
        (local.set $dx (i32x4.shl (local.get $r) (i32.const 16)))
        (local.set $Gn
          (f32x4.pmax
            (f32x4.mul (v128.load align=4 (i32.add (local.get $G) (local.get $o))) (local.get $vdecay))
            (f32x4.abs (local.get $dx))))
        (local.set $bits (local.get $Gn))
        (local.set $r
          (i32x4.shr_u
            (i32x4.add
              (i32x4.add (local.get $bits) (v128.const i32x4 0x7fff 0x7fff 0x7fff 0x7fff))
              (v128.and (i32x4.shr_u (local.get $bits) (i32.const 16)) (v128.const i32x4 1 1 1 1)))
            (i32.const 16)))
        (local.set $r (v128.bitselect (v128.or (i32x4.shr_u (local.get $bits) (i32.const 16)) (v128.const i32x4 0x40 0x40 0x40 0x40)) (local.get $r) (f32x4.ne (local.get $bits) (local.get $bits))))
        (v128.store align=4 (i32.add (local.get $GOut) (local.get $o)) (i32x4.shl (local.get $r) (i32.const 16)))
        (local.set $Gn (i32x4.shl (local.get $r) (i32.const 16)))
        ;; hashIndex(prefix, i) = fmix32(fmix32(prefix ^ x_i) + 0x165667b1)
        (local.set $h (v128.xor (local.get $vprefix) (local.get $x)))
        (local.set $x (i32x4.add (local.get $x) (v128.const i32x4 0x9f53acbc 0x9f53acbc 0x9f53acbc 0x9f53acbc)))
        (local.set $h (v128.xor (local.get $h) (i32x4.shr_u (local.get $h) (i32.const 16))))
        (local.set $h (i32x4.mul (local.get $h) (v128.const i32x4 0x85ebca6b 0x85ebca6b 0x85ebca6b 0x85ebca6b)))
        (local.set $h (v128.xor (local.get $h) (i32x4.shr_u (local.get $h) (i32.const 13))))
        (local.set $h (i32x4.mul (local.get $h) (v128.const i32x4 0xc2b2ae35 0xc2b2ae35 0xc2b2ae35 0xc2b2ae35)))
        (local.set $h (v128.xor (local.get $h) (i32x4.shr_u (local.get $h) (i32.const 16))))
        (local.set $h (i32x4.add (local.get $h) (v128.const i32x4 0x165667b1 0x165667b1 0x165667b1 0x165667b1)))
        (local.set $h (v128.xor (local.get $h) (i32x4.shr_u (local.get $h) (i32.const 16))))
        (local.set $h (i32x4.mul (local.get $h) (v128.const i32x4 0x85ebca6b 0x85ebca6b 0x85ebca6b 0x85ebca6b)))
        (local.set $h (v128.xor (local.get $h) (i32x4.shr_u (local.get $h) (i32.const 13))))
        (local.set $h (i32x4.mul (local.get $h) (v128.const i32x4 0xc2b2ae35 0xc2b2ae35 0xc2b2ae35 0xc2b2ae35)))
        (local.set $h (v128.xor (local.get $h) (i32x4.shr_u (local.get $h) (i32.const 16))))
        ;; arg = d + n * (G' * c), n = f32(word >> 8) * 2^-23 - 1
        (local.set $arg
          (f32x4.add
            (local.get $dx)
            (f32x4.mul
              (f32x4.sub
                (f32x4.mul (f32x4.convert_i32x4_s (i32x4.shr_u (local.get $h) (i32.const 8))) (v128.const f32x4 0x1p-23 0x1p-23 0x1p-23 0x1p-23))
                (v128.const f32x4 1 1 1 1))
              (f32x4.mul (local.get $Gn) (local.get $vc)))))
        (local.set $sx
          (f32x4.sub
            (v128.and (f32x4.gt (local.get $arg) (v128.const f32x4 0 0 0 0)) (v128.const f32x4 1 1 1 1))
            (v128.and (f32x4.lt (local.get $arg) (v128.const f32x4 0 0 0 0)) (v128.const f32x4 1 1 1 1))))
        (local.set $px (v128.load align=4 (i32.add (local.get $p) (local.get $o))))
        (if (local.get $wdOn) (then (local.set $sx (f32x4.add (local.get $sx) (f32x4.mul (local.get $px) (local.get $vwd))))))
        (v128.store align=4 (i32.add (local.get $pOut) (local.get $o)) (f32x4.add (local.get $px) (f32x4.mul (local.get $sx) (local.get $vneglr))))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br_if $loop (i32.lt_u (local.get $o) (local.get $end)))))
  )

  ;; Pass 1 of the per-tensor envelope: writes m' (rounded to bfloat16 with BF16, as `step`) and returns max |d| over
  ;; the variable (NaN if any |d| is NaN, as tf.max; 0 for an empty variable). Flags: LION, BF16.
  (func (export "amax")
    (param $g i32) (param $m i32) (param $mOut i32) (param $n i32) (param $flags i32)
    (param $b1 f32) (param $omb1 f32) (param $b2 f32) (param $omb2 f32)
    (result f32)
    (local $lion i32) (local $bf16 i32)
    (local $i i32) (local $n4 i32) (local $o4 i32)
    (local $vb1 v128) (local $vomb1 v128) (local $vb2 v128) (local $vomb2 v128)
    (local $gx v128) (local $mx v128) (local $dx v128) (local $mn v128) (local $bits v128) (local $h v128) (local $vmax v128)
    (local $gf f32) (local $mf f32) (local $df f32) (local $mnf f32) (local $max f32) (local $bs i32)

    (local.set $lion (i32.and (local.get $flags) (i32.const 1)))
    (local.set $bf16 (i32.and (local.get $flags) (i32.const 64)))
    (local.set $vb1 (f32x4.splat (local.get $b1)))
    (local.set $vomb1 (f32x4.splat (local.get $omb1)))
    (local.set $vb2 (f32x4.splat (local.get $b2)))
    (local.set $vomb2 (f32x4.splat (local.get $omb2)))
    (local.set $vmax (v128.const f32x4 0 0 0 0))
    (local.set $n4 (i32.and (local.get $n) (i32.const -4)))
    (local.set $i (i32.const 0))
    (block $simdDone
      (br_if $simdDone (i32.eqz (local.get $n4)))
      (loop $simd
        (local.set $o4 (i32.shl (local.get $i) (i32.const 2)))
        (local.set $gx (v128.load align=4 (i32.add (local.get $g) (local.get $o4))))
        (local.set $mx
          (v128.load align=4 (i32.add (local.get $m) (local.get $o4))))
        (local.set $dx (f32x4.add (f32x4.mul (local.get $mx) (local.get $vb1)) (f32x4.mul (local.get $gx) (local.get $vomb1))))
        (local.set $mn (local.get $dx))
        (if (local.get $lion)
          (then (local.set $mn (f32x4.add (f32x4.mul (local.get $mx) (local.get $vb2)) (f32x4.mul (local.get $gx) (local.get $vomb2))))))
        (if (local.get $bf16)
          (then
            (local.set $bits (local.get $mn))
            (local.set $h
              (i32x4.shr_u
                (i32x4.add
                  (i32x4.add (local.get $bits) (v128.const i32x4 0x7fff 0x7fff 0x7fff 0x7fff))
                  (v128.and (i32x4.shr_u (local.get $bits) (i32.const 16)) (v128.const i32x4 1 1 1 1)))
                (i32.const 16)))
            (local.set $h
              (v128.bitselect
                (v128.or (i32x4.shr_u (local.get $bits) (i32.const 16)) (v128.const i32x4 0x40 0x40 0x40 0x40))
                (local.get $h)
                (i32x4.gt_u
                  (v128.and (local.get $bits) (v128.const i32x4 0x7fffffff 0x7fffffff 0x7fffffff 0x7fffffff))
                  (v128.const i32x4 0x7f800000 0x7f800000 0x7f800000 0x7f800000))))
            (v128.store align=4 (i32.add (local.get $mOut) (local.get $o4)) (i32x4.shl (local.get $h) (i32.const 16)))
            (if (i32.eqz (local.get $lion)) (then (local.set $dx (i32x4.shl (local.get $h) (i32.const 16))))))
          (else (v128.store align=4 (i32.add (local.get $mOut) (local.get $o4)) (local.get $mn))))
        ;; f32x4.max propagates NaN
        (local.set $vmax (f32x4.max (local.get $vmax) (f32x4.abs (local.get $dx))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br_if $simd (i32.lt_u (local.get $i) (local.get $n4)))))
    (local.set $max
      (f32.max
        (f32.max (f32x4.extract_lane 0 (local.get $vmax)) (f32x4.extract_lane 1 (local.get $vmax)))
        (f32.max (f32x4.extract_lane 2 (local.get $vmax)) (f32x4.extract_lane 3 (local.get $vmax)))))
    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $o4 (i32.shl (local.get $i) (i32.const 2)))
        (local.set $gf (f32.load (i32.add (local.get $g) (local.get $o4))))
        (local.set $mf
          (f32.load (i32.add (local.get $m) (local.get $o4))))
        (local.set $df (f32.add (f32.mul (local.get $mf) (local.get $b1)) (f32.mul (local.get $gf) (local.get $omb1))))
        (local.set $mnf (local.get $df))
        (if (local.get $lion)
          (then (local.set $mnf (f32.add (f32.mul (local.get $mf) (local.get $b2)) (f32.mul (local.get $gf) (local.get $omb2))))))
        (if (local.get $bf16)
          (then
            (local.set $bs (i32.reinterpret_f32 (local.get $mnf)))
            (local.set $bs
              (select
                (i32.or (i32.shr_u (local.get $bs) (i32.const 16)) (i32.const 0x40))
                (i32.shr_u
                  (i32.add (i32.add (local.get $bs) (i32.const 0x7fff)) (i32.and (i32.shr_u (local.get $bs) (i32.const 16)) (i32.const 1)))
                  (i32.const 16))
                (i32.gt_u (i32.and (local.get $bs) (i32.const 0x7fffffff)) (i32.const 0x7f800000))))
            (i32.store (i32.add (local.get $mOut) (local.get $o4)) (i32.shl (local.get $bs) (i32.const 16)))
            (if (i32.eqz (local.get $lion)) (then (local.set $df (f32.reinterpret_i32 (i32.shl (local.get $bs) (i32.const 16)))))))
          (else (f32.store (i32.add (local.get $mOut) (local.get $o4)) (local.get $mnf))))
        (local.set $max (f32.max (local.get $max) (f32.abs (local.get $df))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $tail)))
    (local.get $max)
  )

  ;; Signum (flags 0 or WD, float32 state): d = b1*m + omb1*g, m' = d, s = (d > 0) - (d < 0),
  ;; u = wd != 0 ? f32(s + f32(p*wd)) : s, p' = f32(p + f32(u*neglr)): exactly `step` with those flags, for
  ;; elements [0, n & ~3) (the caller runs `step` from n & ~3). No flag test in the loops (the weight decay picks
  ;; one of two loops). Every element is loaded before its own index is stored, so each output may be its own
  ;; input (in-place updates).
  (func (export "signum32")
    (param $p i32) (param $g i32) (param $m i32) (param $pOut i32) (param $mOut i32) (param $n i32)
    (param $b1 f32) (param $omb1 f32) (param $wd f32) (param $neglr f32)
    (local $o i32) (local $end i32)
    (local $vb1 v128) (local $vomb1 v128) (local $vb2 v128) (local $vomb2 v128) (local $vwd v128) (local $vneglr v128)
    (local $mx v128) (local $gx v128) (local $dx v128) (local $sx v128) (local $px v128)
    (local.set $vb1 (f32x4.splat (local.get $b1)))
    (local.set $vomb1 (f32x4.splat (local.get $omb1)))
    (local.set $vwd (f32x4.splat (local.get $wd)))
    (local.set $vneglr (f32x4.splat (local.get $neglr)))
    (local.set $end (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (local.set $o (i32.const 0))
    (block $done
      (br_if $done (i32.eqz (local.get $end)))
      (if (f32.eq (local.get $wd) (f32.const 0))
        (then
      (loop $plain
        (local.set $mx (v128.load align=4 (i32.add (local.get $m) (local.get $o))))
        (local.set $gx (v128.load align=4 (i32.add (local.get $g) (local.get $o))))
        (local.set $dx (f32x4.add (f32x4.mul (local.get $mx) (local.get $vb1)) (f32x4.mul (local.get $gx) (local.get $vomb1))))
        (v128.store align=4 (i32.add (local.get $mOut) (local.get $o)) (local.get $dx))
        (local.set $sx
          (f32x4.sub
            (v128.and (f32x4.gt (local.get $dx) (v128.const f32x4 0 0 0 0)) (v128.const f32x4 1 1 1 1))
            (v128.and (f32x4.lt (local.get $dx) (v128.const f32x4 0 0 0 0)) (v128.const f32x4 1 1 1 1))))
        (local.set $px (v128.load align=4 (i32.add (local.get $p) (local.get $o))))
        (v128.store align=4 (i32.add (local.get $pOut) (local.get $o)) (f32x4.add (local.get $px) (f32x4.mul (local.get $sx) (local.get $vneglr))))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br_if $plain (i32.lt_u (local.get $o) (local.get $end)))))
        (else
      (loop $decayed
        (local.set $mx (v128.load align=4 (i32.add (local.get $m) (local.get $o))))
        (local.set $gx (v128.load align=4 (i32.add (local.get $g) (local.get $o))))
        (local.set $dx (f32x4.add (f32x4.mul (local.get $mx) (local.get $vb1)) (f32x4.mul (local.get $gx) (local.get $vomb1))))
        (v128.store align=4 (i32.add (local.get $mOut) (local.get $o)) (local.get $dx))
        (local.set $sx
          (f32x4.sub
            (v128.and (f32x4.gt (local.get $dx) (v128.const f32x4 0 0 0 0)) (v128.const f32x4 1 1 1 1))
            (v128.and (f32x4.lt (local.get $dx) (v128.const f32x4 0 0 0 0)) (v128.const f32x4 1 1 1 1))))
        (local.set $px (v128.load align=4 (i32.add (local.get $p) (local.get $o))))
        (local.set $sx (f32x4.add (local.get $sx) (f32x4.mul (local.get $px) (local.get $vwd))))
        (v128.store align=4 (i32.add (local.get $pOut) (local.get $o)) (f32x4.add (local.get $px) (f32x4.mul (local.get $sx) (local.get $vneglr))))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br_if $decayed (i32.lt_u (local.get $o) (local.get $end))))))))

  ;; Lion (flags LION[|WD]): d = b1*m + omb1*g, m' = b2*m + omb2*g, s = (d > 0) - (d < 0),
  ;; u = wd != 0 ? f32(s + f32(p*wd)) : s, p' = f32(p + f32(u*neglr)): exactly `step` with those flags, for
  ;; elements [0, n & ~3) (the caller runs `step` from n & ~3). No flag test in the loops (the weight decay picks
  ;; one of two loops). Every element is loaded before its own index is stored, so each output may be its own
  ;; input (in-place updates).
  (func (export "lion32")
    (param $p i32) (param $g i32) (param $m i32) (param $pOut i32) (param $mOut i32) (param $n i32)
    (param $b1 f32) (param $omb1 f32) (param $b2 f32) (param $omb2 f32) (param $wd f32) (param $neglr f32)
    (local $o i32) (local $end i32)
    (local $vb1 v128) (local $vomb1 v128) (local $vb2 v128) (local $vomb2 v128) (local $vwd v128) (local $vneglr v128)
    (local $mx v128) (local $gx v128) (local $dx v128) (local $sx v128) (local $px v128)
    (local.set $vb1 (f32x4.splat (local.get $b1)))
    (local.set $vomb1 (f32x4.splat (local.get $omb1)))
    (local.set $vb2 (f32x4.splat (local.get $b2)))
    (local.set $vomb2 (f32x4.splat (local.get $omb2)))
    (local.set $vwd (f32x4.splat (local.get $wd)))
    (local.set $vneglr (f32x4.splat (local.get $neglr)))
    (local.set $end (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (local.set $o (i32.const 0))
    (block $done
      (br_if $done (i32.eqz (local.get $end)))
      (if (f32.eq (local.get $wd) (f32.const 0))
        (then
      (loop $plain
        (local.set $mx (v128.load align=4 (i32.add (local.get $m) (local.get $o))))
        (local.set $gx (v128.load align=4 (i32.add (local.get $g) (local.get $o))))
        (local.set $dx (f32x4.add (f32x4.mul (local.get $mx) (local.get $vb1)) (f32x4.mul (local.get $gx) (local.get $vomb1))))
        (v128.store align=4 (i32.add (local.get $mOut) (local.get $o))
          (f32x4.add (f32x4.mul (local.get $mx) (local.get $vb2)) (f32x4.mul (local.get $gx) (local.get $vomb2))))
        (local.set $sx
          (f32x4.sub
            (v128.and (f32x4.gt (local.get $dx) (v128.const f32x4 0 0 0 0)) (v128.const f32x4 1 1 1 1))
            (v128.and (f32x4.lt (local.get $dx) (v128.const f32x4 0 0 0 0)) (v128.const f32x4 1 1 1 1))))
        (local.set $px (v128.load align=4 (i32.add (local.get $p) (local.get $o))))
        (v128.store align=4 (i32.add (local.get $pOut) (local.get $o)) (f32x4.add (local.get $px) (f32x4.mul (local.get $sx) (local.get $vneglr))))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br_if $plain (i32.lt_u (local.get $o) (local.get $end)))))
        (else
      (loop $decayed
        (local.set $mx (v128.load align=4 (i32.add (local.get $m) (local.get $o))))
        (local.set $gx (v128.load align=4 (i32.add (local.get $g) (local.get $o))))
        (local.set $dx (f32x4.add (f32x4.mul (local.get $mx) (local.get $vb1)) (f32x4.mul (local.get $gx) (local.get $vomb1))))
        (v128.store align=4 (i32.add (local.get $mOut) (local.get $o))
          (f32x4.add (f32x4.mul (local.get $mx) (local.get $vb2)) (f32x4.mul (local.get $gx) (local.get $vomb2))))
        (local.set $sx
          (f32x4.sub
            (v128.and (f32x4.gt (local.get $dx) (v128.const f32x4 0 0 0 0)) (v128.const f32x4 1 1 1 1))
            (v128.and (f32x4.lt (local.get $dx) (v128.const f32x4 0 0 0 0)) (v128.const f32x4 1 1 1 1))))
        (local.set $px (v128.load align=4 (i32.add (local.get $p) (local.get $o))))
        (local.set $sx (f32x4.add (local.get $sx) (f32x4.mul (local.get $px) (local.get $vwd))))
        (v128.store align=4 (i32.add (local.get $pOut) (local.get $o)) (f32x4.add (local.get $px) (f32x4.mul (local.get $sx) (local.get $vneglr))))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br_if $decayed (i32.lt_u (local.get $o) (local.get $end))))))))
)
