/// A first mapping for a new export, drafted from its column or path names: for each Insights
/// attribute, the column that most likely feeds it. A starting point to review, never a guess
/// that runs unreviewed: `flexsync inspect EXPORT --draft-mapping workers|tasks`.
public enum MappingDraft {
    /// `wd:Worker/@wd:Descriptor` → `worker@descriptor`: lower case, without namespace prefixes,
    /// spaces, `_`, `-`, `/` and predicate punctuation.
    static func folded(_ name: String) -> String {
        // XML names escape what they cannot hold: Access writes `First Name` as `First_x0020_Name`.
        let name = name.replacingOccurrences(of: "_x0020_", with: " ")
        var text = ""
        var word = ""
        for character in name + "/" {
            // A namespace prefix (`wd:`, `listRel:`, lower case first) ends: drop it. A colon in a
            // column's own name (German `Vorgesetzte:r`, `Mitarbeiter:in`) is only left out.
            if character == ":" {
                if word.first?.isLowercase == true { word = "" }
                continue
            }
            if character.isLetter || character.isNumber || character == "@" || character == "#" || character == "." {
                word.append(character)
            } else {
                text += word
                word = ""
            }
        }
        return text.lowercased()
    }

    /// Words that put a column about another person: a worker's manager (and, in XML, every
    /// element of the manager's record nested in the worker's), a customer's account owner.
    /// Such a column feeds only an attribute whose hint names the same word.
    static let otherPerson: [MappingTarget: [String]] = [
        .workers: [
            "manager", "supervisor", "vorgesetzte", "reportingto", "reportsto", "yönetici", "руководитель",
            "responsable", "responsabile", "leidinggevende", "jefe", "nadřízený"
        ],
        // Salesforce Japan's owner, creator and last editor: 所有者, 作成者, 最終更新者.
        .tasks: ["owner", "所有者", "作成者", "最終更新者"]
    ]

    /// The attribute a column most likely feeds, if any, and the hint's rank (lower is surer).
    /// A column inside another element named like the record (`recordName`: an OData feed's
    /// manager, expanded as an `entry` inside the user's `entry`) is another record's: it feeds
    /// only an attribute about another person, and only when its path says who.
    static func attribute(for column: String, target: MappingTarget, recordName: String? = nil)
        -> (key: String, rank: Int)?
    {
        let name = folded(column)
        if let recordName, steps(of: column).contains(recordName), !namesAnotherPerson(name, target) { return nil }
        if target == .tasks && name == "id" { return ("customers.external_id", 0) }
        // A bare `ID` (Personio) is the worker's, after any column that says whose id it is.
        if target == .workers && name == "id" { return ("agent_id", workerHints.count) }
        // The record element's own `id` attribute (BambooHR's `<employee id="112">`), after an id
        // element nested in the record (Pohoda's `adb:id` beside its pack item's `@id`).
        if name == "@id" {
            let rank = (target == .workers ? workerHints.count : taskHints.count) + 2
            return (target == .workers ? "agent_id" : "customers.external_id", rank)
        }
        if name == "name" { return (target == .workers ? "full_name" : "customers.name", 0) }
        let hints = target == .workers ? workerHints : taskHints
        // A fragment starting with '!' must not be in the name (a manager's employee id is no agent_id).
        func fits(_ fragment: String) -> Bool {
            fragment.hasPrefix("!") ? !name.contains(fragment.dropFirst()) : name.contains(fragment)
        }
        let others = (otherPerson[target] ?? []).filter { name.contains($0) }
        for (rank, hint) in hints.enumerated() where hint.fragments.allSatisfy(fits) {
            guard others.allSatisfy({ word in hint.fragments.contains { $0.contains(word) } }) else { continue }
            return (hint.key, rank)
        }
        if let rank = vendorIdRank(column, target) {
            return (target == .workers ? "agent_id" : "customers.external_id", rank)
        }
        return nestedIdOrName(column, target)
    }

