namespace NetSleuth.Render;

/// <summary>
/// The style sheet and script every HTML report embeds (the page loads nothing: no network, no fonts).
/// The script only adds behaviour — copy buttons, the facts panel, switching the path shown — so the
/// page reads the same without it, and in print.
/// </summary>
internal static class HtmlAssets
{
    /// <summary>Forbids every fetch: the report is one file and must open offline.</summary>
    public const string ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:";

    public const string Css = """
:root{--bg:#ffffff;--fg:#1f2328;--muted:#59636e;--card:#f6f8fa;--border:#d1d9e0;--accent:#0969da;
--err:#cf222e;--errbg:#ffebe9;--warn:#9a6700;--warnbg:#fff8c5;--info:#0969da;--infobg:#ddf4ff;--ok:#1a7f37;--okbg:#dafbe1;
--path:#e16f24;--host:#f6f8fa;--ns:#ffffff;--nsroot:#eef4fb;--dev:#ffffff;--edge:#8c959f;--code:#f0f2f4}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9198a1;--card:#151b23;--border:#3d444d;--accent:#4493f8;
--err:#f85149;--errbg:#3c1618;--warn:#d29922;--warnbg:#3a2e12;--info:#4493f8;--infobg:#0c2d6b;--ok:#3fb950;--okbg:#12361e;
--path:#f0883e;--host:#151b23;--ns:#0d1117;--nsroot:#111c2b;--dev:#1f242c;--edge:#6e7681;--code:#1f242c}}
*{box-sizing:border-box}
body{margin:0;padding:0 24px 32px;background:var(--bg);color:var(--fg);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif}
h1{font-size:22px;margin:18px 0 4px}h2{font-size:18px;margin:28px 0 10px;border-bottom:1px solid var(--border);padding-bottom:4px}
h3{font-size:15px;margin:0 0 6px}
code,pre,.mono{font-family:ui-monospace,"SFMono-Regular","DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:12.5px}
code{background:var(--code);padding:1px 4px;border-radius:4px;overflow-wrap:anywhere}
pre{background:var(--code);border:1px solid var(--border);border-radius:6px;padding:10px 12px;margin:6px 0;overflow-x:auto;white-space:pre-wrap;overflow-wrap:anywhere}
.summary{color:var(--muted);margin:0}
.verdict{border:2px solid var(--border);border-radius:8px;padding:12px 16px;margin:14px 0;background:var(--card)}
.verdict.err{border-color:var(--err);background:var(--errbg)}.verdict.ok{border-color:var(--ok);background:var(--okbg)}
.verdict.warn{border-color:var(--warn);background:var(--warnbg)}
.verdict p{margin:4px 0}.verdict .big{font-size:16px;font-weight:600}
.layout{display:flex;gap:18px;align-items:flex-start;flex-wrap:wrap}
.picture{flex:3 1 560px;min-width:0}.side{flex:2 1 380px;min-width:0}
.svgbox{overflow:auto;border:1px solid var(--border);border-radius:8px;background:var(--bg);max-height:80vh}
svg.topo{display:block;max-width:none;height:auto}svg.topo.fit{width:100%}
svg .host>rect{fill:var(--host);stroke:var(--border);stroke-width:1.5}
svg .host-title{font-weight:700;font-size:14px;fill:var(--fg)}
svg .ns>rect{fill:var(--ns);stroke:var(--border);stroke-dasharray:4 3}svg .ns.root>rect{fill:var(--nsroot)}
svg .ns-title{font-size:12px;fill:var(--muted)}
svg .dev rect{fill:var(--dev);stroke:var(--edge);stroke-width:1.2}svg .dev{cursor:pointer;outline:none}
svg .dev:hover rect,svg .dev:focus rect,svg .dev.sel rect{stroke:var(--accent);stroke-width:2.5}
svg .dev.down rect{stroke-dasharray:5 3}svg .dev.failing rect{stroke:var(--err);stroke-width:2.5}
svg .dev-name{font:600 12.5px ui-monospace,"DejaVu Sans Mono",monospace;fill:var(--fg)}
svg .dev-info{font:11px ui-monospace,"DejaVu Sans Mono",monospace;fill:var(--muted)}
svg .edge{stroke:var(--edge);stroke-width:1.4}svg .edge.tunnel{stroke-dasharray:7 4;stroke-width:2}
svg .edge.tcredirect,svg .edge.tcmirror{stroke-dasharray:2 3;stroke-width:2}svg .edge.segment{stroke-dasharray:1 4;stroke-width:2}
svg .edge.tunnelunderlay{stroke-dasharray:3 5;stroke-width:1}
svg .edge-label{font-size:10.5px;fill:var(--muted)}
svg .path{display:none}svg .path.active{display:inline}
svg .hop{stroke:var(--path);stroke-width:4;stroke-linecap:round}svg .arrowhead{fill:var(--path)}
svg .failmark{fill:none;stroke:var(--err);stroke-width:3}svg .fail-label{font-weight:700;font-size:12.5px;fill:var(--err)}
svg .badge{fill:var(--path)}svg .badge-n{font:700 11px system-ui,sans-serif;fill:#fff;text-anchor:middle}
.legend{display:flex;flex-wrap:wrap;gap:4px 16px;color:var(--muted);font-size:12px;margin:6px 2px}
.legend i{display:inline-block;width:28px;height:0;border-top:3px solid var(--edge);vertical-align:middle;margin-right:5px}
.legend i.p{border-color:var(--path);border-top-width:4px}.legend i.t{border-top-style:dashed}.legend i.r{border-top-style:dotted}
.legend i.f{width:14px;height:12px;border:2.5px solid var(--err);border-radius:3px}
.pathbar{display:flex;flex-wrap:wrap;gap:6px;margin:0 0 8px}
.pathbar button,.copy{font:inherit;font-size:12px;border:1px solid var(--border);background:var(--card);color:var(--fg);border-radius:6px;padding:3px 9px;cursor:pointer}
.pathbar button.active{border-color:var(--path);box-shadow:inset 0 0 0 1px var(--path);font-weight:600}
.copy{float:right;margin-left:8px}.copy.done{border-color:var(--ok);color:var(--ok)}
.panel{border:1px solid var(--border);border-radius:8px;padding:10px 14px;background:var(--card);margin-bottom:12px}
.facts table{border-collapse:collapse;width:100%}.facts td,.facts th{text-align:left;vertical-align:top;padding:2px 8px 2px 0;border-bottom:1px solid var(--border)}
.facts th{color:var(--muted);font-weight:500;white-space:nowrap}
.src{color:var(--muted);font-size:11.5px;white-space:nowrap}
.trace{margin:0;padding-left:0;list-style:none}.trace.hidden{display:none}
.trace>li{margin:0 0 8px}.trace .node{font-weight:600;font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:12.5px}
.trace ol{margin:2px 0 0;padding-left:26px}.trace ol li{margin:1px 0;font-size:13px}
.trace ol li.hl{background:var(--card);outline:1px solid var(--accent)}
.trace li.fail{color:var(--err);font-weight:600}.trace li.assumed{color:var(--muted)}
.finding{border:1px solid var(--border);border-left:5px solid var(--border);border-radius:8px;padding:10px 16px;margin:12px 0;background:var(--bg)}
.finding.error{border-left-color:var(--err)}.finding.warning{border-left-color:var(--warn)}.finding.info{border-left-color:var(--info)}
.finding>summary{cursor:pointer;font-size:15px}.finding>summary .title{font-weight:600}
.sev{display:inline-block;font-size:11px;font-weight:700;padding:1px 7px;border-radius:10px;margin-right:6px;text-transform:uppercase}
.sev.error{background:var(--errbg);color:var(--err)}.sev.warning{background:var(--warnbg);color:var(--warn)}.sev.info{background:var(--infobg);color:var(--info)}
.fid{color:var(--muted);font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:12px}
table.ev{border-collapse:collapse;width:100%;font-size:12.5px;margin:4px 0}
table.ev td,table.ev th{border-bottom:1px solid var(--border);padding:3px 8px 3px 0;text-align:left;vertical-align:top}
table.ev th{color:var(--muted);font-weight:500}
.fix h4,.decide h4{margin:10px 0 2px;font-size:13px}
ul.plain{margin:4px 0;padding-left:20px}
.note{color:var(--muted)}
footer{margin-top:30px;color:var(--muted);font-size:12px}
@media print{body{padding:0;font-size:11pt;background:#fff;color:#000}
.copy,.pathbar,.noprint{display:none!important}.svgbox{max-height:none;overflow:visible;border:none}
svg.topo{width:100%}.layout{display:block}.finding,.panel,.verdict,pre{break-inside:avoid}
details>summary{list-style:none}}
""";

