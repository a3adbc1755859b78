import Glibc
import Synchronization

/// The process: its standard streams, environment, memory and the handlers that report how it
/// ends.
public enum Process {
    /// Writes all of `bytes` to a descriptor (retrying short writes); false if it fails.
    @discardableResult
    public static func write(_ bytes: [UInt8], to descriptor: Int32) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            if written <= 0 { return false }
            offset += written
        }
        return true
    }

    /// Replaces this process with the program at `path`, given `arguments` (the first is its
    /// name); returns only if that fails, with the reason.
    public static func replace(with path: String, arguments: [String]) -> String {
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for item in argv { free(item) } }
        execv(path, &argv)
        return String(cString: strerror(errno))
    }

    /// Whether a descriptor is a terminal.
    public static func isTerminal(_ descriptor: Int32) -> Bool { isatty(descriptor) != 0 }

    /// An environment variable.
    public static func environment(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }

    /// Points descriptor 1 at descriptor 2 and returns a copy of the original standard output
    /// (nil if that fails): plugin code that prints goes to standard error.
    public static func redirectStandardOutputToError() -> Int32? {
        let saved = dup(1)
        guard saved >= 0, dup2(2, 1) >= 0 else { return nil }
        return saved
    }

    /// Registers a function to run when the process calls `exit`.
    public static func atExit(_ body: @convention(c) () -> Void) { atexit(body) }

    /// Ends the process at once with `status`, running nothing else (async-signal-safe).
    public static func exitImmediately(_ status: Int32) -> Never { _exit(status) }

    /// Memory the system can give: MemAvailable from /proc/meminfo, or the physical memory.
    public static func availableMemory() -> Double {
        if let bytes = FileSystem.contents("/proc/meminfo", limit: 1 << 20) {
            for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") where line.hasPrefix("MemAvailable:") {
                if let kilobytes = line.split(separator: " ").dropFirst().first.flatMap({ Double($0) }) { return kilobytes * 1024 }
            }
        }
        return Double(sysconf(Int32(_SC_PHYS_PAGES))) * Double(sysconf(Int32(_SC_PAGESIZE)))
    }
}

/// Fatal signals (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT): a handler on an alternate stack that
/// may write a line with the async-signal-safe helpers below, after which the signal takes its
/// default course.
public enum CrashReport {
    /// The report installed, called by the first thread that crashes.
    nonisolated(unsafe) static var report: (@convention(c) (Int32) -> Void)?
    /// Taken by the first crashing thread. A thread that crashes while another reports waits: the
    /// reporting one ends the process (with the handler reset on first delivery instead, a second
    /// crash would end it mid-sentence).
    static let reporting = Atomic<UInt>(0)

    /// Installs `report` for the fatal signals; it receives the signal number.
    public static func install(_ report: @convention(c) (Int32) -> Void) {
        self.report = report
        _ = reporting.load(ordering: .relaxed)
        let size = 1 << 16
        var stack = stack_t()
        stack.ss_sp = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        stack.ss_size = size
        sigaltstack(&stack, nil)
        var action = sigaction()
        action.__sigaction_handler.sa_handler = crashHandler
        // SIGINT and SIGTERM wait while a crash is reported.
        sigemptyset(&action.sa_mask)
        sigaddset(&action.sa_mask, SIGINT)
        sigaddset(&action.sa_mask, SIGTERM)
        action.sa_flags = Int32(bitPattern: UInt32(SA_ONSTACK))
        for number in [SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT] { sigaction(number, &action, nil) }
    }

    /// Writes a C string to standard error (async-signal-safe).
    public static func put(_ text: UnsafePointer<CChar>) { _ = Glibc.write(2, text, strlen(text)) }

    /// Writes a non-negative number to standard error (async-signal-safe: no allocation).
    public static func put(_ number: Int) {
        var digits: (CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { buffer in
            var value = max(number, 0), index = 10
            repeat {
                buffer[index] = UInt8(48 + value % 10)
                value /= 10
                index -= 1
            } while value > 0 && index >= 0
            _ = Glibc.write(2, buffer.baseAddress! + index + 1, 10 - index)
        }
    }

    /// Restores the default action of `signal` and raises it again.
    public static func reraise(_ signal: Int32) {
        Glibc.signal(signal, SIG_DFL)
        raise(signal)
    }
}

private let crashHandler: @convention(c) (Int32) -> Void = { signal in
    let me = UInt(pthread_self()) &+ 1
    let claim = CrashReport.reporting.compareExchange(expected: 0, desired: me, ordering: .sequentiallyConsistent)
    if !claim.exchanged {
        // A second fatal signal on the reporting thread (the report itself failed): die now.
        if claim.original == me { CrashReport.reraise(signal) }
        // Another thread is reporting and will end the process.
        while true { pause() }
    }
    CrashReport.report?(signal)
    CrashReport.reraise(signal)
}

/// A shared library opened with `dlopen(RTLD_NOW | RTLD_LOCAL)`.
///
/// It is never closed: unloading a Swift image leaves its type metadata and any function pointer
/// taken from it dangling, and plugin instances may outlive every reference to their library. The
/// type therefore has no `close` and no `deinit`; the handle lives until the process ends.
public final class DynamicLibrary: Sendable {
    /// The path it was opened from.
    public let path: String
    nonisolated(unsafe) private let handle: UnsafeMutableRawPointer

    /// Opens `path`, resolving every symbol now; the loader's message on failure.
    public init(path: String) throws(FileSystemError) {
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            throw FileSystemError(dlerror().map { String(cString: $0) } ?? "unknown dlopen error")
        }
        self.path = path
        self.handle = handle
    }

    /// The address of an exported symbol, or nil.
    public func symbol(_ name: String) -> UnsafeMutableRawPointer? { dlsym(handle, name) }
}
