//! The rule engine and the built-in rules: each rule fires where it should and stays quiet where it
//! should not; suggestions respect dismissals and accepted threats; rule files report line:column.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test

use threatboard::analysis::check::Locator;
use threatboard::analysis::{self, Review, RuleError, RuleSet, TargetKind};
use threatboard::formats::json;
use threatboard::model::ElementKind::{External as Ext, Process as Proc, Store};
use threatboard::model::{
    Boundary, Category, Dismissal, Document, Edit, Element, ElementKind, FieldPath, Flow, Id, Point, Severity, Status,
};

const IN: Option<&str> = Some("inside");
const OUT: Option<&str> = Some("outside");

fn id(s: &str) -> Id {
    Id::new(s).unwrap()
}

fn el(name: &str, kind: ElementKind, boundary: Option<&str>) -> Element {
    Element {
        id: id(name),
        kind,
        label: name.to_uppercase(),
        boundary: boundary.map(id),
        at: Point::new(0.0, 0.0),
        out_of_scope: false,
        out_of_scope_reason: String::new(),
        notes: String::new(),
    }
}

fn oos(e: Element) -> Element {
    Element { out_of_scope: true, out_of_scope_reason: "Not reviewed.".into(), ..e }
}

fn flow(name: &str, from: &str, to: &str, protocol: &str) -> Flow {
    Flow {
        id: id(name),
        from: id(from),
        to: id(to),
        label: String::new(),
        protocol: protocol.into(),
        encrypted: None,
        bidirectional: false,
        out_of_scope: false,
        out_of_scope_reason: String::new(),
        notes: String::new(),
    }
}

fn labelled(f: Flow, label: &str) -> Flow {
    Flow { label: label.into(), ..f }
}

/// A valid document with the `inside` and `outside` boundaries.
fn doc(elements: Vec<Element>, flows: Vec<Flow>) -> Document {
    let boundary =
        |b: &str, label: &str| Boundary { id: id(b), label: label.into(), parent: None, notes: String::new() };
    let d = Document {
        boundaries: vec![boundary("inside", "Inside"), boundary("outside", "Outside")],
        elements,
        flows,
        ..Document::default()
    };
    assert!(d.validate().is_empty(), "test document is invalid: {:?}", d.validate());
    d
}

/// A flow from `a` to `b`, called `t` unless an element already is.
fn link(a: Element, b: Element, protocol: &str) -> Document {
    link_with(a, b, protocol, |f| f)
}

/// [`link`], with the flow changed by `tweak`.
fn link_with(a: Element, b: Element, protocol: &str, tweak: impl FnOnce(Flow) -> Flow) -> Document {
    let name = if a.id == "t" || b.id == "t" { "f" } else { "t" };
    let f = tweak(flow(name, a.id.as_str(), b.id.as_str(), protocol));
    doc(vec![a, b], vec![f])
}

fn rules() -> RuleSet {
    RuleSet::builtin().expect("the built-in rules load")
}

fn fires(rules: &RuleSet, d: &Document, rule: &str, target: &str) -> bool {
    analysis::suggestions(d, rules).iter().any(|s| s.rule == rule && s.target == target)
}

struct Case {
    rule: &'static str,
    fires: Vec<Document>,
    quiet: Vec<Document>,
}

fn bidi(f: Flow) -> Flow {
    Flow { bidirectional: true, ..f }
}

fn flow_oos(f: Flow) -> Flow {
    Flow { out_of_scope: true, ..f }
}

fn notes(e: Element, text: &str) -> Element {
    Element { notes: text.into(), ..e }
}

fn label(e: Element, text: &str) -> Element {
    Element { label: text.into(), ..e }
}

