/// How a namespace prefix of a job matches a file's namespace URIs: exactly, or by URI prefix
/// (Workday RaaS names each report's namespace `urn:com.workday.report/<ReportName>`).
public enum NamespaceMatch: Sendable, Equatable {
    case exact(String)
    case prefix(String)

    /// Parses a job's namespace value: a trailing `*` makes it a prefix match.
    public init(declaration: String) {
        if declaration.hasSuffix("*") {
            self = .prefix(String(declaration.dropLast()))
        } else {
            self = .exact(declaration)
        }
    }

    func matches(_ uri: String) -> Bool {
        switch self {
        case .exact(let expected): uri == expected
        case .prefix(let prefix): uri.hasPrefix(prefix)
        }
    }
}

/// A qualified name in a path: a local name and, when prefixed, the namespace rule of its prefix.
/// An unprefixed name matches only nodes in no namespace, as in XPath, unless the job binds a
/// default namespace to `""` for element names.
struct XMLName: Sendable, Equatable {
    var namespace: NamespaceMatch? {
        didSet { namespaceBytes = namespace.map { XMLName.bytes(of: $0) } }
    }
    var local: String {
        didSet { localBytes = Array(local.utf8) + [0] }
    }
    /// The local name, NUL-terminated, and the namespace URI (or prefix) as bytes, so names from
    /// libxml2 compare without becoming Swift strings.
    private(set) var localBytes: [UInt8]
    private(set) var namespaceBytes: [UInt8]?

    init(namespace: NamespaceMatch?, local: String) {
        self.namespace = namespace
        self.local = local
        localBytes = Array(local.utf8) + [0]
        namespaceBytes = namespace.map { XMLName.bytes(of: $0) }
    }

    private static func bytes(of match: NamespaceMatch) -> [UInt8] {
        switch match {
        case .exact(let uri): Array(uri.utf8) + [0]
        case .prefix(let prefix): Array(prefix.utf8)
        }
    }

    /// Compares against a NUL-terminated local name and namespace URI as libxml2 holds them.
    func matches(cLocal: UnsafePointer<UInt8>, cNamespace: UnsafePointer<UInt8>?) -> Bool {
        guard localBytes.withUnsafeBufferPointer({ strcmp(cLocal, $0.baseAddress!) == 0 }) else { return false }
        guard let namespaceBytes else { return cNamespace == nil || cNamespace!.pointee == 0 }
        guard let cNamespace else { return false }
        return namespaceBytes.withUnsafeBufferPointer { expected in
            if case .prefix = namespace { return strncmp(cNamespace, expected.baseAddress!, expected.count) == 0 }
            return strcmp(cNamespace, expected.baseAddress!) == 0
        }
    }

    private func strcmp(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>) -> Int32 {
        var index = 0
        while true {
            let x = a[index]
            let y = b[index]
            if x != y { return Int32(x) - Int32(y) }
            if x == 0 { return 0 }
            index += 1
        }
    }

    private func strncmp(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ count: Int) -> Int32 {
        for index in 0..<count {
            let x = a[index]
            let y = b[index]
            if x != y || x == 0 { return Int32(x) - Int32(y) }
        }
        return 0
    }

    func matches(local candidate: String, namespaceURI: String?) -> Bool {
        guard candidate == local else { return false }
        switch (namespace, namespaceURI) {
        case (nil, nil): return true
        case (nil, .some(let uri)): return uri.isEmpty
        case (.some, nil): return false
        case (.some(let rule), .some(let uri)): return rule.matches(uri)
        }
    }
}
