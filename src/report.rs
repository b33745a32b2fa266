//! A self-contained HTML report of a comparison: the summary table, the
//! charts (inline SVG), and per article the scored sentences highlighted by
//! label with the words that drove each decision. No script, no external
//! resource; every piece of article text is escaped, so nothing in an
//! article can run or fetch anything. The document is also well-formed XML
//! (polyglot XHTML), which the tests check with a strict parser.

use crate::compare::GroupRow;
use crate::error::Result;
use html_escape::encode_safe as esc;
use std::fmt::Write;

/// A scored unit as the report shows it.
#[derive(Debug, Clone)]
pub struct ReportUnit {
    pub sentence_index: usize,
    pub actor: String,
    pub stance: String,
    pub p_stance: f64,
    pub sentiment: String,
    pub p_sentiment: f64,
    pub text: String,
    /// Feature contributions behind the stance label, strongest first.
    pub stance_why: String,
    pub sentiment_why: String,
}

#[derive(Debug, Clone)]
pub struct ReportArticle {
    pub id: String,
    pub group: String,
    pub units: Vec<ReportUnit>,
}

const STYLE: &str = "body{font-family:sans-serif;margin:2em;max-width:1100px;color:#222}\
table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:3px 6px;text-align:right}\
td.l,th.l{text-align:left}.warn{color:#a60}\
.supportive{background:#d8f5d0}.skeptical{background:#f8d4d4}.neutral{background:#f2f2f2}\
.u{margin:4px 0;padding:4px 6px;border-radius:3px;font-size:14px}.why{color:#555;font-size:12px}\
.tag{font-weight:bold;font-size:12px;margin-right:6px}details{margin:8px 0}";

/// Everything a report shows.
pub struct Report<'a> {
    pub title: &'a str,
    pub by: &'a [String],
    pub method: &'a str,
    pub model_note: &'a str,
    pub groups: &'a [GroupRow],
    pub scores_svg: &'a str,
    pub shares_svg: &'a str,
    pub articles: &'a [ReportArticle],
}

pub fn render(r: &Report) -> Result<String> {
    let Report {
        title,
        by,
        method,
        model_note,
        groups,
        scores_svg,
        shares_svg,
        articles,
    } = *r;
    let mut h = String::new();
    let w = &mut h;
    let _ = write!(
        w,
        "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\"><head><meta charset=\"utf-8\"/>\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\"/>\
<title>{}</title><style>{STYLE}</style></head><body>\n<h1>{}</h1>\n<p>{}</p>\n<p>{}</p>\n",
        esc(title),
        esc(title),
        esc(model_note),
        esc(method)
    );
    let _ = write!(w, "<h2>Summary</h2>\n<table><tr>");
    for b in by {
        let _ = write!(w, "<th class=\"l\">{}</th>", esc(b));
    }
    for c in [
        "actor",
        "articles",
        "units",
        "stance",
        "95% CI",
        "sentiment",
        "95% CI",
        "supportive",
        "skeptical",
        "neutral",
        "positive",
        "negative",
        "neutral",
        "warning",
    ] {
        let _ = write!(w, "<th>{}</th>", esc(c));
    }
    let _ = writeln!(w, "</tr>");
    let ci =
        |c: Option<(f64, f64)>| c.map_or(String::new(), |(l, h)| format!("[{l:+.3}, {h:+.3}]"));
    for g in groups {
        let _ = write!(w, "<tr>");
        for v in &g.group {
            let _ = write!(w, "<td class=\"l\">{}</td>", esc(v));
        }
        let _ = write!(
            w,
            "<td class=\"l\">{}</td><td>{}</td><td>{}</td><td>{:+.3}</td><td>{}</td><td>{:+.3}</td><td>{}</td>",
            esc(&g.actor),
            g.articles,
            g.units,
            g.stance_score,
            ci(g.stance_ci),
            g.sentiment_score,
            ci(g.sentiment_ci)
        );
        for s in g.stance_shares.iter().chain(g.sentiment_shares.iter()) {
            let _ = write!(w, "<td>{:.0}%</td>", s * 100.0);
        }
        let _ = writeln!(w, "<td class=\"l warn\">{}</td></tr>", esc(&g.warning));
    }
    let _ = writeln!(w, "</table>");
    let _ = writeln!(w, "<h2>Scores</h2>\n{}", strip_xml_decl(scores_svg));
    let _ = writeln!(w, "<h2>Class shares</h2>\n{}", strip_xml_decl(shares_svg));
    let _ = writeln!(
        w,
        "<h2>Articles</h2>\n<p>Each unit is one sentence scored toward one actor; the colour is the stance label \
(green supportive, red skeptical, grey neutral). Under it: the features that moved the decision against the runner-up class, with their log-odds contributions.</p>"
    );
    for a in articles {
        let _ = writeln!(
            w,
            "<details><summary><b>{}</b> — {} ({} units)</summary>",
            esc(&a.id),
            esc(&a.group),
            a.units.len()
        );
        for u in &a.units {
            let _ = writeln!(
                w,
                "<div class=\"u {}\"><span class=\"tag\">#{} {} · {} {:.2} · {} {:.2}</span>{}<div class=\"why\">stance: {}<br/>sentiment: {}</div></div>",
                css_class(&u.stance),
                u.sentence_index,
                esc(&u.actor),
                esc(&u.stance),
                u.p_stance,
                esc(&u.sentiment),
                u.p_sentiment,
                esc(&u.text),
                esc(&u.stance_why),
                esc(&u.sentiment_why)
            );
        }
        let _ = writeln!(w, "</details>");
    }
    let _ = writeln!(w, "</body></html>");
    Ok(h)
}

fn css_class(label: &str) -> &'static str {
    match label {
        "supportive" => "supportive",
        "skeptical" => "skeptical",
        _ => "neutral",
    }
}

/// plotters' SVG starts with an XML declaration, which may not appear
/// inside an HTML document.
fn strip_xml_decl(svg: &str) -> &str {
    match svg.find("<svg") {
        Some(i) => &svg[i..],
        None => "",
    }
}
