import Foundation
import Testing

@testable import FlexSync

/// The client's one retry loop against a scripted transport: what is sent, in which order, after
/// which waits, and how each write ends. The clock records waits instead of sleeping.
struct ConditionalWriteTests {
    /// Answers requests from a script, in order, and keeps what was sent.
    final class Script: HTTPTransport {
        var answers: [Result<HTTPResponse, TaskRouterError>]
        var sent: [HTTPRequest] = []

        init(_ answers: [Result<HTTPResponse, TaskRouterError>]) { self.answers = answers }

        func perform(_ request: HTTPRequest) throws -> HTTPResponse {
            sent.append(request)
            guard !answers.isEmpty else { throw TaskRouterError.configuration("the script has no answer left") }
            return try answers.removeFirst().get()
        }

        var methods: [String] { sent.map(\.method) }
        func header(_ name: String, of index: Int) -> String? { sent[index].headers.first { $0.0 == name }?.1 }
        func body(of index: Int) -> String { String(decoding: sent[index].body ?? [], as: UTF8.self) }
    }

    /// Records every wait asked of it and moves its time on at once.
    final class Waits: TimeSource, @unchecked Sendable {
        // Sendable: `current` and `waits` are guarded by `lock`.
        private let lock = NSLock()
        private var current = 1000.0
        private var waits: [Double] = []
        func now() -> Double { lock.withLock { current } }
        func sleep(_ seconds: Double) {
            lock.withLock {
                waits.append(seconds)
                current += max(0, seconds)
            }
        }
        var recorded: [Double] { lock.withLock { waits } }
    }

    static let url = "http://127.0.0.1:9/v1/Workspaces/WS1/Workers/WK1"
    static let planned = #"{"team":"T0","roles":["agent"]}"#
    static let desired = #"{"team":"T1","roles":["agent"]}"#

    static func client(maxRetries: Int = 3, waits: Waits) -> TaskRouterClient {
        // The limiter has a clock of its own, so `waits` holds only the retry policy's waits.
        let limiter = RateLimiter(rate: 1000, ceiling: 1000, clock: PacingTests.FakeTime())
        let credentials = Credentials(accountSid: "AC1", username: "AC1", password: "secret", source: "test")
        return TaskRouterClient(
            baseURL: "http://127.0.0.1:9", workspaceSid: "WS1", credentials: credentials,
            limiter: limiter, retry: RetryPolicy(maxRetries: maxRetries), concurrency: 1,
            clock: waits)
    }

    typealias Answer = Result<HTTPResponse, TaskRouterError>

    static func answer(_ status: Int, etag: String? = nil, retryAfter: String? = nil) -> Answer {
        var headers: [String: String] = [:]
        if let etag { headers["etag"] = etag }
        if let retryAfter { headers["retry-after"] = retryAfter }
        let body =
            status == 200
            ? #"{"sid":"WK1"}"#
            : #"{"code":2\#(status),"message":"HTTP \#(status)","status":\#(status)}"#
        return .success(HTTPResponse(status: status, headers: headers, body: Array(body.utf8)))
    }

    /// A GET's answer: the worker holding `attributes`, as version `etag`.
    static func live(_ attributes: String, etag: String) -> Answer {
        let body = JSONValue.object(JSONObject([("sid", .string("WK1")), ("attributes", .string(attributes))])).minified
        return .success(HTTPResponse(status: 200, headers: ["etag": etag], body: Array(body.utf8)))
    }

    static let reset = Answer.failure(
        .transport(
            method: "POST", path: "/v1/Workspaces/WS1/Workers/WK1", reason: "Connection reset by peer",
            timedOut: false, attempts: 1))

    /// What the applier's merge answers: done when the team is T1, a conflict when someone else
    /// moved it, else the desired team over whatever else the live document holds.
    static func rebase(_ live: LiveDocument) -> Rebase {
        switch live.attributes["team"] {
        case .string("T1")?: return .alreadyDone
        case .string("T0")?:
            var document = live.attributes
            document["team"] = .string("T1")
            return .write(JSONValue.object(document).minified)
        default: return .conflict
        }
    }

    /// Runs one conditional write; returns its outcome and the attempts `willSend` was told of.
    static func write(
        _ client: TaskRouterClient, _ script: Script, etag: String?, inDoubt: Bool = false,
        traffic: TrafficStats = TrafficStats()
    ) -> (WriteOutcome, [Int]) {
        var intents: [Int] = []
        let write = ConditionalWrite(url: url, document: desired, etag: etag, inDoubt: inDoubt)
        let outcome = client.conditionalWrite(
            write, traffic: traffic, transport: script,
            willSend: { attempt, _ in intents.append(attempt) }, rebase: rebase)
        return (outcome, intents)
    }