/// Every built-in rule, with documents where it must fire on `t` and documents where it must not.
#[allow(clippy::too_many_lines)] // one table
fn cases() -> Vec<Case> {
    let p_in = || el("a", Proc, IN);
    let p_out = || el("b", Proc, OUT);
    let crossing = |protocol: &str| link(p_in(), p_out(), protocol);
    let local = |protocol: &str| link(p_in(), el("b", Proc, IN), protocol);
    let t_store = || el("t", Store, IN);
    let t_proc = || el("t", Proc, IN);
    vec![
        Case {
            rule: "plain-crossing-disclosure",
            fires: vec![
                crossing("http"),
                crossing("grpc"),
                link_with(p_in(), p_out(), "", |f| Flow { encrypted: Some(false), ..f }),
            ],
            quiet: vec![crossing("https"), local("http"), link_with(p_in(), p_out(), "http", flow_oos), crossing("")],
        },
        Case {
            rule: "plain-crossing-tampering",
            fires: vec![crossing("ws"), crossing("REST")],
            quiet: vec![crossing("wss"), local("ws"), link_with(p_in(), p_out(), "ws", flow_oos)],
        },
        Case {
            rule: "unknown-encryption-crossing",
            fires: vec![crossing("carrier pigeon"), crossing("")],
            quiet: vec![
                crossing("https"),
                crossing("http"),
                local("carrier pigeon"),
                link_with(p_in(), p_out(), "carrier pigeon", |f| Flow { encrypted: Some(true), ..f }),
            ],
        },
        Case {
            rule: "use-secure-twin",
            fires: vec![local("grpc"), local("http"), local("ws")],
            quiet: vec![crossing("grpc"), local("grpcs"), local("nfs"), link(p_in(), oos(el("b", Proc, IN)), "grpc")],
        },
        Case {
            rule: "plain-fallback-mentioned",
            fires: vec![
                link_with(p_in(), p_out(), "grpcs", |f| Flow {
                    notes: "Self-managed installs may use plain grpc.".into(),
                    ..f
                }),
                link_with(p_in(), p_out(), "https", |f| labelled(f, "sync (TLS optional, cleartext allowed)")),
            ],
            quiet: vec![
                link_with(p_in(), p_out(), "grpcs", |f| Flow { notes: "Always TLS.".into(), ..f }),
                link_with(p_in(), p_out(), "grpcs", |f| Flow { notes: "As explained in the design.".into(), ..f }),
                link_with(p_in(), p_out(), "grpc", |f| Flow { notes: "Self-managed may use plain grpc.".into(), ..f }),
            ],
        },
        Case {
            rule: "external-spoofing-across-boundary",
            fires: vec![
                link(el("a", Ext, OUT), el("b", Proc, IN), "https"),
                link(el("a", Ext, None), el("b", Proc, IN), "https"),
            ],
            quiet: vec![
                link(el("a", Ext, IN), el("b", Proc, IN), "https"),
                link(el("a", Ext, OUT), el("b", Store, IN), "https"),
                crossing("https"),
            ],
        },
        Case {
            rule: "external-without-boundary",
            fires: vec![
                link(el("a", Ext, IN), el("b", Proc, IN), "https"),
                link(el("a", Ext, None), el("b", Proc, None), "https"),
            ],
            quiet: vec![
                link(el("a", Ext, OUT), el("b", Proc, IN), "https"),
                link(el("a", Ext, IN), el("b", Store, IN), "https"),
            ],
        },
        Case {
            rule: "credentials-in-plain-text",
            fires: vec![
                link_with(p_in(), el("b", Proc, IN), "http", |f| labelled(f, "login with password")),
                link_with(p_in(), p_out(), "grpc", |f| labelled(f, "GetAgentInfo (JWT + agent token)")),
            ],
            quiet: vec![
                link_with(p_in(), p_out(), "https", |f| labelled(f, "login with password")),
                link_with(p_in(), p_out(), "http", |f| labelled(f, "list projects")),
                link_with(p_in(), p_out(), "http", |f| labelled(f, "tokenizer output")),
            ],
        },
        Case {
            rule: "data-leaves-to-external",
            fires: vec![
                link(p_in(), el("b", Ext, OUT), "https"),
                link(el("a", Store, IN), el("b", Ext, None), "https"),
            ],
            quiet: vec![link(el("b", Ext, OUT), p_in(), "https"), link(p_in(), oos(el("b", Ext, OUT)), "https")],
        },
        Case {
            rule: "external-writes-store",
            fires: vec![link(el("a", Ext, OUT), el("b", Store, IN), "https")],
            quiet: vec![
                link(p_in(), el("b", Store, IN), "https"),
                link_with(el("a", Ext, OUT), el("b", Store, IN), "https", flow_oos),
            ],
        },
        Case {
            rule: "stream-exhaustion",
            fires: vec![link_with(p_out(), p_in(), "grpcs", bidi)],
            quiet: vec![
                link(p_out(), p_in(), "grpcs"),
                link_with(el("b", Proc, IN), p_in(), "grpcs", bidi),
                link_with(p_out(), el("a", Store, IN), "grpcs", bidi),
            ],
        },
        Case {
            rule: "database-across-boundary",
            fires: vec![
                link(p_out(), el("a", Store, IN), "postgres"),
                link(p_out(), el("a", Store, IN), "PostgreSQL"),
                crossing("kafka+tls"),
            ],
            quiet: vec![
                link(el("b", Proc, IN), el("a", Store, IN), "postgres"),
                link(p_out(), el("a", Store, IN), "https"),
            ],
        },
        Case {
            rule: "unauthenticated-transport",
            fires: vec![local("udp"), crossing("syslog"), local("telnet")],
            quiet: vec![local("dtls"), crossing("https"), local("")],
        },
        Case {
            rule: "privileged-operation-across-boundary",
            fires: vec![
                link_with(p_out(), p_in(), "https", |f| labelled(f, "deploy manifests")),
                link_with(p_out(), p_in(), "https", |f| labelled(f, "Admin API")),
            ],
            quiet: vec![
                link_with(el("b", Proc, IN), p_in(), "https", |f| labelled(f, "deploy manifests")),
                link_with(p_out(), p_in(), "https", |f| labelled(f, "read status")),
                link_with(p_out(), p_in(), "https", |f| Flow {
                    notes: "Self-managed installs.".into(),
                    ..labelled(f, "sync")
                }),
            ],
        },
        Case {
            rule: "out-of-scope-source",
            fires: vec![
                link(oos(el("a", Ext, None)), el("b", Proc, IN), "http"),
                link(oos(el("a", Proc, IN)), el("b", Proc, IN), "http"),
            ],
            quiet: vec![
                link(el("a", Ext, None), el("b", Proc, IN), "http"),
                link(oos(el("a", Ext, None)), el("b", Store, IN), "http"),
                link(oos(el("a", Ext, None)), oos(el("b", Proc, IN)), "http"),
            ],
        },
        Case {
            rule: "store-written-across-boundary",
            fires: vec![link(p_out(), t_store(), "https"), link_with(t_store(), p_out(), "https", bidi)],
            quiet: vec![
                link(el("b", Proc, IN), t_store(), "https"),
                link(t_store(), p_out(), "https"),
                link_with(p_out(), t_store(), "https", flow_oos),
            ],
        },
        Case {
            rule: "store-without-audit-trail",
            fires: vec![link(p_in(), label(t_store(), "Orders"), "https")],
            quiet: vec![
                link(p_in(), label(t_store(), "Audit log"), "https"),
                link(p_in(), notes(t_store(), "Every change is journaled."), "https"),
                link(label(t_store(), "Orders"), p_in(), "https"),
                doc(
                    vec![p_in(), label(t_store(), "Orders"), label(el("log", Store, IN), "Change log")],
                    vec![flow("w", "a", "t", "https"), flow("l", "t", "log", "https")],
                ),
            ],
        },
        Case {
            rule: "store-read-across-boundary",
            fires: vec![link(t_store(), p_out(), "https"), link(p_out(), t_store(), "https")],
            quiet: vec![link(t_store(), el("b", Proc, IN), "https"), link_with(t_store(), p_out(), "https", flow_oos)],
        },
        Case {
            rule: "store-exhaustion",
            fires: vec![link(p_out(), t_store(), "https")],
            quiet: vec![link(t_store(), p_out(), "https"), link(el("b", Proc, IN), t_store(), "https")],
        },
        Case {
            rule: "process-input-from-outside",
            fires: vec![link(p_out(), t_proc(), "https"), link_with(t_proc(), p_out(), "grpcs", bidi)],
            quiet: vec![
                link(t_proc(), p_out(), "https"),
                link(el("b", Proc, IN), t_proc(), "https"),
                link_with(p_out(), t_proc(), "https", flow_oos),
                link(p_out(), oos(t_proc()), "https"),
            ],
        },
        Case {
            rule: "process-flooded-from-outside",
            fires: vec![link(el("b", Ext, None), t_proc(), "https")],
            quiet: vec![link(t_proc(), p_out(), "https"), link(el("b", Ext, IN), t_proc(), "https")],
        },
        Case {
            rule: "process-without-boundary",
            fires: vec![doc(vec![el("t", Proc, None)], vec![])],
            quiet: vec![
                doc(vec![t_proc()], vec![]),
                doc(vec![oos(el("t", Proc, None))], vec![]),
                doc(vec![el("t", Store, None)], vec![]),
            ],
        },
        Case {
            rule: "external-repudiation",
            fires: vec![
                link(el("t", Ext, None), p_in(), "https"),
                link(el("t", Ext, OUT), el("s", Store, IN), "https"),
            ],
            quiet: vec![
                doc(vec![el("t", Ext, None)], vec![]),
                link(el("t", Ext, None), oos(p_in()), "https"),
                link(el("t", Proc, None), p_in(), "https"),
            ],
        },
        Case {
            rule: "process-without-logging",
            fires: vec![link(el("u", Ext, None), t_proc(), "https")],
            quiet: vec![
                link(el("u", Ext, None), notes(t_proc(), "Logs every request."), "https"),
                doc(
                    vec![el("u", Ext, None), t_proc(), label(el("log", Store, IN), "Audit log")],
                    vec![flow("r", "u", "t", "https"), flow("w", "t", "log", "https")],
                ),
                link(p_out(), t_proc(), "https"),
            ],
        },
        Case {
            rule: "listener-reached-by-monitoring",
            fires: vec![
                link_with(oos(label(el("m", Ext, None), "Prometheus")), label(t_proc(), "listeners"), "http", flow_oos),
                link_with(oos(el("m", Ext, None)), t_proc(), "http", |f| flow_oos(labelled(f, "health checks"))),
            ],
            quiet: vec![
                link_with(label(el("m", Ext, None), "Prometheus"), t_proc(), "http", |f| labelled(f, "scrape metrics")),
                link_with(oos(label(el("m", Ext, None), "Partner")), t_proc(), "http", |f| {
                    flow_oos(labelled(f, "sync"))
                }),
                link_with(oos(label(el("m", Ext, None), "Prometheus")), oos(t_proc()), "http", flow_oos),
            ],
        },
        Case {
            rule: "unauthenticated-endpoint",
            fires: vec![
                doc(vec![notes(t_proc(), "Unrestricted, bound to localhost by default.")], vec![]),
                doc(vec![notes(t_store(), "Anonymous read access.")], vec![]),
            ],
            quiet: vec![
                doc(vec![notes(t_proc(), "Restricted to admins; requires mTLS.")], vec![]),
                doc(vec![notes(el("t", Ext, IN), "Anonymous users.")], vec![]),
            ],
        },
        Case {
            rule: "debug-or-admin-interface",
            fires: vec![
                doc(vec![label(t_proc(), "pprof debug server")], vec![]),
                doc(vec![label(t_proc(), "Admin console")], vec![]),
            ],
            quiet: vec![doc(vec![label(t_proc(), "API")], vec![]), doc(vec![label(t_store(), "Admin DB")], vec![])],
        },
        Case {
            rule: "secrets-store",
            fires: vec![
                doc(vec![label(t_store(), "Vault")], vec![]),
                doc(vec![notes(t_store(), "Holds the API keys.")], vec![]),
            ],
            quiet: vec![
                doc(vec![label(t_store(), "Orders")], vec![]),
                doc(vec![label(t_proc(), "Vault")], vec![]),
                doc(vec![label(t_store(), "Keyboard layouts")], vec![]),
            ],
        },
        Case {
            rule: "sends-to-out-of-scope",
            fires: vec![link(t_proc(), oos(el("x", Ext, None)), "https")],
            quiet: vec![link(t_proc(), el("x", Ext, None), "https"), link(oos(el("x", Ext, None)), t_proc(), "https")],
        },
    ]
}

