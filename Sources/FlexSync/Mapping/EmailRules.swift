/// What makes a well-formed address one no mail reaches, beyond its shape (``Transform/isEmailAddress(_:)``):
/// a top-level domain typed wrong (`@gmail.con`), and a domain label that mixes Latin letters with
/// Cyrillic or Greek look-alikes (`exаmple.com` with a Cyrillic `а`), which no registrar issues and
/// which never meets the address as the person types it.
enum EmailRules {
    /// Top-level domains that are `.com`, `.net` or `.org` mistyped; none is delegated.
    static let misspeltTLDs: Set<String> = [
        "con", "cmo", "ocm", "comm", "cpm", "vom", "xom", "coom", "nte", "ogr", "rog"
    ]

    /// Mailboxes exports write for a person without an address (`noemail@company.com`), and a
    /// test record's (`test@test.com`), lower-cased.
    static let placeholderNames: Set<String> = ["noemail", "no-email", "no_email", "nomail", "none", "noaddress"]

    /// Why the address (lower-cased) reaches no one, if it does not. A look at its bytes first:
    /// every address of an export comes here on the full path.
    static func refusal(_ address: String) -> String? {
        var address = address
        let (misspelt, placeholder, ascii) = address.withUTF8 { bytes in
            let domain = bytes.lastIndex(of: UInt8(ascii: "@")).map { bytes[($0 + 1)...] } ?? bytes[...]
            return (
                hasMisspeltTLD(bytes), mayBePlaceholder(bytes),
                CSVScanner.isASCII(UnsafeBufferPointer(rebasing: domain))
            )
        }
        if !misspelt && !placeholder && ascii { return nil }
        guard let at = address.lastIndex(of: "@") else { return nil }
        let domain = address[address.index(after: at)...]
        if misspelt, let last = domain.split(separator: ".").last {
            return "a misspelt top-level domain ('.\(last)'): correct the address"
        }
        if placeholder && (placeholderNames.contains(String(address[..<at])) || domain == "test.com") {
            return "a placeholder mailbox, not the person's address: leave it empty, or list it in 'null_tokens'"
        }
        if !ascii, domain.split(separator: ".").contains(where: mixesScripts) {
            return "Latin and Cyrillic or Greek letters in one part of the domain (a look-alike letter): "
                + "correct the address"
        }
        return nil
    }

    /// ``misspeltTLDs`` as four bytes in a word, for the byte path: a few words, compared in turn.
    private static let misspeltKeys = misspeltTLDs.map { key(Array($0.utf8)[...]) }
    private static let comKey = key(Array(".com".utf8)[...])
    private static let testKey = key(Array("test".utf8)[...])

    /// Up to four bytes, lower-cased, in one word.
    @inline(__always)
    private static func key<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> UInt32 {
        bytes.reduce(0) { $0 << 8 | UInt32($1 | 0x20) }
    }

    /// Whether an ASCII address (any case) may be a placeholder mailbox: a name that opens like
    /// one of ``placeholderNames``, or a domain `test.com`; the full check decides.
    @inline(__always)
    static func mayBePlaceholder(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = bytes.first else { return false }
        if first | 0x20 == UInt8(ascii: "n") { return true }
        return bytes.count >= 9 && key(bytes[(bytes.count - 4)...]) == comKey
            && key(bytes[(bytes.count - 8)..<(bytes.count - 4)]) == testKey
    }

    /// Whether an ASCII address (any case) ends in a misspelt top-level domain: no string is built.
    @inline(__always)
    static func hasMisspeltTLD(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let dot = bytes.lastIndex(of: UInt8(ascii: ".")), bytes.count - dot - 1 <= 4 else { return false }
        return misspeltKeys.contains(key(bytes[(dot + 1)...]))
    }

    /// Whether a label holds both a Latin letter and a Cyrillic or Greek one.
    static func mixesScripts(_ label: Substring) -> Bool {
        var latin = false
        var other = false
        for scalar in label.unicodeScalars {
            switch scalar.value {
            case 0x61...0x7A, 0x41...0x5A: latin = true
            case 0x0370...0x03FF, 0x0400...0x04FF: other = true
            default: break
            }
        }
        return latin && other
    }
}
