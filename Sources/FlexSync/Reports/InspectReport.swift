/// Renders what `flexsync inspect` found: one line about the file, then per column or path how
/// many records fill it and three samples (masked unless asked for).
public enum InspectReport {
    public static func text(_ inspection: ExportInspection, showValues: Bool) -> String {
        var head =
            "\(inspection.file): \(inspection.format.rawValue.uppercased()), \(inspection.records.grouped) records, "
            + "encoding \(inspection.encoding)"
        if let delimiter = inspection.delimiter { head += ", delimiter '\(delimiter)'" }
        if let record = inspection.recordPath { head += ", record path \(record)" }
        var lines = [head]
        if let line = inspection.headerLine {
            lines.append(
                "header on line \(line): the line\(line == 2 ? "" : "s") above it \(line == 2 ? "is" : "are") not the "
                    + "header (a report title?): set 'source.header_line: \(line)' in the job")
        }
        if let (field, value) = inspection.headerRow {
            lines.append(
                "the first row is the sheet's header (an XML Spreadsheet's): its texts name the columns below; skip it "
                    + "in the mapping with skip_when: { field: \"\(field)\", equals: [\"\(value)\"] }")
        }
        for (prefix, uri) in inspection.namespaces.sorted(by: { $0.key < $1.key }) {
            // The default namespace is bound to "" in a job, for the unprefixed names shown.
            lines.append(
                prefix.isEmpty
                    ? "namespace \"\": \(uri) (the default: unprefixed names)" : "namespace \(prefix): \(uri)")
        }
        func shown(_ column: ExportInspection.Column) -> String {
            column.label.map { "\(column.name) (\($0))" } ?? column.name
        }
        let width = min(48, inspection.columns.map { shown($0).count }.max() ?? 0)
        let header = ExportInspection.Column(
            name: inspection.format == .csv ? "column" : "path", filled: 0, samples: [])
        lines.append(pad(header.name, width) + "  " + pad("filled", 12) + "  samples")
        for column in inspection.columns {
            let samples = column.samples.map { showValues ? "'\($0)'" : Problem.mask($0) }.joined(separator: ", ")
            lines.append(
                pad(shown(column), width) + "  " + pad("\(column.filled) of \(inspection.records)", 12) + "  " + samples
            )
        }
        for row in inspection.malformedRows.prefix(5) {
            let cause = CSVReader.malformedRowCause(fields: row.fields, value: row.value, header: row.header)
            lines.append(
                "line \(row.line): \(row.fields) field\(row.fields == 1 ? "" : "s"), the header has \(row.header): "
                    + "left out of the counts: \(cause)")
        }
        if inspection.malformedRows.count > 5 {
            lines.append("… and \(inspection.malformedRows.count - 5) more such rows")
        }
        let nullLike = inspection.columns.flatMap { column in
            column.nullLike.map { (column: column.name, value: $0.key, count: $0.value) }
        }
        for token in Set(nullLike.map(\.value)).sorted() {
            // The columns most full of it first.
            let holders = nullLike.filter { $0.value == token }.sorted { $0.count > $1.count }
            let named = holders.prefix(6).map { "'\($0.column)' (\($0.count))" }.joined(separator: ", ")
            let more = holders.count > 6 ? " and \(holders.count - 6) more columns" : ""
            lines.append(
                "'\(token)' fills \(named)\(more): "
                    + (ValueRules.isSpreadsheetError(token)
                        ? "an Excel formula error, which validate refuses; if it means empty, list it in "
                        : "counted as a value; if it means empty, list it in ") + "'source.null_tokens'")
        }
        for (line, label, kind) in inspection.totalLines.prefix(8) {
            lines.append("line \(line): \(kind.rule(label, .first)): left out of the counts")
        }
        for line in inspection.repeatedHeaderLines.prefix(5) {
            lines.append("line \(line): repeats the header (two exports joined into one?): left out of the counts")
        }
        if !showValues { lines.append("(values masked: add --show-values to see them)") }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}
