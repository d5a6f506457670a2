// What Swift cannot say of memory by itself.
#ifndef FLEXSYNC_CMEMORY_H
#define FLEXSYNC_CMEMORY_H

/// Starts fetching the cache line at `address` and goes on: unlike a load, nothing waits for it.
/// For lookups in tables far larger than the cache, made ahead of many of them.
static inline void fs_prefetch(const void *address) { __builtin_prefetch(address, 0, 3); }

#endif
