import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A job's state directory: the run lock, the journals, and what the last successful run saw.
public struct StateDirectory: Sendable {
    public let path: String

    public init(path: String) throws {
        self.path = path
        try FileManager.default.createDirectory(atPath: path + "/journals", withIntermediateDirectories: true)
    }

    /// Rows read by the last successful apply, for the shrunk-export gate.
    public func lastSuccessRows() -> Int? {
        guard let data = FileManager.default.contents(atPath: path + "/last-success.json"),
            let object = try? JSONValue.parse(bytes: Array(data)).objectValue,
            case .number(let rows)? = object["rows_read"]
        else { return nil }
        return Int(rows.doubleValue)
    }

    /// Records a successful run (written atomically).
    public func recordSuccess(rowsRead: Int, planID: String) throws {
        let object = JSONObject([
            ("rows_read", .number(JSONNumber(Double(rowsRead)))), ("plan_id", .string(planID)),
            ("finished_at", .string(ISO8601DateFormatter().string(from: Date())))
        ])
        try Data((JSONValue.object(object).pretty + "\n").utf8).write(
            to: URL(fileURLWithPath: path + "/last-success.json"), options: .atomic)
    }

    public func journalPath(planID: String) -> String { path + "/journals/\(planID).jsonl" }

    /// The folder of the journals.
    public var journalsPath: String { path + "/journals" }

    /// Writes `text` to `file` so that a crash leaves the old content or the new, never a mix:
    /// a temporary file beside it, flushed to disk, renamed over it, and the folder flushed.
    static func writeDurably(_ text: String, to file: String) throws {
        let temporary = file + ".tmp-\(getpid())"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard descriptor >= 0 else {
            throw PlanFileError(path: file, message: "cannot write: \(String(cString: strerror(errno)))")
        }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        let synced = fsync(descriptor) == 0
        close(descriptor)
        guard written == bytes.count, synced, rename(temporary, file) == 0 else {
            unlink(temporary)
            throw PlanFileError(path: file, message: "cannot write: \(String(cString: strerror(errno)))")
        }
        let folder = open((file as NSString).deletingLastPathComponent, O_RDONLY)
        if folder >= 0 {
            fsync(folder)
            close(folder)
        }
    }
}

/// An exclusive lock on a state directory, held for the life of the object.
public final class RunLock {
    private let descriptor: Int32

    /// Why the lock was not taken.
    public struct Held: Error, CustomStringConvertible {
        public let path: String
        public let holder: String
        public var description: String {
            "another flexsync run holds the lock on \(path)\(holder.isEmpty ? "" : " (\(holder))"); not starting"
        }
    }

    /// Takes the lock at once or throws ``Held``.
    public init(directory: String) throws {
        let path = directory + "/run.lock"
        descriptor = open(path, O_RDWR | O_CREAT, 0o644)
        guard descriptor >= 0 else { throw Held(path: path, holder: String(cString: strerror(errno))) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            var buffer = [UInt8](repeating: 0, count: 128)
            let count = pread(descriptor, &buffer, 127, 0)
            close(descriptor)
            throw Held(
                path: path,
                holder: count > 0
                    ? String(decoding: buffer[0..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                    : "")
        }
        let note = "pid \(getpid()) since \(ISO8601DateFormatter().string(from: Date()))\n"
        _ = ftruncate(descriptor, 0)
        _ = note.withCString { pwrite(descriptor, $0, strlen($0), 0) }
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
