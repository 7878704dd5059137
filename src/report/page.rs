//! What every page shares (report.html, comparison.html, portfolio.html, sweep.html): the head
//! with its content security policy and style sheet, the briefing's answer list, inline figures,
//! the bibliography of the sources a page rests on and the footer. One design, written once.

use std::fmt::Write;

use super::charts::{Restricted, restricted};
use crate::scenario::Scenario;

/// The pages' content security policy: nothing may load from anywhere (no scripts, fonts, images
/// or frames); only the inline style sheet applies. A browser blocks and reports any request.
pub(crate) const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

pub(crate) const CSS: &str = r#"
:root { color-scheme: light; }
body { font-family: "DejaVu Sans", Verdana, Arial, sans-serif; color: #1e1e1e; background: #fff;
       margin: 0; line-height: 1.45; }
main { max-width: 1120px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 1.9em; margin: 0.2em 0 0.3em; }
h1 small { display: block; font-size: 0.62em; font-weight: normal; color: #444; }
h2 { font-size: 1.4em; border-bottom: 2px solid #ccc; padding-bottom: 0.2em; margin-top: 2em; }
h3 { font-size: 1.12em; margin: 1.4em 0 0.4em; }
h4 { font-size: 1em; margin: 1.1em 0 0.3em; }
p.description { font-size: 1.1em; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; }
dl.meta dt { font-weight: bold; }
dl.meta dd { margin: 0; }
table { border-collapse: collapse; margin: 0.5em 0 1em; font-size: 0.92em; }
th, td { border-bottom: 1px solid #ddd; padding: 4px 10px; text-align: left; vertical-align: top; }
th { background: #f2f2f2; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.num { white-space: nowrap; }
figure { margin: 1.5em 0 2em; }
figure svg { width: 100%; height: auto; display: block; border: 1px solid #e4e4e4; }
figcaption { font-size: 0.95em; color: #333; margin-top: 0.4em; }
nav ol { columns: 2; }
.note { color: #555; font-size: 0.95em; }
p.headline { font-size: 1.1em; background: #f4f7fb; border-left: 4px solid #2b5fb3;
             padding: 0.5em 0.8em; margin: 0.5em 0; }
footer { margin-top: 3em; font-size: 0.85em; color: #555; }
dl.answers { display: grid; grid-template-columns: 13em 1fr; gap: 6px 18px; margin: 0.6em 0 1em;
             font-size: 1.05em; }
dl.answers dt { font-weight: bold; color: #2b5fb3; }
dl.answers dd { margin: 0; }
#briefing h2 { margin-top: 1em; }
ul.bib { padding-left: 1.2em; font-size: 0.9em; }
div.cols { columns: 2; column-gap: 32px; }
div.cols > div.block, div.cols > p { break-inside: avoid; }
div.cols h3 { margin-top: 0.6em; }
ul.bib li { margin: 0.15em 0; }
table.reasons { font-size: 0.88em; }
table.reasons th { white-space: nowrap; background: none; }
/* On screen a table wider than the page (the portfolio's) scrolls by itself, not the page. */
@media screen { table { display: block; max-width: 100%; overflow-x: auto; } }
@media print {
  @page { margin: 14mm 12mm; }
  body { font-size: 9.5pt; color: #000; background: #fff; }
  main { max-width: none; padding: 0; }
  nav { display: none; }
  /* The core (header, briefing, key metrics) runs on; each detail section starts a page. */
  section.detail > h2 { break-before: page; page-break-before: always; }
  h2, h3, h4 { break-after: avoid; page-break-after: avoid; }
  figure, tr, dl, li { break-inside: avoid; page-break-inside: avoid; }
  /* Charts full width: their 17 px labels print at about 7.5 pt. */
  figure svg { border: none; width: 100%; height: auto; }
  figure { margin: 0.4em 0 0.8em; }
  figure h3 { display: none; }
  table { font-size: 0.85em; }
  th, td { padding: 2px 5px; }
  th { background: #fff; border-bottom: 2px solid #000; }
  a { color: #000; text-decoration: none; }
  p.headline { background: none; }
  ul.bib { columns: 2; column-gap: 20px; font-size: 0.8em; }
}
"#;

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The document up to `<main>`: `title` is plain text (escaped here).
pub(crate) fn open(h: &mut String, title: &str) {
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">\n\
         <title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n",
        escape(title)
    );
}

/// The footer (HTML) and the end of the document.
pub(crate) fn close(h: &mut String, footer: &str) {
    let _ = write!(h, "<footer>{footer}</footer>\n</main>\n</body>\n</html>\n");
}

/// The briefing's answers: `(question, answer)`, the question plain text, the answer HTML.
pub(crate) fn answers(h: &mut String, answers: &[(String, String)]) {
    h.push_str("<dl class=\"answers\">\n");
    for (q, a) in answers {
        let _ = writeln!(h, "<dt>{}</dt><dd>{a}</dd>", escape(q));
    }
    h.push_str("</dl>\n");
}

/// The briefing's price question: "Prices inside and outside China" when one region restricts,
/// "... the exporters" when several do.
pub(crate) fn prices_question(scenario: &Scenario, restricted: &[Restricted]) -> String {
    let mut e: Vec<usize> = restricted
        .iter()
        .flat_map(|r| r.exporters.clone())
        .collect();
    e.sort_unstable();
    e.dedup();
    match e.as_slice() {
        [one] => format!("Prices inside and outside {}", scenario.regions[*one].name),
        _ => "Prices inside and outside the exporters".to_string(),
    }
}

/// Restricted commodities a price answer names; the rest are counted.
pub(crate) const PRICE_LINES: usize = 3;

/// A price answer: its first `PRICE_LINES` lines joined, then how many more commodities move
/// less and where they are (`table below`).
pub(crate) fn price_answer(lines: &[String], total: usize, where_: &str) -> String {
    let shown = &lines[..lines.len().min(PRICE_LINES)];
    let more = if total > PRICE_LINES {
        format!(
            " The other {} restricted commodities move less ({where_}).",
            total - PRICE_LINES
        )
    } else {
        String::new()
    };
    format!("{}.{more}", shown.join("; "))
}

/// An inline chart as a figure: the SVG labelled for screen readers (plotters escapes its text)
/// and anything before the `<svg>` element dropped. `id` is the figure's anchor, if any.
pub(crate) fn figure(h: &mut String, id: Option<&str>, title: &str, caption: &str, svg: &str) {
    let svg = svg.find("<svg").map_or(String::new(), |i| {
        format!(
            "<svg role=\"img\" aria-label=\"{}\"{}",
            escape(title),
            &svg[i + 4..]
        )
    });
    let id = id.map_or(String::new(), |i| format!(" id=\"{}\"", escape(i)));
    let _ = writeln!(
        h,
        "<figure{id}>\n<h3>{}</h3>\n{}\n<figcaption>{}</figcaption>\n</figure>",
        escape(title),
        svg.trim_end(),
        escape(caption)
    );
}

/// The repository's bibliography, compiled in so every report resolves its tags by itself.
const BIBLIOGRAPHY: &str = include_str!("../../docs/sources.md");

/// The entries of docs/sources.md: `- **[tag]** reference` lines, as `(tag, reference)`.
pub fn bibliography() -> Vec<(&'static str, &'static str)> {
    BIBLIOGRAPHY
        .lines()
        .filter_map(|l| {
            let rest = l.strip_prefix("- **[")?;
            let (tag, text) = rest.split_once("]**")?;
            Some((tag, text.trim()))
        })
        .collect()
}

/// Source tags cited in `text`: `[29]`, `[73e]`, `[8b][1b]` (digits, then optional letters).
pub fn source_tags(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find('[') {
        rest = &rest[i + 1..];
        let Some(end) = rest.find(']') else {
            break;
        };
        let tag = &rest[..end];
        let digits = tag.chars().take_while(char::is_ascii_digit).count();
        if digits > 0 && tag[digits..].chars().all(|c| c.is_ascii_lowercase()) {
            out.push(tag.to_string());
        }
    }
    out
}

/// Tags in bibliography order: by number, then letter.
fn tag_key(tag: &str) -> (u32, String) {
    let digits: String = tag.chars().take_while(char::is_ascii_digit).collect();
    (
        digits.parse().unwrap_or(u32::MAX),
        tag[digits.len()..].to_string(),
    )
}

/// What the pages rest on: each scenario's own reasons (its shocks and policies) and every source
/// tag cited by them and by the world entries a scenario touches, gathered for one "Sources"
/// section with a compact bibliography resolved from docs/sources.md.
#[derive(Default)]
pub(crate) struct Citations {
    reasons: Vec<(String, String)>,
    cited: Vec<String>,
}

impl Citations {
    fn cite(&mut self, what: String, src: &Option<String>) {
        if let Some(s) = src.as_deref().filter(|s| !s.trim().is_empty()) {
            if !what.is_empty() && !self.reasons.iter().any(|r| r.0 == what && r.1 == s) {
                self.reasons.push((what, s.to_string()));
            }
            self.cited.push(s.to_string());
        }
    }

    /// A scenario's citations: the file, its shocks and policies (named with `prefix`, "" or
    /// "policy side: "), the restricted commodities with their producers and stocks, and the
    /// `affected` sectors (those that lose output).
    pub(crate) fn scenario(&mut self, prefix: &str, scenario: &Scenario, affected: &[usize]) {
        self.cite(format!("{prefix}scenario"), &scenario.meta.source);
        for s in &scenario.shocks {
            self.cite(format!("{prefix}shock {}", s.id), &s.source);
        }
        for p in &scenario.policies {
            self.cite(format!("{prefix}policy {}", p.id), &p.source);
        }
        let restricted: Vec<usize> = restricted(scenario).iter().map(|r| r.commodity).collect();
        for &c in &restricted {
            self.cite(String::new(), &scenario.commodities[c].source);
        }
        for p in scenario
            .producers
            .iter()
            .filter(|p| restricted.contains(&p.commodity))
        {
            self.cite(String::new(), &p.source);
        }
        for i in scenario
            .inventories
            .iter()
            .filter(|i| restricted.contains(&i.commodity))
        {
            self.cite(String::new(), &i.source);
        }
        for &s in affected {
            self.cite(String::new(), &scenario.sectors[s].source);
        }
    }

    /// The "Sources" section, a detail section at the end of the page.
    pub(crate) fn write(&self, h: &mut String) {
        let (reasons, cited) = (&self.reasons, &self.cited);
        let mut tags: Vec<String> = cited.iter().flat_map(|s| source_tags(s)).collect();
        tags.sort_by_key(|t| tag_key(t));
        tags.dedup();
        h.push_str("<section id=\"sources\" class=\"detail\">\n<h2>Sources</h2>\n");
        if !reasons.is_empty() {
            h.push_str(
                "<h3>Why the scenario assumes what it does</h3>\n<table class=\"reasons\">\n<tbody>\n",
            );
            for (what, src) in reasons {
                let _ = writeln!(
                    h,
                    "<tr><th scope=\"row\">{}</th><td>{}</td></tr>",
                    escape(what),
                    escape(src)
                );
            }
            h.push_str("</tbody>\n</table>\n");
        }
        let bib = bibliography();
        if tags.is_empty() {
            h.push_str("<p>The scenario and the world entries it uses cite no source tags.</p>\n");
        } else {
            h.push_str("<h3>References</h3>\n<ul class=\"bib\">\n");
            let mut missing = Vec::new();
            for t in &tags {
                match bib.iter().find(|(tag, _)| tag == t) {
                    Some((_, text)) => {
                        let _ = writeln!(
                            h,
                            "<li><strong>[{}]</strong> {}</li>",
                            escape(t),
                            escape(text)
                        );
                    }
                    None => missing.push(format!("[{t}]")),
                }
            }
            h.push_str("</ul>\n");
            if !missing.is_empty() {
                let _ = writeln!(
                    h,
                    "<p class=\"note\">Not in the project's bibliography (docs/sources.md): {}.</p>",
                    escape(&missing.join(", "))
                );
            }
        }
        h.push_str(
            "<p class=\"note\">Tags resolve in docs/sources.md of the chokepoint repository. Every \
             world entry's own source note is in <code>world.toml</code> beside this report; the \
             model and the file format are described in docs/model.md and docs/scenario-files.md.</p>\n",
        );
        h.push_str("</section>\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_tags_are_found_and_resolve() {
        assert_eq!(
            source_tags("No. 18 [29]: ~45 days [73e]; see [46b][71] and [x] [12ab] [a1]"),
            ["29", "73e", "46b", "71", "12ab"]
        );
        let bib = bibliography();
        assert!(bib.len() > 100, "{}", bib.len());
        assert!(bib.iter().any(|(t, text)| *t == "29" && !text.is_empty()));
        let mut keys: Vec<&str> = vec!["10", "9b", "9", "100"];
        keys.sort_by_key(|t| tag_key(t));
        assert_eq!(keys, ["9", "9b", "10", "100"]);
    }

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape("<b a=\"x\">&'"),
            "&lt;b a=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
