/// A reference to an object that something else keeps alive, for code that runs for every value
/// of every record: calling through it counts no references.
///
/// Swift retains an object loaded from a property around any call it cannot see through, in case
/// that call frees the object; on the mapping path that was a third of a validation run's CPU
/// time, all of it on objects whose owner outlives the run. Only a holder of a strong reference
/// to the same object may keep one of these.
struct Unretained<Object: AnyObject> {
    private let reference: Unmanaged<Object>

    init(_ object: Object) { reference = .passUnretained(object) }

    /// Runs `body` with the object, which the owner keeps alive for the call.
    @inline(__always)
    func with<Result>(_ body: (Object) throws -> Result) rethrows -> Result {
        try reference._withUnsafeGuaranteedRef(body)
    }
}
