import Testing

@testable import FlexSync

/// The watcher's Prometheus textfile: a job named anything stays one well-formed label, and a
/// failed cycle counts as failed without touching what successful cycles counted.
struct WatchMetricsTests {
    static func cycle(written: Int, failure: String? = nil) -> WatchCycle {
        var cycle = WatchCycle()
        cycle.seen = 5
        cycle.written = written
        cycle.requests = 3
        cycle.latencies = [1.5]
        cycle.failure = failure
        return cycle
    }

    @Test func aJobNameIsEscapedAsALabelValue() {
        let metrics = WatchMetrics(job: "crm \"eu\"\\west\nnight", file: nil)
        metrics.record(Self.cycle(written: 2))
        let text = metrics.text
        #expect(text.contains(#"flexsync_watch_written_total{job="crm \"eu\"\\west\nnight"} 2"#))
        #expect(
            text.contains(#"flexsync_watch_write_latency_seconds_bucket{job="crm \"eu\"\\west\nnight",le="2.0"} 1"#))
        #expect(text.split(separator: "\n").allSatisfy { $0.hasPrefix("# ") || $0.hasPrefix("flexsync_watch_") })
    }

    @Test func aFailedCycleIsCountedApart() {
        let metrics = WatchMetrics(job: "crm", file: nil)
        metrics.record(Self.cycle(written: 2))
        let success = metrics.lastSuccess
        metrics.record(Self.cycle(written: 0, failure: "GET /v1/Workspaces/WS1/Tasks: HTTP 503"))
        let text = metrics.text
        #expect(text.contains(#"flexsync_watch_cycles_total{job="crm"} 2"#))
        #expect(text.contains(#"flexsync_watch_failed_cycles_total{job="crm"} 1"#))
        #expect(text.contains(#"flexsync_watch_written_total{job="crm"} 2"#))
        #expect(text.contains(#"flexsync_watch_requests_total{job="crm"} 6"#))
        #expect(success > 0 && metrics.lastSuccess == success)
    }
}