    /// An XML path whose last step is the record's own `id` or `name` (Pohoda's
    /// `adb:addressbookHeader/adb:id`, `…/typ:address/typ:name`), after every hint; an id or a
    /// name under an element about something else (a department, a company, a bank account) is
    /// not the record's.
    private static func nestedIdOrName(_ column: String, _ target: MappingTarget) -> (key: String, rank: Int)? {
        let steps = steps(of: column).map(folded)
        guard steps.count > 1, let last = steps.last else { return nil }
        let rank = (target == .workers ? workerHints.count : taskHints.count) + 1
        let elsewhere = [
            "department", "team", "company", "organization", "organisation", "account", "country", "city", "manager",
            "owner", "location", "job", "position", "group", "centre", "center", "bank"
        ]
        guard !steps.dropLast().contains(where: { step in elsewhere.contains { step.contains($0) } }) else {
            return nil
        }
        if last == "id" { return (target == .workers ? "agent_id" : "customers.external_id", rank) }
        return last == "name" ? (target == .workers ? "full_name" : "customers.name", rank) : nil
    }

    /// A vendor's own name for its record id, `Copper ID` or `Zendesk ID`: two words, the second
    /// `ID`, the first no other thing's (an account's, an owner's, a team's); ranked after every
    /// column that says whose id it is.
    private static func vendorIdRank(_ column: String, _ target: MappingTarget) -> Int? {
        let words = column.split(separator: " ")
        guard words.count == 2, words[1].lowercased() == "id" else { return nil }
        let others: Set<String> = [
            "account", "company", "organization", "organisation", "org", "owner", "parent", "team", "department",
            "manager", "supervisor", "deal", "opportunity", "lead", "group", "location", "site", "job", "position",
            "ticket", "case", "order", "external", "tenant", "workspace", "client", "company", "employer"
        ]
        guard !others.contains(words[0].lowercased()) else { return nil }
        return (target == .workers ? workerHints : taskHints).count
    }

    /// Whether a folded column name says it is about another person (``otherPerson``).
    static func namesAnotherPerson(_ name: String, _ target: MappingTarget) -> Bool {
        (otherPerson[target] ?? []).contains { name.contains($0) }
    }

    /// Whether a column is the record's own person's: not about another, not inside a nested record.
    private static func isOwn(_ column: String, _ target: MappingTarget, recordName: String?) -> Bool {
        !namesAnotherPerson(folded(column), target) && !(recordName.map { steps(of: column).contains($0) } ?? false)
    }

    /// The local names of a path's elements: `a:link[@title='x/y']/m:inline/entry` → link, inline, entry.
    static func steps(of path: String) -> [String] {
        var steps: [String] = []
        var current = ""
        var depth = 0
        for character in path {
            switch character {
            case "[": depth += 1
            case "]": depth -= 1
            case "/" where depth == 0:
                steps.append(current)
                current = ""
            case ":" where depth == 0: current = ""
            default: if depth == 0 { current.append(character) }
            }
        }
        steps.append(current)
        return steps.filter { !$0.isEmpty && !$0.hasPrefix("@") }
    }

    /// Whether a column's samples could be the attribute's values: a yes/no flag feeds only
    /// `state` (Five9's `attachVmToEmail` is no e-mail), an e-mail holds an `@` (Google's
    /// `E-mail 1 - Label` beside `E-mail 1 - Value` does not), a phone number digits, a status
    /// letters (Workday's `Active_Status_Date` is no status), a date a digit, a name no opaque id.
    static func plausible(_ column: ExportInspection.Column, for key: String) -> Bool {
        let samples = column.samples
        guard !samples.isEmpty else { return true }
        let flags: Set<String> = ["true", "false", "yes", "no", "y", "n", "0", "1", "t", "f"]
        if key != "state" && samples.allSatisfy({ flags.contains($0.lowercased()) }) { return false }
        // A name, never a system's opaque id (ServiceNow's `department` holds a sys_id, its
        // `department/@display_value` the name).
        let nameKeys: Set<String> = [
            "full_name", "team_name", "department_name", "location", "manager", "role", "customers.name",
            "customers.organization", "customers.customer_manager"
        ]
        if nameKeys.contains(key) && samples.allSatisfy(isOpaqueID) { return false }
        // An id differs from record to record: one value in every row is a company or client code.
        let idKeys: Set<String> = ["agent_id", "customers.external_id"]
        if idKeys.contains(key) && column.filled >= 3 && samples.count == 1 { return false }
        // An Atom feed's entry `id` is the entry's URL: the record's own id is a property of it.
        if idKeys.contains(key) && samples.allSatisfy({ $0.hasPrefix("http://") || $0.hasPrefix("https://") }) {
            return false
        }
        switch key {
        case "email", "customers.email": return samples.contains { $0.contains("@") }
        case "phone", "customers.phone": return samples.contains { $0.filter(\.isNumber).count >= 5 }
        // A status is words (`Active`, `Terminated`), not a date or a code.
        case "state": return samples.contains { $0.contains(where: \.isLetter) }
        case "customers.year_of_birth", "customers.acquisition_date":
            return samples.contains { $0.contains(where: \.isNumber) }
        default: return true
        }
    }

