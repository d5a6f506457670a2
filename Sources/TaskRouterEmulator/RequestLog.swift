import Foundation

/// One request as the emulator saw and answered it.
public struct RequestLogEntry: Sendable {
    /// Seconds since 1970 when the request arrived.
    public var time: Double
    public var method: String
    public var path: String
    public var query: String
    /// The HTTP status sent, or 0 when the connection was dropped with no answer.
    public var status: Int
    public var ifMatch: String?
    /// True when the request changed the workspace (even if its answer was then lost).
    public var applied: Bool

    var json: [String: Any] {
        var object: [String: Any] = ["time": time, "method": method, "path": path, "status": status, "applied": applied]
        if !query.isEmpty { object["query"] = query }
        object["if_match"] = ifMatch ?? NSNull()
        return object
    }
}

/// Keeps every request in memory and, when configured, appends it to a JSON-lines file as it happens.
// @unchecked: `entries` and the file handle are read and written under `lock`.
final class RequestLog: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [RequestLogEntry] = []
    private let handle: FileHandle?

    init(path: String?) throws {
        if let path {
            FileManager.default.createFile(atPath: path, contents: nil)
            guard let handle = FileHandle(forWritingAtPath: path) else {
                throw EmulatorError.startFailed("cannot write the request log '\(path)'")
            }
            self.handle = handle
        } else {
            handle = nil
        }
    }

    func append(_ entry: RequestLogEntry) {
        lock.lock()
        defer { lock.unlock() }
        entries.append(entry)
        if let handle,
            let data = try? JSONSerialization.data(
                withJSONObject: entry.json, options: [.sortedKeys, .withoutEscapingSlashes])
        {
            handle.write(data + Data([0x0A]))
        }
    }

    var all: [RequestLogEntry] {
        lock.lock()
        defer { lock.unlock() }
        return entries
    }

    func close() {
        lock.lock()
        defer { lock.unlock() }
        try? handle?.synchronize()
        try? handle?.close()
    }
}
