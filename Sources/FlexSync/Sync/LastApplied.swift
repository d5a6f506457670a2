import Foundation

/// Why the last-applied store cannot be used.
public struct LastAppliedError: Error, CustomStringConvertible {
    public var path: String
    public var reason: String

    public var description: String {
        "\(path): the last-applied store is damaged (\(reason)): drift cannot be told apart from changes. "
            + "Run again with '--rebuild-state' to rebuild it from the live state (what Flex holds now becomes the baseline)"
    }
}

/// What flexsync last wrote, or last saw equal, per target and managed key: the third side of
/// the plan's three-way diff (export, live, last applied), from which drift is told apart.
///
/// Kept in the job's state directory as `last-applied.jsonl`, JSON lines rewritten atomically
/// (a temporary file, fsync, rename): one header line with a SHA-256 of the rest (a damaged
/// store is detected, never half-read), then one line per target. JSON lines rather than SQLite:
/// the store is read whole and written whole once per run, it stays readable with `jq` and
/// `grep` at 2 a.m., and it needs no second system library beside libxml2 and libcurl.
///
/// It is never written by hand: it is brought up to date from the journals (each write's intent
/// carries the after-image, each outcome the place and time), so a run killed at any instant
/// leaves nothing a later replay cannot recover.
public struct LastApplied: Sendable {
    /// One key's last-applied value: JSON null when flexsync last saw it absent.
    public struct Entry: Sendable, Equatable {
        public var value: JSONValue
        /// The plan (run) that wrote it or saw it equal, and when (ISO 8601, UTC).
        public var run: String
        public var at: String
    }

    static let formatName = "flexsync-last-applied"

    /// One store per place (base URL and workspace), so that a plan against staging neither
    /// reads nor replaces production's: `last-applied-` and 12 hex digits of the place's SHA-256.
    public static func fileName(place: String) -> String {
        var hash = SHA256()
        hash.update(Array(place.utf8))
        return "last-applied-" + hash.finalizeHex().prefix(12) + ".jsonl"
    }

    /// The workspace the store describes (its URL); a store of another place is not used.
    public var place: String
    /// Target SID → managed key → entry.
    public private(set) var targets: [String: [String: Entry]] = [:]
    /// Journal file name → its size when it was last replayed.
    private(set) var replayed: [String: Int] = [:]

    public init(place: String) { self.place = place }

    /// The entry of one key of one target, if flexsync ever wrote or saw it.
    public func entry(_ sid: String, _ key: String) -> Entry? { targets[sid]?[key] }

    /// Records `value` for a key unless a later run already recorded one.
    mutating func record(_ sid: String, _ key: String, _ value: JSONValue, run: String, at: String) {
        if let existing = targets[sid]?[key], existing.at > at { return }
        targets[sid, default: [:]][key] = Entry(value: value, run: run, at: at)
    }

    /// Forgets every target but `sids` (tasks TaskRouter has deleted); returns whether any went.
    /// `sids` may be larger than the store and still leave targets out (tasks matching no
    /// customer are listed, never stored), so each target is looked up.
    @discardableResult
    mutating func retain(_ sids: Set<String>) -> Bool {
        guard targets.keys.contains(where: { !sids.contains($0) }) else { return false }
        targets = targets.filter { sids.contains($0.key) }
        return true
    }

