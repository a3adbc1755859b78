import BlendSimCore
import BlendSimSystem

/// Unbuffered writes to the standard streams.
enum StandardError {
    static func write(_ text: String) { Process.write(Array(text.utf8), to: 2) }
}

enum StandardOutput {
    /// Where blendsim's own output goes: standard output, or a copy of it once plugins may run
    /// (`PluginGuard`), when descriptor 1 is pointed at standard error.
    nonisolated(unsafe) static var descriptor: Int32 = 1

    /// Colour only on a terminal, and never when NO_COLOR is set (no-color.org).
    static var wantsColor: Bool { Process.isTerminal(descriptor) && Process.environment("NO_COLOR") == nil }

    static func write(_ text: String) { Process.write(Array(text.utf8), to: descriptor) }
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
            if let saved = Process.redirectStandardOutputToError() { StandardOutput.descriptor = saved }
            CrashReport.install { signal in
                if let site = PluginCallSite.current() {
                    CrashReport.put("error: ")
                    CrashReport.put(site.label)
                    CrashReport.put(" crashed (signal ")
                    CrashReport.put(Int(signal))
                    CrashReport.put(") in week ")
                    CrashReport.put(site.week)
                    CrashReport.put("; the run did not finish and nothing was written\n")
                }
                Interruption.removeRegistered()
                CrashReport.reraise(signal)
            }
            Process.atExit {
                guard PluginGuard.running else { return }
                StandardError.write("error: a plugin ended the process (exit) during the run; the run did not finish and nothing was written\n")
                Interruption.removeRegistered()
                Process.exitImmediately(70)
            }
        }
        running = true
    }

    static func end() { running = false }
}
