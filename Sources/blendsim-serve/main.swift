import ArgumentParser
import BlendSimCore
import BlendSimServe
import BlendSimSystem
import Dispatch
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

/// `blendsim serve`: the what-if page and its JSON API over HTTP (docs/SERVE.md). Everything a
/// request may do is decided by `ServerPolicy` and answered by `WhatIfService`; this file is the
/// HTTP around them.
@main
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "blendsim serve",
        abstract: "Serve the what-if page: change a design in the browser and see the simulation's answer.",
        discussion: """
            Listens on 127.0.0.1 unless --host says otherwise; any other address needs the token \
            printed at start (every API call without it is refused). Stop it with Ctrl-C.

            Example:
              blendsim serve            # then open the address it prints
            """)

    @Option(help: "The port to listen on (0: any free port).")
    var port: Int = 8080

    @Option(help: "The address to listen on. Beyond loopback the API needs the printed token.")
    var host: String = "127.0.0.1"

    @Option(help: ArgumentHelp("The scenarios the page may start from (default: the shipped ones).", valueName: "dir"))
    var scenarios: String?

    @Option(name: .customLong("plugin-dir"), help: ArgumentHelp("A directory to search for plugins first (repeatable).", valueName: "dir"))
    var pluginDirectories: [String] = []

    @Option(help: "Simulations at once; a request beyond them is answered 503 with Retry-After (default: the processors).")
    var maxSimulations: Int?

    @Option(help: ArgumentHelp("Memory budget of one request's simulation, in GiB.", valueName: "GiB"))
    var maxMemory: Double = 1

    @Option(help: "The most student-weeks (students × weeks × replications × variants) one request may ask for.")
    var maxStudentWeeks: Double = 10_000_000

    @Option(help: "Connections at once; more wait to be accepted.")
    var maxConnections: Int = 256

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        if let maxSimulations, !(1...256).contains(maxSimulations) { throw ValidationError("--max-simulations must be between 1 and 256") }
        guard maxMemory > 0, maxMemory <= 1024 else { throw ValidationError("--max-memory must be above 0 and at most 1024 GiB") }
        guard maxStudentWeeks >= 1, maxStudentWeeks <= 1e12 else { throw ValidationError("--max-student-weeks must be between 1 and 10^12") }
        guard (1...100_000).contains(maxConnections) else { throw ValidationError("--max-connections must be between 1 and 100000") }
        guard !host.isEmpty, host.allSatisfy({ $0.isLetter || $0.isNumber || ".:-".contains($0) }) else {
            throw ValidationError("--host takes an address or host name")
        }
    }

    func run() async throws {
        let simulations = maxSimulations ?? ProcessorCount.active
        let service: WhatIfService
        do {
            service = try WhatIfService(configuration: .init(
                pluginDirectories: pluginDirectories, scenariosDirectory: scenarios ?? Self.shippedScenarios(),
                threads: max(1, ProcessorCount.active / simulations), memoryBudget: maxMemory * 1_073_741_824,
                maximumStudentWeeks: maxStudentWeeks))
        } catch {
            Process.write(Array((error.rendered + "\n").utf8), to: 2)
            throw ExitCode(1)
        }
        defer { service.close() }
        let token = ServerPolicy.isLoopback(host) ? nil : Self.newToken()
        let server = Server(service: service, admission: Admission(limit: simulations), tokenRequired: token)
        let host = self.host
        let app = Application(
            responder: CallbackResponder<BasicRequestContext> { request, _ in await server.respond(request) },
            // A connection that sends nothing for 5 s is closed, so idle ones cannot hold the
            // connection limit.
            server: .http1(configuration: .init(idleTimeout: .seconds(5))),
            configuration: ApplicationConfiguration(
                address: .hostname(host, port: port), serverName: nil,
                availableConnectionsDelegate: MaximumAvailableConnections(maxConnections)),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                server.policy.withLock { $0 = ServerPolicy(host: host, port: port, token: token) }
                let shown = host.contains(":") ? "[\(host)]" : host
                let address = "http://\(shown):\(port)/" + (token.map { "?token=\($0)" } ?? "")
                Process.write(Array("blendsim serve: open \(address)\n".utf8), to: 1)
            },
            logger: Logger(label: "blendsim-serve", factory: { _ in SwiftLogNoOpLogHandler() }))
        try await app.runService()
        Process.write(Array("blendsim serve: stopped\n".utf8), to: 1)
    }

    /// The shipped scenarios: beside the executable (a build), or under share/blendsim (installed).
    static func shippedScenarios() -> String? {
        guard let executable = FileSystem.executablePath() else { return nil }
        var directory = FileSystem.split(executable).directory
        for _ in 0..<4 {
            for candidate in [directory + "/scenarios", directory + "/share/blendsim/scenarios"] where FileSystem.exists(candidate + "/ratio-40-60.yaml") {
                return candidate
            }
            directory = FileSystem.split(directory).directory
        }
        return nil
    }

    static func newToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<2).map { _ in
            let hex = String(generator.next() as UInt64, radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined()
    }
}

