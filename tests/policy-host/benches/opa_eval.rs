//! Latency of the OPA-ABI artifact's one-shot `opa_eval` in wasmtime (Gatekeeper's input shape
//! `{"review", "parameters"}`), for the same four requests as the `validate` bench: a Pod and a
//! 3-container Deployment without Strict (validate-only, so rejected) and the same two already Strict.
//! The host writes the input above the heap pointer and resets the heap for every call, as OPA SDKs do.
//!
//! With `PODGROUPS_POLICY_BASE` naming the previous `podgroups-policy-opa.wasm` (or its folder), both
//! modules are called in turn, 3,000 calls per case and module, three runs, after checking they give
//! the same result set. Needs `cargo xtask policy`.
//!
//! `PODGROUPS_POLICY_BASE=/path/to/old cargo bench -p podgroups-policy-host --bench opa_eval`

use podgroups_policy_host::{artifact, base_artifact, bench_requests, report, OPA_ARTIFACT};
use serde_json::{json, Value};
use std::path::Path;
use std::time::Instant;
use wasmtime_provider::wasmtime::{Engine, ExternType, Instance, Linker, Memory, Module, Store, TypedFunc};

const CALLS: usize = 3_000;
const RUNS: usize = 3;
const WARMUP: usize = 300;

type EvalArgs = (i32, i32, i32, i32, i32, i32, i32);

struct Opa {
    label: &'static str,
    store: Store<()>,
    memory: Memory,
    /// The heap pointer after instantiation: every input is written there, and `opa_eval` restarts
    /// the heap right after it, so each call reuses the same memory.
    base: i32,
    eval: TypedFunc<EvalArgs, i32>,
}

impl Opa {
    fn load(engine: &Engine, label: &'static str, path: &Path) -> Result<Opa, String> {
        let module = Module::from_file(engine, path).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut store = Store::new(engine, ());
        let mut linker = Linker::new(engine);
        let mut memory = None;
        for import in module.imports() {
            if let (("env", "memory"), ExternType::Memory(ty)) = ((import.module(), import.name()), import.ty()) {
                let m = Memory::new(&mut store, ty).map_err(|e| e.to_string())?;
                linker.define(&store, "env", "memory", m).map_err(|e| e.to_string())?;
                memory = Some(m);
            }
        }
        let memory = memory.ok_or("the module imports no env.memory")?;
        let instance: Instance = linker.instantiate(&mut store, &module).map_err(|e| e.to_string())?;
        let heap_ptr_get: TypedFunc<(), i32> = instance
            .get_typed_func(&mut store, "opa_heap_ptr_get")
            .map_err(|e| e.to_string())?;
        let base = heap_ptr_get.call(&mut store, ()).map_err(|e| e.to_string())?;
        let eval = instance
            .get_typed_func(&mut store, "opa_eval")
            .map_err(|e| e.to_string())?;
        Ok(Opa {
            label,
            store,
            memory,
            base,
            eval,
        })
    }

    /// One `opa_eval` on `input`: the result set's JSON text.
    fn evaluate(&mut self, input: &[u8]) -> Result<Vec<u8>, String> {
        let base = self.base;
        let len = i32::try_from(input.len()).map_err(|e| e.to_string())?;
        let needed = usize::try_from(base + len).map_err(|e| e.to_string())?;
        let have = self.memory.data_size(&self.store);
        if needed > have {
            let pages = (needed - have).div_ceil(65_536) as u64;
            self.memory.grow(&mut self.store, pages).map_err(|e| e.to_string())?;
        }
        self.memory
            .write(
                &mut self.store,
                usize::try_from(base).map_err(|e| e.to_string())?,
                input,
            )
            .map_err(|e| e.to_string())?;
        let out = self
            .eval
            .call(&mut self.store, (0, 0, 0, base, len, base + len, 0))
            .map_err(|e| e.to_string())?;
        let data = self.memory.data(&self.store);
        let start = usize::try_from(out).map_err(|e| e.to_string())?;
        let text = data.get(start..).ok_or("result outside memory")?;
        let end = text.iter().position(|b| *b == 0).ok_or("result not NUL-terminated")?;
        Ok(text.get(..end).unwrap_or_default().to_vec())
    }
}

fn main() -> Result<(), String> {
    let engine = Engine::default();
    let mut modules = vec![Opa::load(&engine, "new", &artifact(OPA_ARTIFACT)?)?];
    if let Some(path) = base_artifact(OPA_ARTIFACT) {
        modules.push(Opa::load(&engine, "base", &path)?);
    }
    let cases = cases()?;
    for (case, input) in &cases {
        let mut answers = Vec::new();
        for m in &mut modules {
            let text = m.evaluate(input.as_bytes())?;
            answers.push(serde_json::from_slice::<Value>(&text).map_err(|e| format!("{case}: {e}"))?);
        }
        if answers.windows(2).any(|w| w[0] != w[1]) {
            return Err(format!("{case}: the modules answer differently: {answers:?}"));
        }
        let count = answers[0][0]["result"].as_array().map_or(0, Vec::len);
        println!("{case:<24} {count} violations");
    }
    for run in 1..=RUNS {
        println!("run {run}/{RUNS}: opa_eval, {CALLS} calls per case and module, interleaved");
        for (case, input) in &cases {
            for _ in 0..WARMUP {
                for m in &mut modules {
                    m.evaluate(input.as_bytes())?;
                }
            }
            let mut times = vec![Vec::with_capacity(CALLS); modules.len()];
            for _ in 0..CALLS {
                for (m, t) in modules.iter_mut().zip(&mut times) {
                    let start = Instant::now();
                    let out = m.evaluate(input.as_bytes())?;
                    t.push(start.elapsed());
                    std::hint::black_box(out);
                }
            }
            let labels: Vec<&str> = modules.iter().map(|m| m.label).collect();
            report(&format!("opa_eval {case} ({} B)", input.len()), &labels, times);
        }
    }
    Ok(())
}

/// The `validate` bench's four requests in Gatekeeper's input shape (validate-only: the two that
/// `validate` mutates are rejected here).
fn cases() -> Result<Vec<(String, String)>, String> {
    let (requests, parameters) = bench_requests()?;
    let input = |review: Value| json!({"review": review, "parameters": parameters}).to_string();
    let name = |case: &str| case.replace("mutated", "not Strict");
    Ok(requests.into_iter().map(|(case, r)| (name(case), input(r))).collect())
}
