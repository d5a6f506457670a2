import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// An append-only record of one plan's writes: an intent line before every POST (with the
/// before- and after-images of the managed keys) and an outcome line after it, each flushed and
/// fsync'd. The next apply of the same plan reads it to resume; rollback reads it to undo.
// @unchecked: lines are written under `lock`; the descriptor and path are immutable.
public final class Journal: @unchecked Sendable {
    /// How a target ended.
    public enum Result: String, Sendable {
        case applied, unchanged, conflict, gone, failed

        /// Final results are never retried by a resumed run. Failures are, and so are targets
        /// found gone: a run that met 404s may have been pointed at the wrong place, and asking
        /// again costs one request.
        var isFinal: Bool { self != .failed && self != .gone }
    }

    /// What a line records.
    public enum Event: String, Sendable {
        /// A run of a plan begins: the job file and profile (rollback finds the job from it).
        case begin
        /// An applier starts on the plan at a place.
        case start
        /// A write is about to be sent: the before- and after-images of the managed keys.
        case intent
        /// How a target ended, at which place.
        case outcome
        /// Targets a plan found equal to the export, for the last-applied store.
        case seen
        /// The run's summary.
        case finish
    }

    public struct Entry: Sendable {
        public var event: Event
        public var sid: String?
        public var result: Result?
        public var before: JSONObject?
        public var after: JSONObject?
        public var detail: String?
        public var planID: String?
        /// Where an outcome was recorded: the workspace's URL (base URL and workspace SID).
        public var place: String?
        /// When the line was written (ISO 8601, UTC).
        public var time: String?
        /// A `seen` event's managed-key images of targets a plan found equal, by SID.
        public var images: JSONObject?
    }

    public let path: String
    private let descriptor: Int32
    private let lock = NSLock()

    /// Opens (creating if needed) the journal for appending.
    public init(path: String) throws {
        self.path = path
        descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        guard descriptor >= 0 else {
            throw PlanFileError(path: path, message: "cannot open the journal: \(String(cString: strerror(errno)))")
        }
    }

    deinit { close(descriptor) }

    /// Appends one line and waits until it is on disk.
    public func append(_ event: Event, _ fields: [(String, JSONValue)]) throws {
        var object = JSONObject([
            ("time", .string(ISO8601DateFormatter().string(from: Date()))), ("event", .string(event.rawValue))
        ])
        for (key, value) in fields { object[key] = value }
        let line = Array((JSONValue.object(object).minified + "\n").utf8)
        // The append is serialised so lines never interleave; the flush is not, so concurrent
        // writers share the disk's flushes instead of queueing for one each. Either way a caller
        // returns only once its own line is on disk.
        let written = lock.withLock { line.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) } }
        guard written == line.count, fdatasync(descriptor) == 0 else {
            throw PlanFileError(path: path, message: "journal write failed: \(String(cString: strerror(errno)))")
        }
    }

    /// The `begin` line of a run: its plan (or watch session) and the job file and profile it
    /// ran, which rollback and the store's replay read.
    public func appendBegin(plan id: String, job: Job) throws {
        try append(
            .begin,
            [
                ("plan", .string(id)), ("job_path", .string(job.absolutePath)),
                ("profile", job.profile.map { .string($0) } ?? .null), ("target", .string(job.mapping.target.rawValue))
            ])
    }

    /// Every entry of a journal file; a torn last line (a crash mid-write) is ignored.
    public static func read(path: String) throws -> [Entry] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        var entries: [Entry] = []
        for line in data.split(separator: 0x0A) {
            guard let object = try? JSONValue.parse(bytes: Array(line)).objectValue,
                let event = object["event"]?.stringValue.flatMap(Event.init)
            else { continue }
            entries.append(
                Entry(
                    event: event, sid: object["sid"]?.stringValue,
                    result: object["result"]?.stringValue.flatMap(Result.init),
                    before: object["before"]?.objectValue, after: object["after"]?.objectValue,
                    detail: object["detail"]?.stringValue, planID: object["plan"]?.stringValue,
                    place: object["place"]?.stringValue, time: object["time"]?.stringValue,
                    images: object["images"]?.objectValue))
        }
        return entries
    }

    /// What an earlier run of the same plan left at `place`: finished targets, and targets written
    /// to without a recorded outcome (in doubt: read back before anything else). Outcomes recorded
    /// against another place (another server or workspace) finish nothing here.
    public static func progress(path: String, place: String) throws -> (
        finished: [String: Result], inDoubt: Set<String>
    ) {
        var finished: [String: Result] = [:]
        var open = Set<String>()
        for entry in try read(path: path) {
            guard let sid = entry.sid else { continue }
            switch entry.event {
            case .intent: open.insert(sid)
            case .outcome:
                open.remove(sid)
                if let result = entry.result, entry.place == place {
                    if result.isFinal { finished[sid] = result } else { finished[sid] = nil }
                }
            default: break
            }
        }
        return (finished, open)
    }
}
