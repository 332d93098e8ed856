/// The dashboard's one style sheet: system fonts, a palette that follows the system's light or
/// dark setting, state badges, progress bars, visible focus. Served at `/static/dashboard.css`.
enum DashboardStyle {
    static let css = """
    :root{color-scheme:light dark;--bg:#f5f6f8;--card:#fff;--ink:#17202e;--muted:#5d6778;--line:#e2e5eb;--accent:#2f5fb3;
    --accent-ink:#fff;--soft:#eef2fa;--ok:#1f8a4c;--bad:#c23b31;--warn:#a86a00;--run:#2f6fd6;--teal:#13808f;--violet:#6e4bc2;
    --focus:#f2b630;--shadow:0 1px 2px rgba(16,24,40,.06),0 1px 3px rgba(16,24,40,.08);--radius:10px;
    --mono:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace}
    @media (prefers-color-scheme:dark){:root{--bg:#0f141b;--card:#171d26;--ink:#e4e8ef;--muted:#98a2b3;--line:#29313d;
    --accent:#6d9bf0;--accent-ink:#0c1220;--soft:#1c2533;--ok:#3cc47a;--bad:#ff6b5f;--warn:#f0b44c;--run:#6d9bf0;--teal:#39c0cf;
    --violet:#a98af0;--shadow:none}}
    *{box-sizing:border-box}
    html{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",Ubuntu,Cantarell,sans-serif;background:var(--bg);color:var(--ink)}
    body{margin:0;min-height:100vh;display:flex;flex-direction:column}
    a{color:var(--accent);text-decoration-thickness:1px;text-underline-offset:2px}
    a:hover{text-decoration-thickness:2px}
    :focus-visible{outline:3px solid var(--focus);outline-offset:2px;border-radius:4px}
    main:focus{outline:none}
    h1{font-size:1.6rem;line-height:1.2;margin:0;letter-spacing:-.01em}
    h2{font-size:1.05rem;margin:0 0 .75rem}
    code,.mono{font-family:var(--mono);font-size:.86em}
    .muted,.sub{color:var(--muted)}
    .sub{font-size:.82rem}
    .sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
    .skip{position:absolute;left:-999px;top:8px;background:var(--card);padding:8px 14px;border-radius:6px;z-index:9}
    .skip:focus{left:8px}
    .top{display:flex;align-items:center;gap:28px;padding:0 28px;height:58px;background:var(--card);border-bottom:1px solid var(--line)}
    .brand{display:flex;align-items:center;gap:9px;font-weight:700;font-size:1.1rem;color:var(--ink);text-decoration:none;letter-spacing:-.01em}
    .logo{width:22px;height:22px;border-radius:6px;background:linear-gradient(135deg,var(--accent) 0 50%,var(--teal) 50% 100%)}
    .sections{display:flex;gap:4px;height:100%}
    .sections a{display:flex;align-items:center;padding:0 12px;color:var(--muted);text-decoration:none;font-weight:500;border-bottom:3px solid transparent}
    .sections a:hover{color:var(--ink)}
    .sections a[aria-current=page]{color:var(--ink);border-bottom-color:var(--accent)}
    .who{margin-left:auto;display:flex;align-items:center;gap:10px;font-size:.9rem}
    .who form{margin:0}
    .role{font-size:.75rem;padding:1px 8px;border-radius:99px;background:var(--soft);color:var(--muted);text-transform:uppercase;letter-spacing:.04em}
    main{flex:1;width:100%;max-width:1240px;margin:0 auto;padding:26px 28px 40px}
    .foot{text-align:center;color:var(--muted);font-size:.8rem;padding:18px}
    .head{display:flex;align-items:center;gap:14px;margin:0 0 18px;flex-wrap:wrap}
    .head .actions,.head>.button{margin-left:auto;display:flex;gap:8px}
    .crumbs{font-size:.88rem;color:var(--muted);margin-bottom:6px}
    .card{background:var(--card);border:1px solid var(--line);border-radius:var(--radius);box-shadow:var(--shadow);padding:18px 20px;margin:0 0 18px;
    overflow-x:auto}
    .card.flush{padding:0}
    .pad{padding:16px 20px 0}
    .button,button{font:inherit;font-size:.9rem;font-weight:500;display:inline-flex;align-items:center;gap:6px;padding:7px 14px;border-radius:8px;
    border:1px solid var(--line);background:var(--card);color:var(--ink);cursor:pointer;text-decoration:none;line-height:1.3}
    .button:hover,button:hover{border-color:var(--muted)}
    .primary{background:var(--accent);border-color:var(--accent);color:var(--accent-ink)}
    .primary:hover{filter:brightness(1.08);border-color:var(--accent)}
    button.ghost{border-color:transparent;background:none;color:var(--muted);padding:4px 8px}
    button.ghost:hover{color:var(--ink)}
    button.small{padding:3px 10px;font-size:.82rem}
    button:disabled{opacity:.55;cursor:progress}
    table{border-collapse:collapse;width:100%;font-size:.9rem}
    th,td{padding:9px 14px;text-align:left;border-bottom:1px solid var(--line);vertical-align:middle}
    thead th{font-size:.74rem;text-transform:uppercase;letter-spacing:.05em;color:var(--muted);font-weight:600;background:var(--soft)}
    tbody tr:last-child td{border-bottom:none}
    tbody tr:hover{background:var(--soft)}
    .num{text-align:right;font-variant-numeric:tabular-nums}
    td.act{text-align:right}td.act form{margin:0}
    .job-link{font-weight:600;text-decoration:none;color:var(--ink)}
    .job-link:hover{color:var(--accent);text-decoration:underline}
    .w-progress{width:220px;white-space:nowrap}
    progress{-webkit-appearance:none;appearance:none;width:140px;height:8px;border:none;border-radius:99px;background:var(--line);overflow:hidden;vertical-align:middle;color:var(--accent)}
    progress::-webkit-progress-bar{background:var(--line);border-radius:99px}
    progress::-webkit-progress-value{background:var(--accent);border-radius:99px;transition:width .4s}
    progress::-moz-progress-bar{background:var(--accent);border-radius:99px}
    tr:has(.s-done) progress::-webkit-progress-value,.done progress::-webkit-progress-value{background:var(--ok)}
    tr:has(.s-done) progress::-moz-progress-bar{background:var(--ok)}
    tr:has(.s-failed) progress::-webkit-progress-value{background:var(--bad)}
    .pct{display:inline-block;min-width:48px;text-align:right;font-variant-numeric:tabular-nums;font-size:.85rem;color:var(--muted);margin-left:8px}
    .bigprogress{display:flex;align-items:center;gap:12px}
    .bigprogress progress{flex:1;width:auto;height:14px}
    .bigprogress .pct{font-size:1.1rem;color:var(--ink);font-weight:600}
    meter{width:70px;height:10px;vertical-align:middle}
    .badge{display:inline-block;font-size:.74rem;font-weight:600;padding:2px 9px;border-radius:99px;text-transform:uppercase;letter-spacing:.04em;
    background:var(--soft);color:var(--muted);border:1px solid transparent;white-space:nowrap}
    .badge.big{font-size:.8rem;padding:3px 11px}
    .s-queued{color:var(--muted);border-color:var(--line)}
    .s-planning{color:var(--violet);border-color:currentColor}
    .s-running,.a-working{color:var(--run);border-color:currentColor}
    .s-stitching{color:var(--teal);border-color:currentColor}
    .s-done,.o-done,.a-idle{color:var(--ok);border-color:currentColor}
    .s-failed,.o-failed{color:var(--bad);border-color:currentColor}
    .s-cancelled{color:var(--muted);border-color:var(--muted)}
    .o-superseded,.o-requeued,.o-moved{color:var(--muted);border-color:var(--line);text-decoration:line-through}
    .a-draining{color:var(--warn);border-color:currentColor}
    .a-stuck{color:var(--bad);border-color:currentColor}
    .chips{list-style:none;display:flex;flex-wrap:wrap;gap:8px;padding:0;margin:0 0 18px}
    .chips li{display:flex;align-items:center;gap:6px;background:var(--card);border:1px solid var(--line);border-radius:99px;padding:3px 12px 3px 4px;font-size:.88rem}
    .chips .n{font-weight:600;font-variant-numeric:tabular-nums}
    .pager{display:flex;align-items:center;gap:8px;justify-content:flex-end}
    .pager span{margin-right:auto}
    .empty{text-align:center;padding:40px}
    .facts{display:grid;grid-template-columns:repeat(auto-fill,minmax(230px,1fr));gap:14px 24px;margin:0}
    .facts dt{font-size:.74rem;text-transform:uppercase;letter-spacing:.05em;color:var(--muted)}
    .facts dd{margin:2px 0 0;word-break:break-all}
    .summary{display:grid;grid-template-columns:repeat(auto-fit,minmax(160px,1fr));gap:14px;margin:0 0 18px}
    .stat{margin:0;padding:14px 18px}
    .disk-note{margin:-6px 0 18px;font-size:.85rem}
    .stat dt{font-size:.8rem;color:var(--muted)}
    .stat dd{margin:4px 0 0;font-size:1.45rem;font-weight:650;font-variant-numeric:tabular-nums}
    .alert{border-color:var(--bad);color:var(--bad);background:color-mix(in srgb,var(--bad) 8%,var(--card));padding:10px 14px;border-radius:8px;border:1px solid var(--bad)}
    .card.alert{padding:16px 20px}
    .warn{border-left:4px solid var(--warn)}
    .warn ul{margin:0;padding-left:20px}
    .flash{background:var(--soft);border:1px solid var(--line);padding:10px 14px;border-radius:8px}
    .chart{overflow-x:auto}
    .chart svg{width:100%;height:auto;min-width:640px;display:block}
    svg .grid path{stroke:var(--line);stroke-width:1;fill:none}
    svg .frame{fill:none;stroke:var(--line)}
    svg text{fill:var(--muted);font-size:12px;font-family:inherit}
    svg .axis-title{font-size:12px}
    svg .bar-even{fill:var(--accent)}svg .bar-odd{fill:var(--teal)}
    svg .bar-label{fill:#fff;font-size:11px}
    svg .thr{fill:var(--accent)}
    svg .superseded,svg .requeued,svg .moved{fill:var(--muted);opacity:.45}svg .failed{fill:var(--bad)}svg .running{fill:var(--run);opacity:.55}
    svg .wait{fill:var(--line)}
    svg .plot-note{font-size:14px}
    details summary{cursor:pointer;color:var(--accent);margin:12px 0 8px;font-weight:500}
    details table{font-size:.85rem}
    .sheet{max-width:100%;border-radius:8px;display:block}
    .login{max-width:440px;margin:48px auto}
    .login h1{margin-bottom:8px}
    .login form{display:flex;flex-direction:column;gap:10px;margin-top:14px}
    .form fieldset{border:none;padding:0;margin:0 0 18px}
    .form legend{font-weight:600;font-size:1.05rem;margin-bottom:10px}
    .choice{display:flex;gap:22px;margin-bottom:12px}
    .grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(210px,1fr));gap:14px 18px}
    .field{display:flex;flex-direction:column;gap:5px;margin-bottom:10px}
    .field.wide{grid-column:1/-1}
    label{font-weight:500;font-size:.9rem}
    input[type=text],input:not([type]),input[type=password],input[type=number],select{font:inherit;padding:8px 10px;border:1px solid var(--line);
    border-radius:8px;background:var(--bg);color:var(--ink);width:100%}
    input[type=file]{font:inherit;font-size:.9rem}
    .upload-progress{display:flex;align-items:center;gap:10px;margin-top:6px}
    .upload-progress progress{width:260px}
    [hidden]{display:none!important}
    .problem{text-align:center;padding:48px}
    .problem h1{font-size:2.6rem;color:var(--muted)}
    @media (max-width:760px){.top{gap:12px;padding:0 14px;flex-wrap:wrap;height:auto;min-height:58px}main{padding:18px 14px}
    .w-progress{width:auto}progress{width:80px}table{font-size:.84rem}th,td{padding:8px}}
    """
}
