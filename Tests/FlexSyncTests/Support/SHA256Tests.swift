import Testing

@testable import FlexSync

/// Known answers from FIPS 180-4's examples, fed whole and in awkward pieces.
struct SHA256Tests {
    static func digest(_ chunks: [[UInt8]]) -> String {
        var hash = SHA256()
        for chunk in chunks { hash.update(chunk) }
        return hash.finalizeHex()
    }

    @Test func knownAnswers() {
        #expect(Self.digest([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Self.digest([Array("abc".utf8)]) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let twoBlocks = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        #expect(Self.digest([twoBlocks]) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        let million = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        #expect(Self.digest([million]) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test(arguments: [1, 7, 63, 64, 65, 1000])
    func chunkingDoesNotChangeTheDigest(size: Int) {
        let million = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        let chunks = stride(from: 0, to: million.count, by: size).map {
            Array(million[$0..<min($0 + size, million.count)])
        }
        #expect(Self.digest(chunks) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }
}
