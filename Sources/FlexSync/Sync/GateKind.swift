/// The safety gates, each with the command-line flag that overrides it. The command line maps
/// its flags to these kinds; nothing decides by a flag's spelling.
public enum GateKind: String, Sendable, CaseIterable {
    /// The export selects nothing: no rows, every row skipped or every row invalid.
    case emptyExport = "empty-export"
    /// The export has fewer rows than the job allows against the last successful run.
    case shrunkExport = "shrunk-export"
    /// More rows are invalid than the job allows.
    case invalidRows = "invalid-rows"
    /// More targets change than the job allows.
    case massChange = "mass-change"
    /// One key changes or disappears on more targets than the job allows.
    case keyChurn = "key-churn"
    /// More targets than the job allows have keys changed outside flexsync (or any, with `on_drift: fail`).
    case drift

    /// The flag that overrides the gate.
    public var flag: String {
        switch self {
        case .emptyExport, .shrunkExport: "--allow-shrunk-export"
        case .invalidRows: "--allow-invalid"
        case .massChange: "--allow-mass-change"
        case .keyChurn: "--allow-key-churn"
        case .drift: "--allow-drift"
        }
    }
}