/// The HTTP around the service: policy, admission, the page and the answers' files.
final class Server: Sendable {
    let service: WhatIfService
    let admission: Admission
    /// Set once the port is known (0 asks the system for one).
    let policy: LockedValue<ServerPolicy>

    init(service: WhatIfService, admission: Admission, tokenRequired token: String?) {
        self.service = service
        self.admission = admission
        policy = LockedValue(ServerPolicy(host: "127.0.0.1", port: 0, token: token))
    }

    func respond(_ incoming: Request) async -> Response {
        var request = incoming
        let method = request.method.rawValue
        let path = request.uri.path
        let headers = request.headers
        // HTTP/1.1's Host header arrives as the request's authority.
        let authority = request.head.authority
        func header(_ name: String) -> String? {
            if name == "Host" { return authority }
            guard let field = HTTPField.Name(name) else { return nil }
            return headers[field]
        }
        let policy = self.policy.withLock { $0 }
        if let refusal = policy.refusal(method: method, path: path, header: header) { return Self.response(refusal) }
        let query = Dictionary(request.uri.queryParameters.map { (String($0.key), String($0.value)) }, uniquingKeysWith: { first, _ in first })
        switch (method, path) {
        case ("GET", "/"), ("GET", "/index.html"): return Self.page(Page.html, type: "text/html; charset=utf-8")
        case ("GET", "/app.js"): return Self.page(Page.script, type: "text/javascript; charset=utf-8")
        case ("GET", "/app.css"): return Self.page(Page.css, type: "text/css; charset=utf-8")
        default: break
        }
        if path.hasPrefix("/results/") {
            return resultFile(path: path, method: method, query: query, policy: policy)
        }
        guard path.hasPrefix("/api/") else { return Self.response(APIResponse.notFound(path)) }
        let body: [UInt8]
        do {
            let buffer = try await request.collectBody(upTo: WhatIfService.maximumBodyBytes)
            body = Array(buffer.readableBytesView)
        } catch {
            return Self.response(APIResponse.tooLarge)
        }
        // Only a run or a comparison takes a simulation slot.
        let simulates = method == "POST" && (path == "/api/v1/run" || path == "/api/v1/compare")
        let page = header("X-Blendsim-Page").flatMap { $0.count <= 64 ? $0 : nil }
        let sequence = header("X-Blendsim-Sequence").flatMap { Int($0) }
        if simulates {
            guard admission.isNewest(page: page, sequence: sequence) else { return Self.response(APIResponse.superseded) }
            guard admission.enter() else { return Self.response(APIResponse.busy, extra: [("Retry-After", "1")]) }
        }
        let service = self.service
        let answer = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: service.respond(method: method, path: path, query: query, body: body))
            }
        }
        if simulates {
            admission.leave()
            guard admission.isCurrent(page: page, sequence: sequence) else { return Self.response(APIResponse.superseded) }
        }
        return Self.response(answer)
    }

    /// `/results/ID/NAME`: a file of a recent answer (the page's frame and downloads).
    func resultFile(path: String, method: String, query: [String: String], policy: ServerPolicy) -> Response {
        let parts = path.split(separator: "/").map(String.init)
        if let token = policy.token, query["token"] != token { return Self.response(APIResponse.unauthorized) }
        guard method == "GET", parts.count == 3, parts[1].count == 32, parts[1].allSatisfy(\.isHexDigit),
            let bytes = service.resultFile(id: parts[1], name: parts[2])
        else { return Self.response(APIResponse.notFound(path)) }
        let type = parts[2].hasSuffix(".html") ? "text/html; charset=utf-8" : parts[2].hasSuffix(".json") ? "application/json" : "text/yaml; charset=utf-8"
        var headers = Self.fields(ServerPolicy.securityHeaders.filter { $0.0 != "Content-Security-Policy" && $0.0 != "X-Frame-Options" })
        // report.html has a style block and no script; it is shown in the page's sandboxed frame.
        headers[HTTPField.Name("Content-Security-Policy")!] = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; sandbox"
        headers[HTTPField.Name("X-Frame-Options")!] = "SAMEORIGIN"
        headers[.contentType] = type
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static func page(_ text: String, type: String) -> Response {
        var headers = fields(ServerPolicy.securityHeaders)
        headers[.contentType] = type
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    static func response(_ answer: APIResponse, extra: [(String, String)] = []) -> Response {
        var headers = fields(ServerPolicy.securityHeaders + extra)
        headers[.contentType] = answer.contentType
        return Response(
            status: HTTPResponse.Status(code: answer.status), headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.body)))
    }

    static func fields(_ pairs: [(String, String)]) -> HTTPFields {
        var fields = HTTPFields()
        for (name, value) in pairs { if let name = HTTPField.Name(name) { fields[name] = value } }
        return fields
    }
}
