import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// cron/flexsync-cron: locking, the env-file check, exit codes and the textfile.
@Suite(.serialized)
struct CronWrapperTests {
    static var script: String { Binaries.repositoryRoot.appendingPathComponent("cron/flexsync-cron").path }

    static func run(_ arguments: [String], in directory: URL) throws -> (status: Int32, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script] + arguments
        process.currentDirectoryURL = directory
        var environment = ProcessInfo.processInfo.environment
        environment["FLEXSYNC_BIN"] = Binaries.url("flexsync").path
        process.environment = environment
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let stderr = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stderr, as: UTF8.self))
    }

    static func envFile(_ workspace: EndToEndWorkspace, mode: mode_t) throws -> String {
        let path = workspace.directory.appendingPathComponent("flexsync.env").path
        try Data("TWILIO_ACCOUNT_SID=\(EndToEndWorkspace.account)\nTWILIO_AUTH_TOKEN=\(EndToEndWorkspace.token)\nFLEXSYNC_BASE_URL=\(workspace.emulator.baseURL)\n".utf8)
            .write(to: URL(fileURLWithPath: path))
        chmod(path, mode)
        return path
    }

    @Test func refusesAnEnvFileOthersCanRead() throws {
        let workspace = try EndToEndWorkspace(workers: 2)
        let env = try Self.envFile(workspace, mode: 0o644)
        let log = workspace.directory.appendingPathComponent("cron.log").path
        let result = try Self.run(["--name", "t", "--env-file", env, "--log", log, "--textfile-dir", workspace.directory.path, "--",
                                   "apply", workspace.job, "--yes"], in: workspace.directory)
        #expect(result.status == 78)
        let text = try String(contentsOfFile: log, encoding: .utf8)
        #expect(text.contains("refusing to run: env file '\(env)' is mode 644"))
        #expect(try workspace.requests().isEmpty)
        let prom = try String(contentsOfFile: workspace.directory.appendingPathComponent("flexsync_t.prom").path, encoding: .utf8)
        #expect(prom.contains("flexsync_last_run_exit_code{job=\"t\"} 78\n"))
    }

    @Test func runsAppliesAndWritesTheTextfile() throws {
        let workspace = try EndToEndWorkspace(workers: 3)
        let env = try Self.envFile(workspace, mode: 0o600)
        let log = workspace.directory.appendingPathComponent("cron.log").path
        let arguments = ["--name", "workers", "--env-file", env, "--log", log, "--textfile-dir", workspace.directory.path,
                         "--lock", workspace.directory.appendingPathComponent("cron.lock").path, "--", "apply", workspace.job, "--yes"]
        #expect(try Self.run(arguments, in: workspace.directory).status == 0)
        let prom = try String(contentsOfFile: workspace.directory.appendingPathComponent("flexsync_workers.prom").path, encoding: .utf8)
        let lines = prom.split(separator: "\n").map(String.init)
        let names = ["last_run_timestamp_seconds", "last_success_timestamp_seconds", "last_run_exit_code", "last_run_duration_seconds",
                     "last_run_changes_applied", "last_run_failures", "last_run_conflicts"]
        #expect(lines.count == names.count * 3)
        for (index, name) in names.enumerated() {
            #expect(lines[index * 3].hasPrefix("# HELP flexsync_\(name) "))
            #expect(lines[index * 3 + 1] == "# TYPE flexsync_\(name) gauge")
            let sample = lines[index * 3 + 2]
            #expect(sample.hasPrefix("flexsync_\(name){job=\"workers\"} "))
            #expect(Double(sample.split(separator: " ").last!) != nil, "\(sample)")
        }
        #expect(lines.contains("flexsync_last_run_changes_applied{job=\"workers\"} 3"))
        #expect(lines.contains("flexsync_last_run_exit_code{job=\"workers\"} 0"))
        let success = lines.first { $0.hasPrefix("flexsync_last_success_timestamp_seconds") }!.split(separator: " ").last!
        #expect(abs(Double(success)! - Date().timeIntervalSince1970) < 120)
        #expect(try String(contentsOfFile: log, encoding: .utf8).contains("3 applied, 0 unchanged"))
        // A failing run keeps the last success time and passes its exit code through.
        try Data("id,team_id,team\n".utf8).write(to: workspace.directory.appendingPathComponent("export.csv"))
        #expect(try Self.run(arguments, in: workspace.directory).status == 4)
        let after = try String(contentsOfFile: workspace.directory.appendingPathComponent("flexsync_workers.prom").path, encoding: .utf8)
        #expect(after.contains("flexsync_last_run_exit_code{job=\"workers\"} 4\n"))
        #expect(after.contains("flexsync_last_success_timestamp_seconds{job=\"workers\"} \(success)\n"))
    }

    @Test func neverOverlapsAPreviousRun() throws {
        let workspace = try EndToEndWorkspace(workers: 2)
        let env = try Self.envFile(workspace, mode: 0o600)
        let lock = workspace.directory.appendingPathComponent("cron.lock").path
        let descriptor = open(lock, O_RDWR | O_CREAT, 0o644)
        defer { close(descriptor) }
        #expect(flock(descriptor, LOCK_EX | LOCK_NB) == 0)
        let log = workspace.directory.appendingPathComponent("cron.log").path
        let result = try Self.run(["--name", "t", "--env-file", env, "--log", log, "--lock", lock, "--", "apply", workspace.job, "--yes"], in: workspace.directory)
        #expect(result.status == 6)
        #expect(try String(contentsOfFile: log, encoding: .utf8).contains("previous run still going (lock \(lock) held); not starting"))
        #expect(try workspace.requests().isEmpty)
    }
}
