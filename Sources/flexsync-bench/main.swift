// flexsync-bench: reads an export with flexsync's own readers — every field materialised as a
// string inside the reader, as Python's csv does — and prints {"records", "seconds", "fields"}
// as JSON. Like the Python baselines it then only counts. Driven by bench/run.py.
// `phones` instead maps a `country,phone` CSV through the `phone` transform, every number read in
// its row's country on one thread (as Python's `phonenumbers` does), and counts the accepted ones
// in "fields".
//
//   flexsync-bench csv FILE
//   flexsync-bench xml FILE RECORD_PATH PREFIX=URI[*] FIELD...
//   flexsync-bench phones FILE
import FlexSync
import Foundation

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("flexsync-bench: \(message)\n".utf8))
    exit(1)
}

let arguments = Array(CommandLine.arguments.dropFirst())
guard arguments.count >= 2 else {
    fail("usage: flexsync-bench csv FILE | xml FILE RECORD_PATH PREFIX=URI FIELD... | phones FILE")
}
let file = arguments[1]
let started = Date()
var records = 0
var fields = 0
/// The `phone` transform alone: E.164 in the row's country, the form matching compares.
let phoneMapping = """
    target: workers
    key: { match: [agent_id] }
    attributes:
      agent_id: { const: "1" }
      phone: { field: phone, transforms: [{ phone: { country_field: country } }] }
    """

do {
    let reader: RecordReader
    switch arguments[0] {
    case "phones":
        let mapping = try Mapping.parse(phoneMapping, path: "phones.yaml")
        let csv = try CSVReader(path: file)
        let bound = mapping.bind(to: csv.schema, policy: Mapping.RunPolicy())
        while let record = try csv.next() {
            records += 1
            if bound.map(record).isValid { fields += 1 }
        }
        print(#"{"records": \#(records), "seconds": \#(Date().timeIntervalSince(started)), "fields": \#(fields)}"#)
        exit(0)
    case "csv":
        reader = try CSVReader(path: file)
    case "xml":
        guard arguments.count >= 4 else { fail("xml needs RECORD_PATH PREFIX=URI FIELD...") }
        var namespaces: [String: NamespaceMatch] = [:]
        var fields: [String] = []
        for argument in arguments[3...] {
            if let equals = argument.firstIndex(of: "="), !argument.contains("[") {
                namespaces[String(argument[..<equals])] = NamespaceMatch(
                    declaration: String(argument[argument.index(after: equals)...]))
            } else {
                fields.append(argument)
            }
        }
        reader = try XMLReader(
            path: file,
            options: XMLOptions(
                recordPath: try XMLPath(arguments[2], namespaces: namespaces),
                fields: try fields.map { XMLField(name: $0, path: try XMLPath($0, namespaces: namespaces)) }))
    default:
        fail("unknown format '\(arguments[0])'")
    }
    while let record = try reader.next() {
        records += 1
        fields &+= record.count
    }
} catch {
    fail("\(error)")
}
let seconds = Date().timeIntervalSince(started)
print(#"{"records": \#(records), "seconds": \#(seconds), "fields": \#(fields)}"#)