#[test]
fn every_builtin_rule_fires_where_it_should_and_only_there() {
    let rules = rules();
    let cases = cases();
    for rule in rules.rules() {
        assert!(cases.iter().any(|c| c.rule == rule.id), "built-in rule {} has no test case", rule.id);
    }
    for case in &cases {
        assert!(rules.get(case.rule).is_some(), "test case for unknown rule {}", case.rule);
        assert!(!case.fires.is_empty() && !case.quiet.is_empty(), "{}: needs both kinds of case", case.rule);
        for (i, d) in case.fires.iter().enumerate() {
            assert!(
                fires(&rules, d, case.rule, "t"),
                "{} should fire on t in fires[{i}]:\n{}",
                case.rule,
                json::to_string(d)
            );
        }
        for (i, d) in case.quiet.iter().enumerate() {
            assert!(
                !fires(&rules, d, case.rule, "t"),
                "{} should stay quiet on t in quiet[{i}]:\n{}",
                case.rule,
                json::to_string(d)
            );
        }
    }
}

#[test]
fn builtin_rules_cover_stride() {
    let rules = rules();
    assert!(rules.len() >= 25, "only {} built-in rules", rules.len());
    for c in Category::STRIDE {
        assert!(rules.rules().iter().any(|r| r.category == c), "no built-in rule for {}", c.title());
    }
    for t in [TargetKind::Element, TargetKind::Flow] {
        assert!(rules.rules().iter().any(|r| r.target() == t), "no {} rule", t.as_str());
    }
    for r in rules.rules() {
        assert!(!r.summary.contains('{'), "{}: the summary has a placeholder", r.id);
        assert!(!r.description.source().is_empty() && !r.mitigation.source().is_empty(), "{}: incomplete", r.id);
        assert!(!r.references.is_empty(), "{}: no references", r.id);
    }
}

