import Testing

@testable import FlexSync

/// Flex Insights' rules, each with a passing and a failing case and the exact message.
struct RuleTests {
    @Test(arguments: [
        ("team_nmae", "m.yaml:5:3: unknown Flex Insights worker attribute 'team_nmae' (did you mean 'team_name'?)"),
        (
            "agent_attribute_4",
            "m.yaml:5:3: 'agent_attribute_4' is past the last custom slot: Insights has agent_attribute_1 to agent_attribute_3"
        ),
        (
            "agent_label_0",
            "m.yaml:5:3: 'agent_label_0' is past the last custom slot: Insights has agent_label_1 to agent_label_3"
        ),
        (
            "conversation_attribute_2",
            "m.yaml:5:3: 'conversation_attribute_2' is not a worker attribute; it belongs under 'conversations'"
        ),
        ("favourite_colour", "m.yaml:5:3: unknown Flex Insights worker attribute 'favourite_colour'")
    ])
    func unknownAndMisplacedWorkerKeysAreRefused(key: String, message: String) {
        #expect(errorMessage { _ = try Mapping.parse(MapHarness.one(key, "v"), path: "m.yaml") } == message)
    }

    @Test func theSourcePagesOwnExampleMistakesAreCaught() {
        // conversation_attribute_2 inside customers, and conversation_attribute_1 twice.
        let misplaced = """
            target: tasks
            key: { match: [customers.external_id] }
            attributes:
              customers.external_id: id
              customers.conversation_attribute_2: v
            """
        #expect(
            errorMessage { _ = try Mapping.parse(misplaced, path: "m.yaml") }
                == "m.yaml:5:3: 'conversation_attribute_2' is not a customers attribute; it belongs under 'conversations'"
        )
        let duplicated = """
            target: tasks
            key: { match: [customers.external_id] }
            attributes:
              customers.external_id: id
              conversations.conversation_attribute_1: a
              conversations.conversation_attribute_1: b
            """
        #expect(
            errorMessage { _ = try Mapping.parse(duplicated, path: "m.yaml") }
                == "m.yaml:5:3: duplicate key 'conversations.conversation_attribute_1' in one mapping (YAML would silently keep only the last)"
        )
        #expect(
            errorMessage {
                _ = try Mapping.parse(
                    MapHarness.one("customer_label_4", "v").replacingOccurrences(
                        of: "target: workers", with: "target: tasks"), path: "m.yaml")
            } != nil)
    }

    @Test func measuresMustBeNumeric() throws {
        let yaml = """
            target: tasks
            key: { match: [customers.external_id] }
            attributes:
              customers.external_id: id
              conversations.conversation_measure_3: v
            """
        #expect(
            try MapHarness.value(yaml, csv: "id,v\n1,12.5\n", key: "conversations.conversation_measure_3") == "12.5")
        #expect(
            try MapHarness.value(yaml, csv: "id,v\n1,high\n", key: "conversations.conversation_measure_3")
                == "error: in.csv:2: conversations.conversation_measure_3: measure must be numeric: high")
    }

    @Test func valuesOver128CharactersFailOrAreTruncated() throws {
        let long = String(repeating: "é", count: 130)
        let yaml = MapHarness.one("location", "v")
        #expect(
            try MapHarness.value(yaml, csv: "id,v\n1,\(long)\n", key: "location")
                == "error: in.csv:2: location: longer than 128 characters (130): \(long)")
        let records = try MapHarness.map(yaml, csv: "id,v\n1,\(long)\n", policy: .init(tooLong: .truncate))
        #expect(records[0].set.first { $0.key == "location" }?.value == .string(String(repeating: "é", count: 128)))
        #expect(records[0].problems.map(\.rule) == ["truncated to 128 characters"])
        #expect(
            try MapHarness.value(yaml, csv: "id,v\n1,\(String(repeating: "x", count: 128))\n", key: "location").count
                == 130)
    }

    @Test func namesNeedTheirIds() throws {
        let yaml = """
            target: workers
            key: { match: [agent_id] }
            attributes:
              agent_id: id
              team_id: t
              team_name: n
            """
        #expect(try MapHarness.map(yaml, csv: "id,t,n\n1,T1,Sales\n")[0].isValid)
        let missing = try MapHarness.map(yaml, csv: "id,t,n\n1,,Sales\n")[0]
        #expect(
            missing.problems.map { $0.line(showValues: false) } == [
                "in.csv:2: team_name: 'team_name' shows in Insights only when 'team_id' is set"
            ])
    }

    @Test func anEmptyKeyRejectsTheRow() throws {
        let record = try MapHarness.map(MapHarness.one("location", "v"), csv: "id,v\n,x\n")[0]
        #expect(record.problems.map { $0.line(showValues: false) } == ["in.csv:2: agent_id: empty key 'agent_id'"])
    }

    @Test func personalValuesAreMaskedAndCanBeWithheld() throws {
        let yaml = MapHarness.one("email", "{ field: v, transforms: [email] }")
        let bad = try MapHarness.map(yaml, csv: "id,v\n1,ana-at-example\n")[0].problems[0]
        #expect(bad.line(showValues: false) == "in.csv:2: email: not an e-mail address: a*** (14 chars)")
        #expect(bad.line(showValues: true) == "in.csv:2: email: not an e-mail address: ana-at-example")
        let withheld = try MapHarness.map(
            yaml, csv: "id,v\n1,ana@example.com\n", policy: .init(withholdPersonal: true))[0]
        #expect(withheld.set.map(\.key) == ["agent_id"])
    }

    @Test(arguments: [
        (
            "target: workers\nkey: { match: [agent_id] }\nattributes: { agent_id: id }\nextra: 1\n",
            "m.yaml:4:1: unknown key 'extra' in the mapping"
        ),
        (
            "target: agents\nkey: { match: [agent_id] }\nattributes: { agent_id: id }\n",
            "m.yaml:1:9: 'target' must be one of 'workers', 'tasks', not 'agents'"
        ),
        (
            "target: workers\nkey: { match: [email] }\nattributes: { agent_id: id }\n",
            "m.yaml:2:15: key 'email' must be one of the mapped attributes"
        ),
        (
            "target: workers\nkey: { match: [agent_id] }\nattributes: { agent_id: { field: id, transforms: [trimm] } }\n",
            "m.yaml:3:51: unknown transform 'trimm' (did you mean 'trim'?)"
        ),
        (
            "target: workers\nkey: { match: [agent_id] }\nattributes: { agent_id: { feild: id } }\n",
            "m.yaml:3:27: unknown key 'feild' in 'agent_id' (did you mean 'field'?)"
        ),
        (
            "target: workers\nkey: { match: [agent_id] }\nattributes: { agent_id: { field: id, transforms: [{ date: dd.QQ.yyyy }] } }\n",
            "m.yaml:3:59: 'agent_id'.transforms.date: unknown date pattern letter 'Q' (use yyyy, yy, MMMM, MMM, MM, M, dd, d; a time such as HH:mm may follow the date): 'dd.QQ.yyyy'"
        ),
        (
            "target: workers\nkey: { match: [agent_id] }\nattributes: { agent_id: { field: id, transforms: [{ replace: \"(\" }] } }\n",
            "m.yaml:3:62: 'agent_id'.transforms.replace: invalid regular expression /(/"
        )
    ])
    func mappingFilesAreCheckedStrictly(yaml: String, message: String) {
        #expect(errorMessage { _ = try Mapping.parse(yaml, path: "m.yaml") } == message)
    }
}
