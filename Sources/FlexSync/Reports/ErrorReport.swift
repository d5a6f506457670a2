/// A fatal error as JSON, for `--format json`: machines reading stdout get `{"error": {...}}`
/// instead of nothing (the one-line form still goes to stderr).
public enum ErrorReport {
    /// `{"error": {"message": …, "file": …, "line": …, "column": …, "problems": […]}}`; the
    /// place is null where the error has none.
    public static func json(_ error: Error) -> String {
        var object = JSONObject()
        object["message"] = .string("\(error)")
        var file: String?
        var line: Int?
        var column: Int?
        var problems: [Problem] = []
        switch error {
        case let config as ConfigError:
            file = config.file
            line = config.line
            column = config.column
            object["message"] = .string(config.message)
        case let extract as ExtractError:
            (file, line) = extract.place
            switch extract {
            case .unterminatedQuote(_, _, let field, _), .characterAfterQuote(_, _, let field, _),
                .fieldTooLong(_, _, let field, _, _):
                column = field
            default: break
            }
        case let fields as SourceFieldError:
            problems = fields.problems
            file = fields.problems.first?.position?.file
            line = fields.problems.first?.position?.line
        default:
            break
        }
        object["file"] = file.map { .string($0) } ?? .null
        object["line"] = line.map { .number(JSONNumber(Double($0))) } ?? .null
        object["column"] = column.map { .number(JSONNumber(Double($0))) } ?? .null
        object["problems"] = .array(problems.map { .string($0.line(showValues: false)) })
        var root = JSONObject()
        root["error"] = .object(object)
        return JSONValue.object(root).pretty + "\n"
    }
}

extension ExtractError {
    /// The file and line the error names, where it names them.
    var place: (file: String?, line: Int?) {
        switch self {
        case .cannotOpen(let file, _), .readFailed(let file, _), .noHeader(let file), .unknownEncoding(let file, _),
            .invalidUTF16(let file, _), .headerLineBeyondEnd(let file, _):
            (file, nil)
        case .blankColumnName(let file, let line, _), .blankColumnWithData(let file, let line, _, _),
            .duplicateColumnName(let file, let line, _, _, _), .fieldCount(let file, let line, _, _),
            .unterminatedQuote(let file, let line, _, _), .characterAfterQuote(let file, let line, _, _),
            .invalidUTF8(let file, let line, _, _), .firstRecordFieldCount(let file, let line, _, _, _, _, _),
            .xml(let file, let line, _), .doctypeNotAllowed(let file, let line), .recordTooLarge(let file, let line, _),
            .fieldTooLong(let file, let line, _, _, _):
            (file, line)
        case .noFilesMatch(let pattern): (pattern, nil)
        case .invalidPath: (nil, nil)
        }
    }
}
