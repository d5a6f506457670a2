import Foundation
import Testing

/// `flexsync inspect` run as a person would on a new export.
struct InspectCommandTests {
    static func run(_ arguments: [String]) throws -> (status: Int32, stdout: String) {
        let process = Process()
        process.executableURL = Binaries.url("flexsync")
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func inspectsAnExcelExportAndDraftsAMapping() throws {
        let path = Binaries.repositoryRoot.appendingPathComponent("examples/exports/vendor/excel-hr-de.csv").path
        let masked = try Self.run(["inspect", path, "--draft-mapping", "workers"])
        #expect(masked.status == 0)
        #expect(
            masked.stdout.hasPrefix(
                "\(path): CSV, 28 records, encoding windows-1252 (not valid UTF-8), delimiter ';'\n"))
        #expect(masked.stdout.contains("Personalnummer") && !masked.stdout.contains("001201"))
        #expect(
            masked.stdout.contains("\ntarget: workers\n") && masked.stdout.contains("  agent_id: \"Personalnummer\""))
        let shown = try Self.run(["inspect", path, "--show-values"])
        #expect(shown.stdout.contains("'001201'"))
        #expect(try Self.run(["inspect", "/nonexistent.csv"]).status == 1)
    }
}
