import Testing

@testable import FlexSync

/// The retry policy as a table: how each ending of each kind of request is handled.
struct RetryPolicyTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var kind: RequestKind
        var attempt: Int
        var ended: AttemptEnd
        var decision: RetryDecision

        init(_ kind: RequestKind, _ attempt: Int, _ ended: AttemptEnd, _ decision: RetryDecision) {
            self.kind = kind
            self.attempt = attempt
            self.ended = ended
            self.decision = decision
        }

        var testDescription: String { "\(kind) attempt \(attempt) ended \(ended) → \(decision)" }
    }

    static func status(_ code: Int, retryAfter: Double? = nil) -> AttemptEnd { .status(code, retryAfter: retryAfter) }

    // maxRetries 3; the draw is 0.5, so backoff(n) is half of 0.5 s, 1 s, 2 s.
    static let table: [Case] = [
        // Answers the caller must see.
        Case(.read, 1, status(200), .accept),
        Case(.conditionalWrite, 1, status(201), .accept),
        Case(.read, 1, status(404), .accept),
        Case(.conditionalWrite, 1, status(404), .accept),
        Case(.conditionalWrite, 1, status(400), .accept),
        Case(.read, 1, status(412), .accept),
        // A 412 is the target moving, not the link failing: re-read at once, a few more times than retries.
        Case(.conditionalWrite, 1, status(412), .reread),
        Case(.conditionalWrite, 6, status(412), .reread),
        Case(.conditionalWrite, 7, status(412), .giveUp),
        // A 429 was not processed: anything goes again as it is, after Retry-After when given.
        Case(.read, 2, status(429, retryAfter: 7), .resend(after: 7)),
        Case(.conditionalWrite, 2, status(429, retryAfter: 7), .resend(after: 7)),
        Case(.conditionalWrite, 2, status(429), .resend(after: 0.5)),
        // A 5xx or a lost answer may have been processed: a write is read back first.
        Case(.read, 1, status(503), .resend(after: 0.25)),
        Case(.conditionalWrite, 1, status(503), .readBack(after: 0.25)),
        Case(.conditionalWrite, 1, status(500, retryAfter: 9), .readBack(after: 0.25)),
        Case(.read, 3, .noAnswer, .resend(after: 1)),
        Case(.conditionalWrite, 3, .noAnswer, .readBack(after: 1)),
        // Out of retries, or nothing a retry can mend.
        Case(.conditionalWrite, 4, .noAnswer, .giveUp),
        Case(.read, 4, status(500), .giveUp),
        Case(.conditionalWrite, 4, status(429, retryAfter: 1), .giveUp),
        Case(.read, 1, .notSent, .giveUp),
        Case(.conditionalWrite, 1, .notSent, .giveUp)
    ]

    @Test(arguments: table)
    func decides(_ row: Case) {
        let policy = RetryPolicy(maxRetries: 3)
        #expect(policy.decide(row.kind, attempt: row.attempt, ended: row.ended, unit: 0.5) == row.decision)
    }

    @Test func onlyLinkFailuresCountAsRetries() {
        #expect(RetryDecision.resend(after: 2).retryDelay == 2)
        #expect(RetryDecision.readBack(after: 0).retryDelay == 0)
        #expect(RetryDecision.reread.retryDelay == nil)
        #expect(RetryDecision.accept.retryDelay == nil)
        #expect(RetryDecision.giveUp.retryDelay == nil)
    }

    @Test func anAttemptEndsAsTheTransportSaw() {
        let reset = TaskRouterError.transport(method: "POST", path: "/", reason: "reset", timedOut: false, attempts: 1)
        #expect(AttemptEnd(.failure(reset)) == .noAnswer)
        #expect(AttemptEnd(.failure(.configuration("plain http to a remote host"))) == .notSent)
        let throttled = HTTPResponse(status: 429, headers: ["retry-after": "3"], body: [])
        #expect(AttemptEnd(.success(throttled)) == .status(429, retryAfter: 3))
        let answered = HTTPResponse(status: 200, headers: [:], body: [])
        #expect(AttemptEnd(.success(answered)) == .status(200, retryAfter: nil))
    }

    @Test(arguments: [(1, 0.5), (2, 1.0), (3, 2.0), (4, 4.0), (7, 30.0), (12, 30.0)])
    func backoffCeilingsDoubleUpToTheCap(attempt: Int, ceiling: Double) {
        let policy = RetryPolicy(maxRetries: 10)
        #expect(policy.delay(attempt: attempt, retryAfter: nil, unit: 0.999_999) <= ceiling)
        #expect(policy.delay(attempt: attempt, retryAfter: nil, unit: 0.999_999) > ceiling * 0.99)
        #expect(policy.delay(attempt: attempt, retryAfter: nil, unit: 0) == 0)
        #expect(policy.delay(attempt: attempt, retryAfter: 7, unit: 0.5) == 7)
    }
}
