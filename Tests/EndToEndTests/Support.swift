import Foundation

/// Where the built binaries are: `FLEXSYNC_BIN_DIR` (set by `make test`), else `.build/debug`.
enum Binaries {
    static var directory: URL {
        if let path = ProcessInfo.processInfo.environment["FLEXSYNC_BIN_DIR"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        return repositoryRoot.appendingPathComponent(".build/debug")
    }

    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }

    static func url(_ name: String) -> URL { directory.appendingPathComponent(name) }
}

enum Scratch {
    /// A fresh temporary directory.
    static func directory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("flexsync-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// A `taskrouter-emulator` process, started and read until its `listening` line.
final class RunningEmulator {
    let process = Process()
    let baseURL: String

    init(arguments: [String]) throws {
        process.executableURL = Binaries.url("taskrouter-emulator")
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = Data()
        let handle = output.fileHandleForReading
        while true {
            let byte = handle.readData(ofLength: 1)
            if byte.isEmpty || byte == Data([0x0A]) { break }
            line += byte
        }
        let text = String(decoding: line, as: UTF8.self)
        guard text.hasPrefix("listening ") else { throw CocoaError(.fileReadCorruptFile) }
        baseURL = String(text.dropFirst("listening ".count))
    }

    /// Sends SIGTERM and waits; returns the exit status.
    func terminate() -> Int32 {
        process.terminate()
        process.waitUntilExit()
        return process.terminationStatus
    }

    deinit { if process.isRunning { process.terminate() } }
}

/// The system's curl, as an outside HTTP client.
enum Curl {
    /// Replaces a worker's attributes as someone else would (Flex SSO, a supervisor); the status.
    @discardableResult
    static func post(_ url: String, user: String, attributes: String) throws -> Int {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = [
            "-s", "-o", "/dev/null", "-w", "%{http_code}", "-u", user, "--data-urlencode", "Attributes=\(attributes)",
            url
        ]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        process.waitUntilExit()
        return Int(String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)) ?? 0
    }

    static func status(_ url: String, user: String) throws -> Int {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = ["-s", "-o", "/dev/null", "-w", "%{http_code}", "-u", user, url]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        process.waitUntilExit()
        return Int(String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)) ?? 0
    }
}
