import CBlendSimABI

/// Builds the `bs_chunk` a plugin sees for a range of a cohort.
enum ChunkView {
    static func make(
        cohort: Cohort, range: Range<Int>, activities: [bs_activity],
        participation: UnsafeMutablePointer<Float>
    ) -> bs_chunk {
        let o = range.lowerBound
        return bs_chunk(
            struct_size: UInt32(MemoryLayout<bs_chunk>.size), count: UInt32(range.count),
            first_student: UInt64(o),
            listening: UnsafePointer(cohort.listening + o), reading: UnsafePointer(cohort.reading + o),
            writing: UnsafePointer(cohort.writing + o), speaking: UnsafePointer(cohort.speaking + o),
            motivation: UnsafePointer(cohort.motivation + o),
            self_regulation: UnsafePointer(cohort.selfRegulation + o),
            digital_competence: UnsafePointer(cohort.digitalCompetence + o),
            connectivity: UnsafePointer(cohort.connectivity + o),
            integrity: UnsafePointer(cohort.integrity + o),
            device_access: UnsafePointer(cohort.deviceAccess + o), active: UnsafePointer(cohort.active + o),
            activity_count: UInt32(activities.count), reserved: 0, activities: nil,
            participation: participation)
    }
}
