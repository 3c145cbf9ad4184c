//! The OPA-ABI artifact driven the way Kubewarden's `executionMode: gatekeeper` host drives a Rego
//! module in wasmtime: a 5-page `env.memory` made by the host, `{}` pushed as data, then per request
//! heap reset, input pushed through `opa_malloc`/`opa_json_parse`, an eval context, `eval`, and the
//! result read back through `opa_json_dump`. Input is `{"parameters": settings, "review": request}`;
//! `result_set[0].result` is the list of violations. Needs `cargo xtask policy` (see kubewarden.rs).

use podgroups_policy_host::{artifact, OPA_ARTIFACT};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::sync::OnceLock;
use wasmtime_provider::wasmtime::{Engine, Instance, Linker, Memory, MemoryType, Module, Store};

struct Gatekeeper {
    store: Store<()>,
    instance: Instance,
    memory: Memory,
    data_heap_ptr: i32,
    data_addr: i32,
}

impl Gatekeeper {
    fn load() -> Gatekeeper {
        // Compiled once per test binary, instantiated fresh per test.
        static COMPILED: OnceLock<(Engine, Module)> = OnceLock::new();
        let (engine, module) = COMPILED.get_or_init(|| {
            let engine = Engine::default();
            let module = Module::from_file(&engine, artifact(OPA_ARTIFACT).unwrap()).unwrap();
            (engine, module)
        });
        let mut store = Store::new(engine, ());
        let memory = Memory::new(&mut store, MemoryType::new(5, None)).unwrap();
        let mut linker = Linker::new(engine);
        linker.define(&store, "env", "memory", memory).unwrap();
        let instance = linker.instantiate(&mut store, module).unwrap();
        let mut gk = Gatekeeper {
            store,
            instance,
            memory,
            data_heap_ptr: 0,
            data_addr: 0,
        };
        gk.data_addr = gk.push(&json!({}));
        gk.data_heap_ptr = gk.call0("opa_heap_ptr_get");
        gk
    }

    fn call0(&mut self, name: &str) -> i32 {
        let f = self.instance.get_typed_func::<(), i32>(&mut self.store, name).unwrap();
        f.call(&mut self.store, ()).unwrap()
    }

    fn call1(&mut self, name: &str, a: i32) -> i32 {
        let f = self.instance.get_typed_func::<i32, i32>(&mut self.store, name).unwrap();
        f.call(&mut self.store, a).unwrap()
    }

    fn call2(&mut self, name: &str, a: i32, b: i32) {
        let f = self
            .instance
            .get_typed_func::<(i32, i32), ()>(&mut self.store, name)
            .unwrap();
        f.call(&mut self.store, (a, b)).unwrap()
    }

    fn push_raw(&mut self, bytes: &[u8]) -> i32 {
        let addr = self.call1("opa_malloc", bytes.len() as i32);
        self.memory.write(&mut self.store, addr as usize, bytes).unwrap();
        let parse = self
            .instance
            .get_typed_func::<(i32, i32), i32>(&mut self.store, "opa_json_parse")
            .unwrap();
        parse.call(&mut self.store, (addr, bytes.len() as i32)).unwrap()
    }

    fn push(&mut self, value: &Value) -> i32 {
        let addr = self.push_raw(value.to_string().as_bytes());
        assert_ne!(addr, 0, "opa_json_parse refused {value}");
        addr
    }

    fn pull(&mut self, addr: i32) -> Value {
        let text = self.call1("opa_json_dump", addr) as usize;
        let data = self.memory.data(&self.store);
        let end = data[text..].iter().position(|b| *b == 0).unwrap();
        serde_json::from_slice(&data[text..text + end]).unwrap()
    }

    fn global(&mut self, name: &str) -> i32 {
        self.instance
            .get_global(&mut self.store, name)
            .unwrap()
            .get(&mut self.store)
            .i32()
            .unwrap()
    }