fn sample() -> Document {
    json::load_file(std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/samples/kubernetes-agent-2021-02.json")))
        .expect("the sample loads")
}

#[test]
fn sample_2021_02_suggests_the_plain_local_install_traffic_and_the_listeners() {
    let rules = rules();
    let doc = sample();
    let found = analysis::suggestions(&doc, &rules);
    let has = |rule: &str, target: &str| found.iter().any(|s| s.rule == rule && s.target == target);
    for plain in ["nginx-to-kas", "kas-to-gitlab-ror", "gitlab-ror-to-kas", "kas-to-gitaly"] {
        assert!(has("plain-crossing-disclosure", plain), "{plain}");
        assert!(has("plain-crossing-tampering", plain), "{plain}");
    }
    assert!(has("credentials-in-plain-text", "kas-to-gitlab-ror"));
    assert!(has("plain-fallback-mentioned", "agentk-to-nginx"), "the notes say self-managed may use plain grpc");
    assert!(has("plain-fallback-mentioned", "agentk-to-nginx-wss"));
    for listener in ["agentk-listeners", "kas-listeners"] {
        assert!(has("listener-reached-by-monitoring", listener), "{listener}");
    }
    let twin = found.iter().find(|s| s.rule == "plain-crossing-disclosure" && s.target == "kas-to-gitlab-ror").unwrap();
    assert_eq!(twin.title(), "Plain http from kas to GitLab RoR crosses kas host (localhost)");
    assert!(twin.mitigation().starts_with("Use https"), "{}", twin.mitigation());
    // Nothing is suggested for out-of-scope parts as if they were reviewed.
    assert!(!found.iter().any(|s| s.target == "prometheus" || s.target == "kubelet"));
    assert!(!has("plain-crossing-disclosure", "prometheus-to-kas-listeners"));
}

#[test]
fn dismissed_and_accepted_suggestions_are_not_made_again() {
    let rules = rules();
    let mut doc = sample();
    let before = analysis::suggestions(&doc, &rules);
    let first =
        before.iter().find(|s| s.rule == "plain-crossing-disclosure" && s.target == "nginx-to-kas").unwrap().clone();
    let second = before.iter().find(|s| s.rule == "listener-reached-by-monitoring").unwrap().clone();

    doc.apply(Edit::Dismiss(first.dismissal("nginx and kas share a host"))).unwrap();
    let threat = second.to_threat(analysis::next_threat_id(&doc));
    assert_eq!(threat.id, "T8");
    assert_eq!(
        (threat.status, threat.rule.as_str(), threat.category),
        (Status::Open, second.rule.as_str(), second.category)
    );
    doc.apply(Edit::AddThreat(threat)).unwrap();

    let after = analysis::suggestions(&doc, &rules);
    assert_eq!(after.len(), before.len() - 2);
    assert!(!after.contains(&first) && !after.contains(&second));
    // The same rule still fires on other targets, and other rules on the same target.
    assert!(after.iter().any(|s| s.rule == first.rule && s.target != first.target));
    assert!(after.iter().any(|s| s.rule != first.rule && s.target == first.target));

    let reviewed = analysis::review(&doc, &rules);
    let state = |s: &analysis::Suggestion| reviewed.iter().find(|(r, _)| r == s).map(|(_, r)| *r);
    assert_eq!(state(&first), Some(Review::Dismissed));
    assert_eq!(state(&second), Some(Review::Accepted));
    assert_eq!(reviewed.len(), before.len());

    // Forgetting the dismissal brings it back.
    doc.apply(Edit::Undismiss { rule: first.rule.to_string(), target: first.target.clone() }).unwrap();
    assert!(analysis::suggestions(&doc, &rules).contains(&first));
}

#[test]
fn a_dismissal_in_the_file_survives_a_round_trip() {
    let rules = rules();
    let mut doc = sample();
    doc.dismissed.push(Dismissal {
        rule: "stream-exhaustion".into(),
        target: id("agentk-to-nginx"),
        reason: "nginx limits streams".into(),
    });
    let reloaded = json::from_str(&json::to_string(&doc)).unwrap();
    assert!(!fires(&rules, &reloaded, "stream-exhaustion", "agentk-to-nginx"));
    assert!(fires(&rules, &reloaded, "stream-exhaustion", "agentk-to-nginx-wss"));
}

#[test]
fn accept_all_for_a_selection_is_one_undoable_step() {
    let rules = rules();
    let mut doc = sample();
    let picked = analysis::suggestions_for(&doc, &rules, "kas-to-gitlab-ror");
    assert_eq!(picked.len(), 3, "{picked:#?}");
    doc.apply(analysis::accept(&doc, &picked)).unwrap();
    let ids: Vec<&str> = doc.threats.iter().skip(7).map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["T8", "T9", "T10"]);
    assert!(analysis::suggestions_for(&doc, &rules, "kas-to-gitlab-ror").is_empty());
    assert!(doc.validate().is_empty());
}

