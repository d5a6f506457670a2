extension BoundMapping {
    /// A row whose field count is not the header's: a report's footer or total alone on its line
    /// is the report's (a warning, left out), anything else the row's error, naming what most
    /// likely happened.
    static func malformed(_ record: Record, fields found: Int, into result: MappedRecord) -> MappedRecord {
        var result = result
        let value = record.schema.names.first.flatMap { record[$0]?.firstText }
        let header = record.schema.names.count
        // A report's footer or total alone on its line is the report's, as when padded; a row
        // written with another delimiter is a row whatever its first words.
        if found == 1, let value, CSVReader.otherDelimiter(in: value, header: header) == nil,
            let (label, kind) = Record.layoutLine(ofOneValue: value)
        {
            result.skipped = true
            result.problems.append(
                Problem(.warning, result.position, field: "-", rule: kind.rule(label, .alone) + ": the row is left out")
            )
            return result
        }
        // Which value holds the stray delimiter cannot be told: none of the row is used.
        result.problems.append(
            Problem(
                .error, result.position, field: "-",
                rule: "found \(found) field\(found == 1 ? "" : "s"), but the header has \(header): "
                    + CSVReader.malformedRowCause(
                        fields: found, value: value, header: header) + "; the row is left out"))
        return result
    }
}
