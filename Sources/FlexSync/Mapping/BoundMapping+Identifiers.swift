extension BoundMapping {
    static let noBreakSpaceRule =
        "a no-break space around the id (copied from a web page or a spreadsheet), or an ideographic one (typed "
        + "in Japanese or Chinese): left out, as spaces are"

    /// An id as it is written (`*_id` attributes): without the spaces, tabs and no-break spaces
    /// around it, which no system's id holds and which would make `1020` and `1020 ` two
    /// workers; and why the text is no id at all, if it is not.
    static func identifier(_ text: String) -> (text: String, hadNoBreakSpace: Bool, refusal: String?) {
        let spacesAndTabs = text.trimmingCharacters(in: " \t")
        var trimmed = text.trimmingSpaces
        // Trimming took a no-break space where it took more than spaces and tabs would have; but
        // in `QualitÃ` and U+00A0 (`Qualità` double encoded) that space is the damage's, kept for
        // the lossy-text check to name.
        var hadNoBreakSpace = trimmed.utf8.count != spacesAndTabs.utf8.count
        if hadNoBreakSpace && LossyText.damage(in: text) == .doubleEncoding {
            (trimmed, hadNoBreakSpace) = (spacesAndTabs, false)
        }
        if NumberParsing.endsInExcelScientific(Transform.trimmed(trimmed)) {
            return (
                trimmed, hadNoBreakSpace,
                "an id Excel turned into scientific notation: its last digits are lost; export the column as text"
            )
        }
        // Written, it would make a department called `TBD` in Insights.
        if ValueRules.mayBePlaceholderWord(trimmed.utf8) {
            return (
                trimmed, hadNoBreakSpace,
                "'\(trimmed)' stands for none, not an id: list it in 'null_tokens' to leave the attribute empty, or "
                    + "correct the export"
            )
        }
        // Excel's text marker kept in the file: `'18273645019` matches no record's id.
        if trimmed.utf8.first == UInt8(ascii: "'"), trimmed.utf8.count > 1,
            trimmed.utf8.dropFirst().allSatisfy({ $0 != UInt8(ascii: "'") })
        {
            return (
                trimmed, hadNoBreakSpace,
                "an id behind Excel's text marker (') that the export kept: correct the export, or take the id "
                    + "without it"
            )
        }
        if ValueRules.isZeroPlaceholder(trimmed.utf8) {
            return (
                trimmed, hadNoBreakSpace,
                "an id of zeros only is a placeholder for none (as SAP writes for no org unit, or a form for no "
                    + "number), not an id: list it in 'null_tokens' to leave the attribute empty"
            )
        }
        return (trimmed, hadNoBreakSpace, nil)
    }
}
