//! A stable, readable text form of one document, for `git diff` (through a `textconv` driver).
//!
//! One block per item, items sorted by id within each kind, one property per line, so that a change
//! to one property shows up as a one-line change and reordering items in the file shows up as nothing.
//! References to other items are ids only, so that relabelling one item changes one line. Derived facts
//! that a reviewer cares about (a flow's encryption and the boundaries it crosses) are written out too,
//! so that `grpc` → `grpcs` also reads as `plain` → `encrypted`.

use std::fmt::Write as _;

use crate::model::{Document, Index, encryption};

/// The text form of `doc`. The same document always gives the same text, whatever its item order.
pub fn textconv(doc: &Document) -> String {
    let ix = Index::new(doc);
    let mut out = String::new();
    kv(&mut out, 0, "title", &doc.title);
    kv(&mut out, 0, "description", &doc.description);
    kv(&mut out, 0, "direction", doc.direction.as_str());

    let d = &doc.decomposition;
    if !d.is_empty() {
        out.push_str("\ndecomposition\n");
        kv(&mut out, 1, "use case", &d.use_case);
        list(&mut out, 1, "entry points", &d.entry_points);
        list(&mut out, 1, "trust levels", &d.trust_levels);
        list(&mut out, 1, "previous issues", &d.previous_issues);
        list(&mut out, 1, "references", &d.references);
    }

    let mut boundaries: Vec<_> = doc.boundaries.iter().collect();
    boundaries.sort_by(|a, b| a.id.cmp(&b.id));
    for b in boundaries {
        let _ = write!(out, "\nboundary {}\n", b.id);
        kv(&mut out, 1, "label", &b.label);
        if let Some(p) = &b.parent {
            kv(&mut out, 1, "parent", p.as_str());
        }
        kv(&mut out, 1, "notes", &b.notes);
    }

    let mut elements: Vec<_> = doc.elements.iter().collect();
    elements.sort_by(|a, b| a.id.cmp(&b.id));
    for e in elements {
        let _ = write!(out, "\n{} {}\n", e.kind.as_str(), e.id);
        kv(&mut out, 1, "label", &e.label);
        if let Some(b) = &e.boundary {
            kv(&mut out, 1, "boundary", b.as_str());
        }
        kv(&mut out, 1, "at", &format!("{}, {}", number(e.at.x), number(e.at.y)));
        if e.out_of_scope {
            kv(&mut out, 1, "out of scope", "yes");
        }
        kv(&mut out, 1, "out-of-scope reason", &e.out_of_scope_reason);
        kv(&mut out, 1, "notes", &e.notes);
    }

    let mut flows: Vec<_> = doc.flows.iter().collect();
    flows.sort_by(|a, b| a.id.cmp(&b.id));
    for f in flows {
        let _ = write!(out, "\nflow {}\n", f.id);
        let arrow = if f.bidirectional { "↔" } else { "→" };
        kv(&mut out, 1, "ends", &format!("{} {arrow} {}", f.from, f.to));
        kv(&mut out, 1, "label", &f.label);
        kv(&mut out, 1, "protocol", &f.protocol);
        let how = if f.encrypted.is_some() { "set on the flow" } else { "from the protocol" };
        kv(&mut out, 1, "encryption", &format!("{} ({how})", encryption(f).as_str()));
        let crosses: Vec<&str> = ix.crossings(f).iter().map(|b| b.id.as_str()).collect();
        if !crosses.is_empty() {
            kv(&mut out, 1, "crosses", &crosses.join(", "));
        }
        if f.out_of_scope {
            kv(&mut out, 1, "out of scope", "yes");
        }
        kv(&mut out, 1, "out-of-scope reason", &f.out_of_scope_reason);
        kv(&mut out, 1, "notes", &f.notes);
    }

    let mut threats: Vec<_> = doc.threats.iter().collect();
    threats.sort_by(|a, b| a.id.cmp(&b.id));
    for t in threats {
        let _ = write!(out, "\nthreat {}\n", t.id);
        kv(&mut out, 1, "title", &t.title);
        kv(&mut out, 1, "target", t.target.as_str());
        kv(&mut out, 1, "category", t.category.as_str());
        kv(&mut out, 1, "classification", &t.classification);
        kv(&mut out, 1, "severity", t.severity.as_str());
        kv(&mut out, 1, "cvss", &t.cvss);
        kv(&mut out, 1, "status", t.status.as_str());
        kv(&mut out, 1, "description", &t.description);
        kv(&mut out, 1, "mitigation", &t.mitigation);
        list(&mut out, 1, "references", &t.references);
        kv(&mut out, 1, "rule", &t.rule);
    }

    let mut dismissed: Vec<_> = doc.dismissed.iter().collect();
    dismissed.sort_by(|a, b| (&a.rule, &a.target).cmp(&(&b.rule, &b.target)));
    for d in dismissed {
        let _ = write!(out, "\ndismissed {} on {}\n", d.rule, d.target);
        kv(&mut out, 1, "reason", &d.reason);
    }
    out
}

fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 { format!("{}", v as i64) } else { format!("{v:.1}") }
}

/// `key: value` at `depth`; nothing for an empty value; a multi-line value on indented lines below.
fn kv(out: &mut String, depth: usize, key: &str, value: &str) {
    if value.is_empty() {
        return;
    }
    let pad = "  ".repeat(depth);
    if value.contains('\n') {
        let _ = writeln!(out, "{pad}{key}:");
        for line in value.lines() {
            let _ = writeln!(out, "{pad}  {line}");
        }
    } else {
        let _ = writeln!(out, "{pad}{key}: {value}");
    }
}

/// A list as `key:` and one `- entry` line each.
fn list(out: &mut String, depth: usize, key: &str, entries: &[String]) {
    if entries.is_empty() {
        return;
    }
    let pad = "  ".repeat(depth);
    let _ = writeln!(out, "{pad}{key}:");
    for e in entries {
        let mut lines = e.lines();
        let _ = writeln!(out, "{pad}  - {}", lines.next().unwrap_or_default());
        for more in lines {
            let _ = writeln!(out, "{pad}    {more}");
        }
    }
}
