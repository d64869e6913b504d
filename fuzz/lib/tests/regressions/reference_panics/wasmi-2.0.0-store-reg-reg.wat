;; wasmi 2.0.0 panics translating `f` ("internal error: entered unreachable code",
;; wasmi-2.0.0/src/engine/translator/func/mod.rs:2583): the i32.store8's address and
;; value are both wasmi's register and its offset does not fit in 16 bits.
;; Per the spec the module is valid and f(0) traps (out of bounds: 1 + 65536).
;; Reproduce: wasmi run --invoke f wasmi-2.0.0-store-reg-reg.wat 0   (wasmi_cli 2.0.0)
;; fuzz/README.md, "Findings against reference engines".
(module
  (memory 1)
  (func (export "f") (param i32)
    local.get 0
    i32.const 1
    i32.add
    local.tee 0
    local.get 0
    i32.store8 offset=65536))