#[test]
fn results_are_in_document_order_and_deterministic() {
    let rules = rules();
    let doc = threatboard::model::synth::document(300, 4);
    let a = analysis::suggestions(&doc, &rules);
    assert_eq!(a, analysis::suggestions(&doc, &rules));
    assert!(!a.is_empty());
    let pos = |s: &analysis::Suggestion| match s.target_kind {
        TargetKind::Element => doc.elements.iter().position(|e| e.id == s.target).unwrap(),
        TargetKind::Flow => doc.elements.len() + doc.flows.iter().position(|f| f.id == s.target).unwrap(),
    };
    assert!(a.windows(2).all(|w| pos(&w[0]) <= pos(&w[1])));
}

fn invalid(text: &str) -> (usize, usize, String) {
    let mut set = rules();
    let before = set.len();
    match set.add_text(text, "my-rules.toml") {
        Err(RuleError::Invalid { origin, line, column, message }) => {
            assert_eq!(origin, "my-rules.toml");
            assert_eq!(set.len(), before, "a broken file changes nothing");
            (line, column, message)
        }
        other => panic!("expected an invalid-file error, got {other:?}"),
    }
}

const GOOD_RULE: &str = r#"
[[rule]]
id = "internal-grpc"
category = "tampering"
severity = "critical"
title = "{from} talks grpc to {to}"
[rule.flow]
protocol = "grpc"
"#;

