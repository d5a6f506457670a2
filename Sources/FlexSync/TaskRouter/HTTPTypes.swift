/// A request flexsync sends to TaskRouter.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(String, String)]
    public var body: [UInt8]?

    public init(method: String, url: String, headers: [(String, String)] = [], body: [UInt8]? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

/// A response: status, headers (names lower-cased) and body.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [String: String]
    public var body: [UInt8]

    public func header(_ name: String) -> String? { headers[name.lowercased()] }
}

/// Why a request failed. Carries method, path, and Twilio's code and message — never credentials.
public enum TaskRouterError: Error, CustomStringConvertible, Equatable {
    /// The server answered with an error status and (usually) a Twilio error body.
    case api(method: String, path: String, status: Int, code: Int?, message: String, moreInfo: String?, attempts: Int)
    /// No usable answer: connection refused or reset, timeout, TLS failure.
    case transport(method: String, path: String, reason: String, timedOut: Bool, attempts: Int)
    /// The answer was not what the contract says.
    case badResponse(method: String, path: String, reason: String)
    /// The configuration would be unsafe or cannot work (plain http to a remote host, missing credentials).
    case configuration(String)

    public var description: String {
        switch self {
        case .api(let method, let path, let status, let code, let message, let moreInfo, let attempts):
            var text = "\(method) \(path): HTTP \(status)"
            if let code { text += ", Twilio error \(code)" }
            text += ": \(message)"
            if let moreInfo { text += " (\(moreInfo))" }
            if attempts > 1 { text += " after \(attempts) attempts" }
            return text
        case .transport(let method, let path, let reason, _, let attempts):
            return "\(method) \(path): \(reason)" + (attempts > 1 ? " after \(attempts) attempts" : "")
        case .badResponse(let method, let path, let reason):
            return "\(method) \(path): unexpected response: \(reason)"
        case .configuration(let message):
            return message
        }
    }

    /// HTTP status, when the server answered.
    public var status: Int? {
        if case .api(_, _, let status, _, _, _, _) = self { return status }
        return nil
    }

    func withAttempts(_ attempts: Int) -> TaskRouterError {
        switch self {
        case .api(let m, let p, let s, let c, let msg, let info, _):
            return .api(method: m, path: p, status: s, code: c, message: msg, moreInfo: info, attempts: attempts)
        case .transport(let m, let p, let r, let t, _):
            return .transport(method: m, path: p, reason: r, timedOut: t, attempts: attempts)
        default: return self
        }
    }
}
