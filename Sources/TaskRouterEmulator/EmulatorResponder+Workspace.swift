import Foundation
import Hummingbird

extension EmulatorResponder {
    /// `GET /v1/Workspaces/{WorkspaceSid}`: every property of the OpenAPI workspace object.
    func fetchWorkspace(_ exchange: Exchange) -> Response {
        let seed = emulator.seed
        let ws = seed.workspaceSid
        let url = "\(exchange.base)/v1/Workspaces/\(ws)"
        let idle = "WA" + SIDGenerator.hex32(of: "Offline")
        let created = iso(Workspace.seedCreated)
        let object: [String: Any] = [
            "account_sid": seed.accountSid,
            "date_created": created,
            "date_updated": created,
            "default_activity_name": "Offline",
            "default_activity_sid": idle,
            "event_callback_url": NSNull(),
            "events_filter": NSNull(),
            "friendly_name": seed.workspaceFriendlyName,
            "multi_task_enabled": true,
            "sid": ws,
            "timeout_activity_name": "Offline",
            "timeout_activity_sid": idle,
            "prioritize_queue_order": "FIFO",
            "url": url,
            "links": [
                "activities": "\(url)/Activities",
                "statistics": "\(url)/Statistics",
                "real_time_statistics": "\(url)/RealTimeStatistics",
                "cumulative_statistics": "\(url)/CumulativeStatistics",
                "task_queues": "\(url)/TaskQueues",
                "tasks": "\(url)/Tasks",
                "workers": "\(url)/Workers",
                "workflows": "\(url)/Workflows",
                "task_channels": "\(url)/TaskChannels",
                "events": "\(url)/Events"
            ]
        ]
        return json(object, etag: nil)
    }
}
