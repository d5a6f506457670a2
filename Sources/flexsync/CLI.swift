import ArgumentParser
import FlexSync
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Output and error plumbing shared by the commands.
enum CLI {
    static var stdoutIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }
    static var stdinIsTerminal: Bool { isatty(STDIN_FILENO) == 1 }

    static func out(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    static func err(_ text: String) {
        FileHandle.standardError.write(Data(("flexsync: " + text + "\n").utf8))
    }

    /// Runs a step; any error becomes one line on stderr and exit code 1, and with `json` also
    /// `{"error": {...}}` on stdout.
    static func run<T>(json: Bool = false, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let exit as ExitCode {
            throw exit
        } catch {
            err("\(error)")
            if json { out(ErrorReport.json(error)) }
            throw ExitCode(1)
        }
    }
}
