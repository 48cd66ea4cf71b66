//! The HTML report: plots, the summary and the timeline in one self-contained page (inline
//! SVG and CSS, no script, nothing fetched), to open in any browser.

use super::report::{labels, value, Report};
use super::svg::escape;
use super::table::Table;

/// Timelines longer than this are cut in the page (the CSV timeline has every row).
pub const HTML_TIMELINE_ROWS: usize = 5000;

/// One page: `title`, the `plots` (SVG documents), the summaries side by side and, when given,
/// the timeline table (at most [`HTML_TIMELINE_ROWS`] rows; rows with an error are marked) with
/// the number of evaluations it comes from (the table may hold only the first rows).
pub fn html_report(title: &str, plots: &[String], summaries: &[Report], timeline: Option<(&Table, u64)>) -> String {
    let mut h = String::new();
    let title = escape(title);
    h.push_str(&format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n<h1>{title}</h1>\n"
    ));
    for svg in plots {
        h.push_str("<figure>\n");
        // The SVG documents are ours: no XML declaration, so they can sit inline.
        h.push_str(svg);
        h.push_str("</figure>\n");
    }
    if !summaries.is_empty() {
        h.push_str("<h2>Summary</h2>\n<table class=\"summary\">\n<thead><tr><th></th>");
        for r in summaries {
            h.push_str(&format!("<th>{}</th>", escape(&r.title)));
        }
        h.push_str("</tr></thead>\n<tbody>\n");
        for label in labels(summaries) {
            let indent = label.starts_with(' ');
            h.push_str(&format!(
                "<tr><th{}>{}</th>",
                if indent { " class=\"sub\"" } else { "" },
                escape(label.trim())
            ));
            for r in summaries {
                h.push_str(&format!("<td>{}</td>", escape(&value(r, &label))));
            }
            h.push_str("</tr>\n");
        }
        h.push_str("</tbody>\n</table>\n");
    }
    if let Some((t, evaluations)) = timeline {
        h.push_str(&format!("<h2>Timeline</h2>\n<p>{evaluations} evaluations.\n"));
        if evaluations > HTML_TIMELINE_ROWS as u64 {
            h.push_str(&format!(
                " The first {HTML_TIMELINE_ROWS} are shown; the CSV or JSON timeline (<code>--timeline</code>) has them all."
            ));
        }
        h.push_str("</p>\n<div class=\"timeline\"><table>\n<thead><tr>");
        for c in &t.header {
            h.push_str(&format!("<th>{}</th>", escape(c)));
        }
        h.push_str("</tr></thead>\n<tbody>\n");
        let error_column = t.header.iter().position(|c| c == "error");
        for row in t.rows.iter().take(HTML_TIMELINE_ROWS) {
            let failed = error_column.is_some_and(|i| row.get(i).is_some_and(|e| !e.is_empty()));
            h.push_str(if failed { "<tr class=\"failed\">" } else { "<tr>" });
            for cell in row {
                h.push_str(&format!("<td>{}</td>", escape(cell)));
            }
            h.push_str("</tr>\n");
        }
        h.push_str("</tbody>\n</table></div>\n");
    }
    h.push_str(&format!(
        "<footer>batch-autoscale {}</footer>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION")
    ));
    h
}

const STYLE: &str = "body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }
h1 { font-size: 1.4em; } h2 { font-size: 1.15em; margin-top: 1.5em; }
figure { margin: 1em 0; } svg { max-width: 100%; height: auto; border: 1px solid #ddd; }
table { border-collapse: collapse; font-size: 0.9em; }
th, td { padding: 0.2em 0.7em; border-bottom: 1px solid #eee; text-align: right; white-space: nowrap; }
thead th { position: sticky; top: 0; background: #f5f5f5; }
table.summary th { text-align: left; } table.summary th.sub { padding-left: 2em; font-weight: normal; }
div.timeline { max-height: 40em; overflow: auto; border: 1px solid #ddd; }
tr.failed td { background: #fdecea; }
footer { margin-top: 2em; color: #888; font-size: 0.8em; }
";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::whatif::report::ReportLine;

    #[test]
    fn the_page_holds_plot_summary_and_timeline_escaped() {
        let summary = Report {
            title: "a<b>.formula".into(),
            lines: vec![ReportLine {
                label: "  InsufficientSampleData".into(),
                value: "3".into(),
            }],
            figures: Vec::new(),
        };
        let timeline = Table {
            header: vec!["time".into(), "error".into()],
            rows: vec![vec!["t1".into(), "".into()], vec!["t2".into(), "InsufficientSampleData".into()]],
        };
        let page = html_report("R & D", &["<svg></svg>\n".into()], &[summary], Some((&timeline, 2)));
        assert!(page.starts_with("<!DOCTYPE html>") && page.trim_end().ends_with("</html>"));
        assert!(page.contains("<title>R &amp; D</title>"));
        assert!(page.contains("<figure>\n<svg></svg>"));
        assert!(page.contains("<th>a&lt;b&gt;.formula</th>"));
        assert!(page.contains("<th class=\"sub\">InsufficientSampleData</th><td>3</td>"));
        assert_eq!(page.matches("<tr class=\"failed\">").count(), 1);
        assert!(!page.contains("<script") && !page.contains("src="), "self-contained");
    }
}
