/// A problem in a job or mapping file, at a line and column.
public struct ConfigError: Error, CustomStringConvertible, Equatable {
    public var file: String
    public var line: Int
    public var column: Int
    public var message: String

    public init(file: String, line: Int, column: Int, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    /// `Mappings/workday.yaml:12:7: unknown Flex Insights worker attribute 'team_nmae' (did you mean 'team_name'?)`
    public var description: String { "\(file):\(line):\(column): \(message)" }
}