    public const string Js = """
(function(){
'use strict';
var errors=[];
window.addEventListener('error',function(e){errors.push(String(e.message));document.body.setAttribute('data-errors',errors.join(' | '));});
function copyText(text,btn){
  function done(){btn.textContent='copied';btn.classList.add('done');setTimeout(function(){btn.textContent='copy';btn.classList.remove('done');},1500);}
  function fallback(){var t=document.createElement('textarea');t.value=text;t.style.position='fixed';t.style.opacity='0';document.body.appendChild(t);t.select();
    try{document.execCommand('copy');done();}catch(e){btn.textContent='select and copy';}document.body.removeChild(t);}
  if(navigator.clipboard&&window.isSecureContext){navigator.clipboard.writeText(text).then(done,fallback);}else{fallback();}
}
document.querySelectorAll('pre.cmds, code.cmd').forEach(function(el){
  var b=document.createElement('button');b.type='button';b.className='copy';b.textContent='copy';b.title='copy to the clipboard';
  b.addEventListener('click',function(ev){ev.preventDefault();copyText(el.getAttribute('data-copy')||el.textContent,b);});
  if(el.tagName==='PRE'){el.parentNode.insertBefore(b,el);}else{el.insertAdjacentElement('afterend',b);b.style.float='none';}
});
var panel=document.getElementById('facts');
function showFacts(id){
  var src=document.getElementById('f-'+id);if(!panel||!src)return;
  panel.innerHTML=src.innerHTML;panel.hidden=false;
  document.querySelectorAll('svg .dev.sel').forEach(function(g){g.classList.remove('sel');});
  var g=document.getElementById(id);if(g)g.classList.add('sel');
}
document.querySelectorAll('svg .dev').forEach(function(g){
  g.addEventListener('click',function(){showFacts(g.getAttribute('data-dev'));});
  g.addEventListener('mouseenter',function(){showFacts(g.getAttribute('data-dev'));});
  g.addEventListener('keydown',function(e){if(e.key==='Enter'||e.key===' '){e.preventDefault();showFacts(g.getAttribute('data-dev'));}});
});
function selectPath(i){
  document.querySelectorAll('[data-path]').forEach(function(el){
    var on=el.getAttribute('data-path')===String(i);
    if(el.tagName==='BUTTON'){el.classList.toggle('active',on);el.setAttribute('aria-pressed',on?'true':'false');}
    else if(el.classList.contains('trace')){el.classList.toggle('hidden',!on);}
    else{el.classList.toggle('active',on);}
  });
  showFailing();
}
function showFailing(){
  var g=document.querySelector('svg .path.active[data-fail]');if(g)showFacts(g.getAttribute('data-fail'));
}
document.querySelectorAll('.pathbar button[data-path]').forEach(function(b){b.addEventListener('click',function(){selectPath(b.getAttribute('data-path'));});});
document.querySelectorAll('.trace li[data-dev]').forEach(function(li){
  var g=document.getElementById(li.getAttribute('data-dev'));if(!g)return;
  li.addEventListener('mouseenter',function(){g.classList.add('sel');li.classList.add('hl');});
  li.addEventListener('mouseleave',function(){g.classList.remove('sel');li.classList.remove('hl');});
  li.addEventListener('click',function(){showFacts(li.getAttribute('data-dev'));});
});
document.querySelectorAll('a.show-path').forEach(function(a){a.addEventListener('click',function(){selectPath(a.getAttribute('data-show'));});});
window.addEventListener('beforeprint',function(){document.querySelectorAll('details').forEach(function(d){if(!d.open){d.open=true;d.setAttribute('data-print-opened','');}});});
window.addEventListener('afterprint',function(){document.querySelectorAll('details[data-print-opened]').forEach(function(d){d.open=false;d.removeAttribute('data-print-opened');});});
showFailing();
document.body.setAttribute('data-ready','1');
document.body.setAttribute('data-ready-ms',String(Math.round(performance.now())));
})();
""";
}
