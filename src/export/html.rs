//! `index.html`: a page that browses a package opened straight from the folder (file://),
//! with no server and nothing fetched: the ledger rows are inlined as JSON, thumbnails are
//! small JPEGs in the bag's `thumbs/`, and links point at the files under `data/`.

use super::ledger::LedgerRow;

/// JSON safe inside a `<script>` element: no `</script>`, no `<!--`.
fn inline_json(v: &serde_json::Value) -> String {
    serde_json::to_string(v)
        .unwrap_or_else(|_| "null".into())
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

pub fn escape(s: &str) -> String {
    crate::search::html_escape(s)
}

pub fn render(title: &str, description: &str, bagging_date: &str, rows: &[LedgerRow]) -> String {
    let data = inline_json(&serde_json::json!({ "rows": rows }));
    let mut page = String::with_capacity(8192 + data.len());
    page.push_str(HEAD);
    page = page.replace("{{TITLE}}", &escape(title));
    page.push_str(&format!(
        "<header><h1>{}</h1><p>{}</p><p class=meta>打包日期 {} · {} 个文件 · 校验: <code>archive verify</code> 或任何 BagIt 工具</p></header>\n",
        escape(title),
        escape(description),
        escape(bagging_date),
        rows.len()
    ));
    page.push_str(BODY);
    page.push_str("<script type=\"application/json\" id=\"data\">");
    page.push_str(&data);
    page.push_str("</script>\n");
    page.push_str(SCRIPT);
    page
}

const HEAD: &str = r#"<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{TITLE}}</title>
<style>
body{font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;margin:0;background:#f6f7f9;color:#222}
header{background:#24466b;color:#fff;padding:12px 20px}header h1{margin:0;font-size:20px}header p{margin:4px 0}
.meta{opacity:.8;font-size:13px}.bar{display:flex;gap:8px;flex-wrap:wrap;padding:10px 20px;background:#fff;border-bottom:1px solid #ddd}
select,input{padding:4px 6px;font-size:14px}#count{margin-left:auto;align-self:center;color:#555}
#grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(220px,1fr));gap:12px;padding:16px 20px}
.card{background:#fff;border:1px solid #ddd;border-radius:6px;overflow:hidden;font-size:13px}
.card a.t{display:flex;align-items:center;justify-content:center;height:150px;background:#eee;color:#888;text-decoration:none}
.card img{max-width:100%;max-height:150px}.card .b{padding:6px 8px}.card .n{font-weight:600;word-break:break-all}
.tag{display:inline-block;background:#eef;border-radius:3px;padding:0 4px;margin:2px 2px 0 0}
.rej{background:#f8cbad}.acc{background:#c6efce}.flag{background:#ffeb9c}.h{font-family:monospace;font-size:11px;color:#666;word-break:break-all}
</style>
</head>
<body>
"#;

const BODY: &str = r#"<div class="bar">
<select id="pref"><option value="">全部市州</option></select>
<select id="ind"><option value="">全部指标</option></select>
<select id="rev"><option value="">全部审核状态</option></select>
<input id="q" type="search" placeholder="文件名 / 路径">
<span id="count"></span>
</div>
<main id="grid"></main>
<noscript><p style="padding:20px">此页面需要 JavaScript 才能筛选；文件本身在 data/ 目录下，清单见 ledger.csv / ledger.xlsx。</p></noscript>
"#;

const SCRIPT: &str = r#"<script>
(function(){
  var rows = JSON.parse(document.getElementById('data').textContent).rows;
  function uniq(key){var s={};rows.forEach(function(r){if(r[key])s[r[key]]=1});return Object.keys(s).sort();}
  function fill(id,key){var el=document.getElementById(id);uniq(key).forEach(function(v){var o=document.createElement('option');o.value=v;o.textContent=v;el.appendChild(o);});}
  fill('pref','prefecture');fill('ind','indicator');fill('rev','review');
  function href(p){return p.split('/').map(encodeURIComponent).join('/');}
  function el(tag,cls,text){var e=document.createElement(tag);if(cls)e.className=cls;if(text!=null)e.textContent=text;return e;}
  function draw(){
    var pref=document.getElementById('pref').value, ind=document.getElementById('ind').value,
        rev=document.getElementById('rev').value, q=document.getElementById('q').value.trim().toLowerCase();
    var grid=document.getElementById('grid');grid.textContent='';var shown=0;
    rows.forEach(function(r){
      if(pref&&r.prefecture!==pref)return; if(ind&&r.indicator!==ind)return; if(rev&&r.review!==rev)return;
      if(q&&(r.bag_path+' '+r.note).toLowerCase().indexOf(q)<0)return;
      shown++;
      var c=el('div','card'), a=el('a','t');a.href=href(r.bag_path);a.target='_blank';
      if(r.thumb){var img=el('img');img.loading='lazy';img.alt=r.name;img.src=href(r.thumb);a.appendChild(img);}else{a.textContent=r.media;}
      c.appendChild(a);var b=el('div','b');
      b.appendChild(el('div','n',r.n+'. '+r.name));
      [r.prefecture,r.county,r.indicator].forEach(function(t){if(t)b.appendChild(el('span','tag',t));});
      b.appendChild(el('span','tag '+(r.review==='通过'?'acc':r.review==='不通过'?'rej':''),r.review));
      if(r.flags)b.appendChild(el('span','tag flag',r.flags));
      if(r.captured)b.appendChild(el('div',null,'拍摄 '+r.captured));
      if(r.gps)b.appendChild(el('div',null,'GPS '+r.gps));
      if(r.note)b.appendChild(el('div',null,r.note));
      b.appendChild(el('div','h','SHA-256 '+r.sha256));
      c.appendChild(b);grid.appendChild(c);
    });
    document.getElementById('count').textContent=shown+' / '+rows.length;
  }
  ['pref','ind','rev'].forEach(function(id){document.getElementById(id).onchange=draw;});
  document.getElementById('q').oninput=draw;
  draw();
})();
</script>
</body>
</html>
"#;

#[cfg(test)]
mod tests {
    #[test]
    fn inlined_data_cannot_close_the_script() {
        let v = serde_json::json!({"name": "</script><script>alert(1)</script>"});
        let s = super::inline_json(&v);
        assert!(!s.contains("</script"), "{s}");
        let back: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(back, v);
    }
}
