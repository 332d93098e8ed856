import Foundation
import GopfarmAPI
import GopfarmCommon
import GopfarmCoordinator
import Hummingbird

/// The routes of the HTTP API (docs/openapi.yaml describes them). Each handler checks the
/// caller's role, then calls the `FarmService`; errors are `APIError`s with one sentence.
struct APIRouter {
    let service: FarmService

    func build() -> Router<FarmRequestContext> {
        // HEAD on every GET route: the GET's status and headers, no body.
        let router = Router(context: FarmRequestContext.self, options: .autoGenerateHeadEndpoints)
        let routes = RouteMethods()
        let metrics = FarmMetrics()
        router.add(middleware: RequestMetricsMiddleware(metrics: metrics))
        router.add(middleware: HeadMiddleware())
        router.add(middleware: ErrorMiddleware(routes: routes))
        router.add(middleware: RequestCodingMiddleware())
        router.add(middleware: AuthMiddleware(store: service.store))

        router.get("/healthz") { _, _ in
            let health = await service.health()
            return try json(health, status: health.ok ? .ok : .serviceUnavailable)
        }
        router.get("/metrics") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4"
            let text = await metrics.render(service)
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        router.get("/v1/coordinator") { _, context in
            _ = try context.requireCaller()
            return try json(CoordinatorInfo(version: GopfarmVersion.string, agentEndpoint: service.agentEndpoint,
                                            publicKey: service.publicKey, protocolVersion: WireProtocol.version, disk: service.disk.usage(fileSystemOf: service.config.dataDirectory)))
        }

        let jobs = router.group("/v1/jobs")
        jobs.post { request, context in
            let caller = try context.requireCaller()
            var request = request
            let body = try await PresetResolver(store: service.store).apply(try await request.collectBody(upTo: context.maxUploadSize), caller: caller)
            let submission = try await StrictJSON.decodeSubmission(body)
            return try json(try await service.submit(submission, caller: caller), status: .created)
        }
        jobs.get { request, context in
            let query = request.uri.queryParameters
            var limit: Int?
            if let text = query["limit"] {
                guard let n = Int(text) else { throw APIError(.badRequest, "limit takes a number of jobs, 1 to 1000") }
                limit = n
            }
            return try json(try await service.reader.list(caller: try context.requireCaller(), state: query["state"].map(String.init),
                                                          limit: limit, before: query["before"].map(String.init)))
        }
        jobs.get("{id}") { _, context in
            try json(try await service.reader.view(try pathParameter("id", context), caller: try context.requireCaller()))
        }
        jobs.delete("{id}") { request, context in
            let (id, caller) = (try pathParameter("id", context), try context.requireCaller())
            if request.uri.queryParameters["purge"] == "true" { return try json(try await service.deleteJob(id, caller: caller)) }
            return try json(try await service.cancel(id, caller: caller))
        }
        jobs.head("{id}/events") { _, context in
            try await ProgressEvents(service: service, job: try pathParameter("id", context), caller: try context.requireCaller()).headResponse()
        }
        jobs.get("{id}/events") { _, context in
            let caller = try context.requireCaller()
            let id = try pathParameter("id", context)
            return try await ProgressEvents(service: service, job: id, caller: caller, token: context.token).response()
        }
        // The output file; HEAD gives its headers alone (a CDN or download manager checking it).
        @Sendable func output(_ context: FarmRequestContext, headOnly: Bool) async throws -> Response {
            let (path, name) = try await service.reader.outputPath(try pathParameter("id", context), caller: try context.requireCaller())
            var headers = HTTPFields()
            headers[.contentType] = "application/octet-stream"
            headers[.contentDisposition] = ContentDisposition.attachment(name)
            if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int {
                headers[.contentLength] = String(size)
            }
            if headOnly { return Response(status: .ok, headers: headers) }
            return Response(status: .ok, headers: headers, body: try await FileIO().loadFile(path: path, context: context))
        }
        jobs.get("{id}/output") { _, context in try await output(context, headOnly: false) }
        jobs.head("{id}/output") { _, context in try await output(context, headOnly: true) }
        // A ladder job's output directory, file by file (playlists, CMAF segments, the ladder record).
        jobs.get("{id}/files/**") { _, context in
            try await LadderFileResponse.make(service: service, id: try pathParameter("id", context), context: context,
                                              caller: try context.requireCaller())
        }
        jobs.head("{id}/files/**") { _, context in
            try await LadderFileResponse.make(service: service, id: try pathParameter("id", context), context: context,
                                              caller: try context.requireCaller(), headOnly: true)
        }

        jobs.get("{id}/analysis") { _, context in
            jsonDocument(try await service.reader.analysisDocument(try pathParameter("id", context), caller: try context.requireCaller()))
        }
        jobs.get("{id}/report") { _, context in
            DashboardResponse.report(try await service.reader.report(try pathParameter("id", context), caller: try context.requireCaller()))
        }
        jobs.get("{id}/thumbnails/{name}") { _, context in
            let data = try await service.reader.thumbnail(try pathParameter("id", context), name: try pathParameter("name", context),
                                             caller: try context.requireCaller())
            var headers = HTTPFields()
            headers[.contentType] = "image/jpeg"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }

        router.post("/v1/uploads") { request, context in
            let caller = try context.requireCaller()
            return try json(try await UploadReceiver(service: service).receive(request, caller: caller), status: .created)
        }

        router.get("/v1/agents") { _, context in
            _ = try context.requireCaller(.ops)
            return try json(service.dispatcher.snapshot.agents)
        }
        for (verb, on) in [("drain", true), ("resume", false)] {
            router.post("/v1/agents/{name}/\(verb)") { _, context in
                let caller = try context.requireCaller(.ops)
                let name = try pathParameter("name", context)
                guard !name.isEmpty, name.count <= 200 else { throw APIError(.badRequest, "agent names have 1 to 200 characters") }
                service.dispatcher.drain(agent: name, on)
                await service.audit("agent", "\(name) \(on ? "drained" : "resumed") by \(caller.name)")
                let connected = service.dispatcher.snapshot.agents.contains { $0.name == name }
                return try json(DrainState(agent: name, draining: on, connected: connected))
            }
        }

        let keys = router.group("/v1/agent-keys")
        keys.get { _, context in
            _ = try context.requireCaller(.ops)
            return try json(try await service.store.allowedKeys())
        }
        keys.post { request, context in
            _ = try context.requireCaller(.ops)
            var request = request
            let body = try await StrictJSON.decode(AgentKeyRequest.self, fields: ["publicKey", "name"],
                                                   from: try await request.collectBody(upTo: context.maxUploadSize))
            return try json(try await service.allowKey(body), status: .created)
        }
        keys.delete("{key}") { _, context in
            _ = try context.requireCaller(.ops)
            let key = try pathParameter("key", context)
            try await service.revokeKey(key)
            return try json(["revoked": key])
        }

        TokenRoutes(service: service).add(to: router)
        WebhookRoutes(service: service).add(to: router)
        PresetRoutes(service: service).add(to: router)
        DashboardRoutes(service: service).register(on: router)
        routes.load(router.routes)
        return router
    }
}

/// A path parameter, percent-decoded (agent keys are Z85 and contain `/ ? # % …`).
func pathParameter(_ name: String, _ context: FarmRequestContext) throws -> String {
    let raw = try context.parameters.require(name)
    guard let decoded = raw.removingPercentEncoding else { throw APIError(.badRequest, "the \(name) in the path is not valid percent-encoding") }
    return decoded
}

/// A JSON response with the API's encoder.
func json<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
    jsonDocument(try APIJSON.encoder.encode(value), status: status)
}

/// A JSON document already encoded (with `APIJSON.encoder`'s settings), as a response.
func jsonDocument(_ document: Data, status: HTTPResponse.Status = .ok) -> Response {
    var data = document
    data.append(0x0a)
    var headers = HTTPFields()
    headers[.contentType] = "application/json"
    return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
}
