import Foundation
import Testing

@testable import FlexSync

/// Two valid records sharing a value of a match key after the first (an e-mail, a phone) stay
/// valid, and the later one is warned that a target found by that value alone is ambiguous —
/// the same whether the run keeps an index of match values (a tasks plan) or not (validate).
struct FallbackKeyTests {
    static let crm = """
        Id,Phone,Email,Name
        C1,+44 20 7946 0018,ana@example.com,Ana
        C2,+44 20 7946 0019,Shared@Example.com,Bo
        C3,+44 20 7946 0019,shared@example.com,Chloé
        C4,,ana@example.com,Dmitri
        C5,+44 20 7946 0020,,Ewa
        C5,+44 20 7946 0021,ewa@example.com,Ewa Twin
        C6,+44 20 7946 0020,other@example.com,Farid

        """

    static let mapping = """
        target: tasks
        key: { match: [customers.external_id, customers.phone, customers.email] }
        attributes:
          customers.external_id: Id
          customers.phone: { field: Phone, transforms: [{ phone: { default_country: GB } }] }
          customers.email: { field: Email, transforms: [email] }
          customers.name: Name
        """

    @Test(arguments: [false, true])
    func sharedFallbackValuesAreWarnedOnTheLaterRecord(keepRecords: Bool) throws {
        let job = try TrustJob.file(
            Array(Self.crm.utf8), name: "crm.csv", format: "csv", mapping: Self.mapping,
            policies: "{ max_invalid_share: 1 }")
        let outcome = try DatasetValidator(job: job, keepRecords: keepRecords).run()
        let warnings = outcome.problems.filter { $0.rule.hasPrefix("duplicate fallback key") }
        // Lines 4 (phone and e-mail, case-folded, of line 3), 5 (e-mail of line 2) and 8 (the
        // phone of line 6); line 7's C5 is the first key's duplicate: an error, not a warning,
        // and its row and line 6 are invalid, so neither counts as the first of a fallback value.
        #expect(
            warnings.map { "\($0.position?.line ?? 0) \($0.field)" }
                == ["4 customers.phone", "4 customers.email", "5 customers.email"],
            "\(outcome.problems.map { "\($0.position?.line ?? 0) \($0.field) \($0.rule)" })")
        #expect(warnings.allSatisfy { $0.severity == .warning && $0.value == nil })
        #expect(warnings.first?.rule.contains("also on") == true && warnings.first?.rule.contains("crm.csv:3") == true)
        #expect(outcome.valid == 5 && outcome.invalid == 2)
    }
}
