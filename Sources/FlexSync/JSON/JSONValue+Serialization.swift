extension JSONValue {
    /// Minified JSON text: no whitespace, members in their stored order. This is the form
    /// flexsync sends to TaskRouter, whose 4,096-character limit counts whitespace.
    public var minified: String {
        var out = ""
        write(to: &out, indent: nil, level: 0)
        return out
    }

    /// Indented JSON text for files people read (plans, summaries).
    public var pretty: String {
        var out = ""
        write(to: &out, indent: "  ", level: 0)
        return out
    }

    func write(to out: inout String, indent: String?, level: Int) {
        switch self {
        case .null: out += "null"
        case .bool(let value): out += value ? "true" : "false"
        case .number(let number): out += number.literal
        case .string(let string): JSONValue.writeString(string, to: &out)
        case .array(let values):
            if values.isEmpty { out += "[]"; return }
            out += "["
            for (position, value) in values.enumerated() {
                if position > 0 { out += "," }
                JSONValue.newline(&out, indent, level + 1)
                value.write(to: &out, indent: indent, level: level + 1)
            }
            JSONValue.newline(&out, indent, level)
            out += "]"
        case .object(let object):
            if object.isEmpty { out += "{}"; return }
            out += "{"
            var first = true
            for (key, value) in object {
                if !first { out += "," }
                first = false
                JSONValue.newline(&out, indent, level + 1)
                JSONValue.writeString(key, to: &out)
                out += indent == nil ? ":" : ": "
                value.write(to: &out, indent: indent, level: level + 1)
            }
            JSONValue.newline(&out, indent, level)
            out += "}"
        }
    }

    static func newline(_ out: inout String, _ indent: String?, _ level: Int) {
        guard let indent else { return }
        out += "\n"
        for _ in 0..<level { out += indent }
    }

    static func writeString(_ string: String, to out: inout String) {
        out += "\""
        var pending = Substring.UnicodeScalarView()
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": flush(&pending, &out); out += "\\\""
            case "\\": flush(&pending, &out); out += "\\\\"
            case "\n": flush(&pending, &out); out += "\\n"
            case "\r": flush(&pending, &out); out += "\\r"
            case "\t": flush(&pending, &out); out += "\\t"
            case _ where scalar.value < 0x20:
                flush(&pending, &out)
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: pending.append(scalar)
            }
        }
        flush(&pending, &out)
        out += "\""
    }

    private static func flush(_ pending: inout Substring.UnicodeScalarView, _ out: inout String) {
        if !pending.isEmpty {
            out += String(pending)
            pending = Substring.UnicodeScalarView()
        }
    }
}

extension String {
    /// Length as TaskRouter's attribute limit counts it: UTF-16 code units, as the Java and
    /// JavaScript strings behind Twilio's services count characters.
    public var taskRouterLength: Int { utf16.count }
}
