/// flexsync's version, as `flexsync --version` prints it and the User-Agent carries it.
public enum FlexSyncVersion {
    public static let current = "0.1.0"
}
