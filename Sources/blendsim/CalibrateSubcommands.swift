import ArgumentParser
import BlendSimRunner

extension BlendSim.Calibrate {
    struct Fit: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The best fit (Nelder–Mead), with approximate standard errors, written as a scenario fragment.",
            discussion: """
                Example:
                  blendsim calibrate fit scenarios/evidence-calibration.yaml --output fitted.yaml
                """)

        @OptionGroup var common: CalibrationCommonOptions

        @Option(help: ArgumentHelp("Write the fitted parameters here instead of the plan's 'output'.", valueName: "file"))
        var output: String?

        var job: CalibrationJob { CalibrationJob(common: common, method: .point, methodOption: "--method", output: output) }
        func validate() throws { try job.check() }
        func run() throws { try job.run() }
    }

    struct Posterior: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A posterior sample of the parameters, written to --out as posterior.csv, calibration.json and manifest.json.",
            discussion: """
                smc: tempered SMC with Metropolis–Hastings moves, the evidence's normal errors as \
                likelihood; abc-smc: approximate Bayesian computation by SMC; laplace: the normal \
                approximation at the plan's current values (the point fit). The samplers checkpoint \
                in --out, resume with --resume, and can be sharded across jobs.

                Examples:
                  blendsim calibrate posterior scenarios/evidence-calibration.yaml --out results/posterior
                  blendsim calibrate posterior scenarios/evidence-calibration.yaml --sampler abc-smc --emit-slurm slurm/ --out results/posterior
                """)

        @OptionGroup var common: CalibrationCommonOptions

        @Option(help: ArgumentHelp("smc, abc-smc or laplace.", valueName: "sampler"))
        var sampler: PosteriorSamplerChoice = .smc

        @Option(help: ArgumentHelp("Write posterior.csv, calibration.json and manifest.json here.", valueName: "dir"))
        var out: String

        @Flag(help: "Continue an interrupted calibration in --out from its checkpoint (smc, abc-smc).")
        var resume = false

        @OptionGroup(title: "Sharding") var sharding: CalibrationShardingOptions

        var job: CalibrationJob {
            CalibrationJob(common: common, method: sampler.method, methodOption: "--sampler", out: out, resume: resume, sharding: sharding)
        }
        func validate() throws { try job.check() }
        func run() throws { try job.run() }
    }

    struct Recover: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Parameter recovery: fit targets simulated at the plan's current parameters and say whether the fit finds them.",
            discussion: """
                Every target is replaced by the statistic the scenarios give with their current \
                parameters, simulated with the seed offset by --offset, plus the targets' observation \
                noise; the point fit starts a third of the way from those parameters to the middle of \
                their bounds. With --sampler smc or abc-smc the recovery is of a posterior: its credible \
                intervals' coverage (scripts/recovery.sh and scripts/posterior-recovery.sh repeat it over offsets).

                Example:
                  blendsim calibrate recover scenarios/evidence-calibration.yaml --offset 3
                """)

        @OptionGroup var common: CalibrationCommonOptions

        @Option(help: ArgumentHelp("The seed offset of the synthetic observations (at least 1).", valueName: "offset"))
        var offset: UInt64 = 1

        @Option(help: ArgumentHelp("point, smc or abc-smc.", valueName: "method"))
        var sampler: RecoveryMethod = .point

        @Option(help: ArgumentHelp("With --sampler point: also write the fitted parameters as a scenario fragment here.", valueName: "file"))
        var output: String?

        @Option(help: ArgumentHelp("With --sampler smc or abc-smc: write the posterior here.", valueName: "dir"))
        var out: String?

        @Flag(help: "With --sampler smc or abc-smc: continue an interrupted recovery in --out.")
        var resume = false

        var job: CalibrationJob {
            CalibrationJob(
                common: common, method: sampler.method, methodOption: "--sampler", output: output, out: out, synthetic: offset, resume: resume)
        }
        func validate() throws {
            if offset == 0 { throw ValidationError("--offset must be at least 1: offset 0 would observe with the fit's own random numbers") }
            try job.check()
        }
        func run() throws { try job.run() }
    }

    /// `blendsim calibrate PLAN --method M`: every method and step in one command, as before the
    /// subcommands.
    struct Legacy: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "method", shouldDisplay: false)

        @OptionGroup var common: CalibrationCommonOptions

        @Option(help: ArgumentHelp("Write the fitted parameters here instead of the plan's 'output'.", valueName: "file"))
        var output: String?

        @Option(help: ArgumentHelp("Parameter recovery with this seed offset (as `calibrate recover --offset`).", valueName: "offset"))
        var synthetic: UInt64?

        @Option(help: "point, smc, abc-smc or laplace (as `calibrate fit` and `calibrate posterior --sampler`).")
        var method: CalibrationMethod = .point

        @Option(help: ArgumentHelp("With --method smc, abc-smc or laplace: write posterior.csv, calibration.json and manifest.json here.", valueName: "dir"))
        var out: String?

        @Flag(help: "With --method smc or abc-smc: continue an interrupted calibration in --out from its checkpoint.")
        var resume = false

        @OptionGroup(title: "Sharding") var sharding: CalibrationShardingOptions

        var job: CalibrationJob {
            CalibrationJob(
                common: common, method: method, methodOption: "--method", output: output, out: out, synthetic: synthetic, resume: resume,
                sharding: sharding)
        }
        func validate() throws { try job.check() }
        func run() throws { try job.run() }
    }
}

/// `calibrate posterior --sampler`.
enum PosteriorSamplerChoice: String, ExpressibleByArgument, CaseIterable {
    case smc
    case abcSMC = "abc-smc"
    case laplace

    var method: CalibrationMethod { CalibrationMethod(rawValue: rawValue)! }
}

/// `calibrate recover --sampler`.
enum RecoveryMethod: String, ExpressibleByArgument, CaseIterable {
    case point
    case smc
    case abcSMC = "abc-smc"

    var method: CalibrationMethod { CalibrationMethod(rawValue: rawValue)! }
}
