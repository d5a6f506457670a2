import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// cron/flexsync-cron: locking, the env-file check, exit codes and the textfile.
@Suite(.serialized)
struct CronWrapperTests {
    static var script: String { Binaries.repositoryRoot.appendingPathComponent("cron/flexsync-cron").path }

    static func run(_ arguments: [String], in directory: URL, path: String? = nil) throws -> (
        status: Int32, stderr: String
    ) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script] + arguments
        process.currentDirectoryURL = directory
        var environment = ProcessInfo.processInfo.environment
        environment["FLEXSYNC_BIN"] = Binaries.url("flexsync").path
        if let path { environment["PATH"] = path + ":" + (environment["PATH"] ?? "/usr/bin:/bin") }
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
        try Data(
            "TWILIO_ACCOUNT_SID=\(EndToEndWorkspace.account)\nTWILIO_AUTH_TOKEN=\(EndToEndWorkspace.token)\nFLEXSYNC_BASE_URL=\(workspace.emulator.baseURL)\n"
                .utf8
        )
        .write(to: URL(fileURLWithPath: path))
        chmod(path, mode)
        return path
    }

    @Test func refusesAnEnvFileOthersCanRead() throws {
        let workspace = try EndToEndWorkspace(workers: 2)
        let env = try Self.envFile(workspace, mode: 0o644)
        let log = workspace.directory.appendingPathComponent("cron.log").path
        let result = try Self.run(
            [
                "--name", "t", "--env-file", env, "--log", log, "--textfile-dir", workspace.directory.path, "--",
                "apply", workspace.job, "--yes"
            ], in: workspace.directory)
        #expect(result.status == 78)
        let text = try String(contentsOfFile: log, encoding: .utf8)
        #expect(text.contains("refusing to run: env file '\(env)' is mode 644"))
        #expect(try workspace.requests().isEmpty)
        let prom = try String(
            contentsOfFile: workspace.directory.appendingPathComponent("flexsync_t.prom").path, encoding: .utf8)
        #expect(prom.contains("flexsync_last_run_exit_code{job=\"t\"} 78\n"))
    }

    @Test func runsAppliesAndWritesTheTextfile() throws {
        let workspace = try EndToEndWorkspace(workers: 3)
        let env = try Self.envFile(workspace, mode: 0o600)
        let log = workspace.directory.appendingPathComponent("cron.log").path
        let arguments = [
            "--name", "workers", "--env-file", env, "--log", log, "--textfile-dir", workspace.directory.path,
            "--lock", workspace.directory.appendingPathComponent("cron.lock").path, "--", "apply", workspace.job,
            "--yes"
        ]
        #expect(try Self.run(arguments, in: workspace.directory).status == 0)
        let prom = try String(
            contentsOfFile: workspace.directory.appendingPathComponent("flexsync_workers.prom").path, encoding: .utf8)
        let lines = prom.split(separator: "\n").map(String.init)
        let names = [
            "last_run_timestamp_seconds", "last_success_timestamp_seconds", "last_run_exit_code",
            "last_run_duration_seconds",
            "last_run_changes_applied", "last_run_failures", "last_run_conflicts"
        ]
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
        let success = lines.first { $0.hasPrefix("flexsync_last_success_timestamp_seconds") }!.split(separator: " ")
            .last!
        #expect(abs(Double(success)! - Date().timeIntervalSince1970) < 120)
        #expect(try String(contentsOfFile: log, encoding: .utf8).contains("3 applied, 0 unchanged"))
        // A failing run keeps the last success time and passes its exit code through.
        try Data("id,team_id,team\n".utf8).write(to: workspace.directory.appendingPathComponent("export.csv"))
        #expect(try Self.run(arguments, in: workspace.directory).status == 4)
        let after = try String(
            contentsOfFile: workspace.directory.appendingPathComponent("flexsync_workers.prom").path, encoding: .utf8)
        #expect(after.contains("flexsync_last_run_exit_code{job=\"workers\"} 4\n"))
        #expect(after.contains("flexsync_last_success_timestamp_seconds{job=\"workers\"} \(success)\n"))
    }

    @Test func rotatesALogPastTenMebibytes() throws {
        let workspace = try EndToEndWorkspace(workers: 1)
        let env = try Self.envFile(workspace, mode: 0o600)
        let log = workspace.directory.appendingPathComponent("cron.log")
        try Data(repeating: UInt8(ascii: "x"), count: 10 * 1024 * 1024).write(to: log)
        try Data("older\n".utf8).write(to: URL(fileURLWithPath: log.path + ".1"))
        let arguments = [
            "--name", "r", "--env-file", env, "--log", log.path, "--lock",
            workspace.directory.appendingPathComponent("l").path,
            "--", "validate", workspace.job
        ]
        #expect(try Self.run(arguments, in: workspace.directory).status == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: log.path + ".1")).count == 10 * 1024 * 1024)
        #expect(try String(contentsOfFile: log.path + ".2", encoding: .utf8) == "older\n")
        let fresh = try String(contentsOf: log, encoding: .utf8)
        #expect(fresh.contains("finished with exit code 0") && fresh.utf8.count < 10_000)
    }

    @Test func sendsOutputToSyslogWithTheJobsTag() throws {
        let workspace = try EndToEndWorkspace(workers: 1)
        let env = try Self.envFile(workspace, mode: 0o600)
        // A stand-in logger(1) that records its tag and what it was given.
        let bin = workspace.directory.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        let record = workspace.directory.appendingPathComponent("syslog.txt").path
        let fake = bin.appendingPathComponent("logger").path
        try Data("#!/bin/bash\n{ echo \"args: $*\"; [ \"$1\" = -t ] && [ $# -eq 2 ] && cat; } >> '\(record)'\n".utf8)
            .write(to: URL(fileURLWithPath: fake))
        chmod(fake, 0o755)
        let result = try Self.run(
            [
                "--name", "nightly", "--env-file", env, "--syslog", "--lock",
                workspace.directory.appendingPathComponent("l").path,
                "--", "validate", workspace.job
            ], in: workspace.directory, path: bin.path)
        #expect(result.status == 0)
        let text = try String(contentsOfFile: record, encoding: .utf8)
        #expect(text.contains("args: -t flexsync-nightly -- starting: flexsync validate"))
        #expect(text.contains("args: -t flexsync-nightly\n"))
        #expect(text.contains("1 rows read, 1 valid, 0 invalid"))
        #expect(text.contains("finished with exit code 0"))
    }

    @Test func neverOverlapsAPreviousRun() throws {
        let workspace = try EndToEndWorkspace(workers: 2)
        let env = try Self.envFile(workspace, mode: 0o600)
        let lock = workspace.directory.appendingPathComponent("cron.lock").path
        let descriptor = open(lock, O_RDWR | O_CREAT, 0o644)
        defer { close(descriptor) }
        #expect(flock(descriptor, LOCK_EX | LOCK_NB) == 0)
        let log = workspace.directory.appendingPathComponent("cron.log").path
        let result = try Self.run(
            ["--name", "t", "--env-file", env, "--log", log, "--lock", lock, "--", "apply", workspace.job, "--yes"],
            in: workspace.directory)
        #expect(result.status == 6)
        #expect(
            try String(contentsOfFile: log, encoding: .utf8).contains(
                "previous run still going (lock \(lock) held); not starting"))
        #expect(try workspace.requests().isEmpty)
    }
}
