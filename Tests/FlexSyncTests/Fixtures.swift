import Foundation

@testable import FlexSync

/// Committed fixture files and helpers to read every record of a reader.
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "Fixtures")
    static var repositoryRoot: URL {
        directory.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    static func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: directory.appendingPathComponent(name)))
    }
}

extension RecordReader {
    /// Every record's text values, in order.
    func allRows() throws -> [[String?]] {
        var rows: [[String?]] = []
        while let record = try next() {
            rows.append(record.values.map { $0?.firstText })
        }
        return rows
    }
}

/// The error a throwing call raised, as its message, or nil when it did not throw.
func errorMessage(_ body: () throws -> Void) -> String? {
    do {
        try body()
        return nil
    } catch {
        return "\(error)"
    }
}

/// A seeded generator (SplitMix64): a failure found once is found again.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state = state &+ 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
