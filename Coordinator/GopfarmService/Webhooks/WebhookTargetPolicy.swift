import Foundation

/// Where the coordinator may send webhooks. A producer chooses the URL, and the coordinator
/// makes the request from inside the farm's network, so without a rule any producer could make
/// it call the cloud's metadata service, its own API or machines on the LAN (server-side request
/// forgery). By default a URL whose host is, or resolves to, a loopback, private, link-local,
/// unique-local, multicast or unspecified address is refused: when the webhook is added, and
/// again before every try (a name may resolve elsewhere later). `serve --webhook-allow-private`
/// lifts the rule for farms whose receivers live on their own network, except for the addresses
/// clouds serve instance metadata on (link-local ones as 169.254.169.254, and `metadataAddresses`),
/// where no receiver lives. Redirects are never followed (`WebhookSender`), so an allowed host
/// cannot bounce a try inward.
public struct WebhookTargetPolicy: Sendable {
    public var allowPrivate = false

    public init(allowPrivate: Bool = false) { self.allowPrivate = allowPrivate }

    /// Why `url` may not be called (one sentence), or nil. Names that do not resolve pass here:
    /// their tries fail as an unknown host.
    public func refusal(for url: String) -> String? {
        guard let host = URLComponents(string: url)?.host, !host.isEmpty else { return nil }
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        for address in Self.resolve(bare) {
            guard let kind = Self.internalKind(of: address) else { continue }
            let shown = address == bare ? address : "\(bare) (\(address))"
            if kind == "link-local" || Self.metadataAddresses.contains(address.lowercased()) {
                return "the webhook host \(shown) is \(kind == "link-local" ? "a link-local address" : "an address"), where clouds serve instance metadata, which the coordinator never calls"
            }
            if !allowPrivate {
                return "the webhook host \(shown) is a \(kind) address, which the coordinator does not call (it would reach inside the farm's network); ops can allow such receivers with serve --webhook-allow-private"
            }
        }
        return nil
    }

    /// `refusal(for:)` on a thread of its own: resolving a name may wait on DNS, which must not
    /// hold one of the cooperative pool's few threads.
    public func refusal(for url: String) async -> String? {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: self.refusal(for: url)) }
        }
    }

    /// Instance metadata services outside link-local space: AWS's IPv6 one (unique-local) and
    /// Alibaba Cloud's (shared address space).
    static let metadataAddresses: Set<String> = ["fd00:ec2::254", "100.100.100.200"]

    /// What kind of inside address `address` (IPv4 or IPv6 text) is, or nil for a public one.
    public static func internalKind(of text: String) -> String? {
        let address = text.split(separator: "%").first.map(String.init) ?? text  // fe80::1%eth0
        var v4 = in_addr()
        if inet_pton(AF_INET, address, &v4) == 1 {
            let b = withUnsafeBytes(of: v4.s_addr) { Array($0) }
            switch (b[0], b[1]) {
            case (127, _): return "loopback"
            case (10, _), (172, 16...31), (192, 168), (100, 64...127): return "private"
            case (169, 254): return "link-local"
            case (0, _): return "unspecified"
            case (224...239, _): return "multicast"
            case (240...255, _): return "reserved"
            // The benchmarking range (emulated hosts live there) and the IETF's own block.
            case (198, 18...19): return "benchmarking"
            case (192, 0) where b[2] == 0: return "reserved"
            default: return nil
            }
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, address, &v6) == 1 else { return nil }
        let b = withUnsafeBytes(of: v6) { Array($0) }
        if b[0..<10].allSatisfy({ $0 == 0 }), b[10] == 0xff, b[11] == 0xff {
            return internalKind(of: "\(b[12]).\(b[13]).\(b[14]).\(b[15])")  // IPv4-mapped
        }
        if b[0..<15].allSatisfy({ $0 == 0 }) { return b[15] == 1 ? "loopback" : "unspecified" }
        // IPv4 inside IPv6, judged by the IPv4 address: IPv4-compatible (::a.b.c.d), NAT64
        // (64:ff9b::/96) and 6to4 (2002:AABB:CCDD::) reach it through a gateway on the way.
        let embedded: [UInt8]? = if b[0..<12].allSatisfy({ $0 == 0 }) { Array(b[12..<16]) }
            else if b[0..<12] == [0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0] { Array(b[12..<16]) }
            else if b[0] == 0x20, b[1] == 0x02 { Array(b[2..<6]) }
            else { nil }
        if let v4 = embedded { return internalKind(of: v4.map(String.init).joined(separator: ".")) }
        if b[0] == 0xfe, b[1] & 0xc0 == 0x80 { return "link-local" }
        if b[0] & 0xfe == 0xfc { return "unique-local" }
        if b[0] == 0xff { return "multicast" }
        return nil
    }

    /// The addresses `host` stands for: itself when it is an address, else what the resolver
    /// says (empty when it says nothing).
    static func resolve(_ host: String) -> [String] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0, let first = list else { return [] }
        defer { freeaddrinfo(first) }
        var addresses: [String] = []
        var next: UnsafeMutablePointer<addrinfo>? = first
        while let info = next {
            var text = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            if getnameinfo(info.pointee.ai_addr, info.pointee.ai_addrlen, &text, socklen_t(text.count), nil, 0, NI_NUMERICHOST) == 0 {
                addresses.append(String(cString: text))
            }
            next = info.pointee.ai_next
        }
        return addresses
    }
}
