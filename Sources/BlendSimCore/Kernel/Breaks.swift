/// What happens to a programme's students between two semesters (docs/MODEL.md 3.8), and the
/// state a later semester starts from.
extension LearningKernel {
    /// The break of `weeks` weeks before a semester, for every enrolled student of `cohort`: each
    /// receptive skill (listening, reading) loses `break_receptive_loss` and each productive skill
    /// (writing, speaking) `break_productive_loss` student-level standard deviations per week
    /// (the seed study's spread, 14.8 points), down to the bottom of the scale; motivation closes
    /// `break_motivation_recovery` of its distance to `motivationTarget` (the group's mean
    /// motivation at the programme's start). Withdrawn students stay
    /// withdrawn; nothing is drawn, so the break changes no random number.
    public func applyBreak(cohort: Cohort, weeks: Int, motivationTarget: Double) {
        guard weeks > 0, cohort.count > 0 else { return }
        let spread = Float(CohortInitializer.referenceSD)
        let receptive = Float(parameters.breakReceptiveLoss * Double(weeks)) * spread
        let productive = Float(parameters.breakProductiveLoss * Double(weeks)) * spread
        let recovery = Float(parameters.breakMotivationRecovery)
        let target = Float(motivationTarget)
        let floor = Float(CambridgeScale.minimum)
        for i in 0..<cohort.count where cohort.active[i] != 0 {
            cohort.listening[i] = max(floor, cohort.listening[i] - receptive)
            cohort.reading[i] = max(floor, cohort.reading[i] - receptive)
            cohort.writing[i] = max(floor, cohort.writing[i] - productive)
            cohort.speaking[i] = max(floor, cohort.speaking[i] - productive)
            let m = cohort.motivation[i]
            cohort.motivation[i] = min(max(m + recovery * (target - m), 0), 1)
        }
    }

    /// Adds the state of the enrolled students of `range` at the start of a later semester to
    /// `metrics`: what the week-0 row of that semester shows (levels above the programme's
    /// starting band count as levels up, as in every week).
    static func measureStart(cohort: Cohort, range: Range<Int>, into metrics: inout MetricAccumulator) {
        for i in range where cohort.active[i] != 0 {
            let (l, r, w, s) = (cohort.listening[i], cohort.reading[i], cohort.writing[i], cohort.speaking[i])
            let overall = (l + r + w + s) * 0.25
            let band = LevelBand.index(of: overall)
            metrics.addStudent(
                listening: l, reading: r, writing: w, speaking: s, overall: overall, band: band,
                motivation: cohort.motivation[i], onlineMinutes: cohort.onlineMinutes[i],
                digitalCompetence: cohort.digitalCompetence[i])
            metrics.countLevelUps(
                LevelBand.index(of: l) > cohort.startBand(i, 0), LevelBand.index(of: r) > cohort.startBand(i, 1),
                LevelBand.index(of: w) > cohort.startBand(i, 2), LevelBand.index(of: s) > cohort.startBand(i, 3),
                band > cohort.startBand(i, 4))
            metrics.addCourse(cohort.course[i], cheated: cohort.cheatingIncidents[i] > 0)
        }
    }
}
