//! The Markdown review report: its sections, tables and escaping, and `export -o report.md --with-svg`.

use std::path::Path;

use threatboard::formats::json;
use threatboard::model::{Document, ElementKind, Flow, Id, Status};
use threatboard::render::report::{ReportOptions, to_markdown};

fn sample(name: &str) -> Document {
    json::load_file(&Path::new(env!("CARGO_MANIFEST_DIR")).join("samples").join(format!("{name}.json"))).unwrap()
}

fn report(doc: &Document) -> String {
    to_markdown(doc, &ReportOptions::default())
}

/// The rows of the table under `heading`, split into unescaped cells.
fn table(md: &str, heading: &str) -> Vec<Vec<String>> {
    let start = md.find(&format!("{heading}\n")).unwrap_or_else(|| panic!("no {heading}"));
    md[start..]
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .skip(2)
        .map(split_row)
        .collect()
}

/// Splits a table row at the pipes Markdown reads as cell separators (not `\|`).
fn split_row(row: &str) -> Vec<String> {
    let mut cells = vec![String::new()];
    let mut escaped = false;
    for ch in row.trim().trim_start_matches('|').chars() {
        match ch {
            '|' if !escaped => cells.push(String::new()),
            c => {
                escaped = c == '\\' && !escaped;
                if let Some(last) = cells.last_mut() {
                    last.push(c);
                }
            }
        }
    }
    cells.pop();
    cells.iter().map(|c| c.trim().to_owned()).collect()
}

#[test]
fn the_february_report_matches_its_golden_file() {
    insta::assert_snapshot!("report-kubernetes-agent-2021-02", report(&sample("kubernetes-agent-2021-02")));
}

#[test]
fn report_has_title_description_and_decomposition() {
    let md = report(&sample("kubernetes-agent-2021-02"));
    assert!(md.starts_with("# GitLab Kubernetes Agent (February 2021)\n\nThird review, "));
    for heading in [
        "## Application decomposition",
        "### Use case",
        "### External entry points",
        "### Trust levels",
        "### Previous security issues",
        "### Known references and best practices",
        "## Trust boundaries",
        "## Elements",
        "## Data flows",
        "## Threats",
    ] {
        assert!(md.contains(&format!("\n{heading}\n")), "missing {heading}");
    }
    assert!(md.contains("- <https://gitlab.com/gitlab-org/cluster-integration/gitlab-agent>"), "URLs are links");
    assert!(md.ends_with("|\n"), "ends with one newline");
}

#[test]
fn flow_table_says_protocol_encryption_crossings_and_scope() {
    let md = report(&sample("kubernetes-agent-2021-02"));
    let rows = table(&md, "## Data flows");
    assert_eq!(rows.len(), 11);
    let row = |id: &str| rows.iter().find(|r| r[0] == format!("`{id}`")).unwrap_or_else(|| panic!("{id}")).clone();
    let agent = row("agentk-to-nginx");
    assert_eq!(agent.len(), 9);
    assert_eq!(&agent[4..7], ["grpcs", "yes", "yes: agentk pod, Kubernetes cluster, GitLab"]);
    assert!(agent[3].ends_with("(both ways)"));
    assert_eq!(agent[8], "1 (worst: medium)");
    let proxy = row("nginx-to-kas");
    assert_eq!(&proxy[4..7], ["grpc", "no", "yes: kas host (localhost)"]);
    let scrape = row("prometheus-to-kas-listeners");
    assert_eq!(scrape[7], "yes: Monitoring is outside the architecture under review.");
    assert_eq!(row("kas-to-gitaly")[6], "no");
}

#[test]
fn element_table_shows_kind_boundary_chain_and_scope() {
    let md = report(&sample("kubernetes-agent-2021-02"));
    let rows = table(&md, "## Elements");
    let agentk = rows.iter().find(|r| r[0] == "`agentk`").unwrap();
    assert_eq!(&agentk[1..4], ["agentk", "process", "Kubernetes cluster › agentk pod"]);
    let kubelet = rows.iter().find(|r| r[0] == "`kubelet`").unwrap();
    assert_eq!(kubelet[2], "external entity");
    assert!(kubelet[4].starts_with("yes: Health probing"));
    let gitaly = rows.iter().find(|r| r[0] == "`gitaly`").unwrap();
    assert_eq!(gitaly[2], "data store");
}

#[test]
fn threats_are_grouped_by_status_open_first() {
    let md = report(&sample("kubernetes-agent-2021-02"));
    assert!(md.contains("7 threats: 1 open, 3 mitigated, 3 accepted.\n"));
    let open = md.find("### Open (1)").unwrap();
    let mitigated = md.find("### Mitigated (3)").unwrap();
    let accepted = md.find("### Accepted (3)").unwrap();
    assert!(open < mitigated && mitigated < accepted);
    assert!(!md.contains("### Transferred"), "empty groups are left out");
    let rows = table(&md, "### Open (1)");
    assert_eq!(rows.len(), 1);
    let t7 = &rows[0];
    assert_eq!(t7[0], "`T7`");
    assert_eq!(t7[1], "agentk ↔ Front proxy (nginx) `agentk-to-nginx`");
    assert_eq!(&t7[2..5], ["Information disclosure", "medium", "open"]);
    assert!(t7[5].starts_with("**Unencrypted agent ↔ kas traffic on self-managed installs**<br>On local"));
    assert!(t7[6].starts_with("Enforce grpcs/wss"));
    let mitigated_rows = table(&md, "### Mitigated (3)");
    assert_eq!(mitigated_rows.iter().map(|r| r[0].as_str()).collect::<Vec<_>>(), ["`T1`", "`T2`", "`T6`"]);
}

