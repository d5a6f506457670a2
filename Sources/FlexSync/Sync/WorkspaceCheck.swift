import Foundation

/// The place a run writes to, confirmed before its first write.
public struct ConfirmedWorkspace: Sendable, Equatable, CustomStringConvertible {
    public var baseURL: String
    public var sid: String
    /// The workspace's `friendly_name`, shown in confirmations and summaries.
    public var friendlyName: String

    /// `'Flex Task Assignment' (WS…) at https://taskrouter.twilio.com`
    public var description: String { "'\(friendlyName)' (\(sid)) at \(baseURL)" }
}

/// Why a run refused to write to the workspace it was pointed at.
public struct WorkspaceRefusal: Error, CustomStringConvertible {
    public var sid: String
    public var baseURL: String
    public var reason: String

    public var description: String {
        "workspace \(sid) at \(baseURL) \(reason): nothing written. Check the job's workspace_sid, the profile, "
            + "'--base-url' / FLEXSYNC_BASE_URL and the credentials"
    }
}

extension SyncContext {
    /// Reads the workspace once before anything is written, so that a plan pointed at another
    /// server or account is refused instead of meeting 404 on every target.
    public func confirmWorkspace() throws -> ConfirmedWorkspace {
        let sid = job.taskRouter.workspaceSid
        let base = client.baseURL
        do {
            let name = try client.fetchWorkspaceName(traffic: TrafficStats(), session: try CurlSession())
            return ConfirmedWorkspace(baseURL: base, sid: sid, friendlyName: name)
        } catch let error as TaskRouterError where error.status == 404 {
            throw WorkspaceRefusal(sid: sid, baseURL: base, reason: "does not exist for these credentials (HTTP 404)")
        } catch let error as TaskRouterError where error.status == 401 || error.status == 403 {
            throw WorkspaceRefusal(
                sid: sid, baseURL: base,
                reason: "refused the credentials (HTTP \(error.status ?? 401))")
        }
    }
}