    @Test func anAnsweredWriteIsSentOnceOverItsVersion() throws {
        let waits = Waits()
        let script = Script([Self.answer(200, etag: "E2")])
        let traffic = TrafficStats()
        let (outcome, intents) = Self.write(Self.client(waits: waits), script, etag: "E1", traffic: traffic)
        guard case .applied(let applied) = outcome else {
            Issue.record("\(outcome)")
            return
        }
        #expect(applied == AppliedWrite(document: Self.desired, etag: "E2", attempts: 1, confirmedByReadBack: false))
        #expect(script.methods == ["POST"] && script.header("If-Match", of: 0) == "E1")
        #expect(script.body(of: 0) == "Attributes=" + TaskRouterClient.formEncode(Self.desired))
        #expect(intents == [1] && waits.recorded.isEmpty)
        #expect(traffic.snapshot == TrafficStats.Counts(requests: 1, retries: 0, throttled: 0))
    }

    @Test func a429IsSentAgainAsItIsAfterRetryAfter() {
        let waits = Waits()
        let script = Script([Self.answer(429, retryAfter: "7"), Self.answer(200)])
        let traffic = TrafficStats()
        let (outcome, intents) = Self.write(Self.client(waits: waits), script, etag: "E1", traffic: traffic)
        guard case .applied(let applied) = outcome else {
            Issue.record("\(outcome)")
            return
        }
        #expect(applied.attempts == 2 && !applied.confirmedByReadBack)
        #expect(script.methods == ["POST", "POST"])
        #expect(script.body(of: 1) == script.body(of: 0) && script.header("If-Match", of: 1) == "E1")
        #expect(intents == [1, 2] && waits.recorded == [7])
        #expect(traffic.snapshot == TrafficStats.Counts(requests: 2, retries: 1, throttled: 1))
    }

