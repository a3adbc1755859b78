import BlendSimCore
import BlendSimServe
import Foundation
import Testing

/// `blendsim serve`: the JSON API gives the CLI's numbers, refuses what a client may not ask for
/// at the place it asked, and the server holds under loopback load with hostile requests mixed in.
@Suite("What-if server")
struct ServeTests {
    static let service: WhatIfService = {
        let service = try! WhatIfService(configuration: .init(pluginDirectories: [TestPaths.products], scenariosDirectory: TestPaths.scenarios))
        // Its working directory goes when the test process ends.
        atexit { ServeTests.service.close() }
        return service
    }()

    func post(_ route: String, _ body: JSONValue) -> (status: Int, document: JSONValue) {
        let answer = Self.service.respond(method: "POST", path: "/api/v1/" + route, query: [:], body: Array(body.serialized().utf8))
        return (answer.status, (try? JSONValue.parse(String(decoding: answer.body, as: UTF8.self))) ?? .null)
    }

    func get(_ route: String) -> (status: Int, document: JSONValue) {
        let answer = Self.service.respond(method: "GET", path: "/api/v1/" + route, query: [:], body: [])
        return (answer.status, (try? JSONValue.parse(String(decoding: answer.body, as: UTF8.self))) ?? .null)
    }

    /// The page's summary.json is `blendsim run`'s and `blendsim compare`'s on the same text,
    /// byte for byte.
    @Test(arguments: [("ratio-40-60.yaml", "run"), ("compare-ratios.yaml", "compare")])
    func theAPIGivesTheCLIsNumbers(scenario: String, command: String) throws {
        let text = try String(contentsOfFile: TestPaths.scenarios + "/" + scenario, encoding: .utf8)
            .replacingOccurrences(of: #"(?m)^replications: \d+"#, with: "replications: 6", options: .regularExpression)
        #expect(text.contains("replications: 6"))
        let answer = post(command, .object([("scenario", .string(text))]))
        #expect(answer.status == 200, "\(answer.document.serialized())")
        let directory = TemporaryDirectory()
        let file = directory.path + "/" + scenario
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        let cli = try blendsim(command, file, "--out", directory.path + "/out", "--quiet")
        #expect(cli.status == 0, "\(cli.stderr)")
        let expected = try String(contentsOfFile: directory.path + "/out/summary.json", encoding: .utf8)
        #expect(answer.document["summary_json"]?.stringValue == expected)
        #expect(answer.document["table"]?.stringValue?.contains("Where this comes from") == true)
        // The answer's files are kept for the page's frame and downloads.
        let id = try #require(answer.document["id"]?.stringValue)
        #expect(Self.service.resultFile(id: id, name: "summary.json") == Array(expected.utf8))
        #expect(Self.service.resultFile(id: id, name: "report.html").map { String(decoding: $0, as: UTF8.self).contains("<svg") } == true)
        #expect(Self.service.resultFile(id: id, name: "scenario.yaml") == Array(text.utf8))
        #expect(Self.service.resultFile(id: String(repeating: "0", count: 32), name: "summary.json") == nil)
    }

    /// An invalid scenario is answered with the error object: the message `validate` prints, at
    /// the line and column it prints, under the name the client knows.
    @Test func errorsAreLocatedAsValidateLocatesThem() throws {
        let text = "name: t\ngroups:\n  - name: g\n    students: 100\n    levels: {intermediate: 1}\n    model: flipped-classroom\n    online_share: 4\n"
        let answer = post("run", .object([("scenario", .string(text))]))
        #expect(answer.status == 422)
        let first = try #require(answer.document["errors"]?[0])
        #expect(first["line"] == .integer(7) && first["column"] == .integer(19), "\(first.serialized())")
        #expect(first["file"] == .string("scenario.yaml"))
        let directory = TemporaryDirectory()
        try text.write(toFile: directory.path + "/scenario.yaml", atomically: true, encoding: .utf8)
        let validate = try blendsim("validate", directory.path + "/scenario.yaml")
        let message = try #require(first["message"]?.stringValue)
        #expect(validate.status != 0 && validate.stderr.contains("7:19: error: " + message), "\(validate.stderr) vs \(message)")
        #expect(answer.document["error"]?["rendered"]?.stringValue?.contains(Self.service.configuration.scenariosDirectory ?? "\u{0}") == false)
    }

    /// What a client may not ask for: files (`include:`), more work than the server allows, a body
    /// that is not JSON. The server's own paths never appear in an answer.
    @Test func whatAClientMayNotAskForIsRefused() throws {
        let include = post("run", .object([("scenario", .string("name: t\ninclude: /etc/passwd\ngroups: []\n"))]))
        #expect(include.status == 422)
        #expect(include.document["errors"]?[0]?["line"] == .integer(2))
        #expect(include.document["error"]?["message"]?.stringValue?.contains("cannot include files") == true)
        let big = "name: t\nreplications: 1000\ngroups:\n  - {name: g, students: 100000, levels: {intermediate: 1}, model: traditional}\n"
        let work = post("run", .object([("scenario", .string(big))]))
        #expect(work.status == 422 && work.document["error"]?["message"]?.stringValue?.contains("student-weeks") == true, "\(work.document.serialized())")
        let notJSON = Self.service.respond(method: "POST", path: "/api/v1/run", query: [:], body: Array("scenario: x".utf8))
        #expect(notJSON.status == 400)
        let tooLarge = Self.service.respond(method: "POST", path: "/api/v1/run", query: [:], body: [UInt8](repeating: 32, count: WhatIfService.maximumBodyBytes + 1))
        #expect(tooLarge.status == 413)
        #expect(Self.service.respond(method: "DELETE", path: "/api/v1/run", query: [:], body: []).status == 405)
        #expect(Self.service.respond(method: "GET", path: "/api/v2/run", query: [:], body: []).status == 404)
        #expect(get("scenarios/..%2F..%2Fetc%2Fpasswd").status == 404)
        // A model error found while simulating names the scenario as the client sent it.
        let failing = "name: t\nreplications: 2\ngroups:\n  - {name: g, students: 10, levels: {intermediate: 1}, model: traditional, online_share: 0.4}\n"
        let answer = post("run", .object([("scenario", .string(failing))]))
        #expect(answer.status == 422)
        #expect(!answer.document.serialized().contains("/request-"), "\(answer.document.serialized())")
    }

    /// What a hostile review found: keys the reader takes for `include`, counts past Int.max,
    /// thousands of variants, unknown plugins (through validate too) and the server's paths.
    @Test(arguments: ["Include", "INCLUDE", "includ", "inclde"])
    func keysReadAsIncludeAreRefused(key: String) throws {
        let answer = post("validate", .object([("scenario", .string("\(key): /etc/passwd.yaml\ngroups: []\n"))]))
        #expect(answer.status == 422)
        #expect(answer.document["error"]?["message"]?.stringValue?.contains("cannot include files") == true, "\(answer.document.serialized())")
        #expect(!answer.document.serialized().contains("No such file"), "the file was looked for")
    }

    @Test func hugeAndManyAreRefusedNotCrashedOn() throws {
        let groups = (0..<20).map { "  - {name: g\($0), students: 100000000, levels: {intermediate: 1}, model: flex}" }.joined(separator: "\n")
        let huge = "name: t\nreplications: 100000\nsemester: {weeks: 52}\ngroups:\n\(groups)\nvariants:\n" + (0..<1000).map { "  - {name: v\($0)}" }.joined(separator: "\n") + "\n"
        let answer = post("compare", .object([("scenario", .string(huge))]))
        #expect(answer.status == 422, "\(answer.document.serialized().prefix(300))")
        let many = "name: t\nreplications: 2\ngroups:\n  - {name: g, students: 1, levels: {intermediate: 1}, model: flex}\nvariants:\n"
            + (0..<40).map { "  - {name: v\($0)}" }.joined(separator: "\n") + "\n"
        let variants = post("compare", .object([("scenario", .string(many))]))
        #expect(variants.status == 422 && variants.document["error"]?["message"]?.stringValue?.contains("up to 32 variants") == true, "\(variants.document.serialized())")
        let unknown = "name: t\ngroups:\n  - {name: g, students: 10, levels: {intermediate: 1}, model: nosuchmodel}\n"
        for route in ["validate", "run"] {
            let refused = post(route, .object([("scenario", .string(unknown))]))
            #expect(refused.status == 422, "\(route)")
            let text = refused.document.serialized()
            #expect(text.contains("model 'nosuchmodel' not found") && !text.contains(TestPaths.products), "\(route): \(text)")
        }
        let template = Self.service.respond(method: "GET", path: "/api/v1/template", query: ["model": "nosuchmodel"], body: [])
        #expect(template.status == 422 && !String(decoding: template.body, as: UTF8.self).contains(TestPaths.products))
        #expect(!ServerPolicy.isLoopback("127.example.com") && ServerPolicy.isLoopback("127.0.0.2") && !ServerPolicy.isLoopback("127.0.0.256"))
        let open = ServerPolicy(host: "10.0.0.5", port: 9000, token: "secret")
        #expect(open.refusal(method: "GET", path: "/api/v1/plugins") { ["Host": "10.0.0.5:9000", "Authorization": "bearer secret"][$0] } == nil)
    }

    /// A shipped scenario's name is a path segment: percent-escapes are decoded, and only names
    /// the list holds are served.
    @Test func scenarioNamesArePercentDecoded() throws {
        let directory = TemporaryDirectory()
        let text = try String(contentsOfFile: TestPaths.scenarios + "/ratio-40-60.yaml", encoding: .utf8)
        try text.write(toFile: directory.path + "/my ratio é.yaml", atomically: true, encoding: .utf8)
        let service = try WhatIfService(configuration: .init(pluginDirectories: [TestPaths.products], scenariosDirectory: directory.path))
        defer { service.close() }
        #expect(service.respond(method: "GET", path: "/api/v1/scenarios/my%20ratio%20%C3%A9.yaml", query: [:], body: []).status == 200)
        #expect(service.respond(method: "GET", path: "/api/v1/scenarios/..%2Fratio-40-60.yaml", query: [:], body: []).status == 404)
    }

    /// The page starts from the shipped scenarios that load as they are, the template, or an upload.
    @Test func thePageStartsFromShippedScenariosTheTemplateOrAnUpload() throws {
        let list = get("scenarios")
        guard case .array(let names)? = list.document["scenarios"] else {
            Issue.record("no list: \(list.document.serialized())")
            return
        }
        #expect(names.contains(.string("ratio-40-60.yaml")) && names.contains(.string("compare-ratios.yaml")))
        #expect(!names.contains(.string("evidence-defaults.yaml")), "a fragment is not a scenario to start from")
        let shipped = get("scenarios/ratio-40-60.yaml")
        #expect(shipped.status == 200)
        #expect(shipped.document["document"]?["groups"]?[0]?["online_share"] == .number(0.4))
        let template = get("template")
        #expect(template.status == 200 && template.document["document"]?["groups"] != nil)
        let upload = post("document", .object([("scenario", .string("name: up\nseed: 3\ngroups: [{name: g, students: 5, model: flex}]\n"))]))
        #expect(upload.document["document"]?["seed"] == .integer(3))
        #expect(upload.document["document"]?["groups"]?[0]?["model"] == .string("flex"))
        let plugins = get("plugins")
        guard case .array(let models)? = plugins.document["models"] else {
            Issue.record("no models")
            return
        }
        #expect(models.count >= 12)
    }

    /// Host, Origin, token, content type and size are checked before anything is read.
    @Test func thePolicyRefusesWhatIsNotForThisServer() {
        let local = ServerPolicy(host: "127.0.0.1", port: 8080, token: nil)
        func status(_ policy: ServerPolicy, _ method: String, _ path: String, _ headers: [String: String]) -> Int? {
            policy.refusal(method: method, path: path) { headers[$0] }?.status
        }
        let json = ["Host": "127.0.0.1:8080", "Content-Type": "application/json"]
        #expect(status(local, "POST", "/api/v1/run", json) == nil)
        #expect(status(local, "GET", "/", ["Host": "localhost:8080"]) == nil)
        #expect(status(local, "GET", "/", ["Host": "evil.example:8080"]) == 403, "DNS rebinding")
        #expect(status(local, "GET", "/", [:]) == 403)
        #expect(status(local, "POST", "/api/v1/run", json.merging(["Origin": "http://evil.example"]) { $1 }) == 403)
        #expect(status(local, "POST", "/api/v1/run", json.merging(["Origin": "http://127.0.0.1:8080"]) { $1 }) == nil)
        #expect(status(local, "GET", "/api/v1/plugins", ["Host": "127.0.0.1:8080", "Sec-Fetch-Site": "cross-site"]) == 403)
        #expect(status(local, "POST", "/api/v1/run", ["Host": "127.0.0.1:8080", "Content-Type": "text/plain"]) == 415)
        #expect(status(local, "POST", "/api/v1/run", json.merging(["Content-Length": "99999999"]) { $1 }) == 413)
        let open = ServerPolicy(host: "10.0.0.5", port: 9000, token: "secret")
        let remote = ["Host": "10.0.0.5:9000", "Content-Type": "application/json"]
        #expect(status(open, "POST", "/api/v1/run", remote) == 401)
        #expect(status(open, "POST", "/api/v1/run", remote.merging(["Authorization": "Bearer wrong"]) { $1 }) == 401)
        #expect(status(open, "POST", "/api/v1/run", remote.merging(["Authorization": "Bearer secret"]) { $1 }) == nil)
        #expect(status(open, "GET", "/", ["Host": "10.0.0.5:9000"]) == nil, "the page itself holds no data")
        #expect(ServerPolicy.securityHeaders.contains { $0.0 == "Content-Security-Policy" && $0.1.contains("script-src 'self'") })
    }

    /// At most `limit` simulations at once; a request a newer one of its page superseded is dropped.
    @Test func admissionIsBoundedAndNewestFirst() {
        let admission = Admission(limit: 2)
        #expect(admission.enter() && admission.enter())
        #expect(!admission.enter(), "a third simulation is refused, not queued")
        admission.leave()
        #expect(admission.enter())
        #expect(admission.isNewest(page: "p", sequence: 1))
        #expect(admission.isNewest(page: "p", sequence: 3))
        #expect(!admission.isNewest(page: "p", sequence: 2), "an older request arriving late is not started")
        #expect(!admission.isCurrent(page: "p", sequence: 1))
        #expect(admission.isCurrent(page: "p", sequence: 3))
        #expect(admission.isNewest(page: nil, sequence: nil), "a client without a page id is never superseded")
    }

    /// The server under loopback load with hostile requests mixed in (scripts/serve-load.py,
    /// short): every answer is the simulation or a clear refusal, memory bounded, SIGTERM stops it.
    @Test(.tags(.slow)) func theServerHoldsUnderLoopbackLoad() throws {
        let result = try runProcess(
            "/usr/bin/env", ["python3", TestPaths.root + "/scripts/serve-load.py", "--quick", "--server", TestPaths.products + "/blendsim-serve"],
            directory: TestPaths.root)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("every answer was the simulation or a clear refusal"))
    }

