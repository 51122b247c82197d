namespace Conformance.Reports.Html;

/// <summary>
/// The security review's stylesheet, inline in the file (its Content-Security-Policy forbids fetching one).
/// Print rules keep findings whole on A4 and fold passed checks' evidence.
/// </summary>
internal static class ReviewStyle
{
    public const string Css = """

:root{--fail:#b3261e;--fail-bg:#fdecea;--warn:#a15c00;--warn-bg:#fff4e0;--pass:#1e7b34;--pass-bg:#e8f5e9;--na:#5f6368;--na-bg:#eef0f2;--inc:#5b3fa8;--inc-bg:#efeafb;--waived:#00658f;--waived-bg:#e1f3fb;--ink:#1d232a;--muted:#5f6873;--line:#d9dee4;--paper:#fff;--tint:#f6f8fa}
*{box-sizing:border-box}
html{font:14px/1.5 -apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,"Noto Sans","DejaVu Sans",sans-serif;color:var(--ink);background:var(--paper)}
body{max-width:1180px;margin:0 auto;padding:24px 28px 60px}
a{color:#0b57d0;text-decoration:none}a:hover{text-decoration:underline}
h1{font-size:28px;margin:4px 0 14px;line-height:1.2}h1 .pre{font-weight:400;color:var(--muted)}
h2{font-size:20px;margin:36px 0 10px;padding-bottom:6px;border-bottom:2px solid var(--ink)}
h3{font-size:16px;margin:24px 0 8px}
h4{font-size:14px;margin:16px 0 6px}
.kicker{text-transform:uppercase;letter-spacing:.08em;font-size:12px;color:var(--muted);margin:0}
.lead{color:var(--muted);margin:4px 0 12px;max-width:62em}
.muted{color:var(--muted)}
.mono,code,pre,.cid,.url{font-family:"SFMono-Regular",Menlo,Consolas,"DejaVu Sans Mono","Liberation Mono",monospace}
code{font-size:12px;background:var(--tint);padding:0 3px;border-radius:3px}
.cover{border-bottom:1px solid var(--line);padding-bottom:16px}
.facts{display:grid;grid-template-columns:max-content 1fr;gap:3px 16px;margin:14px 0 0}
.facts dt{font-weight:600;color:var(--muted)}.facts dd{margin:0;overflow-wrap:anywhere}
.fault{color:var(--warn)}dd.fault{background:var(--warn-bg);padding:2px 8px;border-radius:4px}
.gate{display:flex;gap:14px;align-items:baseline;flex-wrap:wrap;padding:12px 16px;border-radius:8px;font-size:15px;margin:8px 0}
.gate strong{font-size:18px;text-transform:uppercase;letter-spacing:.03em}
.gate-pass{background:var(--pass-bg);border:1px solid var(--pass);color:var(--pass)}
.gate-fail{background:var(--fail-bg);border:1px solid var(--fail);color:var(--fail)}
.gate span{color:var(--ink)}
.toc{margin:14px 0 0;padding:8px 0;font-size:13px;display:flex;flex-wrap:wrap;gap:4px 14px;border-bottom:1px solid var(--line)}
table.grid{border-collapse:collapse;width:100%;margin:6px 0 12px}
.grid th,.grid td{border-bottom:1px solid var(--line);padding:5px 8px;text-align:left;vertical-align:top}
.grid thead th{background:var(--tint);font-size:12px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted);border-bottom:1px solid #b9c0c8}
.grid tfoot td{font-weight:600;border-top:2px solid #b9c0c8}
.grid.small{font-size:12.5px}.grid.clients{width:auto;min-width:55%}
.grid .n,.grid .c{text-align:center;white-space:nowrap}
.grid td.mono{font-size:12.5px;overflow-wrap:anywhere}
.zero{color:#b0b6bd}
.two{display:grid;grid-template-columns:1fr 1fr;gap:18px}
.two>div{min-width:0}
.badge{display:inline-block;font-size:11px;font-weight:700;text-transform:uppercase;letter-spacing:.04em;padding:1px 7px;border-radius:10px;border:1px solid;white-space:nowrap}
.count{display:inline-block;min-width:24px;padding:0 7px;border-radius:10px;font-weight:700;font-size:12.5px}
.pass{--c:var(--pass);--b:var(--pass-bg)}.fail{--c:var(--fail);--b:var(--fail-bg)}.warn{--c:var(--warn);--b:var(--warn-bg)}.na{--c:var(--na);--b:var(--na-bg)}.inc{--c:var(--inc);--b:var(--inc-bg)}.waived{--c:var(--waived);--b:var(--waived-bg)}
.badge,.count,.chip,.dot{color:var(--c);background:var(--b);border-color:var(--c)}
.chip{display:inline-block;font:600 12px/1.6 "SFMono-Regular",Menlo,Consolas,"DejaVu Sans Mono",monospace;padding:0 6px;border-radius:4px;border:1px solid;margin:1px 0}
.dot{display:inline-block;min-width:30px;font-size:12px;font-weight:700;border-radius:4px;padding:0 4px}
.threat-summary .count{margin-right:4px}
.tally .count{margin:1px 2px 1px 0;font-weight:600}
.matrix td{padding:3px 8px}.matrix .area-row td{background:var(--tint);font-weight:700;text-transform:uppercase;font-size:11.5px;letter-spacing:.05em;color:var(--muted);padding-top:8px}
.req-short{color:var(--muted);font-size:12.5px}
.cid{font-weight:700}
.level{font-size:11px;font-weight:700;padding:1px 6px;border-radius:3px;background:var(--ink);color:#fff}.level.should{background:#6b7280}
.sev{font-size:11px;padding:1px 6px;border-radius:3px;border:1px solid var(--line);color:var(--muted);text-transform:uppercase}
.sev-critical{color:#fff;background:#7f1d1d;border-color:#7f1d1d}.sev-high{color:var(--fail);border-color:var(--fail)}
.area{font-size:12px;color:var(--muted)}.area::before{content:"area: "}
.findings-head{padding:6px 10px;border-radius:6px;background:var(--b);color:var(--c);margin-top:28px}
.finding,.check{border:1px solid var(--line);border-left:5px solid var(--c,var(--line));border-radius:6px;padding:10px 16px 12px;margin:12px 0;background:#fff}
.check{--c:var(--line)}
.check-head{margin:0 0 6px;display:flex;flex-wrap:wrap;gap:6px;align-items:center;font-size:15px}
.req{font-size:14.5px;margin:4px 0 6px;font-weight:500}
.refs{font-size:12.5px;color:var(--muted);margin:4px 0}
.refs b,.see{color:var(--ink)}
.see{font-size:12.5px;margin:2px 0}
.remedy{background:#f2f7ff;border:1px solid #c9dcf7;border-radius:5px;padding:6px 10px;margin:8px 0}
.verdict{border-top:1px dashed var(--line);padding:8px 0 2px;margin-top:8px}
.verdict-head{margin-bottom:6px}
.eo{display:grid;grid-template-columns:1fr 1fr;gap:10px;margin:6px 0}
.eo>div{padding:6px 10px;border-radius:5px;overflow-wrap:anywhere;min-width:0}
.eo span{display:block;font-size:11px;text-transform:uppercase;font-weight:700;letter-spacing:.05em;margin-bottom:2px}
.expected{background:var(--pass-bg)}.expected span{color:var(--pass)}
.observed{background:var(--fail-bg)}.observed span{color:var(--fail)}
.verdict.warn .observed{background:var(--warn-bg)}.verdict.warn .observed span{color:var(--warn)}
.waived{background:var(--waived-bg);color:var(--waived);padding:4px 10px;border-radius:5px;margin:4px 0}
.message{margin:4px 0;white-space:pre-wrap;overflow-wrap:anywhere}
pre.message{font-size:12px;background:var(--tint);padding:6px 8px;border-radius:4px}
ul.notes{margin:4px 0;padding-left:20px;font-size:13px;color:var(--muted)}
details.evidence{margin:6px 0}
details.evidence>summary{cursor:pointer;font-size:12.5px;font-weight:600;color:#0b57d0}
.x{margin:6px 0 10px;border:1px solid var(--line);border-radius:5px;overflow:hidden}
.x-head{background:var(--tint);padding:4px 8px;font-size:12.5px;overflow-wrap:anywhere;border-bottom:1px solid var(--line)}
.seq{display:inline-block;min-width:18px;text-align:center;background:#fff;border:1px solid var(--line);border-radius:9px;font-size:11px}
.method{font-weight:700}.url{font-size:12px}
.status{font-weight:700;padding:0 5px;border-radius:3px}.s2{color:var(--pass);background:var(--pass-bg)}.s3{color:#00658f;background:#e1f3fb}.s4{color:var(--warn);background:var(--warn-bg)}.s5{color:var(--fail);background:var(--fail-bg)}
pre.http,pre.json{margin:0;padding:6px 10px;font-size:11.5px;line-height:1.45;white-space:pre-wrap;overflow-wrap:anywhere;word-break:break-word}
pre.http.req{border-bottom:1px dashed var(--line)}pre.http.res{background:#fcfcfd}
pre.http b{color:#4a5360;font-weight:600}
pre.json{background:var(--tint);border-radius:4px}
.token{border:1px solid var(--line);border-radius:5px;padding:6px 10px;margin:6px 0}
.token-head{margin-bottom:4px;font-size:13px}
.cap{font-size:11px;text-transform:uppercase;color:var(--muted);font-weight:700}
.shot{margin:8px 0}.shot img{max-width:100%;border:1px solid var(--line);border-radius:4px}.shot figcaption{font-size:12px;color:var(--muted)}
.files{font-size:12px;overflow-wrap:anywhere}
ul.per-server{list-style:none;padding:0;margin:6px 0;display:flex;flex-wrap:wrap;gap:4px 18px;align-items:baseline}
ul.per-server>li{padding:2px 0;display:flex;flex-wrap:wrap;gap:4px 8px;align-items:baseline;max-width:100%;min-width:0;overflow-wrap:anywhere}
ul.per-server .note{flex-basis:100%;color:var(--muted);font-size:12.5px;padding-left:4px}
ul.per-server>li:has(.note){flex-basis:100%}
ul.per-server details.evidence{margin:0}ul.per-server details.evidence[open]{flex-basis:100%}
ul.per-server>li:has(details[open]){flex-basis:100%}
.flow{border-bottom:1px solid var(--line);padding:6px 0}
dl.about{display:grid;grid-template-columns:max-content 1fr;gap:6px 14px}dl.about dd{margin:0}
svg.chart{max-width:100%;height:auto;font-family:inherit}
@media (max-width:560px){.two,.eo{grid-template-columns:1fr}}
@page{size:A4;margin:14mm 11mm 14mm 11mm}
@media print{
 html{font-size:11.5px}body{max-width:none;padding:0}
 .toc{display:none}
 h2{break-after:avoid}h3,h4,.check-head,.verdict-head,.x-head{break-after:avoid}
 #findings,#catalogue{break-before:page}
 #areas{break-inside:avoid}
 ul.per-server details.evidence:not([open]){display:none}
 .finding,.check{break-inside:auto}
 .eo,.remedy,.token,tr,.shot{break-inside:avoid}
 a{color:inherit}
 details.evidence:not([open])>summary::after{content:" (folded here; open the HTML report to read them)";color:var(--muted);font-weight:400}
 .badge,.count,.chip,.dot,.level,.sev,.gate,.findings-head,.eo>div,.waived,.remedy,.grid thead th,.area-row td,.s2,.s3,.s4,.s5{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}

""";
}