    /// One evaluation of entrypoint 0, as the gatekeeper host does it.
    fn evaluate(&mut self, input: &Value) -> Value {
        let heap = self.data_heap_ptr;
        let set = self
            .instance
            .get_typed_func::<i32, ()>(&mut self.store, "opa_heap_ptr_set")
            .unwrap();
        set.call(&mut self.store, heap).unwrap();
        let input_addr = self.push(input);
        let ctx = self.call0("opa_eval_ctx_new");
        self.call2("opa_eval_ctx_set_input", ctx, input_addr);
        let data = self.data_addr;
        self.call2("opa_eval_ctx_set_data", ctx, data);
        self.call2("opa_eval_ctx_set_entrypoint", ctx, 0);
        assert_eq!(self.call1("eval", ctx), 0);
        let result = self.call1("opa_eval_ctx_get_result", ctx);
        self.pull(result)
    }
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn review(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/policy")
        .join(name);
    let review: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    review["request"].clone()
}

#[test]
#[ignore = "needs `cargo xtask policy`; run by .ci/test.d/20-policy.sh"]
fn loads_in_a_five_page_memory_and_declares_abi_1_2() {
    let mut gk = Gatekeeper::load();
    assert_eq!(gk.global("opa_wasm_abi_version"), 1);
    assert_eq!(gk.global("opa_wasm_abi_minor_version"), 2);
    let builtins = gk.call0("builtins");
    assert_eq!(gk.pull(builtins), json!({}));
    let entrypoints = gk.call0("entrypoints");
    assert_eq!(gk.pull(entrypoints), json!({"podgroups/violation": 0}));

    // Annotated for Kubewarden's gatekeeper execution mode.
    let wasm = std::fs::read(artifact(OPA_ARTIFACT).unwrap()).unwrap();
    let meta = wasmparser::Parser::new(0)
        .parse_all(&wasm)
        .filter_map(|p| match p.unwrap() {
            wasmparser::Payload::CustomSection(r) if r.name() == "io.kubewarden.metadata" => {
                Some(serde_json::from_slice::<Value>(r.data()).unwrap())
            }
            _ => None,
        })
        .collect::<Vec<_>>();
    assert_eq!(meta.len(), 1);
    assert_eq!(meta[0]["executionMode"], "gatekeeper");
    assert_eq!(meta[0]["mutating"], false);
    assert_eq!(meta[0]["protocolVersion"], "Unknown");
    // Its own identity, not the Kubewarden artifact's: metadata-opa.yml plus the README as usage.
    let yaml = std::fs::read_to_string(repo().join("policy-wasm/metadata-opa.yml")).unwrap();
    let mut expected: Value = serde_saphyr::from_str(&yaml).unwrap();
    expected["protocolVersion"] = Value::from("Unknown");
    let readme = std::fs::read_to_string(repo().join("policy-wasm/README.md")).unwrap();
    expected["annotations"]["io.kubewarden.policy.usage"] = Value::from(readme);
    assert_eq!(meta[0], expected);
    let title = &meta[0]["annotations"]["io.kubewarden.policy.title"];
    assert_eq!(title, "podgroups-policy-opa");
    assert_eq!(
        meta[0]["annotations"]["io.kubewarden.policy.ociUrl"],
        "ghcr.io/podgroups/policies/podgroups-policy-opa"
    );
}

#[test]
#[ignore = "needs `cargo xtask policy`; run by .ci/test.d/20-policy.sh"]
fn violations_come_back_as_gatekeeper_expects() {
    let mut gk = Gatekeeper::load();
    let rs = gk.evaluate(&json!({"parameters": {}, "review": review("pod-create-bare.json")}));
    let violations = rs[0]["result"].as_array().unwrap();
    assert_eq!(violations.len(), 1);
    assert_eq!(
        violations[0]["details"]["field"],
        "spec.securityContext.supplementalGroupsPolicy"
    );
    assert!(violations[0]["msg"]
        .as_str()
        .unwrap()
        .starts_with("Pod shop/web: spec.securityContext.supplementalGroupsPolicy is not set"));

    let settings = json!({"run_as_group": {"rule": "MayRunAs", "ranges": [{"min": 3000, "max": 3999}]}});
    let rs = gk.evaluate(&json!({"parameters": settings, "review": review("pod-create-strict-in-range.json")}));
    assert_eq!(rs, json!([{"result": []}]));

    let rs = gk.evaluate(&json!({"parameters": {"mutate": []}, "review": review("pod-create-strict-in-range.json")}));
    assert_eq!(
        rs[0]["result"][0]["msg"],
        "podgroups policy: invalid parameters: mutate must be true or false, got []"
    );
}

#[test]
#[ignore = "needs `cargo xtask policy`; run by .ci/test.d/20-policy.sh"]
fn repeated_evaluations_reuse_the_heap() {
    let mut gk = Gatekeeper::load();
    let input = json!({"parameters": {}, "review": review("deployment-create-bare.json")});
    let first = gk.evaluate(&input);
    let size = gk.memory.data_size(&gk.store);
    for _ in 0..500 {
        assert_eq!(gk.evaluate(&input), first);
    }
    assert_eq!(gk.memory.data_size(&gk.store), size);
}

#[test]
#[ignore = "needs `cargo xtask policy`; run by .ci/test.d/20-policy.sh"]
fn bad_addresses_and_bad_json_are_refused_without_a_trap() {
    let mut gk = Gatekeeper::load();
    assert_eq!(gk.push_raw(b"{not json"), 0);
    // Dumping something that is not a value gives null instead of reading garbage.
    assert_eq!(gk.pull(12345), Value::Null);
    assert_eq!(gk.pull(-8), Value::Null);
    assert_eq!(gk.call1("opa_eval_ctx_get_result", 999_999_999), 0);
    assert_ne!(gk.call1("eval", 7), 0);
    let rs = gk.evaluate(&json!("not an object"));
    assert!(rs[0]["result"][0]["msg"]
        .as_str()
        .unwrap()
        .contains("must be an AdmissionRequest object"));
}
