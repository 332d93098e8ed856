/// The dashboard's one script (no framework, nothing fetched from elsewhere): live progress on
/// the job page over the job's server-sent events, the jobs list's unfinished rows over one
/// stream for the page (`/live/jobs`: a browser holds only six connections to one HTTP/1.1
/// server, so not one stream per row), the agents table refreshed from `/live/agents` every two
/// seconds, and the upload with its progress bar before the submit form is posted. Served at
/// `/static/dashboard.js`.
enum DashboardScript {
    static let js = #"""
    "use strict";
    (function () {
      function $(sel, root) { return (root || document).querySelector(sel); }
      // A form that asks first (cancelling a job).
      document.addEventListener("submit", function (e) {
        var question = e.target.getAttribute && e.target.getAttribute("data-confirm");
        if (question && !window.confirm(question)) e.preventDefault();
      }, true);
      // A chart whose right edge is now opens there on a narrow screen.
      Array.prototype.forEach.call(document.querySelectorAll("[data-scroll-end]"), function (c) { c.scrollLeft = c.scrollWidth; });
      function pct(f) { return Math.floor(Math.max(0, Math.min(1, f)) * 1000) / 10; }
      function duration(s) {
        if (!isFinite(s) || s < 0) return "–";
        s = Math.round(s);
        if (s < 60) return s + " s";
        if (s < 3600) return Math.floor(s / 60) + " min " + String(s % 60).padStart(2, "0") + " s";
        return Math.floor(s / 3600) + " h " + String(Math.floor(s % 3600 / 60)).padStart(2, "0") + " min";
      }
      function eta(view) {
        var f = view.progress.fraction;
        if (!view.startedAt || f <= 0.001 || f >= 1 || ["done", "failed", "cancelled"].indexOf(view.state) >= 0) return "–";
        var elapsed = (Date.now() - Date.parse(view.startedAt)) / 1000;
        return elapsed > 0 ? duration(elapsed * (1 - f) / f) : "–";
      }
      function setBadge(el, state) {
        if (!el) return;
        el.className = el.className.replace(/\bs-\w+/, "s-" + state);
        el.textContent = state;
      }

      // The job page: the job's own event stream.
      var bar = $("#job-progress[data-live]");
      if (bar && window.EventSource) {
        var id = bar.getAttribute("data-job");
        var source = new EventSource("/jobs/" + encodeURIComponent(id) + "/events");
        var show = function (e) {
          var view = JSON.parse(e.data), p = view.progress, v = view.state === "done" ? 100 : pct(p.fraction);
          bar.value = v;
          $("#job-percent").textContent = v + "%";
          // As DashboardRows.progressText.
          var r = view.reading;
          $("#job-progress-text").textContent = r
            ? (r.step === "decoding" ? "Decoding the input for its frames' order" : "Reading the input") + "… " + Math.floor(r.fraction * 100) + "%"
            : view.waitingForAgents ? "Waiting for an agent that takes work"
            : p.segmentsDone + " of " + p.segmentsTotal + " segments, " +
              p.framesDone + " of " + p.framesTotal + " frames, " + p.agents + " agent" + (p.agents === 1 ? "" : "s") + " working";
          $("#job-eta").textContent = eta(view);
          setBadge($("#job-state"), view.state);
        };
        source.addEventListener("progress", show);
        source.addEventListener("end", function (e) {
          show(e);
          source.close();
          // The finished page has the download, the report and the whole timeline.
          setTimeout(function () { location.reload(); }, 400);
        });
      }

      // The jobs list: the unfinished rows, over one event stream for the page. The server
      // ends it once every row is final; a cut stream reconnects by itself (EventSource), and a
      // 204 (no row left that this viewer may see) or a 401 (logged out) ends it for good.
      var table = $("#jobs");
      var liveRows = table ? table.querySelectorAll("tr[data-live]") : [];
      if (liveRows.length && window.EventSource) {
        var ids = Array.prototype.map.call(liveRows, function (r) { return r.getAttribute("data-job"); });
        var rows = new EventSource("/live/jobs?ids=" + ids.map(encodeURIComponent).join(","));
        rows.addEventListener("row", function (e) {
          var j = JSON.parse(e.data);
          var row = table.querySelector('tr[data-job="' + j.id + '"]');
          if (!row) return;
          setBadge(row.querySelector('[data-field="state"]'), j.state);
          row.querySelector('[data-field="progress"]').value = Number(j.percentValue);
          row.querySelector('[data-field="percent"]').textContent = j.percent;
          row.querySelector('[data-field="segments"]').textContent = j.segments;
          row.querySelector('[data-field="agents"]').textContent = j.agents;
          row.querySelector('[data-field="eta"]').textContent = j.eta;
          if (!j.live) row.removeAttribute("data-live");
          if (!table.querySelector("tr[data-live]")) rows.close();
        });
      }

      // The agents page: its table and cards from /live/agents every two seconds. An agent that
      // joined or left redraws the page (its rows come from the server's one template); every
      // other change is written into the rows in place, so a focused button keeps its focus.
      var summary = $("#agents-summary[data-live]");
      function refreshAgents() {
        fetch("/live/agents", { credentials: "same-origin", headers: { "Accept": "application/json" } })
          .then(function (r) {
            // Logged out or no longer ops: stop asking; the next page says why.
            if (r.status === 401 || r.status === 403) throw "stop";
            return r.ok ? r.json() : null;
          })
          .then(function (live) {
            if (live) showAgents(live);
            setTimeout(refreshAgents, 2000);
          }, function (err) {
            if (err !== "stop") setTimeout(refreshAgents, 2000);
          });
      }
      function showAgents(live) {
        var shown = Array.prototype.map.call(document.querySelectorAll("tr[data-agent]"), function (r) { return r.getAttribute("data-agent"); });
        var names = live.agents.map(function (a) { return a.name; });
        if (shown.slice().sort().join("\n") !== names.slice().sort().join("\n")) { location.reload(); return; }
        var cards = summary.querySelectorAll("dd");
        if (cards.length === live.summary.length) {
          live.summary.forEach(function (f, i) {
            cards[i].textContent = f.value;
            cards[i].previousElementSibling.textContent = f.label;
          });
        }
        var note = $("#disk-note");
        if (note && live.diskNote) note.textContent = live.diskNote;
        live.agents.forEach(function (a) {
          var row = document.querySelector('tr[data-agent="' + CSS.escape(a.name) + '"]');
          var field = function (name) { return row.querySelector('[data-field="' + name + '"]'); };
          setBadge(field("state"), a.state);
          field("state").className = field("state").className.replace(/\ba-\w+/, "a-" + a.state);
          var meter = field("meter");
          meter.max = a.slots;
          meter.value = a.busy;
          meter.textContent = a.busy + " of " + a.slots;
          field("slots").textContent = a.busy + "/" + a.slots;
          field("fps").textContent = a.fps;
          field("segments").textContent = a.segments;
          field("heartbeat").textContent = a.heartbeat;
          field("connected").textContent = a.connected;
          field("version").textContent = a.version;
          var action = field("action");
          if (action) {
            var verb = a.draining ? "Resume" : "Drain";
            action.setAttribute("action", "/agents/" + a.path + "/" + verb.toLowerCase());
            var button = action.querySelector("button");
            button.textContent = verb;
            button.setAttribute("aria-label", verb + " " + a.name);
          }
        });
      }
      if (summary && window.fetch) setTimeout(refreshAgents, 2000);

      // The submit form: the file goes up first (with its progress), then the form names it.
      var form = $("#submit-form");
      if (form) {
        var uploadField = $("#upload-field"), pathField = $("#path-field");
        var sync = function () {
          var byPath = $("#source-path").checked;
          uploadField.hidden = byPath;
          pathField.hidden = !byPath;
        };
        // A named preset's settings apply whole: the encoding fields step aside.
        var named = $("#named-preset");
        var syncPreset = function () {
          ["codec", "crf", "preset"].forEach(function (id) { $("#" + id).disabled = !!(named && named.value); });
          if (syncCodec) syncCodec();
        };
        // Only what the chosen codec takes: its presets, its CRF range, no CRF for a lossless one.
        var codec = $("#codec"), choices = JSON.parse(codec.getAttribute("data-choices") || "{}");
        var syncCodec = function () {
          var c = choices[codec.value] || { presets: [] }, preset = $("#preset"), crf = $("#crf"), kept = preset.value;
          while (preset.options.length > 1) preset.remove(1);
          c.presets.forEach(function (p) { preset.add(new Option(p, p, false, p === kept)); });
          if (c.crf) { crf.min = c.crf[0]; crf.max = c.crf[1]; } else { crf.value = ""; }
          crf.disabled = !c.crf || !!(named && named.value);
          preset.disabled = c.presets.length === 0 || !!(named && named.value);
        };
        form.addEventListener("change", function (e) {
          if (e.target.name === "source") sync();
          if (e.target === named) syncPreset();
          if (e.target === codec) syncCodec();
        });
        sync();
        syncPreset();
        form.addEventListener("submit", function (e) {
          if ($("#source-path").checked || $("#upload-id").value) return;
          e.preventDefault();
          var file = $("#file").files[0], status = $("#upload-status"), progress = $("#upload-progress");
          // The box holds the status line: shown before any message goes in it.
          $("#upload-box").hidden = false;
          progress.hidden = true;
          if (!file) { status.textContent = "Choose a file to upload first."; $("#file").focus(); return; }
          var limit = Number(form.getAttribute("data-max-upload"));
          if (limit && file.size > limit) { status.textContent = "The file is over the upload limit."; return; }
          progress.hidden = false;
          var button = $("#submit-button");
          button.disabled = true;
          var xhr = new XMLHttpRequest();
          xhr.open("POST", "/uploads");
          xhr.setRequestHeader("X-CSRF-Token", form.elements.csrf.value);
          xhr.setRequestHeader("X-Filename", file.name);
          xhr.setRequestHeader("Content-Type", "application/octet-stream");
          xhr.upload.addEventListener("progress", function (p) {
            if (!p.lengthComputable) return;
            progress.value = pct(p.loaded / p.total);
            status.textContent = "Uploading " + (p.loaded / 1048576).toFixed(1) + " of " + (p.total / 1048576).toFixed(1) + " MiB";
          });
          xhr.addEventListener("load", function () {
            var answer = {};
            try { answer = JSON.parse(xhr.responseText); } catch (err) {}
            if (xhr.status === 201 && answer.upload) {
              progress.value = 100;
              status.textContent = "Uploaded; submitting the job…";
              $("#upload-id").value = answer.upload;
              form.submit();
            } else {
              status.textContent = answer.error || ("The upload failed (HTTP " + xhr.status + ").");
              button.disabled = false;
            }
          });
          xhr.addEventListener("error", function () {
            status.textContent = "The upload failed: the coordinator could not be reached.";
            button.disabled = false;
          });
          xhr.send(file);
        });
      }
    })();
    """#
}
