/// A reference to an object that something else keeps alive, held without owning it: the
/// per-record path keeps these beside the owner's strong references. A call through it still
/// retains the object for the call's duration (the underscored standard-library call that
/// avoided even that is not used: STYLE.md §7).
struct Unretained<Object: AnyObject> {
    private let reference: Unmanaged<Object>

    init(_ object: Object) { reference = .passUnretained(object) }

    /// Runs `body` with the object, which the owner keeps alive for the call.
    @inline(__always)
    func with<Result>(_ body: (Object) throws -> Result) rethrows -> Result {
        try body(reference.takeUnretainedValue())
    }
}