    /// Sixteen or more hex digits (dashes allowed) and nothing else: a GUID or a sys_id.
    private static func isOpaqueID(_ text: String) -> Bool {
        text.count >= 16 && text.allSatisfy { $0.isHexDigit || $0 == "-" }
    }

    /// How many elements deep an XML path goes (0 for a CSV column).
    private static func depth(_ path: String) -> Int { steps(of: path).count - 1 }

    /// The drafted mapping file: each attribute from the best-filled column that feeds it, with
    /// the transforms its kind needs, and a comment naming the column and how full it is.
    public static func yaml(_ inspection: ExportInspection, target: MappingTarget) -> String {
        var chosen: [String: ExportInspection.Column] = [:]
        var ranks: [String: Int] = [:]
        var order: [String] = []
        var first: ExportInspection.Column?
        var last: ExportInspection.Column?
        var country: ExportInspection.Column?
        var guessedKey = false
        let recordName = inspection.recordPath.flatMap { steps(of: $0).last }
        for column in inspection.columns {
            // A column's label (a Cognos metadata item) names it where its path cannot.
            let called = column.label ?? column.name
            let name = folded(called)
            let ownName = isOwn(called, target, recordName: recordName)
            if ownName
                && (name.hasSuffix("firstname")
                    || [
                        "vorname", "adı", "ad", "имя", "όνομα", "fornavn", "förnamn", "voornaam", "nome", "nombre",
                        "forename", "jméno", "名"
                    ].contains(name))
            {
                first = first ?? column
            }
            if ownName
                && (name.hasSuffix("lastname")
                    || [
                        "nachname", "soyadı", "soyad", "фамилия", "επώνυμο", "etternavn", "efternamn", "achternaam",
                        "cognome", "apellidos", "apellido", "surname", "příjmení", "姓"
                    ].contains(name))
            {
                last = last ?? column
            }
            // A country column reads each phone in its row's country (`Country/Region`, `Land`).
            // Only one whose samples name countries, half of them at least: a location code
            // (`DEN01`) would fail every phone, while one unknown country is that row's problem.
            let countries = column.samples.filter { CountryNames.region(for: $0) != nil }.count
            if ownName && column.filled > 0
                && (name.contains("country") || name.hasSuffix("legislationcode")
                    || ["land", "pays", "país", "pais", "国", "国名"].contains(name))
                && countries > 0 && countries * 2 >= column.samples.count
            {
                country = country ?? column
            }
            // A column no record fills feeds nothing (Entra's `authenticationEmail` beside `mail`).
            guard column.filled > 0 || inspection.records == 0,
                let (key, rank) = attribute(for: called, target: target, recordName: recordName),
                plausible(column, for: key)
            else { continue }
            // The surer hint, then the fuller column, then the shallower path (the record's own
            // element rather than one nested deeper).
            // A column filled in more than twice as many records wins over a surer name: an office
            // `Telefono` in 3 rows beside everyone's `Cellulare`.
            // Both ways: a surer name in a column less than half as full (BambooHR's `mobilePhone`
            // in 5 rows beside `workPhone` in 23) does not take its place.
            if let known = chosen[key], let best = ranks[key],
                known.filled > 2 * column.filled
                    || (column.filled <= 2 * known.filled
                        && (best < rank || (best == rank && known.filled > column.filled)
                            || (best == rank && known.filled == column.filled
                                && depth(known.name) <= depth(column.name))))
            {
                continue
            }
            if chosen[key] == nil { order.append(key) }
            chosen[key] = column
            ranks[key] = rank
        }
        let nameKey = target == .workers ? "full_name" : "customers.name"
        let idKey = target == .workers ? "agent_id" : "customers.external_id"
        let emailKey = target == .workers ? "email" : "customers.email"
        // A key the mapping can compile: with no id or e-mail column named as such, the first
        // filled column, flagged for review (an HR list's first column is most often its id).
        if chosen[idKey] == nil && chosen[emailKey] == nil,
            let column = inspection.columns.first(where: {
                $0.filled > 0 && !chosen.values.map(\.name).contains($0.name)
            })
        {
            chosen[idKey] = column
            order.insert(idKey, at: 0)
            guessedKey = true
        }
        let match = [idKey, emailKey].filter { chosen[$0] != nil }
        func quoted(_ text: String) -> String { "\"" + text.replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
        var lines = [
            "# Drafted by 'flexsync inspect' from \(inspection.file) (\(inspection.records) records): review",
            "# every line, then run 'flexsync validate' on a job that uses it.",
            "target: \(target.rawValue)",
            "key:",
            "  match: [\(match.isEmpty ? idKey : match.joined(separator: ", "))]",
            "attributes:"
        ]
        if let (field, value) = inspection.headerRow {
            lines.insert(
                "skip_when: { field: \(quoted(field)), equals: [\(quoted(value))] }   # the sheet's header row",
                at: lines.count - 1)
        }
        func fill(_ column: ExportInspection.Column) -> String { "\(column.filled) of \(inspection.records) filled" }
        // The name from first and last name columns when no name column is well filled.
        func nameTemplate() -> String? {
            let sparseName = chosen[nameKey].map { $0.filled * 2 < inspection.records } ?? true
            guard sparseName, let first, let last else { return nil }
            // Japanese names are written family name first (佐藤 健太).
            let order = folded(last.name) == "姓" ? [last, first] : [first, last]
            return "  \(nameKey): { template: \(quoted(order.map { "{\($0.name)}" }.joined(separator: " "))) }"
        }
        for key in order {
            guard let column = chosen[key] else { continue }
            let field = quoted(column.name)
            let value: String
            var note = ""
            switch key {
            case "email", "customers.email": value = "{ field: \(field), transforms: [email] }"
            case "phone", "customers.phone":
                if let country {
                    value =
                        "{ field: \(field), transforms: [{ phone: { country_field: \(quoted(country.name)), "
                        + "default_country: US } }] }"
                    note = "; US where the country is empty: set yours"
                } else if let region = callingRegion(column.samples) {
                    value = "{ field: \(field), transforms: [{ phone: { default_country: \(region) } }] }"
                    note = "; \(region) from the numbers written with '+': check it"
                } else {
                    value = "{ field: \(field), transforms: [{ phone: { default_country: US } }] }"
                    note = "; set the country"
                }
            case "customers.year_of_birth":
                value = "{ field: \(field), transforms: [date, year] }"
                note = "; declare the date format"
            case "customers.acquisition_date":
                value = "{ field: \(field), transforms: [date] }"
                note = "; declare the date format"
            case "customers.business_value", "customers.acquisition_cost":
                value = "{ field: \(field), transforms: [number] }"
            default: value = field
            }
            if key == nameKey, column.filled * 2 < inspection.records, first != nil, last != nil { continue }
            if key == idKey && guessedKey { note += "; no column is named like an id: the first one, check it" }
            lines.append("  \(key): \(value)   # \(fill(column))\(note)")
            // Insights shows a team or department name only beside its id: without a code
            // column, the name stands as its id.
            if let id = ["team_name": "team_id", "department_name": "department_id"][key], chosen[id] == nil {
                lines.append("  \(id): \(field)   # no code column: the name stands as its id")
            }
            if key == idKey, let template = nameTemplate() { lines.append(template) }
        }
        if chosen[idKey] == nil, let template = nameTemplate() { lines.append(template) }
        if lines.last == "attributes:" {
            // Still a mapping YAML reads as one, for the person who fills it in.
            lines[lines.count - 1] =
                "attributes: {}   # no column name suggests an Insights attribute: map them by hand"
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The region most of a phone column's samples written with `+` call: `+7 (916) 555-10-30` → RU.
    /// Calling codes are prefix-free, so the first one its leading digits make is the number's.
    static func callingRegion(_ samples: [String]) -> String? {
        var regions: [String: Int] = [:]
        for sample in samples {
            let text = Transform.trimmed(sample)
            guard text.hasPrefix("+") else { continue }
            let digits = text.dropFirst().prefix { $0.isASCII && $0.isNumber }
            for length in 1...min(3, digits.count) {
                if let code = Int(digits.prefix(length)), let region = PhoneNumberLibrary.region(callingCode: code) {
                    regions[region, default: 0] += 1
                    break
                }
            }
        }
        return regions.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }?.key
    }
}
