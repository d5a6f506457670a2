#if canImport(Glibc)
    import Glibc
#endif

/// Large tables probed at random (a million keys' slots) spend as much time on TLB misses as on
/// cache misses when backed by 4 KiB pages: with 2 MiB pages one entry covers what 512 did. Linux
/// gives them to memory that asks (`madvise(MADV_HUGEPAGE)`, the usual setting of
/// `transparent_hugepage`), and only to pages not yet touched.
enum HugePages {
    private static let size = 2 << 20

    /// Asks for 2 MiB pages over the whole 2 MiB pages inside `bytes` from `pointer`, which must
    /// not have been written yet. Advice only: a kernel that declines changes nothing but speed.
    static func advise(_ pointer: UnsafeMutableRawPointer, bytes: Int) {
        #if canImport(Glibc)
            guard bytes >= 2 * size else { return }
            let first = (Int(bitPattern: pointer) + size - 1) & ~(size - 1)
            let end = (Int(bitPattern: pointer) + bytes) & ~(size - 1)
            guard end > first, let start = UnsafeMutableRawPointer(bitPattern: first) else { return }
            _ = madvise(start, end - first, Int32(MADV_HUGEPAGE))
        #endif
    }

    /// `capacity` uninitialised values, advised as ``advise(_:bytes:)`` says.
    static func allocate<T>(_: T.Type, capacity: Int) -> UnsafeMutablePointer<T> {
        let pointer = UnsafeMutablePointer<T>.allocate(capacity: capacity)
        advise(UnsafeMutableRawPointer(pointer), bytes: capacity * MemoryLayout<T>.stride)
        return pointer
    }
}
