/// The learning kernel's parameters. docs/MODEL.md gives each one's equation, unit and source;
/// a scenario may override any of them under `kernel:`.
public struct KernelParameters: Sendable, Hashable {
    // Skill growth
    /// Scale points a B1 learner gains per effective hour (the guideline's 175 guided hours per
    /// B1 band would give about 0.11 per guided hour); fitted to the evidence base
    /// (scenarios/evidence-calibration.yaml; docs/MODEL.md 4).
    public var pointsPerHour = 0.0258686
    /// Share of a skill-focused hour that also benefits the other skills.
    public var transferShare = 0.436557
    /// A score in the band whose pace is 1 (docs/MODEL.md 3.3 (6)).
    public var referenceScore = 140.0
    /// Score at which growth stops (the top of the scale).
    public var ceilingScore = 230.0
    /// Weekly multiplicative noise on growth (standard deviation).
    public var learningNoise = 0.3
    /// Value of an hour of each activity kind relative to a classroom hour.
    public var classroomWeight = 1.0
    public var onlineSyncWeight = 1.1696
    public var onlineAsyncWeight = 1.4837
    public var siwWeight = 0.35
    public var siwtWeight = 0.7
    public var assessmentWeight = 0.3
    /// How much feedback raises the value of an hour: × (1 + gain × feedback).
    public var feedbackGain = 2.15432
    /// Standard deviation of the part of a student's end-of-course test score that is not this
    /// course's learning (prior knowledge of the content, test error), in course points.
    public var coursePriorSD = 93.898
    /// Correlation of a student's self-regulation with their starting level: self-regulation's
    /// normal score is ρ·z + √(1 − ρ²)·ε, z the starting overall score standardised by the seed
    /// study's cohort (mean 138.4, sd 14.8 points), so weaker students are on average less
    /// self-regulated and lose more online (docs/MODEL.md 3.1).
    public var regulationLevelCorrelation = 0.3
    /// Correlation of the end-of-course test's prior part (`coursePriorSD`) with the starting
    /// level, on the same standardised scale: students who start higher know more of the content
    /// before the course (docs/MODEL.md 3.1).
    public var coursePriorLevelCorrelation = 0.3
    /// Extra value of every teaching hour in a week that blends classroom and online teaching:
    /// × (1 + complementarity · 4ρ(1 − ρ)), ρ the online share of the week's teaching minutes.
    public var blendComplementarity = 0.396666

    // Engagement
    /// Engagement of the least motivated student in class.
    public var classroomEngagementFloor = 0.5
    /// Self-paced engagement of a student with no motivation and no self-regulation.
    public var selfPacedEngagementFloor = 0.3
    /// Engagement in independent work (SIW) at zero motivation and self-regulation.
    public var siwEngagementFloor = 0.2
    /// Access to online work without a personal PC (phone only).
    public var noDeviceAccess = 0.5
    /// Online availability at zero connectivity, for asynchronous and for live online work.
    public var asyncConnectivityFloor = 0.4
    public var syncConnectivityFloor = 0.2
    /// Online effectiveness at zero digital competence.
    public var digitalCompetenceFloor = 0.5

    // Motivation
    /// Weekly motivation change per unit of progress above the expected.
    public var motivationProgressGain = 0.000713199
    /// Weekly motivation change per unit of feedback above `feedbackReference`.
    public var motivationFeedbackGain = 0.100897
    public var feedbackReference = 0.3
    /// Weekly motivation loss per unit of overload.
    public var motivationOverloadPenalty = 0.03
    /// Weekly pull of motivation back to the group's starting mean.
    public var motivationReversion = 0.02
    /// Weekly pull towards full motivation per unit of `motivation_support`.
    public var motivationSupportGain = 0.05
    /// Weekly motivation noise (standard deviation).
    public var motivationNoise = 0.01
    /// Effective hours per week that count as expected progress.
    public var expectedEffectiveHours = 6.0
    /// Hours of study per week a student with average self-regulation can take without overload.
    public var capacityHours = 12.0

