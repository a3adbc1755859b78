#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Which plugin call a thread is in, so that a crash inside plugin code — on any worker thread —
/// can be reported with the plugin, group and week before the process ends. The engine marks
/// every call into a plugin; a crash handler (the CLI's) reads the mark of the crashing thread.
public enum PluginCallSite {
    /// Two thread-specific slots: the call's label (a C string that lives for the call) and the week.
    static let keys: (label: pthread_key_t, week: pthread_key_t) = {
        var label = pthread_key_t(), week = pthread_key_t()
        pthread_key_create(&label, nil)
        pthread_key_create(&week, nil)
        return (label, week)
    }()

    /// Runs `body` marked as a call described by `label` ("model 'x' (lib) in group 'g'") in `week`.
    static func within<T, E: Error>(_ label: String, week: Int, _ body: () throws(E) -> T) throws(E) -> T {
        let keys = self.keys
        let bytes = Array(label.utf8CString)
        let pointer = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count)
        pointer.initialize(from: bytes, count: bytes.count)
        pthread_setspecific(keys.label, pointer)
        pthread_setspecific(keys.week, UnsafeRawPointer(bitPattern: max(week, 0) + 1))
        defer {
            pthread_setspecific(keys.label, nil)
            pthread_setspecific(keys.week, nil)
            pointer.deallocate()
        }
        return try body()
    }

    /// The calling thread's mark: the label and week of the plugin call it is in, or nil.
    public static func current() -> (label: UnsafePointer<CChar>, week: Int)? {
        guard let label = pthread_getspecific(keys.label) else { return nil }
        let week = pthread_getspecific(keys.week).map { Int(bitPattern: $0) - 1 } ?? 0
        return (UnsafePointer(label.assumingMemoryBound(to: CChar.self)), week)
    }
}
