import Foundation
import Testing

@testable import FlexSync

/// Vendor files as their writers wrote them, kept beside the copies the sets validate: each is
/// refused, or read, naming what is wrong with it.
extension VendorDefectTests {
    /// The twelfth set's Chinese roster as its writer received it, in GBK: refused naming no code
    /// page (Shift_JIS, which reads it as half-width katakana, was once suggested), and `inspect`
    /// says to save it as UTF-8.
    @Test func theGBKOriginalIsNeverGivenACodePage() throws {
        let path = Self.directory.appendingPathComponent("vendor-l/zh-cn-agents-gbk.csv").path
        let message = errorMessage { _ = try CSVReader(path: path).allRows() } ?? ""
        #expect(message.contains("invalid UTF-8") && !message.contains("encoding:"), "\(message)")
        let inspection = try ExportInspection.inspect(path: path, recordPath: nil)
        #expect(inspection.encoding.contains("not a code page flexsync reads"), "\(inspection.encoding)")
    }

    /// The fifteenth set's Pohoda address book as its writer wrote it: a byte Windows-1250 leaves
    /// undefined (0x98) in a name. It is refused naming the byte, its line and the declared
    /// encoding, and `inspect` stops there too (the set's copy has the byte mended).
    @Test func theUndefinedByteOriginalIsRefusedNamingIt() throws {
        let folder = Self.directory.appendingPathComponent("vendor-o-jobs")
        let text = try String(contentsOf: folder.appendingPathComponent("job-pohoda_adresar.yaml"), encoding: .utf8)
        let job = folder.appendingPathComponent("job-pohoda_adresar-original-\(UUID().uuidString).yaml")
        try text.replacingOccurrences(of: "pohoda_adresar.xml", with: "pohoda_adresar.original.xml").write(
            to: job, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: job) }
        let expected = "pohoda_adresar.original.xml:271: column 26: byte 0x98 is no character in windows-1250"
        let refusal = errorMessage {
            _ = try DatasetValidator(job: try Job.load(path: job.path), keepRecords: false).run()
        }
        #expect(refusal?.contains(expected) == true, "\(refusal ?? "")")
        let path = Self.directory.appendingPathComponent("vendor-o/pohoda_adresar.original.xml").path
        let inspected = errorMessage { _ = try ExportInspection.inspect(path: path, recordPath: nil) }
        #expect(inspected?.contains(expected) == true, "\(inspected ?? "")")
    }
}
