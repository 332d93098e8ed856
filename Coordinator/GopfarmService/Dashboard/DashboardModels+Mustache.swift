import Mustache

// The rows a page repeats (50 jobs, 200 agents, 500 attempts) name their fields for Mustache
// directly: its default, a `Mirror` per lookup, made a 200-agent page take 84 ms in a release
// build. A name missing here renders as nothing, so DashboardRouterTests read each of them back.

extension DashboardModels.JobRow: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "id": id
        case "name": self.name
        case "owner": owner
        case "state": state
        case "live": live
        case "percent": percent
        case "percentValue": percentValue
        case "segments": segments
        case "agents": agents
        case "eta": eta
        case "submitted": submitted
        case "submittedISO": submittedISO
        case "showOwner": showOwner
        default: nil
        }
    }
}

extension DashboardModels.Agent: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "name": self.name
        case "state": state
        case "busy": busy
        case "slots": slots
        case "slotPercent": slotPercent
        case "fps": fps
        case "segments": segments
        case "heartbeat": heartbeat
        case "connected": connected
        case "version": version
        case "draining": draining
        case "path": path
        case "canManage": canManage
        case "csrf": csrf as Any?
        default: nil
        }
    }
}

extension DashboardModels.Attempt: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "segment": segment
        case "attempt": attempt
        case "agent": agent
        case "outcome": outcome
        case "start": start
        case "took": took
        default: nil
        }
    }
}
