import Mustache

/// The dashboard's pages as Mustache templates, embedded in the binary (no resource bundle to
/// find at run time, the same from `.build/debug` and an installed release build). `{{x}}` is
/// HTML-escaped; only the server-drawn SVG charts use `{{{x}}}`.
enum DashboardTemplates {
    static let library: MustacheLibrary = {
        var library = MustacheLibrary()
        for (name, text) in all {
            // The templates are constants of this file: a parse error is a programming error.
            do { try library.register(text, named: name) } catch { fatalError("dashboard template \(name): \(error)") }
        }
        return library
    }()

    static let all: [String: String] = [
        "header": header, "footer": footer, "login": login, "jobs": jobs, "job": job, "agents": agents,
        "submit": submit, "problem": problem,
    ]

    static let header = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{layout.title}} · gopfarm</title>
        <link rel="stylesheet" href="/static/dashboard.css">
        <link rel="icon" href="data:,">
        <script src="/static/dashboard.js" defer></script>
        </head>
        <body>
        <a class="skip" href="#main">Skip to content</a>
        <header class="top">
        <a class="brand" href="/"><span class="logo" aria-hidden="true"></span>gopfarm</a>
        {{#layout.user}}
        <nav class="sections" aria-label="Sections">
        <a href="/"{{#layout.onJobs}} aria-current="page"{{/layout.onJobs}}>Jobs</a>
        <a href="/submit"{{#layout.onSubmit}} aria-current="page"{{/layout.onSubmit}}>Submit</a>
        {{#layout.isOps}}<a href="/agents"{{#layout.onAgents}} aria-current="page"{{/layout.onAgents}}>Agents</a>{{/layout.isOps}}
        </nav>
        <div class="who">
        <span class="user">{{layout.user}}</span> <span class="role">{{layout.role}}</span>
        <form method="post" action="/logout"><input type="hidden" name="csrf" value="{{layout.csrf}}"><button class="ghost" type="submit">Log out</button></form>
        </div>
        {{/layout.user}}
        </header>
        <main id="main" tabindex="-1">
        {{#layout.flash}}<p class="flash" role="status">{{layout.flash}}</p>{{/layout.flash}}

        """

    static let footer = """
        </main>
        <footer class="foot">gopfarm · distributed, frame-exact transcoding</footer>
        </body>
        </html>

        """

    static let login = """
        {{>header}}
        <section class="card login">
        <h1>Log in</h1>
        <p class="muted">Paste your API token (an admin makes one with <code>gopfarm token create</code>). The coordinator checks it and gives this browser a session cookie instead; the token itself is not kept in the browser.</p>
        {{#error}}<p class="alert" role="alert">{{error}}</p>{{/error}}
        <form method="post" action="/login">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <label for="token">Token</label>
        <input id="token" name="token" type="password" autocomplete="off" spellcheck="false" required autofocus>
        <button class="primary" type="submit">Log in</button>
        </form>
        </section>
        {{>footer}}
        """

    static let jobs = """
        {{>header}}
        <div class="head">
        <h1>Jobs</h1>
        <a class="button primary" href="/submit">New job</a>
        </div>
        <ul class="chips" aria-label="Jobs by state">{{#counts}}<li><span class="badge s-{{state}}">{{state}}</span> <span class="n">{{count}}</span></li>{{/counts}}</ul>
        {{#empty}}<div class="card empty"><p>No jobs yet.</p><p><a class="button primary" href="/submit">Submit the first one</a></p></div>{{/empty}}
        {{^empty}}
        <div class="card flush">
        <table class="jobs" id="jobs">
        <caption class="sr-only">Jobs, newest first</caption>
        <thead><tr><th scope="col">Job</th>{{#showOwner}}<th scope="col">Owner</th>{{/showOwner}}<th scope="col">State</th><th scope="col" class="w-progress">Progress</th><th scope="col" class="num">Segments</th><th scope="col" class="num">Agents</th><th scope="col" class="num">ETA</th><th scope="col">Submitted</th></tr></thead>
        <tbody>
        {{#jobs}}
        <tr data-job="{{id}}"{{#live}} data-live{{/live}}>
        <td><a class="job-link" href="/jobs/{{id}}">{{name}}</a><div class="sub mono">{{id}}</div></td>
        {{#showOwner}}<td>{{owner}}</td>{{/showOwner}}
        <td><span class="badge s-{{state}}" data-field="state">{{state}}</span></td>
        <td class="w-progress"><progress max="100" value="{{percentValue}}" aria-label="progress of {{name}}" data-field="progress">{{percent}}</progress><span class="pct" data-field="percent">{{percent}}</span></td>
        <td class="num" data-field="segments">{{segments}}</td>
        <td class="num" data-field="agents">{{agents}}</td>
        <td class="num" data-field="eta">{{eta}}</td>
        <td><time datetime="{{submittedISO}}" title="{{submittedISO}}">{{submitted}}</time></td>
        </tr>
        {{/jobs}}
        </tbody>
        </table>
        </div>
        <nav class="pager" aria-label="Pages"><span class="muted">{{range}}</span>{{#newer}}<a class="button" href="{{newer}}" rel="prev">← Newer</a>{{/newer}}{{#older}}<a class="button" href="{{older}}" rel="next">Older →</a>{{/older}}</nav>
        {{/empty}}
        {{>footer}}
        """

    static let job = """
        {{>header}}
        <nav class="crumbs" aria-label="Breadcrumb"><a href="/">Jobs</a> <span aria-hidden="true">/</span> <span class="mono">{{id}}</span></nav>
        <div class="head">
        <h1>{{name}}</h1>
        <span class="badge big s-{{state}}" id="job-state">{{state}}</span>
        <div class="actions">
        {{#done}}{{^ladder}}<a class="button primary" href="/jobs/{{id}}/output" id="download-link">Download output</a>{{/ladder}}{{/done}}
        {{#hasReport}}<a class="button" href="/jobs/{{id}}/report" id="report-link">Analysis report</a>{{/hasReport}}
        {{#live}}<form method="post" action="/jobs/{{id}}/cancel" data-confirm="Cancel this job? Its work so far is thrown away."><input type="hidden" name="csrf" value="{{layout.csrf}}"><button class="button" type="submit" id="cancel-button">Cancel job</button></form>{{/live}}
        </div>
        </div>
        <section class="card" aria-labelledby="progress-h">
        <h2 id="progress-h">Progress</h2>
        <div class="bigprogress"><progress id="job-progress" max="100" value="{{percentValue}}" data-job="{{id}}"{{#live}} data-live{{/live}} aria-label="job progress">{{percent}}</progress><span id="job-percent" class="pct">{{percent}}</span></div>
        <p class="muted"><span id="job-progress-text">{{progressText}}</span> · ETA <span id="job-eta">{{eta}}</span></p>
        </section>
        {{#error}}<section class="card alert" role="alert"><h2>Error</h2><p>{{error}}</p></section>{{/error}}
        {{#hasWarnings}}<section class="card warn" aria-labelledby="warn-h"><h2 id="warn-h">Warnings</h2><ul>{{#warnings}}<li>{{.}}</li>{{/warnings}}</ul></section>{{/hasWarnings}}
        <section class="card" aria-labelledby="details-h"><h2 id="details-h">Details</h2>
        <dl class="facts">{{#facts}}<div><dt>{{label}}</dt><dd>{{value}}</dd></div>{{/facts}}</dl>
        </section>
        {{#ladder}}<section class="card" aria-labelledby="ladder-h" id="ladder"><h2 id="ladder-h">Renditions</h2>
        <p class="muted">{{summary}}</p>
        {{#probe}}<p id="ladder-probe">{{probe}}</p>{{/probe}}
        {{#hasRenditions}}<table class="attempts" id="renditions"><thead><tr><th scope="col">Track</th><th scope="col">Name</th><th scope="col">Codec</th><th scope="col">Size</th><th scope="col" class="num">Bytes</th><th scope="col" class="num">Average</th><th scope="col" class="num">Peak</th><th scope="col" class="num">PSNR</th></tr></thead><tbody>
        {{#renditions}}<tr><td>{{kind}}</td><td class="mono">{{name}}</td><td>{{codec}}</td><td>{{size}}</td><td class="num">{{bytes}}</td><td class="num">{{average}}</td><td class="num">{{peak}}</td><td class="num">{{quality}}</td></tr>{{/renditions}}
        </tbody></table>{{/hasRenditions}}
        {{^hasRenditions}}<p class="muted">The renditions are listed once the job is packaged.</p>{{/hasRenditions}}
        <p>{{#hlsLink}}<a class="button" href="{{hlsLink}}" id="hls-link">master.m3u8</a> {{/hlsLink}}{{#dashLink}}<a class="button" href="{{dashLink}}" id="dash-link">manifest.mpd</a> {{/dashLink}}{{#plotLink}}<a class="button" href="{{plotLink}}" id="ladder-plot-link">Ladder choice</a>{{/plotLink}}</p>
        </section>{{/ladder}}
        <section class="card" aria-labelledby="timeline-h"><h2 id="timeline-h">Segment timeline</h2>
        {{#timeline}}<p class="muted">One row per agent: each segment as the agent worked on it, after a light bar while it waited on the agent (prefetched or in transfer). Hover a bar for its times.</p><div class="chart">{{{timeline}}}</div>{{/timeline}}
        {{^timeline}}<p class="muted">{{#live}}No segment had been leased when this page was drawn; the page draws the timeline again when the job ends.{{/live}}{{^live}}No segment was leased.{{/live}}</p>{{/timeline}}
        {{#hasAttempts}}
        <details><summary>Every attempt</summary>
        <table class="attempts"><thead><tr><th scope="col" class="num">Segment</th><th scope="col" class="num">Attempt</th><th scope="col">Agent</th><th scope="col">Outcome</th><th scope="col" class="num">Leased at</th><th scope="col" class="num">Took</th></tr></thead><tbody>
        {{#attempts}}<tr><td class="num">{{segment}}</td><td class="num">{{attempt}}</td><td class="mono">{{agent}}</td><td><span class="badge o-{{outcome}}">{{outcome}}</span></td><td class="num">{{start}}</td><td class="num">{{took}}</td></tr>{{/attempts}}
        </tbody></table>
        {{#moreAttempts}}<p class="muted">{{moreAttempts}}</p>{{/moreAttempts}}
        </details>
        {{/hasAttempts}}
        </section>
        {{#hasContactSheet}}<section class="card" aria-labelledby="scenes-h"><h2 id="scenes-h">Scenes</h2><img class="sheet" src="/jobs/{{id}}/thumbnails/contact-sheet.jpg" alt="A contact sheet of the scenes of {{name}}"></section>{{/hasContactSheet}}
        {{>footer}}
        """

    static let agents = """
        {{>header}}
        <div class="head"><h1>Agents</h1></div>
        <dl class="summary" id="agents-summary" data-live>{{#summary}}<div class="card stat"><dt>{{label}}</dt><dd>{{value}}</dd></div>{{/summary}}</dl>
        {{#diskNote}}<p class="muted disk-note" id="disk-note">{{diskNote}}</p>{{/diskNote}}
        <section class="card" aria-labelledby="thr-h"><h2 id="thr-h">Cluster throughput, last hour</h2>
        <p class="muted">{{throughputNote}}</p>
        <div class="chart" data-scroll-end>{{{throughput}}}</div>
        </section>
        <section class="card flush" aria-labelledby="agents-h"><h2 id="agents-h" class="pad">Connected agents</h2>
        {{#empty}}<p class="pad muted">No agent is connected. Start one with <code>gopfarm-agent --coordinator tcp://HOST:PORT</code>.</p>{{/empty}}
        {{^empty}}
        <table class="agents" id="agents">
        <thead><tr><th scope="col">Agent</th><th scope="col">State</th><th scope="col">Slots busy</th><th scope="col" class="num">fps</th><th scope="col" class="num">Segments</th><th scope="col">Last heartbeat</th><th scope="col">Connected</th><th scope="col">Version</th>{{#canManage}}<th scope="col"><span class="sr-only">Actions</span></th>{{/canManage}}</tr></thead>
        <tbody>
        {{#agents}}<tr data-agent="{{name}}"><td class="mono">{{name}}</td><td><span class="badge a-{{state}}" data-field="state">{{state}}</span></td><td><meter min="0" max="{{slots}}" value="{{busy}}" aria-label="slots busy on {{name}}" data-field="meter">{{busy}} of {{slots}}</meter> <span class="sub" data-field="slots">{{busy}}/{{slots}}</span></td><td class="num" data-field="fps">{{fps}}</td><td class="num" data-field="segments">{{segments}}</td><td data-field="heartbeat">{{heartbeat}}</td><td data-field="connected">{{connected}}</td><td class="mono sub" data-field="version">{{version}}</td>{{#canManage}}<td class="act"><form method="post" action="/agents/{{path}}/{{#draining}}resume{{/draining}}{{^draining}}drain{{/draining}}" data-field="action"><input type="hidden" name="csrf" value="{{csrf}}"><button class="small" type="submit" aria-label="{{#draining}}Resume{{/draining}}{{^draining}}Drain{{/draining}} {{name}}">{{#draining}}Resume{{/draining}}{{^draining}}Drain{{/draining}}</button></form></td>{{/canManage}}</tr>
        {{/agents}}
        </tbody>
        </table>
        {{/empty}}
        </section>
        {{>footer}}
        """

    static let submit = """
        {{>header}}
        <div class="head"><h1>New job</h1></div>
        {{#error}}<p class="alert" role="alert">{{error}}</p>{{/error}}
        <form class="card form" method="post" action="/submit" id="submit-form" data-max-upload="{{maxUploadBytes}}">
        <input type="hidden" name="csrf" value="{{layout.csrf}}">
        <input type="hidden" name="upload" id="upload-id" value="">
        <fieldset><legend>Input</legend>
        <div class="choice">
        <label><input type="radio" name="source" value="upload" id="source-upload"{{^fromPath}} checked{{/fromPath}}> Upload a file</label>
        <label><input type="radio" name="source" value="path" id="source-path"{{#fromPath}} checked{{/fromPath}}> A file on the coordinator</label>
        </div>
        <div class="field" id="upload-field"><label for="file">File <span class="muted">(up to {{maxUpload}})</span></label>
        <input id="file" type="file">
        <noscript><p class="alert">Uploading a file needs JavaScript; without it, give the path of a file on the coordinator.</p></noscript>
        <div class="upload-progress" id="upload-box" hidden><progress id="upload-progress" max="100" value="0" aria-label="upload progress"></progress><span id="upload-status" role="status" aria-live="polite"></span></div>
        </div>
        <div class="field" id="path-field"><label for="path">Path</label><input id="path" name="path" value="{{path}}" placeholder="/srv/media/in/film.mov" spellcheck="false" autocomplete="off"><small class="muted">Under one of the coordinator's input roots.</small></div>
        </fieldset>
        <fieldset><legend>Encoding</legend>
        <div class="grid">
        {{#hasNamedPresets}}<div class="field"><label for="named-preset">Preset</label><select id="named-preset" name="namedPreset"><option value="">none: the fields below</option>{{#namedPresets}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/namedPresets}}</select></div>{{/hasNamedPresets}}
        <div class="field"><label for="codec">Codec</label><select id="codec" name="codec" data-choices="{{codecChoices}}">{{#codecs}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/codecs}}</select></div>
        <div class="field"><label for="crf">CRF <span class="muted">(quality; lower is better)</span></label><input id="crf" name="crf" type="number" min="0" max="63" step="1" value="{{crf}}" placeholder="encoder default"></div>
        <div class="field"><label for="preset">Encoder speed</label><select id="preset" name="preset">{{#presets}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/presets}}</select></div>
        <div class="field"><label for="priority">Priority</label><select id="priority" name="priority">{{#priorities}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/priorities}}</select></div>
        <div class="field wide"><label for="output-name">Output name <span class="muted">(optional; the extension picks the container)</span></label><input id="output-name" name="outputName" value="{{outputName}}" placeholder="film.mp4" spellcheck="false" autocomplete="off"></div>
        <div class="field wide"><label for="ladder">ABR ladder <span class="muted">(optional: rungs such as 720p:3M,360p:700k, or auto; the output is then HLS and DASH in a directory)</span></label><input id="ladder" name="ladder" value="{{ladder}}" placeholder="720p:3M,360p:700k" spellcheck="false" autocomplete="off"></div>
        </div>
        </fieldset>
        <div class="actions"><button class="primary" type="submit" id="submit-button">Submit job</button></div>
        </form>
        {{>footer}}
        """

    static let problem = """
        {{>header}}
        <section class="card problem"><h1>{{status}}</h1><p>{{message}}</p><p><a class="button" href="/">Back to jobs</a></p></section>
        {{>footer}}
        """
}