#[test]
fn broken_rule_files_say_where() {
    // TOML syntax.
    let (line, column, message) = invalid("version = 1\n[[rule]\nid = \"x\"\n");
    assert_eq!((line, column), (2, 8), "{message}");
    // A misspelt key.
    let (line, column, message) =
        invalid("[[rule]]\nid = \"x\"\ncategory = \"spoofing\"\ntitle = \"t\"\n[rule.flow]\nprotocl = \"grpc\"\n");
    assert_eq!((line, column), (6, 1));
    assert!(message.contains("unknown field `protocl`"), "{message}");
    // A category that is not STRIDE.
    let (line, column, message) = invalid("[[rule]]\nid = \"x\"\ncategory = \"spoofy\"\ntitle = \"t\"\n[rule.flow]\n");
    assert_eq!((line, column), (3, 12));
    assert!(message.contains("spoofy"), "{message}");
    // A kind that is not a kind, inside a list.
    let (line, column, message) = invalid(
        "[[rule]]\nid = \"x\"\ncategory = \"spoofing\"\ntitle = \"t\"\n[rule.element]\nkind = [\"store\", \"db\"]\n",
    );
    assert_eq!(line, 6, "{message}");
    assert!(column > 1, "{column}");
    assert!(message.contains("db"), "{message}");
    // A bad regular expression.
    let (line, column, message) = invalid(
        "[[rule]]\nid = \"x\"\ncategory = \"spoofing\"\ntitle = \"t\"\n[rule.element]\ntext_matches = '(unclosed'\n",
    );
    assert_eq!((line, column), (6, 16));
    assert!(message.contains("invalid regular expression"), "{message}");
    // A placeholder the rule's target does not have.
    let (line, column, message) =
        invalid("[[rule]]\nid = \"x\"\ncategory = \"spoofing\"\ntitle = \"{name} via {protocol}\"\n[rule.element]\n");
    assert_eq!((line, column), (4, 9));
    assert!(message.contains("unknown placeholder {protocol} in an element rule"), "{message}");
    // No condition, and two conditions.
    let (line, _, message) = invalid("\n[[rule]]\nid = \"x\"\ncategory = \"spoofing\"\ntitle = \"t\"\n");
    assert_eq!(line, 2);
    assert!(message.contains("exactly one of [rule.element] or [rule.flow]"), "{message}");
    let (_, _, message) =
        invalid("[[rule]]\nid = \"x\"\ncategory = \"spoofing\"\ntitle = \"t\"\n[rule.flow]\n[rule.element]\n");
    assert!(message.contains("has both"), "{message}");
    // The same id twice, a bad id, a bad version, disabling an unknown rule.
    let twice = format!("{GOOD_RULE}{GOOD_RULE}");
    let (line, column, _) = invalid(&twice);
    assert_eq!((line, column), (11, 6));
    let (line, column, message) = invalid(&GOOD_RULE.replace("internal-grpc", "bad id"));
    assert_eq!((line, column), (3, 6));
    assert!(message.contains("' '"), "{message}");
    let (line, column, _) = invalid("version = 7\n");
    assert_eq!((line, column), (1, 11));
    let (line, column, message) = invalid("disable = [\"plain-crossing-disclosure\", \"no-such-rule\"]\n");
    assert_eq!((line, column), (1, 41));
    assert!(message.contains("no-such-rule"), "{message}");
}