    // Difficulties
    /// Weekly chance that a student with zero integrity and zero motivation copies submitted work.
    public var cheatingPropensity = 0.180134
    /// Share of the learning from copied work that is lost.
    public var cheatingLearningLoss = 0.8
    /// Points a copied online assessment adds to the measured score.
    public var cheatingScoreInflation = 5.0
    /// Weekly chance of a late submission at zero self-regulation and zero motivation.
    public var latenessPropensity = 0.25
    /// Share of feedback lost on late work.
    public var lateFeedbackLoss = 0.5
    /// Weekly withdrawal hazard at zero motivation in a classroom course.
    public var dropoutHazard = 0.0320681
    /// Relative rise of the withdrawal hazard per unit of isolated study (share of the week's
    /// minutes spent online at home), at self-regulation 0.5.
    public var isolationHazard = 0.948773
    /// Share of the week's minutes spent in person (in class, or online on campus) that shields
    /// a student from isolation's rise of the withdrawal hazard: the rise is multiplied by
    /// max(0, 1 − P/`contactProtection`), P the in-person share, so a blend that keeps regular
    /// classes keeps the classroom's completion and study without any keeps the full rise
    /// (docs/MODEL.md 3.3 (8)). 0: in-person time shields nothing.
    public var contactProtection = 0.148007
    /// How much of a live online minute counts as isolated (a self-paced minute counts fully).
    public var liveIsolation = 0.5
    /// Relative rise of the withdrawal hazard per unit of lost access to online work at home.
    public var accessHazard = 2.70475
    /// Share of copy attempts that detection deters: attempts × (1 − deterrence × enforcement).
    public var detectionDeterrence = 0.847878
    /// Measurement error of an assessment (standard deviation, scale points).
    public var assessmentNoise = 3.0
    /// Teacher minutes of marking per student-minute of asynchronous work with full feedback.
    public var markingMinutesPerMinute = 0.1
    /// Hours per week a teacher has for feedback on asynchronous work.
    public var teacherFeedbackHours = 8.0
    /// Growth of digital competence per hour of online work: d += rate · hours · (1 − d).
    public var digitalLearningRate = 0.005

    // Breaks between the semesters of a programme (docs/MODEL.md 3.8)
    /// Loss of each receptive skill (listening, reading) per week of break, in student-level
    /// standard deviations: university EFL students showed no significant loss in listening or
    /// reading over two-month breaks (Yu 2011; Kramer et al. 2019).
    public var breakReceptiveLoss = 0.0
    /// Loss of each productive skill (writing, speaking) per week of break, in student-level
    /// standard deviations: a summer's loss of one tenth of a standard deviation (Cooper et al.
    /// 1996) over an 11-week summer; university EFL students' writing declined over a two-month
    /// break while their reading and listening did not (Chan, Abdullah & Yu 2012).
    public var breakProductiveLoss = 0.009
    /// Share of the distance between a student's motivation and the group's starting mean that a
    /// break closes (an assumption: no study measures L2 motivation across a break).
    public var breakMotivationRecovery = 0.0

    public init() {}
}

/// One kernel parameter as scenarios, validation and documentation see it.
public struct KernelParameterInfo: @unchecked Sendable {
    public let key: String
    public let keyPath: WritableKeyPath<KernelParameters, Double>
    public let range: ClosedRange<Double>
    public let unit: String
    public let summary: String
}

