import Foundation
import Hummingbird
import NIOCore

/// Routes requests to the Workers and Tasks endpoints of TaskRouter v1.
struct EmulatorResponder: HTTPResponder {
    typealias Context = EmulatorContext
    let emulator: TaskRouterEmulator

    func respond(to request: Request, context: EmulatorContext) async throws -> Response {
        let now = Date().timeIntervalSince1970
        let method = request.method.rawValue
        let path = request.uri.path
        var entry = RequestLogEntry(
            time: now, method: method, path: path, query: request.uri.query ?? "",
            status: 0, ifMatch: request.headers[.ifMatch], applied: false)
        let options = emulator.options
        if options.latencyMilliseconds > 0 {
            let jitter = Double.random(in: 0.75...1.25)
            try? await Task.sleep(nanoseconds: UInt64(Double(options.latencyMilliseconds) * jitter * 1_000_000))
        }
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        let exchange = Exchange(request: request, body: String(buffer: body), base: baseURL(of: request))

        var response: Response
        let admission = emulator.rateWindow?.admit(now: now)
        if let failure = authenticate(request) {
            response = failure
        } else if let window = emulator.rateWindow, let admission, !admission.accepted {
            response = error(429, 20429, "Too Many Requests")
            response.headers[.init("X-Rate-Limit-Limit")!] = String(window.limit)
            response.headers[.init("X-Rate-Limit-Remaining")!] = "0"
            if options.sendRetryAfter {
                response.headers[.retryAfter] = String(max(1, Int(admission.retryAfter.rounded(.up))))
            }
        } else if emulator.isInOutage(now: now) {
            response = error(503, 20503, "Service Unavailable")
        } else if method == "POST" && emulator.faults.refuses(path: path) && emulator.workspace.holds(path: path) {
            response = error(400, 20001, "Invalid Attributes: the update was refused")
        } else {
            switch emulator.faults.fault(method: method, path: path) {
            case .none:
                (response, entry.applied) = route(exchange)
            case .reset(let afterApplying):
                if afterApplying { entry.applied = route(exchange).applied }
                entry.status = 0
                emulator.log.append(entry)
                context.channel.close(mode: .all, promise: nil)
                return Response(status: .internalServerError)
            case .serverError(let status, let afterApplying):
                if afterApplying { entry.applied = route(exchange).applied }
                response =
                    status == 500
                    ? error(500, 20500, "Internal Server Error") : error(503, 20503, "Service Unavailable")
            }
            if let window = emulator.rateWindow, let admission {
                response.headers[.init("X-Rate-Limit-Limit")!] = String(window.limit)
                response.headers[.init("X-Rate-Limit-Remaining")!] = String(admission.remaining)
                response.headers[.init("X-Rate-Limit-Config")!] = "Workspace-Requests"
            }
        }
        entry.status = Int(response.status.code)
        emulator.log.append(entry)
        return response
    }

    private func baseURL(of request: Request) -> String {
        "http://" + (request.head.authority ?? "127.0.0.1:\(emulator.port ?? 0)")
    }

    // MARK: Auth

    private func authenticate(_ request: Request) -> Response? {
        let denied = error(401, 20003, "Authenticate")
        guard let header = request.headers[.authorization], header.hasPrefix("Basic "),
            let decoded = Data(base64Encoded: String(header.dropFirst(6))),
            let text = String(data: decoded, encoding: .utf8),
            let colon = text.firstIndex(of: ":")
        else { return denied }
        let user = String(text[..<colon])
        let secret = String(text[text.index(after: colon)...])
        if user == emulator.seed.accountSid && secret == emulator.seed.authToken { return nil }
        if emulator.seed.apiKeys.contains(where: { $0.sid == user && $0.secret == secret }) { return nil }
        return denied
    }

    // MARK: Routing

    /// One request's parts, decoded once.
    struct Exchange {
        let request: Request
        let form: [String: [String]]
        let query: [String: [String]]
        let base: String
        let segments: [String]

        init(request: Request, body: String, base: String) {
            self.request = request
            self.base = base
            form = Exchange.decodeForm(body)
            query = Exchange.decodeForm(request.uri.query ?? "")
            segments = request.uri.path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        }

