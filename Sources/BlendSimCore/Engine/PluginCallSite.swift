import BlendSimSystem

/// Which plugin call a thread is in, so that a crash inside plugin code — on any worker thread —
/// can be reported with the plugin, group and week before the process ends. The engine marks
/// every call into a plugin; a crash handler (the CLI's) reads the mark of the crashing thread.
public enum PluginCallSite {
    /// Two thread-specific slots: the call's label (a C string that lives for the call) and the week.
    static let slots = (label: ThreadSlot(), week: ThreadSlot())

    /// Runs `body` marked as a call described by `label` ("model 'x' (lib) in group 'g'") in `week`.
    static func within<T, E: Error>(_ label: String, week: Int, _ body: () throws(E) -> T) throws(E) -> T {
        let label = Label(label)
        return try within(label, week: week, body)
    }

    /// A call's label as a C string made once (a group's run makes its labels when it starts, so
    /// marking a call allocates nothing).
    final class Label: @unchecked Sendable {
        let text: UnsafeMutablePointer<CChar>
        init(_ label: String) {
            let bytes = Array(label.utf8CString)
            text = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count)
            text.initialize(from: bytes, count: bytes.count)
        }
        deinit { text.deallocate() }
    }

    /// Runs `body` marked with a label made beforehand.
    @inline(__always)
    static func within<T, E: Error>(_ label: Label, week: Int, _ body: () throws(E) -> T) throws(E) -> T {
        let slots = self.slots
        slots.label.value = UnsafeRawPointer(label.text)
        slots.week.value = UnsafeRawPointer(bitPattern: max(week, 0) + 1)
        defer {
            slots.label.value = nil
            slots.week.value = nil
        }
        return try withExtendedLifetime(label) { () throws(E) -> T in try body() }
    }

    /// The calling thread's mark: the label and week of the plugin call it is in, or nil.
    public static func current() -> (label: UnsafePointer<CChar>, week: Int)? {
        guard let label = slots.label.value else { return nil }
        let week = slots.week.value.map { Int(bitPattern: $0) - 1 } ?? 0
        return (label.assumingMemoryBound(to: CChar.self), week)
    }
}
