import ServiceLifecycle

/// The job pipeline's threads as a lifecycle service: it starts the prepare and stitch threads
/// and resumes every unfinished job; on graceful shutdown it stops taking work and waits until
/// the work in hand is done (what still waits resumes on the next start, from the store).
struct PipelineService: Service {
    let farm: FarmService

    func run() async throws {
        farm.preparing.start()
        farm.stitching.start()
        await farm.resumeUnfinished()
        try? await gracefulShutdown()
        await farm.preparing.stop()
        await farm.stitching.stop()
    }
}
