//! OPA Wasm ABI 1.2 over [`crate::evaluate`], validate-only, for Gatekeeper-style hosts (Kubewarden's
//! `executionMode: gatekeeper`, OPA SDKs). Entrypoint 0 (`podgroups/violation`) takes
//! `{"review": <AdmissionRequest>, "parameters": <settings>}` and yields Gatekeeper violations
//! `[{"msg", "details"}]` in the result set `[{"result": [...]}]`.
//!
//! Values crossing the ABI are JSON documents boxed in the bump heap ([`alloc`]); addresses handed in
//! by the host are checked (inside memory, aligned, tagged) before use, and invalid ones give `null` or
//! an error code instead of a trap.

mod alloc;

use crate::answer;
use crate::data_path;
use crate::image::NoImageConfigs;
use serde_json::{json, Value};

#[global_allocator]
static ALLOCATOR: alloc::Bump = alloc::Bump;

/// Tags a boxed value so a stray address is not taken for one.
const MAGIC: u32 = 0x6f70_6176;
const ENTRYPOINT: &str = "podgroups/violation";
/// OPA error codes (`opa_errc`).
const OK: i32 = 0;
const ERR_INTERNAL: i32 = 1;
const ERR_INVALID_TYPE: i32 = 2;
const ERR_INVALID_PATH: i32 = 3;

#[repr(C)]
struct Boxed {
    magic: u32,
    value: Value,
}

#[repr(C)]
struct EvalCtx {
    magic: u32,
    input: i32,
    data: i32,
    entrypoint: i32,
    result: i32,
}

/// Boxes a value in the heap and returns its address (0 if memory is exhausted).
fn boxed(value: Value) -> i32 {
    let b = Box::new(Boxed { magic: MAGIC, value });
    Box::into_raw(b) as usize as i32
}

/// A `T` at `addr`, if the address is inside memory, aligned, and carries `magic` first.
fn at<T>(addr: i32, magic: u32) -> Option<&'static mut T> {
    let addr = usize::try_from(addr).ok().filter(|a| *a != 0)?;
    let end = addr.checked_add(core::mem::size_of::<T>())?;
    if end > alloc::memory_bytes() || addr % core::mem::align_of::<T>() != 0 {
        return None;
    }
    // SAFETY: in bounds and aligned; every T used here is repr(C) with a u32 tag first, checked
    // before the rest is touched.
    unsafe {
        if *(addr as *const u32) != magic {
            return None;
        }
        Some(&mut *(addr as *mut T))
    }
}

fn value(addr: i32) -> Option<&'static mut Value> {
    at::<Boxed>(addr, MAGIC).map(|b| &mut b.value)
}

/// The bytes the host wrote at `addr..addr+len`, if inside memory.
fn bytes(addr: i32, len: i32) -> Option<&'static [u8]> {
    let addr = usize::try_from(addr).ok()?;
    let len = usize::try_from(len).ok()?;
    if addr.checked_add(len)? > alloc::memory_bytes() {
        return None;
    }
    // SAFETY: the range is inside linear memory; the host wrote it before the call.
    Some(unsafe { core::slice::from_raw_parts(addr as *const u8, len) })
}

/// A NUL-terminated JSON text in the heap.
fn dump(value: &Value) -> i32 {
    let mut text = serde_json::to_vec(value).unwrap_or_else(|_| b"null".to_vec());
    text.push(0);
    text.leak().as_ptr() as usize as i32
}

/// The result set for one input document `{"review": <AdmissionRequest>, "parameters": <settings>}` as
/// JSON text, read without building a tree of the request.
fn result_set(entrypoint: i32, input: &[u8]) -> Vec<u8> {
    if entrypoint != 0 {
        return b"[]".to_vec();
    }
    let input = match answer::input(input, "review") {
        Ok(input) => input,
        Err(e) => {
            let msg = format!("podgroups policy: the input is not JSON ({e}); nothing was checked");
            return answer::gatekeeper_error(msg).to_string().into_bytes();
        }
    };
    let settings = match answer::settings(&input, "parameters") {
        Ok(s) => s,
        Err(e) => {
            let msg = format!("podgroups policy: invalid parameters: {e}");
            return answer::gatekeeper_error(msg).to_string().into_bytes();
        }
    };
    let verdict = answer::verdict(input, &settings, false, &mut NoImageConfigs);
    if verdict.accepted() {
        return br#"[{"result":[]}]"#.to_vec();
    }
    answer::gatekeeper_result_set(&verdict).to_string().into_bytes()
}

/// `text` NUL-terminated in the heap.
fn dump_text(mut text: Vec<u8>) -> i32 {
    text.push(0);
    text.leak().as_ptr() as usize as i32
}

#[no_mangle]
pub extern "C" fn opa_malloc(size: i32) -> i32 {
    let Ok(size) = usize::try_from(size) else {
        return 0;
    };
    let Ok(layout) = core::alloc::Layout::from_size_align(size.max(1), 8) else {
        return 0;
    };
    // SAFETY: non-zero size.
    unsafe { std::alloc::alloc(layout) as usize as i32 }
}

