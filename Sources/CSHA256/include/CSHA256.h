#ifndef FLEXSYNC_CSHA256_H
#define FLEXSYNC_CSHA256_H

#include <stddef.h>
#include <stdint.h>

/// Whether this processor has the SHA extensions that fs_sha256_blocks needs (x86-64 SHA-NI,
/// with SSSE3 and SSE4.1). Checked once by the caller; 0 elsewhere.
int fs_sha256_accelerated(void);

/// SHA-256's compression function over `blocks` consecutive 64-byte blocks, updating `state`
/// (the eight working words a..h). Call only when fs_sha256_accelerated() returned 1.
void fs_sha256_blocks(uint32_t state[8], const uint8_t *data, size_t blocks);

#endif
