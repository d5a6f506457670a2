import Foundation

/// `PageSize`, `Page` and `PageToken` of a list request.
struct Paging {
    struct Failure: Error { let message: String }

    var size: Int
    var page: Int
    var token: String?
    var afterSid: String? { token.flatMap { $0.hasPrefix("PA") ? String($0.dropFirst(2)) : nil } }

    static func parse(_ query: [String: [String]]) -> Result<Paging, Failure> {
        var paging = Paging(size: 50, page: 0, token: nil)
        if let text = query["PageSize"]?.last {
            guard let size = Int(text), (1...1000).contains(size) else {
                return .failure(Failure(message: "PageSize must be between 1 and 1000"))
            }
            paging.size = size
        }
        if let text = query["Page"]?.last {
            guard let page = Int(text), page >= 0 else {
                return .failure(Failure(message: "Page must be a non-negative integer"))
            }
            paging.page = page
        }
        if let token = query["PageToken"]?.last {
            guard token.hasPrefix("PA"), token.count > 2 else { return .failure(Failure(message: "Invalid PageToken")) }
            paging.token = token
        }
        return .success(paging)
    }
}

/// Parameter rules TaskRouter enforces on updates.
enum Validation {
    /// Why `Attributes` would be refused, or nil when it is acceptable.
    static func attributesProblem(_ text: String) -> String? {
        if text.utf16.count > 4096 { return "Attributes must be at most 4096 characters" }
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)), object is [String: Any] else {
            return "Attributes must be a valid JSON object"
        }
        return nil
    }
}