    /// Takes every journal in `directory` that changed since it was last replayed: intents give
    /// the after-images, outcomes (applied or unchanged, at this place) make them last-applied;
    /// `seen` events carry what a plan saw equal. Returns whether anything was read.
    @discardableResult
    public mutating func replay(journals directory: String) throws -> Bool {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter {
            $0.hasSuffix(".jsonl")
        }.sorted()
        var changed = false
        for name in names {
            let path = directory + "/" + name
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            if replayed[name] == size { continue }
            let run = String(name.dropLast(".jsonl".count))
            var after: [String: JSONObject] = [:]
            for entry in try Journal.read(path: path) {
                guard let time = entry.time else { continue }
                switch entry.event {
                case .intent:
                    if let sid = entry.sid, let image = entry.after { after[sid] = image }
                case .outcome:
                    guard let sid = entry.sid else { continue }
                    // An outcome carries the image it confirms; older journals only had the intent's.
                    let image = entry.after ?? after[sid]
                    after[sid] = nil
                    guard entry.place == place, entry.result == .applied || entry.result == .unchanged, let image else {
                        continue
                    }
                    for (key, value) in image { record(sid, key, value, run: run, at: time) }
                case .seen:
                    guard entry.place == place, let images = entry.images else { continue }
                    for (sid, image) in images {
                        guard let image = image.objectValue else { continue }
                        for (key, value) in image { record(sid, key, value, run: run, at: time) }
                    }
                default: break
                }
            }
            replayed[name] = size
            changed = true
        }
        return changed
    }

    /// A baseline taken from what Flex holds now (`--rebuild-state`): every journal so far counts
    /// as replayed, and each target's managed keys as last seen equal.
    public static func rebuilt(
        place: String, live: [(sid: String, document: JSONObject)], keys: [String],
        journals directory: String, run: String
    ) -> LastApplied {
        var store = LastApplied(place: place)
        let now = ISO8601DateFormatter().string(from: Date())
        for (sid, document) in live {
            for key in keys { store.record(sid, key, Merge.value(at: key, in: document) ?? .null, run: run, at: now) }
        }
        for name in ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
        where name.hasSuffix(".jsonl") {
            store.replayed[name] =
                (try? FileManager.default.attributesOfItem(atPath: directory + "/" + name)[.size] as? Int) ?? 0
        }
        return store
    }

    /// Brings a state directory's store up to date with its journals, after a run, then deletes
    /// the journals older than `keepJournalsDays` that it holds in full (see
    /// ``pruneJournals(in:olderThan:except:)``); nil deletes none — only a caller holding the
    /// run lock may delete, so that no other run's journal goes while it is written. `retaining`
    /// (tasks jobs) forgets every target but those: tasks TaskRouter deleted never come back. A
    /// damaged store is left for the next plan to report, and then no journal is deleted.
    public static func catchUp(
        _ state: StateDirectory, place: String, keepJournalsDays: Double?, retaining: Set<String>? = nil,
        except current: String? = nil
    ) throws {
        guard var store = try? load(directory: state.path, place: place) else { return }
        var changed = try store.replay(journals: state.journalsPath)
        if let retaining, store.retain(retaining) { changed = true }
        if changed { try store.save(directory: state.path) }
        // Only once the store that holds them is on disk.
        if let keepJournalsDays,
            store.pruneJournals(in: state.journalsPath, olderThan: keepJournalsDays, except: current)
        {
            try store.save(directory: state.path)
        }
    }

    /// Deletes the journals last modified more than `days` ago that this store has replayed in
    /// full, whose runs ended (every write has its outcome and every start its finish: an
    /// interrupted apply's journal is what resuming it reads), and that record nothing at another
    /// place (a state directory a staging run shares keeps those for that place's store); never
    /// `current`, the journal a run is writing. Returns whether any went.
    mutating func pruneJournals(in directory: String, olderThan days: Double, except current: String? = nil) -> Bool {
        let cutoff = Date().addingTimeInterval(-days * 86_400)
        var pruned = false
        for name in ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
        where name.hasSuffix(".jsonl") && name != current {
            let path = directory + "/" + name
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
                let modified = attributes[.modificationDate] as? Date, modified < cutoff,
                let size = attributes[.size] as? Int, replayed[name] == size,
                let entries = try? Journal.read(path: path), entries.allSatisfy({ ($0.place ?? place) == place }),
                Self.ended(entries), (try? FileManager.default.removeItem(atPath: path)) != nil
            else { continue }
            replayed[name] = nil
            pruned = true
        }
        return pruned
    }