/// Memory is reclaimed by heap-pointer resets, as in OPA's own runtime.
#[no_mangle]
pub extern "C" fn opa_free(_addr: i32) {}

#[no_mangle]
pub extern "C" fn opa_heap_ptr_get() -> i32 {
    alloc::heap_ptr() as i32
}

#[no_mangle]
pub extern "C" fn opa_heap_ptr_set(addr: i32) {
    if let Ok(addr) = usize::try_from(addr) {
        alloc::set_heap_ptr(addr);
    }
}

#[no_mangle]
pub extern "C" fn opa_json_parse(addr: i32, len: i32) -> i32 {
    match bytes(addr, len).map(serde_json::from_slice::<Value>) {
        Some(Ok(v)) => boxed(v),
        _ => 0,
    }
}

/// Rego value syntax for the documents this policy exchanges is plain JSON.
#[no_mangle]
pub extern "C" fn opa_value_parse(addr: i32, len: i32) -> i32 {
    opa_json_parse(addr, len)
}

#[no_mangle]
pub extern "C" fn opa_json_dump(addr: i32) -> i32 {
    dump(value(addr).map_or(&Value::Null, |v| &*v))
}

#[no_mangle]
pub extern "C" fn opa_value_dump(addr: i32) -> i32 {
    opa_json_dump(addr)
}

#[no_mangle]
pub extern "C" fn builtins() -> i32 {
    boxed(json!({}))
}

#[no_mangle]
pub extern "C" fn entrypoints() -> i32 {
    boxed(json!({ ENTRYPOINT: 0 }))
}

#[no_mangle]
pub extern "C" fn opa_eval_ctx_new() -> i32 {
    let ctx = Box::new(EvalCtx {
        magic: MAGIC + 1,
        input: 0,
        data: 0,
        entrypoint: 0,
        result: 0,
    });
    Box::into_raw(ctx) as usize as i32
}

fn ctx(addr: i32) -> Option<&'static mut EvalCtx> {
    at::<EvalCtx>(addr, MAGIC + 1)
}

#[no_mangle]
pub extern "C" fn opa_eval_ctx_set_input(ctx_addr: i32, input: i32) {
    if let Some(c) = ctx(ctx_addr) {
        c.input = input;
    }
}

#[no_mangle]
pub extern "C" fn opa_eval_ctx_set_data(ctx_addr: i32, data: i32) {
    if let Some(c) = ctx(ctx_addr) {
        c.data = data;
    }
}

#[no_mangle]
pub extern "C" fn opa_eval_ctx_set_entrypoint(ctx_addr: i32, entrypoint: i32) {
    if let Some(c) = ctx(ctx_addr) {
        c.entrypoint = entrypoint;
    }
}

#[no_mangle]
pub extern "C" fn opa_eval_ctx_get_result(ctx_addr: i32) -> i32 {
    ctx(ctx_addr).map_or(0, |c| c.result)
}

#[no_mangle]
pub extern "C" fn eval(ctx_addr: i32) -> i32 {
    let Some(c) = ctx(ctx_addr) else {
        return ERR_INTERNAL;
    };
    let input = serde_json::to_vec(value(c.input).map_or(&Value::Null, |v| &*v)).unwrap_or_default();
    let result = serde_json::from_slice::<Value>(&result_set(c.entrypoint, &input));
    c.result = result.map_or(0, boxed);
    if c.result == 0 {
        ERR_INTERNAL
    } else {
        OK
    }
}

/// ABI 1.2 one-shot evaluation: input is raw JSON at `input_addr`, the heap restarts at `heap_ptr`,
/// and the answer is the NUL-terminated JSON result set.
#[no_mangle]
pub extern "C" fn opa_eval(
    _reserved: i32,
    entrypoint: i32,
    _data: i32,
    input_addr: i32,
    input_len: i32,
    heap_ptr: i32,
    _format: i32,
) -> i32 {
    opa_heap_ptr_set(heap_ptr);
    dump_text(result_set(entrypoint, bytes(input_addr, input_len).unwrap_or(b"null")))
}

/// Sets `base[path...] = value` (objects are created on the way); used by SDKs to update data.
#[no_mangle]
pub extern "C" fn opa_value_add_path(base: i32, path: i32, val: i32) -> i32 {
    let (Some(path), Some(new)) = (value(path).map(|p| p.clone()), value(val).map(|v| v.clone())) else {
        return ERR_INVALID_TYPE;
    };
    let Some(base) = value(base) else {
        return ERR_INVALID_TYPE;
    };
    data_path::add(base, &path, new).map_or(ERR_INVALID_PATH, |()| OK)
}

/// Removes `base[path...]`; used by SDKs to update data.
#[no_mangle]
pub extern "C" fn opa_value_remove_path(base: i32, path: i32) -> i32 {
    let Some(path) = value(path).map(|p| p.clone()) else {
        return ERR_INVALID_TYPE;
    };
    let Some(base) = value(base) else {
        return ERR_INVALID_TYPE;
    };
    data_path::remove(base, &path).map_or(ERR_INVALID_PATH, |()| OK)
}
