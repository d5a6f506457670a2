/// What a plan does to one managed key. The symbol is what reports print.
public enum Action: String, Sendable {
    case add = "+"
    case change = "~"
    case remove = "-"
}

/// One key-level change: `~ team_id: "SUP-999" → "SUP-100"`.
public struct Change: Sendable, Equatable {
    public var action: Action
    public var key: String
    public var before: JSONValue?
    public var after: JSONValue?
    /// The key's policy (`sync`, `fill_empty`, `create_only`), shown beside the change.
    public var policy: KeyPolicy = .sync
}

/// The keys a plan manages on one target: values to set, keys to remove.
public struct ManagedEdit: Sendable, Equatable {
    public var set: [(key: String, value: JSONValue)]
    public var remove: [String]

    public static func == (lhs: ManagedEdit, rhs: ManagedEdit) -> Bool {
        lhs.remove == rhs.remove && lhs.set.count == rhs.set.count
            && zip(lhs.set, rhs.set).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }

    /// Every key the edit touches.
    public var keys: [String] { self.set.map(\.key) + remove }
}

/// Merging managed keys onto a live document, and diffing the two. Pure: no I/O.
public enum Merge {
    /// The live document with the edit's keys set or removed; every other key — Flex's
    /// `contact_uri`, `routing`, `roles`, a customer's own keys — is carried over as it is.
    /// Keys under `customers.` and `conversations.` merge into those objects key by key.
    public static func apply(_ edit: ManagedEdit, to live: JSONObject) -> JSONObject {
        var document = live
        for (key, value) in edit.set { assign(value, at: key, in: &document) }
        for key in edit.remove { assign(nil, at: key, in: &document) }
        return document
    }

    /// The value at a managed key (`team_id`, `customers.name`).
    public static func value(at key: String, in document: JSONObject) -> JSONValue? {
        let parts = key.split(separator: ".", maxSplits: 1).map(String.init)
        if parts.count == 2 { return document[parts[0]]?.objectValue?[parts[1]] }
        return document[key]
    }

    static func assign(_ value: JSONValue?, at key: String, in document: inout JSONObject) {
        let parts = key.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2 else {
            document[key] = value
            return
        }
        var inner = document[parts[0]]?.objectValue ?? JSONObject()
        if value == nil && document[parts[0]] == nil { return }
        inner[parts[1]] = value
        document[parts[0]] = .object(inner)
    }

    /// Key-level changes between two documents over the managed keys, in the order given.
    /// Equality is semantic: key order never matters, `1` equals `1.0`, strings compare exactly.
    public static func diff(live: JSONObject, desired: JSONObject, keys: [String]) -> [Change] {
        keys.compactMap { key in
            let before = value(at: key, in: live)
            let after = value(at: key, in: desired)
            switch (before, after) {
            case (nil, nil): return nil
            case (nil, let after?): return Change(action: .add, key: key, before: nil, after: after)
            case (let before?, nil): return Change(action: .remove, key: key, before: before, after: nil)
            case (let before?, let after?):
                return before == after ? nil : Change(action: .change, key: key, before: before, after: after)
            }
        }
    }
}
