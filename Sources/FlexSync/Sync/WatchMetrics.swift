import Foundation

/// `watch`'s running totals, written after every cycle as a Prometheus node_exporter textfile
/// (atomically: a temporary file renamed over the old one), beside the cron wrapper's.
final class WatchMetrics {
    /// Upper bounds of the creation-to-write latency histogram, in seconds.
    static let buckets: [Double] = [1, 2, 5, 10, 15, 20, 30, 60, 120, 300]

    let job: String
    let file: String?
    var cycles = 0
    var seen = 0
    var written = 0
    var unchanged = 0
    var unmatched = 0
    var gone = 0
    var failed = 0
    var conflicts = 0
    var requests = 0
    var reloads = 0
    var reloadFailures = 0
    var gatesTripped = 0
    var failedCycles = 0
    var heldBack = 0
    var lastCycleSeconds = 0.0
    /// When a cycle last ran to its end ungated (0 before the first): an alert on its age
    /// catches a watcher that runs but cannot reach TaskRouter, or whose gates stop every cycle.
    var lastSuccess = 0.0
    private var bucketCounts = [Int](repeating: 0, count: WatchMetrics.buckets.count)
    private var latencyCount = 0
    private var latencySum = 0.0

    init(job: String, file: String?) {
        self.job = job
        self.file = file
    }

    func record(_ cycle: WatchCycle) {
        cycles += 1
        requests += cycle.requests
        lastCycleSeconds = cycle.seconds
        if cycle.failure != nil {
            failedCycles += 1
        } else {
            recordCompleted(cycle)
        }
        try? write()
    }

    /// What a cycle that ran to its end saw and did.
    private func recordCompleted(_ cycle: WatchCycle) {
        // A cycle a gate stopped wrote nothing the export asked for: not a success to alert on.
        if !cycle.gated { lastSuccess = Date().timeIntervalSince1970 }
        seen = cycle.seen
        written += cycle.written
        unchanged += cycle.unchanged
        unmatched += cycle.unmatched
        gone += cycle.gone
        failed += cycle.failed
        conflicts += cycle.conflicts
        heldBack += cycle.heldBack
        for latency in cycle.latencies {
            latencyCount += 1
            latencySum += latency
            for (index, bound) in Self.buckets.enumerated() where latency <= bound { bucketCounts[index] += 1 }
        }
    }

    /// The textfile's content.
    var text: String {
        let label = "{job=\"\(jobLabel)\"}"
        var lines: [String] = []
        func metric(_ name: String, _ type: String, _ help: String, _ value: String) {
            lines.append("# HELP flexsync_watch_\(name) \(help)")
            lines.append("# TYPE flexsync_watch_\(name) \(type)")
            lines.append("flexsync_watch_\(name)\(label) \(value)")
        }
        metric(
            "last_cycle_timestamp_seconds", "gauge", "When the last cycle ended.",
            "\(Int(Date().timeIntervalSince1970))")
        metric(
            "last_success_timestamp_seconds", "gauge", "When a cycle last ran to its end (0: none yet).",
            "\(Int(lastSuccess))")
        metric(
            "last_cycle_duration_seconds", "gauge", "How long the last cycle took.",
            String(format: "%.3f", lastCycleSeconds))
        metric("targets_seen", "gauge", "Targets listed in the last cycle.", "\(seen)")
        metric("cycles_total", "counter", "Cycles run.", "\(cycles)")
        metric("written_total", "counter", "Targets written.", "\(written)")
        metric("unchanged_total", "counter", "Targets handled before and unchanged since.", "\(unchanged)")
        metric("unmatched_total", "counter", "Tasks no export record matched.", "\(unmatched)")
        metric("gone_total", "counter", "Tasks deleted before they could be written.", "\(gone)")
        metric("failed_total", "counter", "Targets whose write failed.", "\(failed)")
        metric("conflicts_total", "counter", "Targets skipped because a managed key changed meanwhile.", "\(conflicts)")
        metric("requests_total", "counter", "Requests sent to TaskRouter.", "\(requests)")
        metric("reloads_total", "counter", "Exports reloaded after their files changed.", "\(reloads)")
        metric(
            "reload_failures_total", "counter", "Changed exports refused (the previous one kept serving).",
            "\(reloadFailures)")
        metric(
            "failed_cycles_total", "counter", "Cycles TaskRouter failed (unreachable, 5xx or 429 past the retries).",
            "\(failedCycles)")
        metric(
            "held_back_total", "counter", "Targets not tried in a cycle because TaskRouter refused their last writes.",
            "\(heldBack)")
        metric("gates_tripped_total", "counter", "Cycles a safety gate stopped (workers jobs).", "\(gatesTripped)")
        let name = "flexsync_watch_write_latency_seconds"
        lines.append("# HELP \(name) Task creation to its attributes written.")
        lines.append("# TYPE \(name) histogram")
        for (index, bound) in Self.buckets.enumerated() {
            lines.append("\(name)_bucket{job=\"\(jobLabel)\",le=\"\(bound)\"} \(bucketCounts[index])")
        }
        lines.append("\(name)_bucket{job=\"\(jobLabel)\",le=\"+Inf\"} \(latencyCount)")
        lines.append("\(name)_sum\(label) \(String(format: "%.3f", latencySum))")
        lines.append("\(name)_count\(label) \(latencyCount)")
        return lines.joined(separator: "\n") + "\n"
    }

    /// The job's name as a label value: backslash, double quote and line feed escaped, as the
    /// exposition format requires (a job may be named anything).
    var jobLabel: String {
        job.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    private func write() throws {
        guard let file else { return }
        try Data(text.utf8).write(to: URL(fileURLWithPath: file), options: .atomic)
    }
}
