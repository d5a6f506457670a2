import Foundation

/// Sends one request and returns the answer, whatever its status: a ``CurlSession``, or a script
/// in tests.
protocol HTTPTransport {
    func perform(_ request: HTTPRequest) throws -> HTTPResponse
}

extension CurlSession: HTTPTransport {}

/// A request as an exchange asks for it; the client adds credentials and the other headers.
struct Call {
    var kind: RequestKind
    var url: String
    /// The attributes document of a write.
    var attributes: String?
    var ifMatch: String?

    static func read(_ url: String) -> Call { Call(kind: .read, url: url) }

    static func write(_ url: String, attributes: String, ifMatch: String?) -> Call {
        Call(kind: .conditionalWrite, url: url, attributes: attributes, ifMatch: ifMatch)
    }

    var method: String { kind == .read ? "GET" : "POST" }
}

/// One request's course through the retry loop: what to send next, and what each ending means.
/// A value the loop owns for one call, so its state needs no lock.
protocol Exchange {
    associatedtype Outcome
    /// The next request to send, or the outcome once there is nothing more to send.
    mutating func next() -> ExchangeStep<Outcome>
    /// How the last attempt ended, and what the retry policy made of it (any wait is already over).
    mutating func received(_ result: Result<HTTPResponse, TaskRouterError>, _ decision: RetryDecision)
}

enum ExchangeStep<Outcome> {
    /// Send `call`; `attempt` (1-based) is what the policy's limits count for it.
    case send(Call, attempt: Int)
    case finish(Outcome)
}

extension TaskRouterClient {
    /// The one retry loop: every request flexsync sends to TaskRouter goes through here, is paced
    /// by the limiter, counted in `traffic`, and tried again only as ``RetryPolicy`` decides.
    func run<E: Exchange>(_ exchange: inout E, traffic: TrafficStats, transport: some HTTPTransport) -> E.Outcome {
        while true {
            switch exchange.next() {
            case .finish(let outcome):
                return outcome
            case .send(let call, let attempt):
                let result = sendOnce(call, traffic: traffic, transport: transport)
                let decision = retry.decide(
                    call.kind, attempt: attempt, ended: AttemptEnd(result),
                    unit: Double.random(in: 0..<1))
                if let delay = decision.retryDelay {
                    traffic.countRetry()
                    let request = "\(call.method) \(CurlSession.pathForMessages(call.url))"
                    logger.debug(
                        "retrying",
                        metadata: [
                            "request": "\(request)", "ended": "\(AttemptEnd(result))",
                            "delay": "\(delay)"
                        ])
                    clock.sleep(delay)
                }
                exchange.received(result, decision)
            }
        }
    }

    /// One paced attempt: the answer, whatever its status, or why there was none.
    private func sendOnce(
        _ call: Call, traffic: TrafficStats,
        transport: some HTTPTransport
    ) -> Result<HTTPResponse, TaskRouterError> {
        var headers = [("Authorization", credentials.authorizationHeader), ("Accept", "application/json")]
        var body: [UInt8]?
        if let attributes = call.attributes {
            headers.append(("Content-Type", "application/x-www-form-urlencoded"))
            body = Array("Attributes=\(Self.formEncode(attributes))".utf8)
        }
        if let ifMatch = call.ifMatch { headers.append(("If-Match", ifMatch)) }
        limiter.acquire()
        traffic.countRequest()
        let response: HTTPResponse
        do {
            let request = HTTPRequest(method: call.method, url: call.url, headers: headers, body: body)
            response = try transport.perform(request)
        } catch let error as TaskRouterError {
            return .failure(error)
        } catch {
            return .failure(.configuration("\(call.method) \(CurlSession.pathForMessages(call.url)): \(error)"))
        }
        if response.status == 429 {
            traffic.countThrottled()
            limiter.didThrottle(retryAfter: response.header("Retry-After").flatMap(Double.init))
        } else if response.status < 300 {
            limiter.didSucceed(remaining: response.header("X-Rate-Limit-Remaining").flatMap(Int.init))
        }
        return .success(response)
    }

    /// Turns an error response into a typed error with Twilio's code and message.
    static func apiError(_ method: String, _ url: String, _ response: HTTPResponse) -> TaskRouterError {
        let body = (try? JSONValue.parse(bytes: response.body))?.objectValue
        let message = body?["message"]?.stringValue ?? "HTTP \(response.status)"
        var code: Int?
        if case .number(let number)? = body?["code"] { code = Int(number.doubleValue) }
        return .api(
            method: method, path: CurlSession.pathForMessages(url), status: response.status,
            code: code, message: message, moreInfo: body?["more_info"]?.stringValue, attempts: 1)
    }

    static func formEncode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}

/// A GET under the policy: the 200 answer with its JSON object, or the error it ended with.
struct ReadExchange: Exchange {
    let url: String
    private var attempt = 0
    private var outcome: Result<(HTTPResponse, JSONObject), TaskRouterError>?

    init(url: String) { self.url = url }

    mutating func next() -> ExchangeStep<Result<(HTTPResponse, JSONObject), TaskRouterError>> {
        if let outcome { return .finish(outcome) }
        attempt += 1
        return .send(.read(url), attempt: attempt)
    }

    mutating func received(_ result: Result<HTTPResponse, TaskRouterError>, _ decision: RetryDecision) {
        switch decision {
        case .accept, .giveUp: outcome = Self.conclude(result, url: url, attempts: attempt)
        case .resend, .readBack, .reread: break
        }
    }

    /// What a read's last attempt means: the body of a 200, or a typed error with the attempt count.
    static func conclude(
        _ result: Result<HTTPResponse, TaskRouterError>, url: String,
        attempts: Int
    ) -> Result<(HTTPResponse, JSONObject), TaskRouterError> {
        switch result {
        case .failure(let error):
            return .failure(error.withAttempts(attempts))
        case .success(let response) where response.status == 200:
            guard let object = (try? JSONValue.parse(bytes: response.body))?.objectValue else {
                return .failure(
                    .badResponse(
                        method: "GET", path: CurlSession.pathForMessages(url),
                        reason: "the body is not a JSON object"))
            }
            return .success((response, object))
        case .success(let response):
            return .failure(TaskRouterClient.apiError("GET", url, response).withAttempts(attempts))
        }
    }
}