    /// docs/openapi.json lists exactly the routes the service answers, and each answers.
    @Test func theOpenAPIDocumentListsEveryRoute() throws {
        let document = try JSONValue.parse(String(contentsOfFile: TestPaths.root + "/docs/openapi.json", encoding: .utf8))
        guard case .object(let paths)? = document["paths"] else {
            Issue.record("no paths")
            return
        }
        var documented = Set<String>()
        for (path, item) in paths {
            guard case .object(let operations) = item else { continue }
            for (method, _) in operations { documented.insert(method.uppercased() + " " + path) }
        }
        let answered: Set = [
            "GET /api/v1/plugins", "GET /api/v1/schema", "GET /api/v1/scenarios", "GET /api/v1/scenarios/{name}", "GET /api/v1/template",
            "POST /api/v1/document", "POST /api/v1/validate", "POST /api/v1/run", "POST /api/v1/compare",
        ]
        #expect(documented == answered)
        let scenario = "name: t\nreplications: 2\ngroups:\n  - {name: g, students: 20, levels: {intermediate: 1}, model: flex, online_share: 0.5}\nvariants:\n  - {name: a}\n  - {name: b, online_share: 0.3}\n"
        for route in answered {
            let parts = route.split(separator: " ").map(String.init)
            let path = parts[1].replacingOccurrences(of: "{name}", with: "ratio-40-60.yaml")
            let body = parts[0] == "POST" ? Array(JSONValue.object([("scenario", .string(scenario))]).serialized().utf8) : []
            let answer = Self.service.respond(method: parts[0], path: path, query: [:], body: body)
            #expect(answer.status == 200, "\(route): \(String(decoding: answer.body, as: UTF8.self).prefix(300))")
        }
    }

    /// `blendsim serve` runs blendsim-serve with its options.
    @Test func serveRunsTheServer() throws {
        let help = try blendsim("serve", "--help-server")
        #expect(help.status == 0, "\(help.stderr)")
        #expect(help.stdout.contains("--max-simulations") && help.stdout.contains("--host"))
        let bad = try blendsim("serve", "--port", "70000")
        #expect(bad.status != 0 && bad.stderr.contains("--port must be between 0 and 65535"))
    }
}

extension JSONValue {
    /// An array's item, for reading answers.
    fileprivate subscript(index: Int) -> JSONValue? {
        guard case .array(let items) = self, items.indices.contains(index) else { return nil }
        return items[index]
    }
}
