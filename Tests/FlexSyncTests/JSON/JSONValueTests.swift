import Testing

@testable import FlexSync

struct JSONValueTests {
    @Test func keyOrderAndNumberFormDoNotAffectEquality() throws {
        let a = try JSONValue.parse(#"{"a": 1, "b": {"x": [1, 2.50]}}"#)
        let b = try JSONValue.parse(#"{"b":{"x":[1.0,2.5]},"a":1.0}"#)
        #expect(a == b)
        #expect(try JSONValue.parse(#"{"a":"1"}"#) != JSONValue.parse(#"{"a":1}"#))
    }

    @Test func roundTripKeepsOrderAndLiterals() throws {
        let text =
            #"{"routing":{"skills":["sales","support"],"levels":{"sales":1.50}},"contact_uri":"client:ana","n":-0.0e+3}"#
        #expect(try JSONValue.parse(text).minified == text)
    }

    @Test func stringsEscapeAndUnescape() throws {
        let value = try JSONValue.parse(#"["tab\there", "quote\"", "\u00e9\ud83d\ude00", "line\nbreak\u0001"]"#)
        #expect(
            value == .array([.string("tab\there"), .string("quote\""), .string("é😀"), .string("line\nbreak\u{01}")]))
        #expect(value.minified == #"["tab\there","quote\"","é😀","line\nbreak\u0001"]"#)
    }

    @Test(arguments: [
        (#"{"a":1,"a":2}"#, "invalid JSON at byte 7: duplicate key 'a'"),
        (#"{"a":}"#, "invalid JSON at byte 5: unexpected character"),
        ("[1,2", "invalid JSON at byte 4: unexpected end of input"),
        ("\"\\ud800\"", "invalid JSON at byte 7: unpaired surrogate"),
        ("01", "invalid JSON at byte 1: unexpected text after the document")
    ])
    func malformedDocumentsNameTheOffset(text: String, message: String) {
        #expect(throws: JSONParseError.self) { try JSONValue.parse(text) }
        do {
            _ = try JSONValue.parse(text)
        } catch {
            #expect("\(error)" == message)
        }
    }
}
