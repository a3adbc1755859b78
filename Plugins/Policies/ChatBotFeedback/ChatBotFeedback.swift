import BlendSimPluginKit

/// Chat-bots and messenger (Telegram) channels for feedback: automated or quick feedback on
/// online and independent work, available anywhere at any time, that does not cost teachers'
/// marking time. Fills `coverage` of the feedback gap on that work.
struct ChatBotFeedback: Policy {
    struct Parameters: PluginParameters {
        @Parameter(range: 0...1, help: "share of the remaining feedback gap on online and independent work it fills")
        var coverage: Double = 0.4
    }

    static let name = "chat-bot-feedback"
    static let summary = "chat-bot and messenger feedback on online and independent work"
    static let costs: [Cost] = [
        Cost(
            "licence", .perStudent, 6_600, currency: "KZT",
            source: "derived: California State University's ChatGPT Edu contract, $15 M a year for about 500,000 students and "
                + "staff (Bloomberg, December 2025), about $29 per user a year; half for a semester, at 455.69 KZT per USD; "
                + "no university chat-bot feedback price per student was found",
            help: "chat-bot licence for each student, per semester"),
    ]

    let parameters: Parameters
    init(parameters: Parameters) { self.parameters = parameters }

    func beginWeek(_ week: Week, conditions: inout Conditions) throws {
        conditions.feedbackChannel = max(conditions.feedbackChannel, parameters.coverage)
    }
}

@_cdecl("blendsim_plugin_v1")
public func blendsimPlugin() -> UnsafeRawPointer {
    PluginExport.plugin(name: "blendsim-chat-bot-feedback", version: "1.0.0", policies: [ChatBotFeedback.self])
}
