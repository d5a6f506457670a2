import ArgumentParser
import Foundation
import TaskRouterEmulator

@main
struct EmulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "taskrouter-emulator",
        abstract: "A local TaskRouter v1 server (Workers and Tasks) for flexsync's tests, benchmarks and demo.",
        discussion: """
            Prints 'listening http://127.0.0.1:PORT' as its first line once it accepts connections.
            On SIGTERM or SIGINT it writes --state-out, closes --log and exits 0.
            """
    )

    @Option(help: "Port to listen on; 0 picks a free one.") var port = 0
    @Option(help: "Address to bind (loopback by default).") var host = "127.0.0.1"
    @Option(help: "Seed file (JSON) with the account, credentials, workers and tasks.") var seed: String
    @Option(help: "Accept at most N requests in any one-second window; answer 429 beyond it.") var rps: Int?
    @Flag(help: "Send Retry-After with 429 responses.") var retryAfter = false
    @Option(help: "Share of requests answered 500/503 (for POSTs, half of them after applying the update).")
    var failRate = 0.0
    @Option(help: "Share of requests whose connection is closed with no response.") var resetRate = 0.0
    @Option(help: "Share of workers and tasks whose every update is answered 400 (drawn once per target).")
    var refuseRate = 0.0
    @Option(help: "Seconds after the first request, START:END, during which every request is answered 503.")
    var outage: String?
    @Option(help: "Delay added to every request, in milliseconds, with ±25% jitter.") var latencyMs = 0
    @Option(help: "Seed for fault draws, so faults are reproducible.") var randomSeed: UInt64 = 1
    @Flag(help: "Answer lists with \"attributes\": null, as production may.") var nullListAttributes = false
    @Option(help: "Seconds before a completed or canceled task is deleted.") var taskTtl = 120.0
    @Option(help: "On exit, write the final state (attributes parsed) to this file.") var stateOut: String?
    @Option(help: "Append one JSON line per request to this file.") var log: String?
    @Option(help: "Live traffic: create tasks at this many per second (Poisson arrivals).") var taskArrivals = 0.0
    @Option(help: "Live traffic: a task's lifetime in seconds, MIN:MAX (reserved, assigned, wrapping, completed).")
    var taskLifetime = "60:300"
    @Option(help: "Live traffic: a CSV of callers with 'phone' and/or 'email' columns.") var taskCustomers: String?

    func validate() throws {
        guard (0...1).contains(failRate), (0...1).contains(resetRate), failRate + resetRate <= 1 else {
            throw ValidationError("'--fail-rate' and '--reset-rate' must be between 0 and 1, and add up to at most 1")
        }
        guard (0...1).contains(refuseRate) else { throw ValidationError("'--refuse-rate' must be between 0 and 1") }
        if let rps, rps < 1 { throw ValidationError("'--rps' must be at least 1") }
        guard lifetime != nil else {
            throw ValidationError("'--task-lifetime' takes MIN:MAX seconds, with 0 < MIN <= MAX")
        }
        if outage != nil && outageWindow == nil {
            throw ValidationError("'--outage' takes START:END seconds, with 0 <= START <= END")
        }
        if taskArrivals > 0 && taskCustomers == nil {
            throw ValidationError("'--task-arrivals' needs '--task-customers FILE'")
        }
    }

    var lifetime: ClosedRange<Double>? {
        let parts = taskLifetime.split(separator: ":").compactMap { Double($0) }
        guard parts.count == 2, parts[0] > 0, parts[0] <= parts[1] else { return nil }
        return parts[0]...parts[1]
    }

    var outageWindow: ClosedRange<Double>? {
        let parts = (outage ?? "").split(separator: ":").compactMap { Double($0) }
        guard parts.count == 2, parts[0] >= 0, parts[0] <= parts[1] else { return nil }
        return parts[0]...parts[1]
    }

    func run() async throws {
        var options = EmulatorOptions()
        options.requestsPerSecond = rps
        options.sendRetryAfter = retryAfter
        options.failRate = failRate
        options.resetRate = resetRate
        options.refuseRate = refuseRate
        options.latencyMilliseconds = latencyMs
        options.outage = outageWindow
        options.randomSeed = randomSeed
        options.nullListAttributes = nullListAttributes
        options.taskTTLSeconds = taskTtl
        options.requestLogPath = log
        options.taskArrivalsPerSecond = taskArrivals
        options.taskLifetime = lifetime ?? 60...300
        options.taskCustomersPath = taskCustomers
        let emulator: TaskRouterEmulator
        do {
            emulator = try TaskRouterEmulator(seed: try EmulatorSeed.load(path: seed), options: options)
        } catch {
            FileHandle.standardError.write(Data("taskrouter-emulator: \(error)\n".utf8))
            throw ExitCode(1)
        }
        try await emulator.runUntilSignalled(host: host, port: port) { port in
            FileHandle.standardOutput.write(Data("listening http://\(host):\(port)\n".utf8))
        }
        if let stateOut {
            try emulator.stateJSON().write(to: URL(fileURLWithPath: stateOut), options: .atomic)
        }
    }
}
