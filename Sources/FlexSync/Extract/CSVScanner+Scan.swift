/// The scanner's inner loop: one record's field boundaries found in a buffer of bytes, on locals
/// only (class properties in a hot loop pay for exclusivity checks).
extension CSVScanner {
    /// Finds the extent of one record starting at `start`, appending its fields. Asks for more
    /// input when the record may continue past the buffer.
    static func scan(
        _ bytes: UnsafeBufferPointer<UInt8>, from start: Int, eof: Bool, delimiter: UInt8, line: Int,
        special: UnsafeMutablePointer<Bool>, fields: inout [FieldExtent]
    ) throws(ScanFault) -> Scan {
        let count = bytes.count
        let quote = UInt8(ascii: "\"")
        let firstField = fields.count
        var index = start
        var lines = 0
        if index >= count { return eof ? .end : .needMore }
        // A blank line.
        if bytes[index] == 0x0A || bytes[index] == 0x0D {
            if bytes[index] == 0x0D {
                if index + 1 == count && !eof { return .needMore }
                index += (index + 1 < count && bytes[index + 1] == 0x0A) ? 2 : 1
            } else {
                index += 1
            }
            return .blank(end: index, lines: 1)
        }
        while true {
            if index < count && bytes[index] == quote {
                let openedOn = line + lines
                index += 1
                let fieldStart = index
                var escaped = false
                while true {
                    while index < count && bytes[index] != quote {
                        let byte = bytes[index]
                        if byte == 0x0A {
                            lines += 1
                        } else if byte == 0x0D && !(index + 1 < count && bytes[index + 1] == 0x0A) {
                            lines += 1
                        }
                        index += 1
                    }
                    if index - fieldStart > maxFieldBytes {
                        throw .fieldTooLong(line: openedOn, column: fields.count - firstField + 1)
                    }
                    if index >= count {
                        if eof { throw .unterminatedQuote(line: openedOn, column: fields.count - firstField + 1) }
                        return .needMore
                    }
                    if index + 1 < count && bytes[index + 1] == quote {
                        escaped = true
                        index += 2
                        continue
                    }
                    if index + 1 == count && !eof { return .needMore }
                    break
                }
                fields.append(FieldExtent(start: fieldStart, end: index, escaped: escaped))
                index += 1
                if index >= count {
                    if !eof { return .needMore }
                    return .record(end: index, lines: lines + 1)
                }
                let byte = bytes[index]
                if byte == delimiter {
                    index += 1
                    continue
                }
                if byte != 0x0A && byte != 0x0D {
                    throw .characterAfterQuote(line: line + lines, column: fields.count - firstField)
                }
            } else {
                let fieldStart = index
                while index < count && !special[Int(bytes[index])] { index += 1 }
                if index - fieldStart > maxFieldBytes {
                    throw .fieldTooLong(line: line + lines, column: fields.count - firstField + 1)
                }
                if index >= count {
                    if !eof { return .needMore }
                    fields.append(FieldExtent(start: fieldStart, end: index, escaped: false))
                    return .record(end: index, lines: lines + 1)
                }
                fields.append(FieldExtent(start: fieldStart, end: index, escaped: false))
                if bytes[index] == delimiter {
                    index += 1
                    if index >= count && eof {
                        fields.append(FieldExtent(start: index, end: index, escaped: false))
                        return .record(end: index, lines: lines + 1)
                    }
                    continue
                }
            }
            // At a line terminator.
            if bytes[index] == 0x0D {
                if index + 1 == count && !eof { return .needMore }
                index += (index + 1 < count && bytes[index + 1] == 0x0A) ? 2 : 1
            } else {
                index += 1
            }
            return .record(end: index, lines: lines + 1)
        }
    }
}