#[test]
fn rule_file_errors_read_as_file_line_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rules.toml");
    std::fs::write(
        &path,
        "[[rule]]\nid = \"x\"\ncategory = \"spoofing\"\ntitle = \"t\"\n[rule.flow]\nencryption = \"maybe\"\n",
    )
    .unwrap();
    let err = RuleSet::load(&[&path]).unwrap_err().to_string();
    assert!(err.starts_with(&format!("{}:6:14: ", path.display())), "{err}");
    assert!(err.contains("maybe"), "{err}");
    let missing = RuleSet::load(&[dir.path().join("none.toml")]).unwrap_err();
    assert!(matches!(missing, RuleError::Io { .. }), "{missing}");
}

#[test]
fn user_rules_add_replace_and_disable() {
    let mut set = rules();
    let n = set.len();
    set.add_text(GOOD_RULE, "mine.toml").unwrap();
    assert_eq!(set.len(), n + 1);
    let mine = set.get("internal-grpc").unwrap();
    assert_eq!(
        (mine.severity, mine.origin.as_str(), mine.target()),
        (Severity::Critical, "mine.toml", TargetKind::Flow)
    );
    let doc = sample();
    let s = analysis::suggestions(&doc, &set);
    let nginx = s.iter().find(|s| s.rule == "internal-grpc" && s.target == "nginx-to-kas").unwrap();
    assert_eq!(nginx.title(), "Front proxy (nginx) talks grpc to kas");

    // Same id as a built-in: replaced in place. `disable` removes.
    let retuned = r#"
disable = ["use-secure-twin"]
[[rule]]
id = "plain-crossing-tampering"
category = "tampering"
severity = "low"
title = "Retuned for {name}"
[rule.flow]
encryption = "plain"
"#;
    set.add_text(retuned, "tune.toml").unwrap();
    assert_eq!(set.len(), n);
    assert!(set.get("use-secure-twin").is_none());
    let position = set.rules().iter().position(|r| r.id == "plain-crossing-tampering").unwrap();
    assert_eq!(position, 1, "a replaced rule keeps its place");
    assert_eq!(set.get("plain-crossing-tampering").unwrap().severity, Severity::Low);
}