    @Test func a5xxIsReadBackAndMergedBeforeAnythingIsSentAgain() {
        let waits = Waits()
        let script = Script([
            Self.answer(503), Self.live(#"{"team":"T0","roles":["agent","admin"]}"#, etag: "E2"),
            Self.answer(200)
        ])
        let traffic = TrafficStats()
        let (outcome, intents) = Self.write(Self.client(waits: waits), script, etag: "E1", traffic: traffic)
        guard case .applied(let applied) = outcome else {
            Issue.record("\(outcome)")
            return
        }
        #expect(applied.document == #"{"team":"T1","roles":["agent","admin"]}"# && applied.attempts == 2)
        #expect(script.methods == ["POST", "GET", "POST"] && script.header("If-Match", of: 2) == "E2")
        #expect(intents == [1, 2])
        #expect(waits.recorded.count == 1 && waits.recorded[0] < 0.5)  // backoff(1): full jitter under 0.5 s
        #expect(traffic.snapshot == TrafficStats.Counts(requests: 3, retries: 1, throttled: 0))
    }

    @Test func aLostAnswerWhoseWriteLandedIsConfirmedAndNotSentAgain() {
        let script = Script([Self.reset, Self.live(Self.desired, etag: "E2")])
        let traffic = TrafficStats()
        let (outcome, intents) = Self.write(Self.client(waits: Waits()), script, etag: "E1", traffic: traffic)
        guard case .applied(let applied) = outcome else {
            Issue.record("\(outcome)")
            return
        }
        #expect(applied == AppliedWrite(document: Self.desired, etag: "E2", attempts: 1, confirmedByReadBack: true))
        #expect(script.methods == ["POST", "GET"] && intents == [1])
        #expect(traffic.retries == 1)
    }

    @Test func a412IsReadAgainAndMergedAtOnce() {
        let waits = Waits()
        let script = Script([Self.answer(412), Self.live(#"{"team":"T0","roles":[]}"#, etag: "E3"), Self.answer(200)])
        let traffic = TrafficStats()
        let (outcome, _) = Self.write(Self.client(waits: waits), script, etag: "E1", traffic: traffic)
        guard case .applied = outcome else {
            Issue.record("\(outcome)")
            return
        }
        #expect(script.methods == ["POST", "GET", "POST"] && script.header("If-Match", of: 2) == "E3")
        #expect(waits.recorded.isEmpty && traffic.retries == 0)
    }

    @Test func a412OverAChangedManagedKeyIsAConflict() {
        let script = Script([Self.answer(412), Self.live(#"{"team":"T9"}"#, etag: "E3")])
        let (outcome, _) = Self.write(Self.client(waits: Waits()), script, etag: "E1")
        guard case .conflict(let live) = outcome else {
            Issue.record("\(outcome)")
            return
        }
        #expect(live.etag == "E3" && live.attributes["team"] == .string("T9"))
        #expect(script.methods == ["POST", "GET"])
    }

    @Test func aTargetThatKeepsChangingFailsAfterMaxRetriesPlusThreeWrites() {
        // maxRetries 3: seven POSTs, every one met by a 412, each but the last read again.
        let answers =
            (0..<6).flatMap { _ in [Self.answer(412), Self.live(Self.planned, etag: "E")] }
            + [Self.answer(412)]
        let script = Script(answers)
        let (outcome, intents) = Self.write(Self.client(waits: Waits()), script, etag: "E1")
        guard case .failed(let reason) = outcome else {
            Issue.record("\(outcome)")
            return
        }
        #expect(reason == "the target kept changing (412 7 times)")
        #expect(intents == Array(1...7) && script.answers.isEmpty)
    }

    @Test func lostAnswersGiveUpAfterMaxRetriesWithTheCount() {
        // Every POST reset and nothing landed: read back after each, sent again, until the fourth.
        let answers = (0..<3).flatMap { _ in [Self.reset, Self.live(Self.planned, etag: "E")] } + [Self.reset]
        let script = Script(answers)
        let traffic = TrafficStats()
        let (outcome, _) = Self.write(Self.client(waits: Waits()), script, etag: "E1", traffic: traffic)
        guard case .failed(let reason) = outcome else {
            Issue.record("\(outcome)")
            return
        }
        #expect(reason == "POST /v1/Workspaces/WS1/Workers/WK1: Connection reset by peer after 4 attempts")
        #expect(script.methods == ["POST", "GET", "POST", "GET", "POST", "GET", "POST"])
        #expect(traffic.retries == 3)
    }

    @Test func a404IsGoneOnUpdateOrOnReadBack() {
        let update = Script([Self.answer(404)])
        guard case .gone(.update) = Self.write(Self.client(waits: Waits()), update, etag: "E1").0 else {
            Issue.record("no 404 on update")
            return
        }
        let readBack = Script([Self.answer(404)])
        let (outcome, intents) = Self.write(Self.client(waits: Waits()), readBack, etag: nil)
        guard case .gone(.readBack) = outcome else {
            Issue.record("\(outcome)")
            return
        }
        #expect(readBack.methods == ["GET"] && intents.isEmpty)
    }

    @Test(arguments: [(nil, false), ("E1", true)] as [(String?, Bool)])
    func withoutAnETagOrInDoubtTheTargetIsReadFirst(etag: String?, inDoubt: Bool) {
        let script = Script([Self.live(Self.desired, etag: "E2")])
        let (outcome, intents) = Self.write(Self.client(waits: Waits()), script, etag: etag, inDoubt: inDoubt)
        guard case .applied(let applied) = outcome else {
            Issue.record("\(outcome)")
            return
        }
        #expect(applied == AppliedWrite(document: Self.desired, etag: "E2", attempts: 0, confirmedByReadBack: true))
        #expect(script.methods == ["GET"] && intents.isEmpty)
    }

    /// A 400 is TaskRouter refusing the write: the same request would be refused again, so it is
    /// not retried, and it is told apart from a failure that may heal (`watch` holds it back).
    @Test func aRefusedWriteIsNotRetried() {
        let script = Script([Self.answer(400)])
        let (outcome, _) = Self.write(Self.client(waits: Waits()), script, etag: "E1")
        #expect(script.methods == ["POST"])
        guard case .refused(let reason) = outcome else {
            Issue.record("\(outcome)")
            return
        }
        #expect(reason == "POST /v1/Workspaces/WS1/Workers/WK1: HTTP 400, Twilio error 2400: HTTP 400")
    }

    @Test func aJournalThatCannotBeWrittenStopsTheWriteUnsent() {
        struct Full: Error, CustomStringConvertible { var description: String { "disk full" } }
        let script = Script([])
        let outcome = Self.client(waits: Waits()).conditionalWrite(
            ConditionalWrite(url: Self.url, document: Self.desired, etag: "E1"), traffic: TrafficStats(),
            transport: script, willSend: { _, _ in throw Full() }, rebase: Self.rebase)
        guard case .failed(let reason) = outcome else {
            Issue.record("\(outcome)")
            return
        }
        #expect(reason == "disk full" && script.sent.isEmpty)
    }

    @Test func aReadIsSentAgainAfter5xxResetsAnd429s() throws {
        let waits = Waits()
        let script = Script([
            Self.answer(503), Self.reset, Self.answer(429, retryAfter: "2"),
            Self.live("{}", etag: "E")
        ])
        let traffic = TrafficStats()
        let (response, body) = try Self.client(waits: waits).get(Self.url, traffic: traffic, transport: script)
        #expect(response.header("ETag") == "E" && body["sid"] == .string("WK1"))
        #expect(script.methods == ["GET", "GET", "GET", "GET"])
        #expect(waits.recorded.count == 3 && waits.recorded[2] == 2)
        #expect(traffic.snapshot == TrafficStats.Counts(requests: 4, retries: 3, throttled: 1))
    }

    @Test func aReadGivesUpAfterMaxRetriesWithTheCount() {
        let script = Script(Array(repeating: Self.answer(503), count: 4))
        let exhausted = TaskRouterError.api(
            method: "GET", path: "/v1/Workspaces/WS1/Workers/WK1", status: 503,
            code: 2503, message: "HTTP 503", moreInfo: nil, attempts: 4)
        #expect(throws: exhausted) {
            try Self.client(waits: Waits()).get(Self.url, traffic: TrafficStats(), transport: script)
        }
        #expect(script.sent.count == 4)
    }
}
