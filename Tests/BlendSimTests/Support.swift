import Foundation
import Testing
@testable import BlendSimPluginHost

extension Tag {
    /// Tests that take 5 s or more on their own on 2 cores (docs/RELIABILITY.md lists them with
    /// their times). They stay in `swift test`; the tag marks where the suite's time goes.
    @Tag static var slow: Self
}

/// Paths and helpers shared by the tests.
enum TestPaths {
    /// The package's root directory.
    static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// The directory holding the built executable and plugins (where the test runner lives).
    static let products: String = PluginHost.executableDirectory() ?? root + "/.build/debug"

    static let executable = products + "/blendsim"
    static let fixtures = root + "/Tests/Fixtures"
    static let scenarios = root + "/scenarios"
    static let abiInclude = root + "/BlendSimSDK/Sources/CBlendSimABI/include"
}

/// A fresh private directory, removed when the value goes away.
final class TemporaryDirectory {
    let path: String

    init() {
        var template = Array((NSTemporaryDirectory() + "blendsim-test-XXXXXX").utf8CString)
        path = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)) }
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func file(_ name: String, _ contents: String) -> String {
        let target = path + "/" + name
        _ = FileManager.default.createFile(atPath: target, contents: Data(contents.utf8))
        return target
    }
}

/// What a finished process printed and returned.
struct ProcessOutput {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs a program to completion.
func runProcess(
    _ executable: String, _ arguments: [String], environment: [String: String]? = nil, directory: String? = nil
) throws -> ProcessOutput {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    var env = ProcessInfo.processInfo.environment
    env["BLENDSIM_PLUGIN_PATH"] = nil
    if let environment { env.merge(environment) { $1 } }
    process.environment = env
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return ProcessOutput(
        status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
        stderr: String(decoding: errData, as: UTF8.self))
}

/// Runs the built blendsim.
func blendsim(_ arguments: String..., environment: [String: String]? = nil) throws -> ProcessOutput {
    try runProcess(TestPaths.executable, arguments, environment: environment)
}

/// Compiles a C fixture into a shared library named `libblendsim-NAME.so` in `directory`.
func compileFixturePlugin(_ source: String, name: String, into directory: String) throws -> String {
    let compiler = ["/usr/bin/cc", "/usr/bin/gcc", "/usr/bin/clang"].first { FileManager.default.isExecutableFile(atPath: $0) }
    let cc = try #require(compiler, "a C compiler is needed to build fixture plugins")
    let output = directory + "/libblendsim-\(name).so"
    let result = try runProcess(
        cc, ["-shared", "-fPIC", "-O1", "-I", TestPaths.abiInclude, (source.hasPrefix("/") ? source : TestPaths.fixtures + "/plugins/" + source), "-o", output, "-lm"])
    #expect(result.status == 0, "compiling \(source) failed: \(result.stderr)")
    return output
}

/// Runs the built blendsim with its output discarded and returns its exit status and its peak
/// resident memory in KiB (`wait4`'s rusage of that child alone).
func peakMemory(_ arguments: [String]) throws -> (status: Int32, kilobytes: Int) {
    var pid: pid_t = 0
    let argv: [UnsafeMutablePointer<CChar>?] = ([TestPaths.executable] + arguments).map { strdup($0) } + [nil]
    defer { for item in argv { free(item) } }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    let spawned = argv.withUnsafeBufferPointer { buffer in
        posix_spawn(&pid, TestPaths.executable, &actions, nil, UnsafeMutablePointer(mutating: buffer.baseAddress!), environ)
    }
    try #require(spawned == 0, "cannot start blendsim")
    var status: Int32 = 0
    var usage = rusage()
    _ = wait4(pid, &status, 0, &usage)
    return ((status >> 8) & 0xff, usage.ru_maxrss)
}
