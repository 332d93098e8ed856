import GopfarmCoordinator
import Testing

/// A job's life as plain event/decision sequences: no store, no threads.
@Suite("Job state machine")
struct JobStateMachineTests {
    typealias M = JobStateMachine

    @Test func aJobRunsFromQueuedToDone() {
        var m = M()
        #expect(m.start() == .move(.init(from: .queued, to: .planning), then: .prepare))
        #expect(m.planned() == .move(.init(from: .planning, to: .running), then: .dispatch))
        #expect(m.dispatched() == .move(.init(from: .running, to: .stitching), then: .stitch))
        #expect(m.finished() == .move(.init(from: .stitching, to: .done), then: .forget))
        #expect(m.state == .done)
        // Nothing moves a finished job again.
        #expect(m.start() == .ignore)
        #expect(m.fail("late") == .ignore)
        #expect(m.cancel(by: "alice") == .refuse("is already done"))
        #expect(m.state == .done)
    }

    @Test func aCancelWhilePlanningStopsTheJobAndThePlanIsIgnored() {
        var m = M()
        _ = m.start()
        #expect(m.cancel(by: "bob") == .move(.init(from: .planning, to: .cancelled, error: "cancelled by bob"), then: .stopDispatch))
        #expect(m.planned() == .ignore)
        #expect(m.dispatched() == .ignore)
        #expect(m.cancel(by: "bob") == .refuse("is already cancelled"))
    }

    @Test func aCompletionAfterACancelIsIgnored() {
        var m = M(state: .running)
        _ = m.cancel(by: "ops")
        #expect(m.dispatched() == .ignore)
        #expect(m.finished() == .ignore)
        #expect(m.state == .cancelled)
    }

    @Test func failuresEndEveryUnfinishedStateAndKeepTheFirstEnd() {
        for state in [M.State.queued, .planning, .running, .stitching] {
            var m = M(state: state)
            #expect(m.fail("boom") == .move(.init(from: state, to: .failed, error: "boom"), then: .stopDispatch))
            #expect(m.fail("again") == .ignore)
            #expect(m.finished() == .ignore)
            #expect(m.cancel(by: "x") == .refuse("is already failed"))
        }
    }

    /// A restarted coordinator resumes whatever was unfinished by planning again (finished
    /// segments are kept by the dispatcher), and leaves finished jobs alone.
    @Test func aRestartResumesUnfinishedJobsByPlanningAgain() {
        for state in [M.State.queued, .planning, .running, .stitching] {
            var m = M(state: state)
            #expect(m.start() == .move(.init(from: state, to: .planning), then: .prepare))
            #expect(m.planned() == .move(.init(from: .planning, to: .running), then: .dispatch))
        }
        for state in [M.State.done, .failed, .cancelled] {
            var m = M(state: state)
            #expect(m.start() == .ignore)
            #expect(m.state == state)
        }
    }

    @Test func stepsOutOfOrderAreIgnored() {
        var m = M()
        #expect(m.planned() == .ignore)
        #expect(m.dispatched() == .ignore)
        #expect(m.finished() == .ignore)
        #expect(m.state == .queued)
    }
}
