import Foundation
import Synchronization
import Testing

@testable import FlexSync

/// A compiled job is shared: the watcher validates a new export while the old index serves, and
/// nothing stops a caller from validating one job on several threads. Each run binds the shared
/// mapping for its own threads, so runs at the same time give exactly what one run alone gives
/// (and `make tsan` runs this under the thread sanitizer, which names any byte two threads share).
struct ConcurrentValidationTests {
    static let mapping = """
        target: workers
        key: { match: [agent_id] }
        skip_when: { field: status, equals: [Terminated] }
        attributes:
          agent_id: { field: id, transforms: [trim] }
          full_name: { template: "{first} {last}", transforms: [collapse_whitespace] }
          email: { field: mail, transforms: [email] }
          phone: { field: tel, transforms: [{ phone: { default_country: DE } }] }
          team_name: { field: team, on_empty: keep }
          team_id: { field: team, transforms: [upper] }
          location: { field: city, transforms: [{ map: { BER: Berlin, MUC: München }, otherwise: Elsewhere }] }
          agent_attribute_1: { field: team }
        """

    /// Rows that repeat (memos on), rows that do not (memos off), and every kind of problem:
    /// bad e-mail and phone, duplicates, empty keys, skipped rows.
    static func csv(rows: Int) -> String {
        let teams = ["Sales", "Support", "", "Billing", "Zoë's"]
        let cities = ["BER", "MUC", "HAM", ""]
        var text = "id,first,last,mail,tel,team,city,status\n"
        for row in 1...rows {
            let id = row % 211 == 0 ? "" : "E\(row % 5_900)"
            let mail = row % 97 == 0 ? "not-an-address" : "agent\(row)@example.com"
            let tel = row % 89 == 0 ? "12" : "030 555\(String(format: "%04d", row % 10_000))"
            let status = row % 53 == 0 ? "Terminated" : "Active"
            text +=
                "\(id),Ana \(row % 7),Lima  \(row % 13),\(mail),\(tel),\(teams[row % teams.count]),"
                + "\(cities[row % cities.count]),\(status)\n"
        }
        return text
    }

    @Test(arguments: [false, true])
    func oneJobValidatedOnFourThreadsAtOnceGivesWhatOneRunGives(keepRecords: Bool) throws {
        let job = try DatasetValidatorTests.job(
            csv: Self.csv(rows: 6_000), mapping: Self.mapping,
            policies: "{ max_invalid_share: 1 }")
        let alone = try DatasetValidator(job: job, keepRecords: keepRecords).run()
        let outcomes = Outcomes()
        DispatchQueue.concurrentPerform(iterations: 4) { run in
            var validator = DatasetValidator(job: job, keepRecords: keepRecords)
            validator.threads = 1 + run % 3
            outcomes.add(Result { try validator.run() })
        }
        let runs = outcomes.all
        #expect(runs.count == 4)
        // The export has something of every kind, so equal outcomes compare real work.
        #expect(alone.rowsRead == 6_000 && alone.invalid > 100 && alone.skipped > 100 && alone.valid > 3_000)
        for run in runs {
            let outcome = try run.get()
            #expect(outcome.problems == alone.problems)
            #expect(
                (outcome.rowsRead, outcome.valid, outcome.invalid, outcome.skipped)
                    == (alone.rowsRead, alone.valid, alone.invalid, alone.skipped))
            #expect(outcome.records.map { $0.set.map(\.value) } == alone.records.map { $0.set.map(\.value) })
        }
    }
}

/// What the concurrent runs produced, gathered under a lock.
private final class Outcomes: Sendable {
    private let results = Mutex<[Result<ValidationOutcome, any Error>]>([])

    func add(_ result: Result<ValidationOutcome, any Error>) { results.withLock { $0.append(result) } }

    var all: [Result<ValidationOutcome, any Error>] { results.withLock { $0 } }
}