        static func decodeForm(_ text: String) -> [String: [String]] {
            var result: [String: [String]] = [:]
            for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let key = decode(parts[0])
                let value = parts.count > 1 ? decode(parts[1]) : ""
                result[key, default: []].append(value)
            }
            return result
        }

        static func decode(_ text: Substring) -> String {
            String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(text)
        }
    }

    private func route(_ exchange: Exchange) -> (Response, applied: Bool) {
        let segments = exchange.segments
        let method = exchange.request.method
        guard segments.count >= 3, segments[0] == "v1", segments[1] == "Workspaces",
            segments[2] == emulator.workspaceSid, segments.count <= 5
        else {
            return (notFound(exchange.request.uri.path), false)
        }
        if segments.count == 3 {
            return (method == .get ? fetchWorkspace(exchange) : error(405, 20004, "Method not allowed"), false)
        }
        let sid = segments.count == 5 ? segments[4] : nil
        switch (segments[3], sid, method) {
        case ("Workers", nil, .get): return (listWorkers(exchange), false)
        case ("Workers", let sid?, .get): return (fetchWorker(sid, exchange), false)
        case ("Workers", let sid?, .post): return updateWorker(sid, exchange)
        case ("Tasks", nil, .get): return (listTasks(exchange), false)
        case ("Tasks", let sid?, .get): return (fetchTask(sid, exchange), false)
        case ("Tasks", let sid?, .post): return updateTask(sid, exchange)
        case ("Workers", _, _), ("Tasks", _, _):
            return (error(405, 20004, "Method not allowed"), false)
        default:
            return (notFound(exchange.request.uri.path), false)
        }
    }

    // MARK: Workers

    private func listWorkers(_ exchange: Exchange) -> Response {
        let query = exchange.query
        let paging: Paging
        switch Paging.parse(query) {
        case .success(let value): paging = value
        case .failure(let failure): return error(400, 20001, failure.message)
        }
        let activityName = query["ActivityName"]?.last
        let friendlyName = query["FriendlyName"]?.last?.lowercased()
        let available = query["Available"]?.last.map { ["true", "1", "yes"].contains($0.lowercased()) }
        let page = emulator.workspace.workerPage(after: paging.afterSid, size: paging.size) { worker in
            (activityName == nil || worker.activityName == activityName)
                && (friendlyName == nil || worker.friendlyName.lowercased() == friendlyName)
                && (available == nil || worker.available == available)
        }
        let filters = ["ActivityName", "Available", "FriendlyName"].compactMap { key in
            query[key]?.last.map { (key, $0) }
        }
        let items = page.items.map { workerJSON($0, base: exchange.base, inList: true) }
        return listResponse(
            key: "workers", items: items, lastSid: page.items.last?.sid, more: page.more,
            paging: paging, filters: filters, exchange: exchange, revision: page.revision)
    }

    private func fetchWorker(_ sid: String, _ exchange: Exchange) -> Response {
        guard let worker = emulator.workspace.worker(sid) else { return notFound(exchange.request.uri.path) }
        return json(workerJSON(worker, base: exchange.base, inList: false), etag: worker.revision)
    }

    private func updateWorker(_ sid: String, _ exchange: Exchange) -> (Response, applied: Bool) {
        let attributes = exchange.form["Attributes"]?.last
        let friendlyName = exchange.form["FriendlyName"]?.last
        if let attributes, let problem = Validation.attributesProblem(attributes) {
            return (error(400, 20001, problem), false)
        }
        if let friendlyName, friendlyName.count > 64 {
            return (error(400, 20001, "FriendlyName must be at most 64 characters"), false)
        }
        switch emulator.workspace.updateWorker(
            sid, ifMatch: exchange.request.headers[.ifMatch], attributes: attributes, friendlyName: friendlyName)
        {
        case .notFound: return (notFound(exchange.request.uri.path), false)
        case .preconditionFailed(let current):
            return (error(412, 20412, "Precondition Failed: the Worker's ETag is \"\(current.revision)\""), false)
        case .updated(let worker):
            return (json(workerJSON(worker, base: exchange.base, inList: false), etag: worker.revision), true)
        }
    }

    private func workerJSON(_ worker: Workspace.Worker, base: String, inList: Bool) -> [String: Any] {
        let ws = emulator.workspaceSid
        let url = "\(base)/v1/Workspaces/\(ws)/Workers/\(worker.sid)"
        let attributes: Any = inList && emulator.options.nullListAttributes ? NSNull() : worker.attributes
        return [
            "account_sid": emulator.workspace.accountSid,
            "activity_name": worker.activityName,
            "activity_sid": worker.activitySid,
            "attributes": attributes,
            "available": worker.available,
            "date_created": iso(worker.dateCreated),
            "date_status_changed": iso(worker.dateStatusChanged),
            "date_updated": iso(worker.dateUpdated),
            "friendly_name": worker.friendlyName,
            "sid": worker.sid,
            "workspace_sid": ws,
            "url": url,
            "links": [
                "channels": "\(url)/Channels",
                "activity": "\(base)/v1/Workspaces/\(ws)/Activities/\(worker.activitySid)",
                "workspace": "\(base)/v1/Workspaces/\(ws)",
                "statistics": "\(base)/v1/Workspaces/\(ws)/Workers/Statistics",
                "real_time_statistics": "\(base)/v1/Workspaces/\(ws)/Workers/RealTimeStatistics",
                "cumulative_statistics": "\(base)/v1/Workspaces/\(ws)/Workers/CumulativeStatistics",
                "worker_statistics": "\(url)/Statistics",
                "worker_channels": "\(url)/Channels",
                "reservations": "\(url)/Reservations"
            ]
        ]
    }

    // MARK: Tasks

    private static let statuses: Set<String> = ["pending", "reserved", "assigned", "canceled", "wrapping", "completed"]

    private func listTasks(_ exchange: Exchange) -> Response {
        let query = exchange.query
        let paging: Paging
        switch Paging.parse(query) {
        case .success(let value): paging = value
        case .failure(let failure): return error(400, 20001, failure.message)
        }
        // AssignmentStatus comes repeated (`A=x&A=y`) or comma-separated (`A=x,y`).
        let statuses = (query["AssignmentStatus"] ?? []).flatMap {
            $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        }
        if let bad = statuses.first(where: { !Self.statuses.contains($0) }) {
            return error(400, 20001, "Invalid AssignmentStatus '\(bad)'")
        }
        let wanted = Set(statuses)
        let page = emulator.workspace.taskPage(after: paging.afterSid, size: paging.size) { task in
            wanted.isEmpty || wanted.contains(task.assignmentStatus)
        }
        let filters = statuses.isEmpty ? [] : [("AssignmentStatus", statuses.joined(separator: ","))]
        let items = page.items.map { taskJSON($0, base: exchange.base, inList: true) }
        return listResponse(
            key: "tasks", items: items, lastSid: page.items.last?.sid, more: page.more,
            paging: paging, filters: filters, exchange: exchange, revision: page.revision)
    }

    private func fetchTask(_ sid: String, _ exchange: Exchange) -> Response {
        guard let task = emulator.workspace.task(sid) else { return notFound(exchange.request.uri.path) }
        return json(taskJSON(task, base: exchange.base, inList: false), etag: task.revision)
    }

    private func updateTask(_ sid: String, _ exchange: Exchange) -> (Response, applied: Bool) {
        let form = exchange.form
        let attributes = form["Attributes"]?.last
        if let attributes, let problem = Validation.attributesProblem(attributes) {
            return (error(400, 20001, problem), false)
        }
        let status = form["AssignmentStatus"]?.last
        if let status, !Self.statuses.contains(status) {
            return (error(400, 20001, "Invalid AssignmentStatus '\(status)'"), false)
        }
        var priority: Int?
        if let text = form["Priority"]?.last {
            guard let value = Int(text), value >= 0 else {
                return (error(400, 20001, "Priority must be a non-negative integer"), false)
            }
            priority = value
        }
        switch emulator.workspace.updateTask(
            sid, ifMatch: exchange.request.headers[.ifMatch], attributes: attributes,
            status: status, reason: form["Reason"]?.last, priority: priority)
        {
        case .notFound: return (notFound(exchange.request.uri.path), false)
        case .preconditionFailed(let current):
            return (error(412, 20412, "Precondition Failed: the Task's ETag is \"\(current.revision)\""), false)
        case .updated(let task):
            return (json(taskJSON(task, base: exchange.base, inList: false), etag: task.revision), true)
        }
    }

    private func taskJSON(_ task: Workspace.Task, base: String, inList: Bool) -> [String: Any] {
        let ws = emulator.workspaceSid
        let url = "\(base)/v1/Workspaces/\(ws)/Tasks/\(task.sid)"
        let queueSid = "WQ" + SIDGenerator.hex32(of: "queue")
        let workflowSid = "WW" + SIDGenerator.hex32(of: "workflow")
        let attributes: Any = inList && emulator.options.nullListAttributes ? NSNull() : task.attributes
        return [
            "account_sid": emulator.workspace.accountSid,
            "addons": "{}",
            "age": max(0, Int(Date().timeIntervalSince(task.dateCreated))),
            "assignment_status": task.assignmentStatus,
            "attributes": attributes,
            "date_created": iso(task.dateCreated),
            "date_updated": iso(task.dateUpdated),
            "task_queue_entered_date": iso(task.dateCreated),
            "priority": task.priority,
            "reason": task.reason.map { $0 as Any } ?? NSNull(),
            "sid": task.sid,
            "task_queue_sid": queueSid,
            "task_queue_friendly_name": "Everyone",
            "task_channel_sid": "TC" + SIDGenerator.hex32(of: "voice"),
            "task_channel_unique_name": "voice",
            "timeout": 86400,
            "workflow_sid": workflowSid,
            "workflow_friendly_name": "Assign to Anyone",
            "workspace_sid": ws,
            "url": url,
            "links": [
                "task_queue": "\(base)/v1/Workspaces/\(ws)/TaskQueues/\(queueSid)",
                "workflow": "\(base)/v1/Workspaces/\(ws)/Workflows/\(workflowSid)",
                "workspace": "\(base)/v1/Workspaces/\(ws)",
                "reservations": "\(url)/Reservations"
            ],
            "virtual_start_time": iso(task.dateCreated),
            "ignore_capacity": false,
            "routing_target": NSNull()
        ]
    }

    // MARK: Lists

    private func listResponse(
        key: String, items: [[String: Any]], lastSid: String?, more: Bool, paging: Paging,
        filters: [(String, String)], exchange: Exchange, revision: Int
    ) -> Response {
        let path = exchange.request.uri.path
        func pageURL(page: Int, token: String?) -> String {
            var parts = filters.map { "\($0.0)=\(Exchange.encode($0.1))" }
            parts.append("PageSize=\(paging.size)")
            parts.append("Page=\(page)")
            if let token { parts.append("PageToken=\(token)") }
            return "\(exchange.base)\(path)?" + parts.joined(separator: "&")
        }
        let first = pageURL(page: 0, token: nil)
        let next: Any = more && lastSid != nil ? pageURL(page: paging.page + 1, token: "PA" + lastSid!) : NSNull()
        let previous: Any = paging.page > 0 ? first : NSNull()
        let meta: [String: Any] = [
            "page": paging.page,
            "page_size": paging.size,
            "first_page_url": first,
            "previous_page_url": previous,
            "url": pageURL(page: paging.page, token: paging.token),
            "next_page_url": next,
            "key": key
        ]
        return json(["meta": meta, key: items], etag: revision)
    }

    // MARK: Responses

    func json(_ object: [String: Any], etag: Int?) -> Response {
        let data = JSONText.data(object)
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        if let etag { headers[.eTag] = "\"\(etag)\"" }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    func notFound(_ path: String) -> Response {
        error(
            404, 20404,
            "The requested resource \(path.hasPrefix("/v1") ? String(path.dropFirst(3)) : path) was not found")
    }

    func error(_ status: Int, _ code: Int, _ message: String, extraHeaders: HTTPFields = [:]) -> Response {
        let body: [String: Any] = [
            "code": code, "message": message,
            "more_info": "https://www.twilio.com/docs/errors/\(code)", "status": status
        ]
        let data =
            (try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys, .withoutEscapingSlashes]))
            ?? Data()
        var headers = extraHeaders
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    func iso(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(timeZone: TimeZone(identifier: "UTC")!))
    }
}

extension EmulatorResponder.Exchange {
    static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
