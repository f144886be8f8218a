//! The allocator of the two binaries: mimalloc, called through its plain entry points
//! whenever the alignment allows.
//!
//! The `mimalloc` crate's `GlobalAlloc` sends every allocation through
//! `mi_malloc_aligned`, whose fast path only takes blocks of up to 1 KiB that happen to be
//! aligned already; the rest (every larger string and vector) goes through a generic
//! aligned path. Rust asks for an alignment of at most 8 almost every time, and every
//! mimalloc block is aligned to 8 at least (a page's first block is aligned to 16 and block
//! sizes are multiples of the word), so those take `mi_malloc` / `mi_realloc`, and only
//! larger alignments the aligned calls.
//!
//! The library leaves the allocator to its users: only `claimgraph` and `bench` install it.

use core::alloc::{GlobalAlloc, Layout};
use core::ffi::c_void;
use libmimalloc_sys as mi;

/// mimalloc as a `#[global_allocator]`.
pub struct Mimalloc;

/// The alignment every mimalloc block has.
const BLOCK_ALIGN: usize = core::mem::size_of::<usize>();

// SAFETY: each method forwards to the mimalloc call with the same contract (a null
// pointer on failure; `ptr` from this allocator), and the plain calls are used only when
// `layout.align()` is at most BLOCK_ALIGN, which every block they return has.
unsafe impl GlobalAlloc for Mimalloc {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if layout.align() <= BLOCK_ALIGN {
            mi::mi_malloc(layout.size()) as *mut u8
        } else {
            mi::mi_malloc_aligned(layout.size(), layout.align()) as *mut u8
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if layout.align() <= BLOCK_ALIGN {
            mi::mi_zalloc(layout.size()) as *mut u8
        } else {
            mi::mi_zalloc_aligned(layout.size(), layout.align()) as *mut u8
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        mi::mi_free(ptr as *mut c_void);
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if layout.align() <= BLOCK_ALIGN {
            mi::mi_realloc(ptr as *mut c_void, new_size) as *mut u8
        } else {
            mi::mi_realloc_aligned(ptr as *mut c_void, new_size, layout.align()) as *mut u8
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every size class, at every alignment a layout may ask for up to 4 KiB, comes back
    /// aligned, keeps its bytes through a realloc, and is zeroed when asked.
    #[test]
    fn blocks_are_aligned_for_every_size_and_alignment() {
        let a = Mimalloc;
        for align in [1, 2, 4, 8, 16, 32, 64, 4096] {
            for size in (1..=600).chain([1023, 1024, 1025, 4096, 70_000, 1 << 21]) {
                let layout = Layout::from_size_align(size, align).unwrap();
                unsafe {
                    let p = a.alloc(layout);
                    assert!(!p.is_null());
                    assert_eq!(p as usize % align, 0, "size {size} align {align}");
                    p.write_bytes(0xAB, size);
                    let q = a.realloc(p, layout, size * 2 + 1);
                    assert!(!q.is_null());
                    assert_eq!(q as usize % align, 0, "realloc {size} align {align}");
                    assert!((0..size).all(|i| *q.add(i) == 0xAB));
                    a.dealloc(q, Layout::from_size_align(size * 2 + 1, align).unwrap());
                    let z = a.alloc_zeroed(layout);
                    assert_eq!(z as usize % align, 0, "zeroed {size} align {align}");
                    assert!((0..size).all(|i| *z.add(i) == 0));
                    a.dealloc(z, layout);
                }
            }
        }
    }
}
