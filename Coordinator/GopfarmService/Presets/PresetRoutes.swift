import Foundation
import GopfarmAPI
import GopfarmCommon
import Hummingbird

/// `/v1/presets`: producers keep their own presets and choose a default; ops add farm-wide ones
/// (and see everyone's). A preset's settings pass `EncodeSettings.validate()`, the check every
/// submission passes, so a preset is refused with the same sentence its settings would get in a job.
struct PresetRoutes {
    let service: FarmService

    func add(to router: Router<FarmRequestContext>) {
        let store = service.store
        let presets = router.group("/v1/presets")
        presets.get { request, context in
            let caller = try context.requireCaller()
            if request.uri.queryParameters.get("all") == "true" {
                _ = try context.requireCaller(.ops)
                return try json(try await store.allPresets(viewer: caller.name))
            }
            return try json(try await store.presets(for: caller.name))
        }
        presets.post { request, context in
            let caller = try context.requireCaller()
            var request = request
            let body = try await StrictJSON.decode(PresetRequest.self, fields: PresetRequest.fields,
                                                   from: try await request.collectBody(upTo: context.maxUploadSize))
            let farm = body.farm ?? false
            if farm { _ = try context.requireCaller(.ops) }
            do throws(MediaError) {
                try PresetRules.check(name: body.name)
                try body.settings.validate()
            } catch { throw APIError(.unprocessable, error.description) }
            var settings = body.settings
            settings.threads = 0  // the agent's choice, never a preset's
            guard try await store.addPreset(name: body.name, owner: farm ? "" : caller.name, settings: settings, by: caller.name) else {
                throw APIError(.conflict, "a \(farm ? "farm" : "personal") preset '\(body.name)' exists; remove it first")
            }
            if body.default == true { try await store.setPresetDefault(body.name, owner: caller.name) }
            await service.audit("preset", "\(caller.name) added \(farm ? "farm" : "personal") preset \(body.name)")
            let view = try await store.presets(for: caller.name).first { $0.name == body.name && $0.scope == (farm ? .farm : .personal) }
            return try json(view, status: .created)
        }
        presets.put("default") { request, context in
            let caller = try context.requireCaller()
            var request = request
            let body = try await StrictJSON.decode(PresetDefaultRequest.self, fields: PresetDefaultRequest.fields,
                                                   from: try await request.collectBody(upTo: context.maxUploadSize))
            if let name = body.name, try await store.presetSettings(name, owner: caller.name) == nil {
                throw APIError(.notFound, "no preset '\(name.prefix(64))' (gopfarm presets list shows yours and the farm's)")
            }
            try await store.setPresetDefault(body.name, owner: caller.name)
            return try json(PresetDefaultRequest(name: body.name))
        }
        presets.delete("{name}") { request, context in
            let caller = try context.requireCaller()
            let name = try pathParameter("name", context)
            let farm = request.uri.queryParameters.get("farm") == "true"
            if farm { _ = try context.requireCaller(.ops) }
            guard try await store.removePreset(name: name, owner: farm ? "" : caller.name) else {
                throw APIError(.notFound, "no \(farm ? "farm" : "personal") preset '\(name.prefix(64))'")
            }
            await service.audit("preset", "\(caller.name) removed \(farm ? "farm" : "personal") preset \(name)")
            return try json(["removed": name])
        }
    }
}
