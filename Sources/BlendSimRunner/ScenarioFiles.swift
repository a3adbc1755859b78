#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Small file-system operations the runner needs.
enum ScenarioFiles {
    static func remove(_ path: String) -> Bool { unlink(path) == 0 }
    static func removeDirectory(_ path: String) -> Bool { rmdir(path) == 0 }
}