fn hostile() -> Document {
    let mut doc = sample("kubernetes-agent-2020-05");
    let nasty = "a|b `code` <img src=x onerror=alert(1)> **bold** [link](http://x)\nsecond line\0\u{202E}";
    doc.title = "# <script>alert(1)</script>".into();
    doc.description = "- not a list\n1. not numbered\n<b>html</b>".into();
    doc.elements[0].label = nasty.into();
    doc.flows[0].label = nasty.into();
    doc.flows[0].protocol = "grpc|tls".into();
    doc.threats[0].title = nasty.into();
    doc.threats[0].mitigation = "use `x` | y".into();
    doc.threats[0].status = Status::Open;
    doc
}

#[test]
fn cells_are_escaped_so_tables_stay_tables() {
    let md = report(&hostile());
    assert!(!md.contains("<script") && !md.contains("<img") && !md.contains("<b>"), "no raw HTML");
    assert!(!md.contains('\0') && !md.contains('\u{202E}'));
    assert!(md.starts_with("# \\# &lt;script&gt;alert(1)&lt;/script&gt;\n"));
    assert!(md.contains("\n\\- not a list<br>\n1\\. not numbered<br>\n&lt;b&gt;html&lt;/b&gt;\n"));
    for (heading, columns) in [("## Elements", 6), ("## Data flows", 9), ("### Open (1)", 7)] {
        for row in table(&md, heading) {
            assert_eq!(row.len(), columns, "{heading}: {row:?}");
        }
    }
    let flows = table(&md, "## Data flows");
    assert!(flows[0][3].starts_with(
        "a\\|b \\`code\\` &lt;img src=x onerror=alert(1)&gt; \\*\\*bold\\*\\* \\[link\\](http://x)<br>second line"
    ));
    assert_eq!(flows[0][4], "grpc\\|tls");
    let open = table(&md, "### Open (1)");
    assert_eq!(open[0][6], "use \\`x\\` \\| y");
    assert!(md.lines().all(|l| !l.starts_with('|') || l.ends_with('|')), "no row is broken over two lines");
}

#[test]
fn svg_link_is_written_when_asked_for() {
    let doc = sample("kubernetes-agent-2020-10");
    let md = to_markdown(&doc, &ReportOptions { svg_link: Some("review.svg".into()) });
    assert!(md.contains(
        "## Data-flow diagram\n\n![Data-flow diagram: GitLab Kubernetes Agent (October 2020)](review.svg)\n"
    ));
    let spaced = to_markdown(&doc, &ReportOptions { svg_link: Some("my review.svg".into()) });
    assert!(spaced.contains("](<my review.svg>)"));
}

#[test]
fn a_bare_document_gives_a_short_valid_report() {
    let doc = Document {
        elements: vec![threatboard::model::Element {
            id: Id::new("a").unwrap(),
            kind: ElementKind::Process,
            label: String::new(),
            boundary: None,
            at: threatboard::model::Point::new(0.0, 0.0),
            out_of_scope: false,
            out_of_scope_reason: String::new(),
            notes: String::new(),
        }],
        flows: vec![Flow {
            id: Id::new("loop").unwrap(),
            from: Id::new("a").unwrap(),
            to: Id::new("a").unwrap(),
            label: String::new(),
            protocol: String::new(),
            encrypted: Some(true),
            bidirectional: false,
            out_of_scope: false,
            out_of_scope_reason: String::new(),
            notes: String::new(),
        }],
        ..Document::default()
    };
    let md = report(&doc);
    assert!(md.starts_with("# Threat model\n\n## Elements\n"));
    assert!(md.contains("\nNo threats recorded.\n"));
    assert!(!md.contains("## Application decomposition") && !md.contains("## Trust boundaries"));
    assert_eq!(table(&md, "## Data flows")[0][5], "yes", "the explicit override wins");
}

#[test]
fn cli_writes_the_report_and_the_svg_next_to_it() {
    let dir = tempfile::tempdir().unwrap();
    let input = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/kubernetes-agent-2021-02.json");
    let out = dir.path().join("review.md");
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_threatboard")).args(args).output().expect("runs")
    };
    let done = run(&["export", input.to_str().unwrap(), "-o", out.to_str().unwrap(), "--with-svg"]);
    assert!(done.status.success(), "{}", String::from_utf8_lossy(&done.stderr));
    let md = std::fs::read_to_string(&out).unwrap();
    assert!(md.contains("](review.svg)"));
    let svg = std::fs::read_to_string(dir.path().join("review.svg")).unwrap();
    assert!(svg.starts_with("<svg "));

    let to_stdout = run(&["export", input.to_str().unwrap(), "--format", "markdown"]);
    assert!(to_stdout.status.success());
    assert!(String::from_utf8_lossy(&to_stdout.stdout).starts_with("# GitLab Kubernetes Agent (February 2021)"));

    let misuse = run(&["export", input.to_str().unwrap(), "--format", "markdown", "--with-svg"]);
    assert_eq!(misuse.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&misuse.stderr).contains("--with-svg needs --output"));
}
