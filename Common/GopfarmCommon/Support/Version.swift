/// The product version, reported by both executables and exchanged in `AgentHello`.
public enum GopfarmVersion {
    public static let string = "0.1.0"
}
