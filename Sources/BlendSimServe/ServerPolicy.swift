import BlendSimCore
import BlendSimSystem

/// What `blendsim serve` lets in, decided from a request's method, path and headers before
/// anything is read or computed (docs/RELIABILITY.md, "The what-if server"):
///
/// - **Host** must name the address the server listens on (`localhost`, `127.0.0.1` or `[::1]`
///   on loopback), so a page on another site cannot reach it through DNS rebinding.
/// - **Origin** (sent by browsers with every API call that changes something) must be the
///   server's own; `Sec-Fetch-Site: cross-site` is refused too.
/// - **A token**, when listening beyond loopback: every API call carries it
///   (`Authorization: Bearer TOKEN`), else 401.
/// - **Bodies** are JSON (`Content-Type: application/json`, so no HTML form can post one) and at
///   most `WhatIfService.maximumBodyBytes`.
public struct ServerPolicy: Sendable {
    public let host: String
    public let port: Int
    /// Required on every API call when set (a non-loopback `--host`).
    public let token: String?

    public init(host: String, port: Int, token: String?) {
        self.host = host
        self.port = port
        self.token = token
    }

    /// Whether `host` is a loopback address, where no token is needed.
    public static func isLoopback(_ host: String) -> Bool {
        if host == "::1" || host == "localhost" { return true }
        // 127.0.0.0/8, written as four decimal numbers (not a name that starts with "127.").
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127"
            && parts.allSatisfy { !$0.isEmpty && $0.count <= 3 && $0.allSatisfy(\.isNumber) && Int($0)! <= 255 }
    }

    /// The Host header values this server answers to.
    var allowedHosts: Set<String> {
        var names = Self.isLoopback(host) ? ["localhost", "127.0.0.1", "[::1]"] : [host.contains(":") ? "[\(host)]" : host]
        if host.hasPrefix("127.") { names.append(host) }
        return Set(names.flatMap { [$0 + ":\(port)", $0] }.map { $0.lowercased() })
    }

    /// nil when the request may go on, else the answer that refuses it. `header` returns a
    /// request header's value by name (case-insensitive).
    public func refusal(method: String, path: String, header: (String) -> String?) -> APIResponse? {
        guard let hostHeader = header("Host")?.lowercased(), allowedHosts.contains(hostHeader) else {
            return .error(403, "this server answers requests for \(allowedHosts.sorted().first ?? host) only (Host header)")
        }
        if let origin = header("Origin")?.lowercased(), origin != "null" || method != "GET" {
            let allowed = allowedHosts.map { "http://" + $0 }
            guard allowed.contains(origin) else { return .error(403, "cross-origin requests are refused (Origin \(origin))") }
        }
        if header("Sec-Fetch-Site")?.lowercased() == "cross-site" { return .error(403, "cross-site requests are refused") }
        guard path.hasPrefix("/api/") else { return nil }
        if let token {
            // The scheme's name is case-insensitive (RFC 9110); the token is not.
            guard let given = header("Authorization"), given.count == 7 + token.count, given.prefix(7).lowercased() == "bearer ",
                given.dropFirst(7) == token[...]
            else {
                return .error(401, "this server needs its token: send 'Authorization: Bearer TOKEN' (the token printed when it started)")
            }
        }
        if method == "POST" {
            guard let type = header("Content-Type")?.lowercased(), type.hasPrefix("application/json") else {
                return .error(415, "the API takes JSON bodies (Content-Type: application/json)")
            }
            if let length = header("Content-Length") {
                guard let bytes = Int(length), bytes >= 0 else { return .error(400, "the Content-Length is not a number") }
                if bytes > WhatIfService.maximumBodyBytes { return .error(413, "the request body is larger than 1 MiB") }
            }
        }
        return nil
    }

    /// The headers every answer carries: no framing, no sniffing, no referrer, and a strict
    /// Content-Security-Policy (the page's own script and style only, data: images for downloads,
    /// and report.html shown in a sandboxed frame that runs nothing).
    public static let securityHeaders: [(String, String)] = [
        ("Content-Security-Policy",
         "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' blob:; frame-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "no-referrer"),
        ("Cache-Control", "no-store"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
        ("Cross-Origin-Resource-Policy", "same-origin"),
    ]
}

/// How many simulations run at once, and which request of a page is the newest: a request
/// beyond `limit` is refused with 503 (Retry-After: 1), never queued; a request that a newer one
/// from the same page has superseded is not started, and its answer, if it was already running,
/// is dropped (409).
public final class Admission: Sendable {
    public let limit: Int
    struct State {
        var running = 0
        var latest: [String: Int] = [:]
    }
    let state: LockedValue<State>
    /// The pages remembered (the oldest is forgotten beyond it), so memory stays bounded.
    static let pagesRemembered = 10_000

    public init(limit: Int) {
        self.limit = max(1, limit)
        state = LockedValue(State())
    }

    /// Records that `page` sent request `sequence`; whether it is still the newest.
    public func isNewest(page: String?, sequence: Int?) -> Bool {
        guard let page, let sequence else { return true }
        return state.withLock { state in
            if let latest = state.latest[page], latest > sequence { return false }
            if state.latest.count >= Self.pagesRemembered && state.latest[page] == nil { state.latest.removeAll(keepingCapacity: true) }
            state.latest[page] = sequence
            return true
        }
    }

    /// Whether `sequence` is still the newest request of `page`.
    public func isCurrent(page: String?, sequence: Int?) -> Bool {
        guard let page, let sequence else { return true }
        return state.withLock { ($0.latest[page] ?? sequence) <= sequence }
    }

    /// Takes a slot, or nil when `limit` simulations are running.
    public func enter() -> Bool {
        state.withLock { state in
            guard state.running < limit else { return false }
            state.running += 1
            return true
        }
    }

    public func leave() { state.withLock { $0.running -= 1 } }
}
