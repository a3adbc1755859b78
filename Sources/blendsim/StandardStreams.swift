import BlendSimCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Unbuffered writes to the standard streams.
enum StandardError {
    static func write(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.write(2, $0.baseAddress, $0.count) }
    }
}

enum StandardOutput {
    /// Where blendsim's own output goes: standard output, or a copy of it once plugins may run
    /// (`PluginGuard`), when descriptor 1 is pointed at standard error.
    nonisolated(unsafe) static var descriptor: Int32 = 1

    /// Colour only on a terminal, and never when NO_COLOR is set (no-color.org).
    static var wantsColor: Bool { isatty(descriptor) != 0 && getenv("NO_COLOR") == nil }

    static func write(_ text: String) {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if written <= 0 { return }
            offset += written
        }
    }
}

/// What a command that runs plugin code does first: plugins are native code in the process, so
/// their writes to standard output are sent to standard error (blendsim's own output keeps a copy
/// of the original descriptor, so `--format json` stays clean and `--quiet` quiet), and a plugin
/// that ends the process with `exit()` during the run makes it fail with a sentence instead of
/// succeeding with no results. A crash inside a plugin call, on any thread, is reported with the
/// plugin, group and week (`PluginCallSite`) before the process ends with the signal.
enum PluginGuard {
    nonisolated(unsafe) static var running = false
    nonisolated(unsafe) static var installed = false

    static func begin() {
        if !installed {
            installed = true
            let saved = dup(1)
            if saved >= 0 && dup2(2, 1) >= 0 { StandardOutput.descriptor = saved }
            installCrashReport()
            atexit {
                guard PluginGuard.running else { return }
                StandardError.write("error: a plugin ended the process (exit) during the run; the run did not finish and nothing was written\n")
                _exit(70)
            }
        }
        running = true
    }

    static func end() { running = false }

    /// SIGSEGV, SIGBUS, SIGILL, SIGFPE and SIGABRT, on an alternate stack: if the crashing thread
    /// is inside a plugin call, one line names it; then the signal takes its default course.
    static func installCrashReport() {
        let size = 1 << 16
        var stack = stack_t()
        stack.ss_sp = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        stack.ss_size = size
        sigaltstack(&stack, nil)
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { signal in
            if let site = PluginCallSite.current() {
                func put(_ text: UnsafePointer<CChar>) { _ = Glibc.write(2, text, strlen(text)) }
                func put(_ number: Int) {
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
                put("error: ")
                put(site.label)
                put(" crashed (signal ")
                put(Int(signal))
                put(") in week ")
                put(site.week)
                put("; the run did not finish and nothing was written\n")
            }
            Glibc.signal(signal, SIG_DFL)
            raise(signal)
        }
        action.sa_flags = Int32(bitPattern: UInt32(SA_ONSTACK) | UInt32(SA_RESETHAND))
        for number in [SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT] { sigaction(number, &action, nil) }
    }
}