#[test]
fn conditions_combine_with_all_any_and_not() {
    let text = r#"
[[rule]]
id = "combined"
category = "spoofing"
title = "{name} in {boundary}"
[rule.element]
any = [{ kind = "store" }, { label_matches = "^gate" }]
not = { boundary_matches = "outside" }
connected = { encryption = ["plain", "unknown"] }
"#;
    let mut set = RuleSet::empty();
    set.add_text(text, "c.toml").unwrap();
    let d = doc(
        vec![el("s", Store, IN), label(el("g", Proc, IN), "Gateway"), el("o", Store, OUT), el("p", Proc, IN)],
        vec![flow("f1", "s", "g", "http"), flow("f2", "o", "p", "ftp"), flow("f3", "p", "s", "https")],
    );
    let got: Vec<(String, String)> =
        analysis::suggestions(&d, &set).into_iter().map(|s| (s.target.to_string(), s.title().to_owned())).collect();
    assert_eq!(got, [("s".to_owned(), "S in Inside".to_owned()), ("g".to_owned(), "Gateway in Inside".to_owned())]);
}

#[test]
fn the_locator_agrees_with_json_locate() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/samples/kubernetes-agent-2021-02.json");
    let text = std::fs::read_to_string(path).unwrap();
    let doc = json::from_str(&text).unwrap();
    let locator = Locator::new(&text);
    let lists = [("elements", doc.elements.len()), ("flows", doc.flows.len()), ("threats", doc.threats.len())];
    for (array, n) in lists {
        for i in 0..n {
            let p = FieldPath::entry(array, i);
            assert_eq!(locator.position(&p), json::locate(&text, &p), "{p}");
            assert!(locator.position(&p).is_some());
        }
    }
    let deeper = FieldPath::item("flows", 2, "protocol");
    assert_eq!(locator.position(&deeper), json::locate(&text, &deeper));
}