    /// Whether a journal's runs ended: no write without its outcome, no start without a finish.
    static func ended(_ entries: [Journal.Entry]) -> Bool {
        var open = Set<String>()
        var running = false
        for entry in entries {
            switch entry.event {
            case .intent: if let sid = entry.sid { open.insert(sid) }
            case .outcome: if let sid = entry.sid { open.remove(sid) }
            case .start: running = true
            case .finish: running = false
            default: break
            }
        }
        return open.isEmpty && !running
    }

    /// Records in `journal` what a plan saw equal (its `seen` images), for the store to replay.
    public static func recordSeen(_ plan: Plan, place: String, in journal: Journal) throws {
        guard !plan.seen.isEmpty else { return }
        try journal.append(
            .seen,
            [
                ("place", .string(place)),
                ("images", .object(JSONObject(plan.seen.map { ($0.sid, JSONValue.object($0.image)) })))
            ])
    }

    // MARK: The file

    /// Reads the store of a state directory for `place`; an absent file is an empty store.
    public static func load(directory: String, place: String) throws -> LastApplied {
        let path = directory + "/" + fileName(place: place)
        guard let data = FileManager.default.contents(atPath: path) else { return LastApplied(place: place) }
        func damaged(_ reason: String) -> LastAppliedError { LastAppliedError(path: path, reason: reason) }
        guard let newline = data.firstIndex(of: 0x0A) else { throw damaged("no header line") }
        guard let header = try? JSONValue.parse(bytes: Array(data[..<newline])).objectValue,
            header["format"]?.stringValue == formatName
        else { throw damaged("not a last-applied store") }
        let body = Array(data[(newline + 1)...])
        var hash = SHA256()
        hash.update(body)
        guard header["digest"]?.stringValue == hash.finalizeHex() else {
            throw damaged("its content does not match its digest")
        }
        guard header["place"]?.stringValue == place else { return LastApplied(place: place) }
        var store = LastApplied(place: place)
        for (name, size) in header["replayed"]?.objectValue ?? JSONObject() {
            if case .number(let number) = size { store.replayed[name] = Int(number.doubleValue) }
        }
        for line in body.split(separator: 0x0A) {
            guard let object = try? JSONValue.parse(bytes: Array(line)).objectValue,
                let sid = object["sid"]?.stringValue,
                let keys = object["keys"]?.objectValue
            else { throw damaged("a line is not a target") }
            for (key, value) in keys {
                guard let entry = value.objectValue, let stored = entry["value"], let run = entry["run"]?.stringValue,
                    let at = entry["at"]?.stringValue
                else { throw damaged("target \(sid), key \(key) is incomplete") }
                store.targets[sid, default: [:]][key] = Entry(value: stored, run: run, at: at)
            }
        }
        return store
    }

    /// Writes the store atomically: a temporary file, flushed to disk, renamed over the old one.
    public func save(directory: String) throws {
        var body = ""
        for sid in targets.keys.sorted() {
            let keys = targets[sid]!.sorted { $0.key < $1.key }.map { key, entry in
                (
                    key,
                    JSONValue.object(
                        JSONObject([("value", entry.value), ("run", .string(entry.run)), ("at", .string(entry.at))]))
                )
            }
            body +=
                JSONValue.object(JSONObject([("sid", .string(sid)), ("keys", .object(JSONObject(keys)))])).minified
                + "\n"
        }
        var hash = SHA256()
        hash.update(Array(body.utf8))
        let replayedSizes = replayed.sorted { $0.key < $1.key }.map {
            ($0.key, JSONValue.number(JSONNumber(Double($0.value))))
        }
        let header = JSONObject([
            ("format", .string(Self.formatName)), ("version", .number(JSONNumber(1.0))), ("place", .string(place)),
            ("replayed", .object(JSONObject(replayedSizes))), ("digest", .string(hash.finalizeHex()))
        ])
        try StateDirectory.writeDurably(
            JSONValue.object(header).minified + "\n" + body, to: directory + "/" + Self.fileName(place: place))
    }
}