extension KernelParameters {
    /// Every parameter, with the key a scenario uses under `kernel:`.
    public static let catalog: [KernelParameterInfo] = [
        .init(key: "points_per_hour", keyPath: \.pointsPerHour, range: 0...1, unit: "points/h", summary: "scale points per effective hour"),
        .init(key: "transfer_share", keyPath: \.transferShare, range: 0...1, unit: "1", summary: "share of a focused hour that benefits every skill"),
        .init(key: "reference_score", keyPath: \.referenceScore, range: 80...229, unit: "points", summary: "a score in the band whose pace is 1"),
        .init(key: "ceiling_score", keyPath: \.ceilingScore, range: 150...230, unit: "points", summary: "score where growth stops"),
        .init(key: "learning_noise", keyPath: \.learningNoise, range: 0...1, unit: "1", summary: "sd of weekly multiplicative growth noise"),
        .init(key: "classroom_weight", keyPath: \.classroomWeight, range: 0...3, unit: "1", summary: "value of a classroom hour"),
        .init(key: "online_sync_weight", keyPath: \.onlineSyncWeight, range: 0...3, unit: "1", summary: "value of a live online hour"),
        .init(key: "online_async_weight", keyPath: \.onlineAsyncWeight, range: 0...3, unit: "1", summary: "value of a self-paced online hour"),
        .init(key: "siw_weight", keyPath: \.siwWeight, range: 0...3, unit: "1", summary: "value of an hour of independent work"),
        .init(key: "siwt_weight", keyPath: \.siwtWeight, range: 0...3, unit: "1", summary: "value of an hour of independent work with a teacher"),
        .init(key: "assessment_weight", keyPath: \.assessmentWeight, range: 0...3, unit: "1", summary: "value of an hour of assessment"),
        .init(key: "feedback_gain", keyPath: \.feedbackGain, range: 0...3, unit: "1", summary: "extra value of an hour with full feedback"),
        .init(key: "regulation_level_correlation", keyPath: \.regulationLevelCorrelation, range: 0...0.9, unit: "1", summary: "correlation of self-regulation with the starting level"),
        .init(key: "course_prior_level_correlation", keyPath: \.coursePriorLevelCorrelation, range: 0...0.9, unit: "1", summary: "correlation of the course test's prior part with the starting level"),
        .init(key: "course_prior_sd", keyPath: \.coursePriorSD, range: 0...500, unit: "course points", summary: "sd of the end-of-course test score not owed to the course's learning"),
        .init(key: "blend_complementarity", keyPath: \.blendComplementarity, range: 0...2, unit: "1", summary: "extra value of teaching hours in a week that blends classroom and online teaching"),
        .init(key: "classroom_engagement_floor", keyPath: \.classroomEngagementFloor, range: 0...1, unit: "1", summary: "classroom engagement at zero motivation"),
        .init(key: "self_paced_engagement_floor", keyPath: \.selfPacedEngagementFloor, range: 0...1, unit: "1", summary: "self-paced online engagement at zero motivation and self-regulation"),
        .init(key: "siw_engagement_floor", keyPath: \.siwEngagementFloor, range: 0...1, unit: "1", summary: "independent-work engagement at zero motivation and self-regulation"),
        .init(key: "no_device_access", keyPath: \.noDeviceAccess, range: 0...1, unit: "1", summary: "online access without a personal PC"),
        .init(key: "async_connectivity_floor", keyPath: \.asyncConnectivityFloor, range: 0...1, unit: "1", summary: "self-paced online availability at zero connectivity"),
        .init(key: "sync_connectivity_floor", keyPath: \.syncConnectivityFloor, range: 0...1, unit: "1", summary: "live online availability at zero connectivity"),
        .init(key: "digital_competence_floor", keyPath: \.digitalCompetenceFloor, range: 0...1, unit: "1", summary: "online effectiveness at zero digital competence"),
        .init(key: "motivation_progress_gain", keyPath: \.motivationProgressGain, range: 0...1, unit: "1/week", summary: "motivation change per unit of relative progress"),
        .init(key: "motivation_feedback_gain", keyPath: \.motivationFeedbackGain, range: 0...1, unit: "1/week", summary: "motivation change per unit of feedback above the reference"),
        .init(key: "feedback_reference", keyPath: \.feedbackReference, range: 0...1, unit: "1", summary: "feedback level that leaves motivation unchanged"),
        .init(key: "motivation_overload_penalty", keyPath: \.motivationOverloadPenalty, range: 0...1, unit: "1/week", summary: "motivation loss per unit of overload"),
        .init(key: "motivation_reversion", keyPath: \.motivationReversion, range: 0...1, unit: "1/week", summary: "pull back to the starting mean"),
        .init(key: "motivation_support_gain", keyPath: \.motivationSupportGain, range: 0...1, unit: "1/week", summary: "pull towards full motivation per unit of support"),
        .init(key: "motivation_noise", keyPath: \.motivationNoise, range: 0...0.5, unit: "1/week", summary: "sd of weekly motivation noise"),
        .init(key: "expected_effective_hours", keyPath: \.expectedEffectiveHours, range: 0.1...100, unit: "h/week", summary: "effective hours that count as expected progress"),
        .init(key: "capacity_hours", keyPath: \.capacityHours, range: 1...100, unit: "h/week", summary: "study hours before overload"),
        .init(key: "cheating_propensity", keyPath: \.cheatingPropensity, range: 0...1, unit: "1/week", summary: "weekly copying chance at zero integrity and motivation"),
        .init(key: "cheating_learning_loss", keyPath: \.cheatingLearningLoss, range: 0...1, unit: "1", summary: "learning lost from copied work"),
        .init(key: "cheating_score_inflation", keyPath: \.cheatingScoreInflation, range: 0...50, unit: "points", summary: "measured-score gain from a copied online assessment"),
        .init(key: "lateness_propensity", keyPath: \.latenessPropensity, range: 0...1, unit: "1/week", summary: "weekly late-submission chance at zero self-regulation and motivation"),
        .init(key: "late_feedback_loss", keyPath: \.lateFeedbackLoss, range: 0...1, unit: "1", summary: "feedback lost on late work"),
        .init(key: "dropout_hazard", keyPath: \.dropoutHazard, range: 0...1, unit: "1/week", summary: "weekly withdrawal chance at zero motivation in a classroom course"),
        .init(key: "isolation_hazard", keyPath: \.isolationHazard, range: 0...20, unit: "1", summary: "relative rise of the withdrawal hazard with isolated online study"),
        .init(key: "contact_protection", keyPath: \.contactProtection, range: 0...1, unit: "1", summary: "in-person share of the week that shields students from isolation's rise of the withdrawal hazard"),
        .init(key: "live_isolation", keyPath: \.liveIsolation, range: 0...1, unit: "1", summary: "share of a live online minute that counts as isolated"),
        .init(key: "access_hazard", keyPath: \.accessHazard, range: 0...20, unit: "1", summary: "relative rise of the withdrawal hazard with lost access to online work"),
        .init(key: "detection_deterrence", keyPath: \.detectionDeterrence, range: 0...1, unit: "1", summary: "share of copy attempts deterred per unit of integrity enforcement"),
        .init(key: "assessment_noise", keyPath: \.assessmentNoise, range: 0...30, unit: "points", summary: "sd of an assessment's measurement error"),
        .init(key: "marking_minutes_per_minute", keyPath: \.markingMinutesPerMinute, range: 0...2, unit: "min/min", summary: "teacher marking time per student-minute of asynchronous work with feedback"),
        .init(key: "teacher_feedback_hours", keyPath: \.teacherFeedbackHours, range: 0.1...60, unit: "h/week", summary: "a teacher's weekly hours for feedback on asynchronous work"),
        .init(key: "digital_learning_rate", keyPath: \.digitalLearningRate, range: 0...0.1, unit: "1/h", summary: "growth of digital competence per online hour"),
        .init(key: "break_receptive_loss", keyPath: \.breakReceptiveLoss, range: 0...0.2, unit: "sd/week", summary: "loss of listening and reading per week of break between semesters"),
        .init(key: "break_productive_loss", keyPath: \.breakProductiveLoss, range: 0...0.2, unit: "sd/week", summary: "loss of writing and speaking per week of break between semesters"),
        .init(key: "break_motivation_recovery", keyPath: \.breakMotivationRecovery, range: 0...1, unit: "1", summary: "share of the gap to the starting mean motivation a break closes"),
    ]
}
