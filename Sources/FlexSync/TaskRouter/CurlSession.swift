internal import CCurlShim
internal import CLibCurl
import Foundation

/// One libcurl easy handle, reused for every request of one thread so connections stay open.
/// Not thread-safe: each concurrent requester owns its own session.
public final class CurlSession {
    private let handle: UnsafeMutableRawPointer
    private let collector = ResponseCollector()
    public let userAgent: String
    public var connectTimeout: Int = 10
    public var totalTimeout: Int = 60

    private static let globalInit: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    public init(userAgent: String = "flexsync/\(FlexSyncVersion.current)") throws {
        _ = CurlSession.globalInit
        guard let handle = curl_easy_init() else {
            throw TaskRouterError.configuration("libcurl could not create a handle")
        }
        self.handle = handle
        self.userAgent = userAgent
    }

    deinit { curl_easy_cleanup(handle) }

    /// Sends a request and returns whatever status the server answered with.
    public func perform(_ request: HTTPRequest) throws -> HTTPResponse {
        let path = CurlSession.pathForMessages(request.url)
        try CurlSession.checkTransportSecurity(request.url)
        curl_easy_reset(handle)
        collector.reset()
        var headerList: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(headerList) }
        for (name, value) in request.headers { headerList = curl_slist_append(headerList, "\(name): \(value)") }
        headerList = curl_slist_append(headerList, "Expect:")

        try check(fs_curl_setopt_string(handle, CURLOPT_URL, request.url), request, path)
        try check(fs_curl_setopt_string(handle, CURLOPT_USERAGENT, userAgent), request, path)
        try check(fs_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT, connectTimeout), request, path)
        try check(fs_curl_setopt_long(handle, CURLOPT_TIMEOUT, totalTimeout), request, path)
        try check(fs_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1), request, path)
        // TLS verification is libcurl's default; say so explicitly so nothing can turn it off.
        try check(fs_curl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 1), request, path)
        try check(fs_curl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 2), request, path)
        try check(fs_curl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0), request, path)
        try check(fs_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList), request, path)
        try check(
            fs_curl_setopt_write_function(
                handle,
                { data, size, count, userData in
                    ResponseCollector.from(userData).body.append(
                        contentsOf: UnsafeRawBufferPointer(start: data, count: size * count))
                    return size * count
                }), request, path)
        try check(
            fs_curl_setopt_header_function(
                handle,
                { data, size, count, userData in
                    ResponseCollector.from(userData).header(UnsafeRawBufferPointer(start: data, count: size * count))
                    return size * count
                }), request, path)
        let context = Unmanaged.passUnretained(collector).toOpaque()
        try check(fs_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, context), request, path)
        try check(fs_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, context), request, path)
        switch request.method {
        case "GET":
            try check(fs_curl_setopt_long(handle, CURLOPT_HTTPGET, 1), request, path)
        case "POST":
            let body = request.body ?? []
            try check(fs_curl_setopt_long(handle, CURLOPT_POST, 1), request, path)
            // A write goes out on a fresh connection: libcurl silently re-sends a request whose
            // reused connection died before any answer, and a POST must never be sent twice
            // without the read-back of flexsync's retry policy in between.
            try check(fs_curl_setopt_long(handle, CURLOPT_FRESH_CONNECT, 1), request, path)
            try check(fs_curl_setopt_long(handle, CURLOPT_POSTFIELDSIZE, body.count), request, path)
            try body.withUnsafeBufferPointer { buffer in
                try body.isEmpty
                    ? check(fs_curl_setopt_string(handle, CURLOPT_COPYPOSTFIELDS, ""), request, path)
                    : buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: body.count) {
                        try check(
                            fs_curl_setopt_pointer(
                                handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: $0)), request, path)
                    }
            }
        default:
            try check(fs_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, request.method), request, path)
        }
        let code = curl_easy_perform(handle)
        guard code == CURLE_OK else {
            throw TaskRouterError.transport(
                method: request.method, path: path, reason: CurlSession.describe(code),
                timedOut: code == CURLE_OPERATION_TIMEDOUT, attempts: 1)
        }
        var status = 0
        _ = fs_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return HTTPResponse(status: status, headers: collector.headers, body: collector.body)
    }

    /// The one place a libcurl setup code becomes a Swift error.
    private func check(_ code: CURLcode, _ request: HTTPRequest, _ path: String) throws {
        guard code == CURLE_OK else {
            throw TaskRouterError.transport(
                method: request.method, path: path, reason: "libcurl setup: " + CurlSession.describe(code),
                timedOut: false, attempts: 1)
        }
    }

    static func describe(_ code: CURLcode) -> String {
        curl_easy_strerror(code).map { String(cString: $0) } ?? "libcurl error \(code.rawValue)"
    }

    /// `https` everywhere; plain `http` only to this machine (the emulator).
    static func checkTransportSecurity(_ url: String) throws {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            let host = components.host
        else {
            throw TaskRouterError.configuration("'\(url)' is not a valid URL")
        }
        if scheme == "https" { return }
        let loopback = host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
        guard scheme == "http", loopback else {
            throw TaskRouterError.configuration(
                "refusing '\(scheme)://\(host)': flexsync talks to TaskRouter over https only (plain http is allowed to loopback addresses, for the emulator)"
            )
        }
    }

    /// The path and query of a URL, for messages (never userinfo).
    static func pathForMessages(_ url: String) -> String {
        guard let components = URLComponents(string: url) else { return url }
        return components.percentEncodedPath + (components.percentEncodedQuery.map { "?" + $0 } ?? "")
    }
}

/// Collects one response's headers and body from libcurl's callbacks.
private final class ResponseCollector {
    var headers: [String: String] = [:]
    var body: [UInt8] = []

    static func from(_ userData: UnsafeMutableRawPointer?) -> ResponseCollector {
        Unmanaged<ResponseCollector>.fromOpaque(userData!).takeUnretainedValue()
    }

    func reset() {
        headers = [:]
        body = []
    }

    func header(_ bytes: UnsafeRawBufferPointer) {
        let line = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if line.hasPrefix("HTTP/") {
            headers = [:]
            return
        }  // a new response (after 100-continue)
        guard let colon = line.firstIndex(of: ":") else { return }
        headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    }
}
