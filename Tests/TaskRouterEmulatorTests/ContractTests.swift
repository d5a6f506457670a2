import Foundation
import TaskRouterEmulator
import Testing

/// The emulator's bodies against Twilio's OpenAPI description and recorded responses.
struct ContractTests {
    static var spec: [String: Any] { try! Reference.json("twilio_taskrouter_v1.json") }

    static func schema(_ name: String) -> [String: [String: Any]] {
        let schemas = (spec["components"] as! [String: Any])["schemas"] as! [String: Any]
        return (schemas[name] as! [String: Any])["properties"] as! [String: [String: Any]]
    }

    /// Checks that every property the description lists is present with the declared JSON type.
    static func checkAgainstSchema(_ body: [String: Any], schema: [String: [String: Any]], context: String) {
        for (property, definition) in schema {
            guard let value = body[property] else {
                Issue.record("\(context): property '\(property)' is missing")
                continue
            }
            if value is NSNull {
                #expect(definition["nullable"] as? Bool == true, "\(context): '\(property)' is null but not nullable")
                continue
            }
            let expected = (definition["type"] as? String) ?? (definition["$ref"] != nil ? "string" : "?")
            let ok: Bool
            switch expected {
            case "string": ok = value is String
            case "integer": ok = !JSONKind.isBoolean(value) && value is Int
            case "boolean": ok = JSONKind.isBoolean(value)
            case "object": ok = value is [String: Any]
            default: ok = false
            }
            #expect(ok, "\(context): '\(property)' should be \(expected), found \(value)")
            if definition["format"] as? String == "uri", let url = value as? String {
                #expect(
                    url.hasPrefix("http://") || url.hasPrefix("https://"), "\(context): '\(property)' is not absolute")
            }
            if definition["format"] as? String == "date-time", let text = value as? String {
                #expect(
                    text.wholeMatch(of: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z/) != nil,
                    "\(context): '\(property)' = \(text)")
            }
        }
    }

    static func checkSameShape(_ body: [String: Any], sample: [String: Any], ignoring: Set<String>, context: String) {
        for (key, value) in sample where !ignoring.contains(key) {
            guard let ours = body[key] else {
                Issue.record("\(context): '\(key)' from the recorded body is missing")
                continue
            }
            if value is NSNull || ours is NSNull { continue }
            #expect(
                JSONKind.of(ours) == JSONKind.of(value),
                "\(context): '\(key)' is \(JSONKind.of(ours)), recorded \(JSONKind.of(value))")
        }
        if let links = sample["links"] as? [String: Any], let ourLinks = body["links"] as? [String: Any] {
            #expect(
                Set(links.keys).isSubset(of: Set(ourLinks.keys)),
                "\(context): links \(Set(links.keys).subtracting(ourLinks.keys)) missing")
        }
    }

    @Test func workerBodiesMatchTheDescriptionAndRecordings() async throws {
        let harness = try await EmulatorHarness.start(workers: [
            .init(friendlyName: "ana", attributes: #"{"email":"ana@example.com"}"#)
        ])
        defer { Task { await harness.stop() } }
        let list = try await harness.send("GET", harness.workspacePath + "/Workers")
        #expect(list.status == 200)
        let worker = try #require((list.json["workers"] as? [[String: Any]])?.first)
        Self.checkAgainstSchema(worker, schema: Self.schema("taskrouter.v1.workspace.worker"), context: "list worker")
        let sid = try #require(worker["sid"] as? String)
        #expect(sid.wholeMatch(of: /WK[0-9a-f]{32}/) != nil)
        let fetched = try await harness.send("GET", harness.workspacePath + "/Workers/\(sid)")
        Self.checkAgainstSchema(
            fetched.json, schema: Self.schema("taskrouter.v1.workspace.worker"), context: "fetch worker")
        Self.checkSameShape(
            fetched.json, sample: try Reference.json("samples/worker_fetch.json"), ignoring: ["operating_unit_sid"],
            context: "worker_fetch")
        Self.checkSameShape(
            fetched.json, sample: try Reference.json("samples/oai_worker_fetch.json"), ignoring: [],
            context: "oai_worker_fetch")
        #expect(fetched.header("ETag") != nil)
        #expect(EmulatorHarness.attributes(fetched.json)?["email"] as? String == "ana@example.com")

        let updated = try await harness.send(
            "POST", harness.workspacePath + "/Workers/\(sid)", form: [("Attributes", #"{"email":"b@example.com"}"#)])
        Self.checkSameShape(
            updated.json, sample: try Reference.json("samples/worker_update.json"), ignoring: ["operating_unit_sid"],
            context: "worker_update")

        let sampleList = try Reference.json("samples/worker_list_page.json")
        let sampleMeta = sampleList["meta"] as! [String: Any]
        let meta = try #require(list.json["meta"] as? [String: Any])
        #expect(Set(meta.keys) == Set(sampleMeta.keys))
        #expect(meta["key"] as? String == "workers")
        let metaSchema =
            ((((((Self.spec["paths"] as! [String: Any])["/v1/Workspaces/{WorkspaceSid}/Workers"] as! [String: Any])[
                "get"] as! [String: Any])["responses"] as! [String: Any])["200"] as! [String: Any])["content"]
                as! [String: Any])
        let listSchema =
            ((metaSchema["application/json"] as! [String: Any])["schema"] as! [String: Any])["properties"]
            as! [String: [String: Any]]
        let metaProperties = listSchema["meta"]!["properties"] as! [String: [String: Any]]
        Self.checkAgainstSchema(meta, schema: metaProperties, context: "list meta")
    }

    @Test func taskBodiesMatchTheDescriptionAndRecordings() async throws {
        let harness = try await EmulatorHarness.start(tasks: [
            .init(assignmentStatus: "assigned", attributes: #"{"customers":{"phone":"+15551234567"}}"#)
        ])
        defer { Task { await harness.stop() } }
        let list = try await harness.send("GET", harness.workspacePath + "/Tasks")
        let task = try #require((list.json["tasks"] as? [[String: Any]])?.first)
        Self.checkAgainstSchema(task, schema: Self.schema("taskrouter.v1.workspace.task"), context: "list task")
        let sid = try #require(task["sid"] as? String)
        let fetched = try await harness.send("GET", harness.workspacePath + "/Tasks/\(sid)")
        Self.checkAgainstSchema(
            fetched.json, schema: Self.schema("taskrouter.v1.workspace.task"), context: "fetch task")
        Self.checkSameShape(
            fetched.json, sample: try Reference.json("samples/task_fetch.json"), ignoring: [], context: "task_fetch")
        Self.checkSameShape(
            fetched.json, sample: try Reference.json("samples/oai_task_fetch.json"), ignoring: [],
            context: "oai_task_fetch")
        #expect(fetched.json["assignment_status"] as? String == "assigned")
        let meta = try #require(list.json["meta"] as? [String: Any])
        #expect(meta["key"] as? String == "tasks")
        #expect(
            Set(meta.keys) == Set((try Reference.json("samples/task_list_page.json")["meta"] as! [String: Any]).keys))
    }

    @Test func theWorkspaceHasEveryPropertyOfTheDescription() async throws {
        let harness = try await EmulatorHarness.start()
        defer { Task { await harness.stop() } }
        let reply = try await harness.send("GET", harness.workspacePath)
        #expect(reply.status == 200)
        Self.checkAgainstSchema(reply.json, schema: Self.schema("taskrouter.v1.workspace"), context: "fetch workspace")
        #expect(reply.json["friendly_name"] as? String == "Flex Task Assignment")
        #expect(reply.json["sid"] as? String == EmulatorHarness.workspace)
        #expect(reply.json["url"] as? String == "\(harness.base)\(harness.workspacePath)")
        let other = try await harness.send("GET", "/v1/Workspaces/WS" + String(repeating: "e", count: 32))
        #expect(other.status == 404)
        #expect(other.json["code"] as? Int == 20404)
    }

    @Test func theSeedNamesTheWorkspace() throws {
        let seed = try EmulatorSeed.parse(
            Data(
                #"{"account_sid": "AC1", "auth_token": "t", "workspace_sid": "WS1", "workspace_friendly_name": "Support EU"}"#
                    .utf8))
        #expect(seed.workspaceFriendlyName == "Support EU")
        let plain = try EmulatorSeed.parse(
            Data(#"{"account_sid": "AC1", "auth_token": "t", "workspace_sid": "WS1"}"#.utf8))
        #expect(plain.workspaceFriendlyName == "Flex Task Assignment")
    }

    @Test func errorBodiesCarryTwilioFields() async throws {
        let harness = try await EmulatorHarness.start()
        defer { Task { await harness.stop() } }
        let reply = try await harness.send(
            "GET", harness.workspacePath + "/Workers/WK" + String(repeating: "0", count: 32))
        #expect(reply.status == 404)
        let body = reply.json
        #expect(body["code"] as? Int == 20404)
        #expect(body["status"] as? Int == 404)
        #expect(body["more_info"] as? String == "https://www.twilio.com/docs/errors/20404")
        #expect((body["message"] as? String)?.contains("was not found") == true)
        #expect(Set(body.keys) == ["code", "message", "more_info", "status"])
    }
}

/// The JSON kind of a value from JSONSerialization (which hands back booleans as NSNumber).
enum JSONKind {
    static func isBoolean(_ value: Any) -> Bool { String(describing: type(of: value)).contains("Boolean") }

    static func of(_ value: Any) -> String {
        if value is NSNull { return "null" }
        if isBoolean(value) { return "boolean" }
        if value is String { return "string" }
        if value is [String: Any] { return "object" }
        if value is [Any] { return "array" }
        if value is Int { return "integer" }
        if value is Double { return "number" }
        return "unknown"
    }
}
