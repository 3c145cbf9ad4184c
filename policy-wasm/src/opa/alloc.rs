//! Bump allocator whose pointer *is* the OPA heap pointer. OPA hosts save `opa_heap_ptr_get()`, write
//! input right above it, and reset it with `opa_heap_ptr_set` (or `opa_eval`'s `heap_ptr`) between
//! evaluations to free everything at once; a general-purpose allocator would hand out that memory
//! behind the host's back.

use core::alloc::{GlobalAlloc, Layout};
use core::arch::wasm32;
use core::sync::atomic::{AtomicUsize, Ordering};

const PAGE: usize = 65_536;

extern "C" {
    /// First byte after the stack and static data, defined by wasm-ld.
    static __heap_base: u8;
}

/// 0 until first use, then the next free address.
static NEXT: AtomicUsize = AtomicUsize::new(0);

pub fn heap_ptr() -> usize {
    match NEXT.load(Ordering::Relaxed) {
        0 => heap_base(),
        n => n,
    }
}

pub fn set_heap_ptr(addr: usize) {
    NEXT.store(addr.max(heap_base()), Ordering::Relaxed);
}

/// Only the symbol's address is taken (which needs no `unsafe`); it is never read.
fn heap_base() -> usize {
    core::ptr::addr_of!(__heap_base) as usize
}

/// Bytes of linear memory currently available.
pub fn memory_bytes() -> usize {
    wasm32::memory_size(0) * PAGE
}

/// Grows memory so that `end` is addressable; false when the host refuses.
fn ensure(end: usize) -> bool {
    let have = memory_bytes();
    if end <= have {
        return true;
    }
    let pages = (end - have).div_ceil(PAGE);
    wasm32::memory_grow(0, pages) != usize::MAX
}

pub struct Bump;

// SAFETY: single-threaded module; every block is fresh memory above the bump pointer, inside memory.
unsafe impl GlobalAlloc for Bump {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let start = heap_ptr().next_multiple_of(layout.align().max(1));
        let Some(end) = start.checked_add(layout.size()) else {
            return core::ptr::null_mut();
        };
        if !ensure(end) {
            return core::ptr::null_mut();
        }
        NEXT.store(end, Ordering::Relaxed);
        start as *mut u8
    }

    /// Only the most recent block can be given back; the rest goes at the next heap reset.
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if ptr as usize + layout.size() == heap_ptr() {
            NEXT.store(ptr as usize, Ordering::Relaxed);
        }
    }

    /// Grows the most recent block in place (the usual case while a Vec or String fills up).
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let start = ptr as usize;
        if start + layout.size() == heap_ptr() {
            let Some(end) = start.checked_add(new_size) else {
                return core::ptr::null_mut();
            };
            if !ensure(end) {
                return core::ptr::null_mut();
            }
            NEXT.store(end, Ordering::Relaxed);
            return ptr;
        }
        let Ok(new_layout) = Layout::from_size_align(new_size, layout.align()) else {
            return core::ptr::null_mut();
        };
        // SAFETY: GlobalAlloc contract; the copy covers the smaller of the two blocks.
        unsafe {
            let new = self.alloc(new_layout);
            if !new.is_null() {
                core::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
            }
            new
        }
    }
}
