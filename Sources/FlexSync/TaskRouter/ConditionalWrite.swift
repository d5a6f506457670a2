import Foundation

/// A write of a worker's or task's whole attributes document, made only over the version last
/// read (`If-Match`). The client sends it under the retry policy; the caller, who knows which keys
/// it manages, says what to write instead whenever the target is read back.
public struct ConditionalWrite: Sendable {
    public var url: String
    /// The attributes JSON text to send first.
    public var document: String
    /// The ETag `document` was made against; without one the target is read before anything is sent.
    public var etag: String?
    /// An earlier run may have sent this write already, its answer never recorded: read first.
    public var inDoubt: Bool

    public init(url: String, document: String, etag: String?, inDoubt: Bool = false) {
        self.url = url
        self.document = document
        self.etag = etag
        self.inDoubt = inDoubt
    }
}

/// A target as a read-back found it.
public struct LiveDocument: Sendable {
    public var attributes: JSONObject
    /// The attributes JSON text, verbatim.
    public var text: String
    public var etag: String?
}

/// The caller's answer once it has seen the live target (before a first write without an ETag,
/// after a 412, after a write whose answer was lost).
public enum Rebase: Sendable {
    /// Send this attributes document, over the version just read.
    case write(String)
    /// The target already holds what was wanted: nothing is sent.
    case alreadyDone
    /// The target changed in a way the caller does not overwrite: nothing is sent.
    case conflict
}

/// Which request met a 404.
public enum WritePhase: String, Sendable {
    case readBack = "read-back"
    case update
}

/// A write that ended with the target holding what was wanted.
public struct AppliedWrite: Sendable, Equatable {
    /// The attributes text the target now holds: as sent, or as read back.
    public var document: String
    /// The ETag of that version, when TaskRouter gave one.
    public var etag: String?
    /// POSTs sent (0 when the first read found the target already as wanted).
    public var attempts: Int
    /// A read-back, not a write's answer, showed the target holding what was wanted.
    public var confirmedByReadBack: Bool
}

/// How a conditional write ended.
public enum WriteOutcome: Sendable {
    case applied(AppliedWrite)
    /// The target changed and the caller's rebase would not merge over it; it holds `live`.
    case conflict(live: LiveDocument)
    /// TaskRouter answered 404.
    case gone(WritePhase)
    /// Out of attempts, an answer the contract does not allow, or the caller's `willSend` threw.
    case failed(String)
    /// TaskRouter answered the write with a 4xx it gives again to the same request (400, 403,
    /// 413…): sending it again as it is cannot succeed.
    case refused(String)
}

extension TaskRouterClient {
    /// Writes `write` under the retry policy. A write is never sent again blindly: after a 5xx or
    /// a lost answer the target is read back and `rebase` decides; after a 412 too. A 429 was not
    /// processed and goes again as it is. `willSend` runs before every POST (to journal the intent);
    /// if it throws, nothing more is sent.
    public func conditionalWrite(
        _ write: ConditionalWrite, traffic: TrafficStats, session: CurlSession,
        willSend: @escaping (_ attempt: Int, _ ifMatch: String?) throws -> Void,
        rebase: @escaping (LiveDocument) -> Rebase
    ) -> WriteOutcome {
        conditionalWrite(write, traffic: traffic, transport: session, willSend: willSend, rebase: rebase)
    }

    func conditionalWrite(
        _ write: ConditionalWrite, traffic: TrafficStats, transport: some HTTPTransport,
        willSend: @escaping (_ attempt: Int, _ ifMatch: String?) throws -> Void,
        rebase: @escaping (LiveDocument) -> Rebase
    ) -> WriteOutcome {
        var exchange = WriteExchange(write, willSend: willSend, rebase: rebase)
        return run(&exchange, traffic: traffic, transport: transport)
    }
}

/// A conditional write's course: reading the target when its state is unknown, writing over the
/// version read, and reading again after a 412 or a lost answer.
struct WriteExchange: Exchange {
    private enum State {
        /// Reading the target; `attempt` counts this read's own tries.
        case reading(attempt: Int)
        case writing
        case finished(WriteOutcome)
    }

