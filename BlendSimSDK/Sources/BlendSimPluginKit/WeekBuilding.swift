extension Week {
    /// The group's teaching minutes that are online (`onlineShare` of `contactMinutes`).
    public var onlineMinutes: Double { group.contactMinutes * group.onlineShare }

    /// The group's teaching minutes in the classroom.
    public var classroomMinutes: Double { group.contactMinutes * (1 - group.onlineShare) }

    /// The group's independent work as the scenario's hours give it: SIWT with a teacher, then
    /// SIW handed in by a deadline. Blocks of zero minutes are left out.
    public func independentWork(siwtFeedback: Double = 0.5, siwFeedback: Double = 0.2) -> [Activity] {
        var blocks: [Activity] = []
        if group.siwtMinutes > 0 {
            blocks.append(Activity(.siwt, minutes: group.siwtMinutes, feedback: siwtFeedback))
        }
        if group.siwMinutes > 0 {
            blocks.append(Activity(.siw, minutes: group.siwMinutes, feedback: siwFeedback, submitted: true))
        }
        return blocks
    }

    /// `minutes` of online teaching: `liveShare` of it in live sessions, the rest self-paced and
    /// handed in. Blocks of zero minutes are left out.
    public func onlineBlocks(minutes: Double, liveShare: Double, effectiveness: Double, feedback: Double) -> [Activity] {
        let live = minutes * liveShare
        var blocks: [Activity] = []
        if live > 0 { blocks.append(Activity(.onlineSync, minutes: live, effectiveness: effectiveness, feedback: feedback)) }
        if minutes - live > 0 {
            blocks.append(Activity(.onlineAsync, minutes: minutes - live, effectiveness: effectiveness, feedback: feedback, submitted: true))
        }
        return blocks
    }

    /// The control-point test, in weeks that end with one; nothing otherwise.
    public func controlPointAssessment(minutes: Double, online: Bool = false) -> [Activity] {
        guard isControlPoint, minutes > 0 else { return [] }
        return [Activity(.assessment, minutes: minutes, feedback: 0.5, online: online)]
    }
}
