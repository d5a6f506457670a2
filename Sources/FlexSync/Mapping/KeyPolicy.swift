/// Who owns a managed key, and so when flexsync writes it (`policy:` on an attribute,
/// `default_policy:` for the mapping).
///
/// | policy | written when | a live value someone else set |
/// |---|---|---|
/// | `sync` (default) | the export differs from live | drift: kept, reported (`on_drift`) |
/// | `fill_empty` | the live key is absent or empty | never overwritten |
/// | `create_only` | flexsync never wrote (or saw equal) this key on this target | never overwritten |
/// | `report_only` | never | differences reported as drift |
public enum KeyPolicy: String, Sendable, CaseIterable {
    case sync
    case fillEmpty = "fill_empty"
    case createOnly = "create_only"
    case reportOnly = "report_only"

    /// Whether an empty export value removes the live key unless the mapping says otherwise:
    /// only `sync` removes; the other policies never overwrite, and a removal is an overwrite.
    var removesWhenAbsentByDefault: Bool { self == .sync }
}