    let url: String
    private var document: String
    private var etag: String?
    private let willSend: (Int, String?) throws -> Void
    private let rebase: (LiveDocument) -> Rebase
    private var state: State
    /// POSTs sent so far: the attempt the policy's limits count for a write.
    private var writes = 0

    init(
        _ write: ConditionalWrite, willSend: @escaping (Int, String?) throws -> Void,
        rebase: @escaping (LiveDocument) -> Rebase
    ) {
        url = write.url
        document = write.document
        etag = write.etag
        self.willSend = willSend
        self.rebase = rebase
        // Without an ETag a write would be unconditional; in doubt, it may have landed already.
        state = write.inDoubt || write.etag == nil ? .reading(attempt: 0) : .writing
    }

    mutating func next() -> ExchangeStep<WriteOutcome> {
        switch state {
        case .finished(let outcome):
            return .finish(outcome)
        case .reading(let attempt):
            state = .reading(attempt: attempt + 1)
            return .send(.read(url), attempt: attempt + 1)
        case .writing:
            writes += 1
            do {
                try willSend(writes, etag)
            } catch {
                return .finish(.failed("\(error)"))
            }
            return .send(.write(url, attributes: document, ifMatch: etag), attempt: writes)
        }
    }

    mutating func received(_ result: Result<HTTPResponse, TaskRouterError>, _ decision: RetryDecision) {
        switch state {
        case .reading(let attempt): receivedRead(result, decision, attempt: attempt)
        case .writing: receivedWrite(result, decision)
        case .finished: break
        }
    }

    private mutating func receivedRead(
        _ result: Result<HTTPResponse, TaskRouterError>, _ decision: RetryDecision,
        attempt: Int
    ) {
        guard decision == .accept || decision == .giveUp else { return }  // the same read goes again
        let response: HTTPResponse
        let body: JSONObject
        switch ReadExchange.conclude(result, url: url, attempts: attempt) {
        case .failure(let error) where error.status == 404:
            state = .finished(.gone(.readBack))
            return
        case .failure(let error):
            state = .finished(.failed("\(error)"))
            return
        case .success(let answer):
            (response, body) = answer
        }
        guard let text = body["attributes"]?.stringValue, let attributes = try? JSONValue.parse(text).objectValue else {
            let error = TaskRouterError.badResponse(
                method: "GET", path: CurlSession.pathForMessages(url),
                reason: "attributes are not a JSON object")
            state = .finished(.failed("\(error)"))
            return
        }
        let live = LiveDocument(attributes: attributes, text: text, etag: response.header("ETag"))
        switch rebase(live) {
        case .alreadyDone:
            let applied = AppliedWrite(document: text, etag: live.etag, attempts: writes, confirmedByReadBack: true)
            state = .finished(.applied(applied))
        case .conflict:
            state = .finished(.conflict(live: live))
        case .write(let merged):
            document = merged
            etag = live.etag
            state = .writing
        }
    }

    private mutating func receivedWrite(_ result: Result<HTTPResponse, TaskRouterError>, _ decision: RetryDecision) {
        switch (decision, result) {
        case (.resend, _):
            break  // not processed (429): the same document over the same version
        case (.readBack, _), (.reread, _):
            state = .reading(attempt: 0)
        case (.accept, .success(let response)) where response.status == 200 || response.status == 201:
            let applied = AppliedWrite(
                document: document, etag: response.header("ETag"), attempts: writes,
                confirmedByReadBack: false)
            state = .finished(.applied(applied))
        case (.accept, .success(let response)) where response.status == 404:
            state = .finished(.gone(.update))
        case (.giveUp, .success(let response)) where response.status == 412:
            state = .finished(.failed("the target kept changing (412 \(writes) times)"))
        case (.accept, .success(let response)) where (400..<500).contains(response.status):
            state = .finished(.refused("\(TaskRouterClient.apiError("POST", url, response).withAttempts(writes))"))
        case (.accept, .success(let response)), (.giveUp, .success(let response)):
            state = .finished(.failed("\(TaskRouterClient.apiError("POST", url, response).withAttempts(writes))"))
        case (.accept, .failure(let error)), (.giveUp, .failure(let error)):
            state = .finished(.failed("\(error.withAttempts(writes))"))
        }
    }
}
