/// The report's look, inlined in its `<style>` element: the page must open from a mail
/// attachment or an archive with nothing else beside it. Plot colours are classes used by
/// `SVGPlot`'s marks and by the legend swatches, so both always agree.
public enum ReportStyle {
    public static let css = """
    :root{--ink:#1d2330;--muted:#5d6678;--line:#d9dde5;--card:#f5f6f9;--accent:#2f5fb3}
    *{box-sizing:border-box}
    body{margin:0 auto;max-width:1180px;padding:24px 28px 48px;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--ink);background:#fff}
    h1{font-size:24px;margin:0 0 14px;word-break:break-word}
    h2{font-size:18px;margin:34px 0 10px;padding-bottom:4px;border-bottom:2px solid var(--line)}
    h3{font-size:15px;margin:20px 0 4px}
    .note{color:var(--muted);margin:4px 0 8px}
    .summary{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:8px;margin:0}
    .summary div{background:var(--card);border-radius:6px;padding:8px 10px}
    .summary dt{color:var(--muted);font-size:12px}
    .summary dd{margin:0;font-weight:600;font-size:15px;word-break:break-word}
    .summary .wide{grid-column:span 3}
    .summary .detail{display:block;font-weight:400;font-size:12px;color:var(--muted)}
    .scenes{display:grid;grid-template-columns:repeat(auto-fill,minmax(176px,1fr));gap:10px}
    .scene{margin:0;background:var(--card);border-radius:6px;overflow:hidden}
    .scene img,.scene .missing{display:block;width:100%;aspect-ratio:16/9;object-fit:contain;background:#2a2f3a}
    .scene .missing{display:flex;align-items:center;justify-content:center;color:#aab;font-size:12px}
    .scene figcaption{padding:5px 8px 7px;font-size:12px;line-height:1.35}
    .scene figcaption b{font-size:13px}
    .kind{display:inline-block;padding:0 5px;border-radius:3px;font-size:11px;background:#dde4f2;color:#2c3e66}
    .kind-cut{background:#fbe0dd;color:#8a2418}.kind-transition{background:#fcefcf;color:#7a5300}
    .sheet{max-width:100%;border-radius:6px}
    .legend{display:flex;flex-wrap:wrap;gap:4px 16px;font-size:12px;color:var(--muted);margin:2px 0 2px}
    .legend span{display:inline-flex;align-items:center;gap:5px}
    .sw{display:inline-block;width:14px;height:10px;border-radius:2px}
    svg.plot{display:block;width:100%;height:auto;font-size:11px}
    svg .grid path{stroke:#eceef2;stroke-width:1;fill:none}
    svg .frame{fill:none;stroke:#9aa2b1;stroke-width:1}
    svg .tick text{fill:var(--muted)}
    svg .axis-title{fill:var(--muted);font-size:12px}
    svg .line-label{fill:#b3261e;font-size:11px}
    svg .plot-note{fill:var(--muted);font-size:14px}
    svg .bar-label{fill:#fff;font-size:11px;font-weight:600}
    .luma{fill:#4a78c9;stroke:#4a78c9;stroke-width:1.2;stroke-linejoin:round}
    .motion{fill:#e0832a;stroke:#e0832a;stroke-width:1.2;stroke-linejoin:round}
    .score{fill:#7a4fc2;stroke:#7a4fc2;stroke-width:1.2;stroke-linejoin:round}
    .cut{stroke:#d0463c;stroke-width:1;opacity:.55;fill:none}
    .cut-dot{fill:#d0463c;stroke:#fff;stroke-width:1}
    .threshold{stroke:#b3261e;stroke-width:1.2;stroke-dasharray:6 4;fill:none}
    .black{fill:#1d2330;opacity:.22}.sw.black{opacity:.45}
    .frozen{fill:#2aa5b8;opacity:.22}.sw.frozen{opacity:.45}
    .transition{fill:#f2b630;opacity:.3}.sw.transition{opacity:.6}
    .lossless{fill:#3fa34d;opacity:.18}.sw.lossless{opacity:.45}
    .psnr-y{stroke:#2f5fb3;stroke-width:2.5;fill:none}.sw.psnr-y{background:#2f5fb3}
    .psnr-all{stroke:#d17a00;stroke-width:2.5;fill:none}.sw.psnr-all{background:#d17a00}
    .sw.luma{background:#4a78c9}.sw.motion{background:#e0832a}.sw.score{background:#7a4fc2}
    .sw.black{background:#1d2330}.sw.frozen{background:#2aa5b8}.sw.transition{background:#f2b630}.sw.lossless{background:#3fa34d}
    .sw.cut{background:#d0463c;width:3px}.sw.threshold{background:#b3261e;height:2px}
    .bar-even{fill:#2f5fb3}.bar-odd{fill:#5b86d1}
    table{border-collapse:collapse;width:100%;font-size:12.5px;margin:4px 0 8px}
    th,td{padding:4px 8px;border-bottom:1px solid var(--line);text-align:left;white-space:nowrap}
    th{background:var(--card);font-weight:600;color:var(--muted)}
    td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
    tbody tr:nth-child(even){background:#fafbfc}
    .scroll{max-height:560px;overflow:auto;border:1px solid var(--line);border-radius:6px}
    .scroll table{margin:0}.scroll th{position:sticky;top:0}
    footer{margin-top:36px;color:var(--muted);font-size:12px}
    """
}
