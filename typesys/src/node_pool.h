#pragma once
// Storage for ObjectNodes: size classes of 8 bytes up to 512, carved from 64 KiB blocks, with a
// per-thread cache in front of a shared, locked free list (a thread's cache returns to the
// shared list when the thread exits).
//
// Why not malloc: glibc adds an 8-byte header and rounds to 16, so a 5-field object (72 bytes)
// took an 80-byte chunk; and malloc + free were the largest cost left in creating a Python
// instance after the field stores. Here a 72-byte node takes 72 bytes, and allocating or
// freeing is a push or pop on a thread-local list.
//
// Memory freed to the pool stays in the pool (reused for nodes of the same size class; blocks
// are never returned to the system), like CPython's small-object allocator for its arenas.
// Builds with AddressSanitizer use malloc directly, so that use-after-free stays detectable.

#include <cstddef>

namespace typesys::detail {

// bytes > 0. Sizes above 512 bytes go to malloc. Throws std::bad_alloc.
void* poolAllocate(size_t bytes);
// p from poolAllocate(bytes), with the same bytes (any value above 512 for a malloc'd one).
// Any thread.
void poolFree(void* p, size_t bytes) noexcept;

} // namespace typesys::detail
