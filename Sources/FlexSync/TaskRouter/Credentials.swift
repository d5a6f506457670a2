import Foundation

/// HTTP Basic credentials, read from environment variables the job names. Never printed: its
/// description says only which variables it came from.
public struct Credentials: Sendable, CustomStringConvertible {
    public let accountSid: String
    let username: String
    let password: String
    let source: String

    /// Account SID + auth token, or API key + secret (with the account SID), from the environment.
    public static func fromEnvironment(
        _ spec: TaskRouterSpec, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> Credentials {
        let account = environment[spec.accountSidVariable].flatMap { $0.isEmpty ? nil : $0 }
        if let key = environment[spec.apiKeyVariable], !key.isEmpty, let secret = environment[spec.apiSecretVariable],
            !secret.isEmpty
        {
            return Credentials(
                accountSid: account ?? "", username: key, password: secret,
                source: "$\(spec.apiKeyVariable) + $\(spec.apiSecretVariable)")
        }
        guard let account, let token = environment[spec.authTokenVariable], !token.isEmpty else {
            throw TaskRouterError.configuration(
                "no TaskRouter credentials: set $\(spec.accountSidVariable) and $\(spec.authTokenVariable), or $\(spec.apiKeyVariable) and $\(spec.apiSecretVariable)"
            )
        }
        return Credentials(
            accountSid: account, username: account, password: token,
            source: "$\(spec.accountSidVariable) + $\(spec.authTokenVariable)")
    }

    init(accountSid: String, username: String, password: String, source: String) {
        self.accountSid = accountSid
        self.username = username
        self.password = password
        self.source = source
    }

    var authorizationHeader: String { "Basic " + Data("\(username):\(password)".utf8).base64EncodedString() }

    public var description: String { "credentials from \(source)" }
}
