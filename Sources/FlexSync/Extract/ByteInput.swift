#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Raw bytes from a file (read in chunks, never whole) or from memory.
final class ByteInput {
    private enum Source {
        case file(Int32)
        case memory([UInt8], Int)
    }

    let name: String
    private var source: Source

    /// Opens a file for reading.
    init(path: String) throws {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw ExtractError.cannotOpen(file: path, reason: String(cString: strerror(errno)))
        }
        name = path
        source = .file(descriptor)
    }

    /// Reads from bytes in memory, named `name` in messages.
    init(bytes: [UInt8], name: String) {
        self.name = name
        source = .memory(bytes, 0)
    }

    deinit {
        if case .file(let descriptor) = source { close(descriptor) }
    }

    /// Reads up to `buffer.count` bytes; 0 at the end.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        switch source {
        case .file(let descriptor):
            while true {
                let count = Glibc.read(descriptor, buffer.baseAddress, buffer.count)
                if count >= 0 { return count }
                if errno == EINTR { continue }
                throw ExtractError.readFailed(file: name, reason: String(cString: strerror(errno)))
            }
        case .memory(let bytes, let offset):
            let count = min(buffer.count, bytes.count - offset)
            bytes.withUnsafeBytes { source in
                buffer.baseAddress!.copyMemory(from: source.baseAddress! + offset, byteCount: count)
            }
            self.source = .memory(bytes, offset + count)
            return count
        }
    }
}
