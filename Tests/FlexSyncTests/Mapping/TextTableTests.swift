import Testing

@testable import FlexSync

/// The byte-keyed table behind value memos and the duplicate-key check.
struct TextTableTests {
    @Test func holdsEveryKeyThroughGrowth() {
        let table = TextTable<Int>()
        let keys = (0..<50_000).map { $0 % 3 == 0 ? "E\($0)" : "zoë.weiß.\($0)@example.com" }
        for (index, key) in keys.enumerated() { table[key] = index }
        #expect(table.count == keys.count)
        #expect(keys.indices.allSatisfy { table[keys[$0]] == $0 })
        #expect(table["E1"] == nil && table[""] == nil && table["zoë.weiß.0@example.co"] == nil)
        table["E0"] = -1
        #expect(table["E0"] == -1 && table.count == keys.count)
    }

    /// Keys are bytes: the empty text is a key like any other, and two spellings of `é` (one
    /// scalar, or `e` and a combining accent) are two keys, where `Dictionary` would see one.
    @Test func keysAreComparedByTheirBytes() {
        let table = TextTable<String>()
        table[""] = "empty"
        table["caf\u{00E9}"] = "composed"
        table["cafe\u{0301}"] = "decomposed"
        #expect(table.count == 3)
        #expect(table[""] == "empty")
        #expect(table["caf\u{00E9}"] == "composed" && table["cafe\u{0301}"] == "decomposed")
    }
}
