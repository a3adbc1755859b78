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
    // Through GNU time, which forks the command from its own small process: a command spawned
    // from this (large, multi-test) process directly would count this process's resident memory
    // in its peak, since Linux carries the peak of the memory a process replaces at exec.
    let time = "/usr/bin/time"
    try #require(FileManager.default.isExecutableFile(atPath: time), "GNU time is needed to measure a command's peak memory (apt-get install time)")
    let directory = TemporaryDirectory()
    let report = directory.path + "/peak"
    let result = try runProcess(time, ["-f", "%M", "-o", report, TestPaths.executable] + arguments)
    let text = try String(contentsOfFile: report, encoding: .utf8)
    let kilobytes = text.split(separator: "\n").last.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) } ?? 0
    return (result.status, kilobytes)
}
