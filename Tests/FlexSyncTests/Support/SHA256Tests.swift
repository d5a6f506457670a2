import Testing

@testable import FlexSync

/// Known answers from FIPS 180-4's examples, fed whole and in awkward pieces, through the
/// processor's SHA instructions (where it has them) and through the plain compression function.
struct SHA256Tests {
    static func digest(_ chunks: [[UInt8]], accelerated: Bool = true) -> String {
        var hash = SHA256(accelerated: accelerated)
        for chunk in chunks { hash.update(chunk) }
        return hash.finalizeHex()
    }

    @Test func knownAnswers() { Self.knownAnswers(accelerated: false) }

    /// Reported as skipped, not passed, on a processor without the SHA instructions.
    @Test(.enabled(if: SHA256.hardware)) func knownAnswersOnTheSHAInstructions() {
        Self.knownAnswers(accelerated: true)
    }

    static func knownAnswers(accelerated: Bool) {
        func digest(_ chunks: [[UInt8]]) -> String { Self.digest(chunks, accelerated: accelerated) }
        #expect(digest([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(digest([Array("abc".utf8)]) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let twoBlocks = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        #expect(digest([twoBlocks]) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        let million = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        #expect(digest([million]) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// Both ways agree on random inputs of every length around the block and padding edges.
    @Test(.enabled(if: SHA256.hardware)) func hardwareAndPlainAgree() {
        var generator = SystemRandomNumberGenerator()
        for length in Array(0...200) + [1_000, 4_095, 4_096, 65_537] {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            #expect(Self.digest([bytes], accelerated: true) == Self.digest([bytes], accelerated: false), "\(length)")
        }
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
