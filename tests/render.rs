//! Drawn exports: the scene, the SVG writer and the PNG rasteriser, on the seed samples and on hostile input.
#![allow(clippy::unwrap_used)] // test helpers fail loudly on broken fixtures

use std::path::Path;

use read_fonts::TableProvider as _;
use resvg::{tiny_skia, usvg};
use threatboard::formats::json;
use threatboard::model::{
    Boundary, Category, Document, Element, ElementKind, Flow, Id, Point, Severity, Status, Threat, geometry,
};
use threatboard::render::png::{self, RenderError};
use threatboard::render::scene::BOUNDARY_LABEL_INSET;
use threatboard::render::svg::to_svg;
use threatboard::render::{Color, LineStyle, RenderOptions, Scene, Theme, selection};

const SAMPLES: [&str; 3] = ["kubernetes-agent-2020-05", "kubernetes-agent-2020-10", "kubernetes-agent-2021-02"];

fn sample(name: &str) -> Document {
    json::load_file(&Path::new(env!("CARGO_MANIFEST_DIR")).join("samples").join(format!("{name}.json")))
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn id(s: &str) -> Id {
    Id::new(s).unwrap()
}

fn element(name: &str, kind: ElementKind, label: &str, boundary: Option<&str>, x: f64, y: f64) -> Element {
    Element {
        id: id(name),
        kind,
        label: label.into(),
        boundary: boundary.map(id),
        at: Point::new(x, y),
        out_of_scope: false,
        out_of_scope_reason: String::new(),
        notes: String::new(),
    }
}

fn flow(name: &str, from: &str, to: &str, label: &str, protocol: &str) -> Flow {
    Flow { label: label.into(), protocol: protocol.into(), ..Flow::new(id(name), id(from), id(to)) }
}

fn svg_of(doc: &Document) -> String {
    to_svg(&Scene::build(doc, &RenderOptions::default()))
}

/// Parses with the same options the PNG export uses (the shipped font).
fn parse(svg: &str) -> usvg::Tree {
    usvg::Tree::from_str(svg, png::options()).unwrap_or_else(|e| panic!("usvg rejects the SVG: {e}\n{svg}"))
}

fn rasterise(tree: &usvg::Tree) -> tiny_skia::Pixmap {
    let size = tree.size().to_int_size();
    let mut pixmap = tiny_skia::Pixmap::new(size.width(), size.height()).unwrap();
    resvg::render(tree, tiny_skia::Transform::identity(), &mut pixmap.as_mut());
    pixmap
}

/// Share of pixels that differ from the top-left (background) pixel.
fn ink_ratio(pixmap: &tiny_skia::Pixmap) -> f64 {
    let px = pixmap.pixels();
    let bg = px[0];
    px.iter().filter(|p| **p != bg).count() as f64 / px.len() as f64
}

#[test]
fn sample_svgs_match_their_golden_files() {
    for name in SAMPLES {
        insta::assert_snapshot!(format!("svg-{name}"), svg_of(&sample(name)));
    }
}

#[test]
fn sample_svgs_parse_and_render_to_non_blank_images() {
    for name in SAMPLES {
        let svg = svg_of(&sample(name));
        let tree = parse(&svg);
        assert!(tree.root().has_children(), "{name}");
        let ink = ink_ratio(&rasterise(&tree));
        assert!(ink > 0.02, "{name}: only {ink:.4} of the pixels are drawn");
        let bytes = png::to_png(&svg, 1.0).unwrap();
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{name}");
    }
}

#[test]
fn the_same_document_gives_the_same_bytes() {
    let doc = sample("kubernetes-agent-2021-02");
    assert_eq!(svg_of(&doc), svg_of(&doc.clone()));
    let synthetic = threatboard::model::synth::document(300, 5);
    assert_eq!(svg_of(&synthetic), svg_of(&synthetic.clone()));
}

#[test]
fn svg_is_self_contained() {
    for name in SAMPLES {
        let svg = svg_of(&sample(name));
        for banned in ["<script", "href", "<style", "<image", "<foreignObject", "url(", "@import", "on"] {
            let hits = if banned == "on" {
                // Event handler attributes: ` onload=`, ` onclick=` …
                svg.split(' ').filter(|w| w.starts_with("on") && w.contains('=')).count()
            } else {
                svg.matches(banned).count()
            };
            assert_eq!(hits, 0, "{name} contains {banned}");
        }
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(
            svg.contains("font-family=\"'DejaVu Sans',") && svg.contains("sans-serif\""),
            "a font stack with fallbacks"
        );
    }
}

fn hostile_doc() -> Document {
    let nasty = "</text><script>alert(1)</script> ]]> <!-- \" ' & \u{202E}evil\u{202C} \0nul \u{1b}[31m";
    Document {
        title: nasty.into(),
        boundaries: vec![Boundary { id: id("zone"), label: nasty.into(), parent: None, notes: nasty.into() }],
        elements: vec![
            element("a", ElementKind::Process, nasty, Some("zone"), 0.0, 0.0),
            element("b", ElementKind::Store, "plain", None, 400.0, 0.0),
        ],
        flows: vec![Flow { notes: nasty.into(), ..flow("f", "a", "b", nasty, nasty) }],
        ..Document::default()
    }
}

#[test]
fn hostile_labels_come_out_as_text() {
    let svg = svg_of(&hostile_doc());
    assert!(!svg.contains("<script"), "markup in a label became markup");
    assert!(!svg.contains('\0') && !svg.contains('\u{202E}') && !svg.contains('\u{1b}'));
    let xml = usvg::roxmltree::Document::parse(&svg).expect("well-formed XML");
    let texts: Vec<String> = xml
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| n.descendants().filter_map(|d| d.text()).collect::<String>())
        .collect();
    assert!(
        texts.iter().any(|t| t.starts_with("</text><script>alert(1)</script>")),
        "the element label is text content: {texts:?}"
    );
    assert!(xml.descendants().all(|n| !n.has_tag_name("script")));
    let titles: Vec<&str> = xml.descendants().filter(|n| n.has_tag_name("title")).filter_map(|n| n.text()).collect();
    assert!(titles.iter().any(|t| t.contains("]]> <!-- \" ' &")), "{titles:?}");
    parse(&svg);
}

#[test]
fn shipped_font_covers_arrows_and_non_latin_scripts() {
    // Only the shipped font: what a machine without fonts of its own renders.
    let mut db = usvg::fontdb::Database::new();
    db.load_font_data(png::FONT.to_vec());
    let face = db.faces().next().expect("the shipped font loads");
    assert!(face.families.iter().any(|(f, _)| f == png::FONT_FAMILY), "{:?}", face.families);
    let covered = |c: char| {
        db.with_face_data(face.id, |data, index| {
            let font = read_fonts::FontRef::from_index(data, index).unwrap();
            font.cmap().unwrap().map_codepoint(c).is_some_and(|g| g.to_u32() != 0)
        })
        .unwrap()
    };
    for c in "→←↔⇄✓✗⚠●éßøÅŁŽЖжαΩאשعب".chars() {
        assert!(covered(c), "{c} (U+{:04X}) is not in the shipped font", c as u32);
    }
    // Known gaps, left to the machine's fonts: CJK, Hangul, Thai, Devanagari, emoji.
    for c in "中한กह🔒".chars() {
        assert!(!covered(c), "{c} is covered after all: update the coverage note in render::png");
    }
}

/// Real glyphs (not `.notdef`) laid out in a tree's text.
fn glyphs(group: &usvg::Group) -> usize {
    group
        .children()
        .iter()
        .map(|n| match n {
            usvg::Node::Group(g) => glyphs(g),
            usvg::Node::Text(t) => {
                t.layouted().iter().flat_map(|s| &s.positioned_glyphs).filter(|g| g.id.0 != 0).count()
            }
            _ => 0,
        })
        .sum()
}

#[test]
fn text_renders_with_the_shipped_font_alone() {
    let svg = svg_of(&sample("kubernetes-agent-2020-05"));
    let mut db = usvg::fontdb::Database::new();
    db.load_font_data(png::FONT.to_vec());
    let options = usvg::Options { fontdb: std::sync::Arc::new(db), ..usvg::Options::default() };
    let tree = usvg::Tree::from_str(&svg, &options).unwrap();
    assert!(glyphs(tree.root()) > 100, "labels were laid out with real glyphs (not .notdef)");
}

#[test]
fn legend_lists_only_what_is_used() {
    let may = svg_of(&sample("kubernetes-agent-2020-05"));
    let feb = svg_of(&sample("kubernetes-agent-2021-02"));
    let legend = |svg: &str| svg[svg.find("<g id=\"legend\">").expect("a legend")..].to_owned();
    let (may, feb) = (legend(&may), legend(&feb));
    assert!(
        may.contains(">gRPC, Google remote procedure call, in plain text<") && may.contains(">HTTP, in plain text<")
    );
    for unused in [">grpcs<", ">wss<", "Encrypted flow", "Out of scope", "External entity", "Open threats"] {
        assert!(!may.contains(unused), "May 2020 uses no {unused}");
    }
    for used in
        [">grpcs<", ">gRPC over TLS<", ">wss<", ">WebSocket over TLS<", "Out of scope (dotted)", "Encrypted flow"]
    {
        assert!(feb.contains(used), "February 2021 uses {used}");
    }
    assert!(feb.find(">grpc<").unwrap() < feb.find(">grpcs<").unwrap(), "plain before secure twin");
    assert!(!feb.contains(">ws<"), "ws is not used in February 2021");
}

#[test]
fn encrypted_plain_and_out_of_scope_flows_are_drawn_differently() {
    let scene = Scene::build(&sample("kubernetes-agent-2021-02"), &RenderOptions::default());
    let style = |id: &str| scene.flows.iter().find(|f| f.id.as_str() == id).unwrap().style;
    let (enc, plain, oos) = (style("agentk-to-nginx"), style("nginx-to-kas"), style("kubelet-to-agentk-listeners"));
    assert_eq!(enc.line, LineStyle::Double);
    assert_eq!(plain.line, LineStyle::Solid);
    assert_eq!(oos.line, LineStyle::Dotted);
    assert!(enc.stroke != plain.stroke && plain.stroke != oos.stroke && enc.stroke != oos.stroke);
    let boundary = scene.boundaries[0].style;
    assert_eq!(boundary.line, LineStyle::Dashed);
    assert_ne!(boundary.line.dash_array(boundary.width), oos.line.dash_array(oos.width), "never the same dash");
    let encrypted = scene.flows.iter().find(|f| f.id.as_str() == "agentk-to-nginx").unwrap();
    assert!(encrypted.label.as_ref().unwrap().lock.is_some(), "a padlock next to grpcs");
    assert_eq!(encrypted.arrowheads.len(), 2, "bidirectional");
}

#[test]
fn parallel_and_opposite_flows_are_drawn_apart() {
    let scene = Scene::build(&sample("kubernetes-agent-2021-02"), &RenderOptions::default());
    let middle = |id: &str| scene.flows.iter().find(|f| f.id.as_str() == id).unwrap().curve.point_at(0.5);
    let dist = |a: Point, b: Point| (a.x - b.x).hypot(a.y - b.y);
    assert!(dist(middle("agentk-to-nginx"), middle("agentk-to-nginx-wss")) > 30.0, "parallel");
    assert!(dist(middle("kas-to-gitlab-ror"), middle("gitlab-ror-to-kas")) > 30.0, "opposite");
}

#[test]
fn a_label_that_only_names_the_protocol_is_shown_once() {
    let doc = Document {
        elements: vec![
            element("a", ElementKind::Process, "A", None, 0.0, 0.0),
            element("b", ElementKind::Process, "B", None, 300.0, 0.0),
        ],
        flows: vec![flow("ab", "a", "b", "gRPC", "grpc"), flow("ba", "b", "a", "gRPC stream", "grpc")],
        ..Document::default()
    };
    let scene = Scene::build(&doc, &RenderOptions::default());
    let shown = |id: &str| {
        let label = scene.flows.iter().find(|f| f.id.as_str() == id).unwrap().label.as_ref().unwrap();
        (label.text.lines.clone(), label.protocol.as_ref().map(|p| p.lines.clone()))
    };
    assert_eq!(shown("ab"), (vec![], Some(vec!["grpc".to_owned()])));
    assert_eq!(shown("ba"), (vec!["gRPC stream".to_owned()], Some(vec!["grpc".to_owned()])));
}

#[test]
fn flows_bend_around_elements_in_the_way() {
    // agentk, the Kubernetes API and the front proxy stand in one column: the agent's connections to
    // the proxy must not run through the API's box.
    let doc = sample("kubernetes-agent-2021-02");
    let scene = Scene::build(&doc, &RenderOptions::default());
    let api = scene.elements.iter().find(|e| e.id.as_str() == "kube-api").unwrap().rect;
    for f in scene.flows.iter().filter(|f| f.id.as_str().starts_with("agentk-to-nginx")) {
        for i in 0..=40 {
            assert!(!api.contains(f.curve.point_at(f64::from(i) / 40.0)), "{} crosses the API", f.id);
        }
    }
}

#[test]
fn labels_do_not_overlap_each_other_or_elements_in_the_samples() {
    for name in SAMPLES {
        let scene = Scene::build(&sample(name), &RenderOptions::default());
        let labels: Vec<_> =
            scene.flows.iter().filter_map(|f| f.label.as_ref().map(|l| (f.id.as_str(), l.rect))).collect();
        for (i, (a, ra)) in labels.iter().enumerate() {
            for (b, rb) in &labels[i + 1..] {
                assert!(!ra.intersects(rb), "{name}: labels of {a} and {b} overlap");
            }
            for e in &scene.elements {
                assert!(!ra.intersects(&e.rect), "{name}: label of {a} covers {}", e.id);
            }
        }
    }
}

/// The box a boundary's label takes, as drawn.
fn boundary_label_box(b: &threatboard::render::scene::BoundaryShape) -> geometry::Rect {
    let w = b.label.lines.iter().map(|l| threatboard::render::text::width(l, b.label.size)).fold(0.0, f64::max);
    geometry::Rect { min_x: b.label.x, min_y: b.rect.min_y + 4.0, max_x: b.label.x + w, max_y: b.rect.min_y + 20.0 }
}

fn crosses(curve: &threatboard::render::route::Curve, r: &geometry::Rect) -> bool {
    (0..=400).any(|i| r.contains(curve.point_at(f64::from(i) / 400.0)))
}

#[test]
fn no_flow_runs_through_a_boundary_label_in_the_samples() {
    for name in SAMPLES {
        let scene = Scene::build(&sample(name), &RenderOptions::default());
        for b in &scene.boundaries {
            let label = boundary_label_box(b);
            assert!(
                label.max_x <= b.rect.max_x && label.min_x >= b.rect.min_x,
                "{name}: {} label leaves its box",
                b.id
            );
            for f in &scene.flows {
                assert!(!crosses(&f.curve, &label), "{name}: {} runs through the label of {}", f.id, b.id);
            }
        }
    }
}

#[test]
fn a_boundary_label_moves_along_the_top_edge_out_of_a_flows_way() {
    // `inside` stands under the label's usual place at the top-left corner, and a flow comes down to it
    // from above the box: the label must move right, still on the top edge and inside the box.
    let mut doc = Document {
        boundaries: vec![
            Boundary { id: id("crossed"), label: "Crossed boundary".into(), parent: None, notes: String::new() },
            Boundary { id: id("quiet"), label: "Quiet boundary".into(), parent: None, notes: String::new() },
        ],
        elements: vec![
            element("inside", ElementKind::Process, "inside", Some("crossed"), 0.0, 0.0),
            element("wide", ElementKind::Process, "a rather wide element beside it", Some("crossed"), 260.0, 0.0),
            element("above", ElementKind::External, "above", None, -40.0, -200.0),
            element("alone", ElementKind::Process, "alone", Some("quiet"), 0.0, 400.0),
        ],
        ..Document::default()
    };
    let inside = geometry::element_size(ElementKind::Process, "inside");
    let corner_x = -inside.w / 2.0 - geometry::BOUNDARY_PADDING + BOUNDARY_LABEL_INSET;
    doc.elements[2].at.x = corner_x + 20.0;
    doc.flows.push(flow("down", "above", "inside", "", "https"));
    let scene = Scene::build(&doc, &RenderOptions::default());
    let boundary = |name: &str| scene.boundaries.iter().find(|b| b.id.as_str() == name).unwrap();
    let (crossed, quiet) = (boundary("crossed"), boundary("quiet"));
    let down = scene.flows.iter().find(|f| f.id.as_str() == "down").unwrap();
    let at_corner = geometry::Rect { min_x: crossed.rect.min_x + BOUNDARY_LABEL_INSET, ..boundary_label_box(crossed) };
    assert!(crosses(&down.curve, &at_corner), "the test's flow must cross the label's usual place");
    assert!(crossed.label.x > crossed.rect.min_x + BOUNDARY_LABEL_INSET, "the label stayed in the flow's way");
    assert!(!crosses(&down.curve, &boundary_label_box(crossed)), "the label is still in the flow's way");
    assert!(boundary_label_box(crossed).max_x <= crossed.rect.max_x, "the label left its box");
    let height = |b: &threatboard::render::scene::BoundaryShape| b.label.y - b.rect.min_y;
    assert!((height(crossed) - height(quiet)).abs() < 1e-9, "the moved label keeps its height in the box");
    assert!(
        (quiet.label.x - (quiet.rect.min_x + BOUNDARY_LABEL_INSET)).abs() < 1e-9,
        "a label nothing crosses stays at the corner"
    );
}

#[test]
fn boxes_come_from_the_shared_geometry_and_contain_their_members() {
    let doc = sample("kubernetes-agent-2021-02");
    let scene = Scene::build(&doc, &RenderOptions::default());
    let rects = geometry::boundary_rects(&doc);
    for b in &scene.boundaries {
        assert_eq!(b.rect, rects[&b.id]);
    }
    for (e, shape) in doc.elements.iter().zip(&scene.elements) {
        assert_eq!(shape.rect, geometry::Rect::centred(e.at, geometry::element_size(e.kind, &e.label)));
        if let Some(b) = &e.boundary {
            assert!(rects[b].contains_rect(&shape.rect));
        }
    }
    let outer = scene.boundaries.iter().position(|b| b.id.as_str() == "cluster").unwrap();
    let inner = scene.boundaries.iter().position(|b| b.id.as_str() == "agentk-pod").unwrap();
    assert!(outer < inner, "outer boxes are drawn first");
    assert_eq!(scene.boundaries[inner].depth, 1);
}

#[test]
fn view_box_fits_everything_with_a_margin() {
    let scene = Scene::build(&sample("kubernetes-agent-2021-02"), &RenderOptions::default());
    let vb = scene.view_box;
    let inside = |r: &geometry::Rect| {
        r.min_x >= vb.min_x + 20.0
            && r.max_x <= vb.max_x - 20.0
            && r.min_y >= vb.min_y + 20.0
            && r.max_y <= vb.max_y - 20.0
    };
    assert!(scene.elements.iter().all(|e| inside(&e.rect)));
    assert!(scene.boundaries.iter().all(|b| inside(&b.rect)));
    assert!(scene.flows.iter().filter_map(|f| f.label.as_ref()).all(|l| inside(&l.rect)));
    assert!(inside(&scene.legend.as_ref().unwrap().rect));
    assert!(vb.min_x < -160.0, "the Developer at x = -160 is inside");
}

#[test]
fn badges_count_open_threats_and_take_the_worst_colour() {
    let mut doc = sample("kubernetes-agent-2021-02");
    let threat = |n: &str, severity, status| Threat {
        id: id(n),
        target: id("kas"),
        category: Category::Spoofing,
        classification: String::new(),
        title: n.into(),
        description: String::new(),
        severity,
        cvss: String::new(),
        status,
        mitigation: String::new(),
        references: Vec::new(),
        rule: String::new(),
    };
    doc.threats.push(threat("T8", Severity::Low, Status::Open));
    doc.threats.push(threat("T9", Severity::Critical, Status::Open));
    doc.threats.push(threat("T10", Severity::Critical, Status::Mitigated));
    let scene = Scene::build(&doc, &RenderOptions::default());
    let kas = scene.badges.iter().find(|b| b.target.as_str() == "kas").expect("a badge on kas");
    assert_eq!((kas.count, kas.severity), (2, Severity::Critical));
    assert_eq!(kas.style.fill, Some(scene.palette.severity(Severity::Critical)));
    let flow_badge = scene.badges.iter().find(|b| b.target.as_str() == "agentk-to-nginx").expect("T7 is open");
    assert_eq!(flow_badge.count, 1);
    assert!(!scene.badges.iter().any(|b| b.target.as_str() == "kas-to-gitaly"), "T1 and T6 are mitigated");

    let quiet = Scene::build(&doc, &RenderOptions { threats: false, ..RenderOptions::default() });
    assert!(quiet.badges.is_empty());
    assert!(!to_svg(&quiet).contains("badge-kas"));
}

#[test]
fn dark_theme_has_a_dark_background() {
    let doc = sample("kubernetes-agent-2020-10");
    let dark = to_svg(&Scene::build(&doc, &RenderOptions { theme: Theme::Dark, ..RenderOptions::default() }));
    assert!(dark.contains("<rect id=\"background\"") && dark.contains("fill=\"#0d1117\""));
    let pixmap = rasterise(&parse(&dark));
    let bg = pixmap.pixels()[0];
    assert!(u16::from(bg.red()) + u16::from(bg.green()) + u16::from(bg.blue()) < 100, "{bg:?}");
    assert_ne!(dark, svg_of(&doc));
}

#[test]
fn self_loops_leave_and_return_to_their_element() {
    let doc = Document {
        elements: vec![element("worker", ElementKind::Process, "worker", None, 0.0, 0.0)],
        flows: vec![flow("retry", "worker", "worker", "retry", "ipc"), flow("tick", "worker", "worker", "tick", "")],
        ..Document::default()
    };
    let scene = Scene::build(&doc, &RenderOptions::default());
    let rect = scene.elements[0].rect.expand(1.0, 1.0, 1.0, 1.0);
    assert_eq!(scene.flows.len(), 2);
    for f in &scene.flows {
        assert!(!rect.contains(f.curve.point_at(0.5)), "{} loops outside the element", f.id);
        assert!(rect.expand(12.0, 12.0, 12.0, 12.0).contains(f.arrowheads[0][0]), "{} comes back", f.id);
    }
    assert_ne!(scene.flows[0].curve, scene.flows[1].curve, "two loops, two sizes");
    parse(&svg_of(&doc));
}

#[test]
fn empty_and_degenerate_documents_still_draw() {
    for doc in [
        Document::default(),
        Document { elements: vec![element("a", ElementKind::External, "", None, 0.0, 0.0)], ..Document::default() },
        Document {
            elements: vec![
                element("a", ElementKind::External, "same place", None, 5.0, 5.0),
                element("b", ElementKind::Store, "same place", None, 5.0, 5.0),
            ],
            flows: vec![flow("ab", "a", "b", "", "")],
            ..Document::default()
        },
    ] {
        let svg = svg_of(&doc);
        assert!(!svg.contains("NaN") && !svg.contains("inf"), "{svg}");
        parse(&svg);
    }
}

#[test]
fn overlays_can_restyle_items_by_model_id() {
    let mut scene = Scene::build(&sample("kubernetes-agent-2021-02"), &RenderOptions::default());
    let added = Color::hex(0x00_AA_00);
    assert_eq!(scene.restyle("kas", |s| s.stroke = added), 1);
    assert_eq!(scene.restyle("agentk-to-nginx", |s| s.opacity = 0.4), 2, "the flow and its badge");
    assert_eq!(scene.restyle("no-such-id", |_| {}), 0);
    let svg = to_svg(&scene);
    let kas = &svg[svg.find("<g id=\"element-kas\"").unwrap()..];
    assert!(kas[..kas.find("</g>").unwrap()].contains("stroke=\"#00aa00\""));
    assert!(svg.contains("<g id=\"flow-agentk-to-nginx\" opacity=\"0.4\">"));
}

#[test]
fn selection_keeps_the_flows_between_kept_elements_and_their_boundaries() {
    let doc = sample("kubernetes-agent-2021-02");
    let part = selection(&doc, ["kas", "gitaly", "no-such-id"]);
    let ids = |v: Vec<&str>| v.join(",");
    assert_eq!(ids(part.elements.iter().map(|e| e.id.as_str()).collect()), "kas,gitaly");
    assert_eq!(ids(part.flows.iter().map(|f| f.id.as_str()).collect()), "kas-to-gitaly");
    assert_eq!(ids(part.boundaries.iter().map(|b| b.id.as_str()).collect()), "gitlab,kas-host");
    assert_eq!(ids(part.threats.iter().map(|t| t.id.as_str()).collect()), "T1,T6");
    assert!(part.validate().is_empty());
    let by_boundary = selection(&doc, ["cluster"]);
    assert_eq!(by_boundary.elements.len(), 4, "a boundary brings its members, nested ones included");
    parse(&svg_of(&part));
}

#[test]
fn png_scale_and_size_are_checked() {
    let svg = svg_of(&sample("kubernetes-agent-2020-05"));
    assert!(matches!(png::to_png(&svg, 0.0), Err(RenderError::Scale(_))));
    assert!(matches!(png::to_png(&svg, f32::NAN), Err(RenderError::Scale(_))));
    assert!(matches!(png::to_png(&svg, 1000.0), Err(RenderError::TooLarge { .. })));
    assert!(matches!(png::to_png("<not svg", 1.0), Err(RenderError::Svg(_))));
    let one = png::to_png(&svg, 1.0).unwrap();
    let two = png::to_png(&svg, 2.0).unwrap();
    let width = |png: &[u8]| u32::from_be_bytes([png[16], png[17], png[18], png[19]]);
    assert_eq!(width(&two), 2 * width(&one));
}

#[test]
fn cli_writes_svg_and_png() {
    let dir = tempfile::tempdir().unwrap();
    let input = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/kubernetes-agent-2021-02.json");
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_threatboard")).args(args).output().expect("runs")
    };
    let svg = dir.path().join("feb.svg");
    let out = run(&["export", input.to_str().unwrap(), "-o", svg.to_str().unwrap(), "--theme", "dark", "--no-threats"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(text.contains("#0d1117") && !text.contains("badge-"));
    let png_path = dir.path().join("feb.png");
    let out = run(&["export", input.to_str().unwrap(), "-o", png_path.to_str().unwrap(), "--scale", "2"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(std::fs::read(&png_path).unwrap().starts_with(b"\x89PNG"));
    let out = run(&["export", input.to_str().unwrap(), "-o", png_path.to_str().unwrap(), "--scale=0"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a positive number"));
}

#[test]
fn a_large_drawing_places_its_labels_clear_of_each_other_and_the_same_every_time() {
    // 3 000 flows: enough for labels to be placed strip by strip on every core.
    let doc = threatboard::model::synth::document(2000, 3);
    let scene = Scene::build(&doc, &RenderOptions::default());
    assert_eq!(to_svg(&scene), to_svg(&Scene::build(&doc, &RenderOptions::default())), "same bytes twice");
    let mut rects: Vec<geometry::Rect> = scene.flows.iter().filter_map(|f| f.label.as_ref().map(|l| l.rect)).collect();
    assert!(rects.len() > 2500, "{} labels", rects.len());
    rects.sort_by(|a, b| a.min_x.total_cmp(&b.min_x));
    let mut overlapping = 0;
    for (k, a) in rects.iter().enumerate() {
        for b in rects[k + 1..].iter().take_while(|b| b.min_x < a.max_x) {
            if a.max_y.min(b.max_y) > a.min_y.max(b.min_y) && a.max_x.min(b.max_x) > b.min_x {
                overlapping += 1;
            }
        }
    }
    // Placed one after another over the whole drawing, 45 pairs overlap; strip by strip, 50.
    assert!(overlapping * 40 < rects.len(), "{overlapping} pairs of {} labels overlap", rects.len());
}

#[test]
fn scene_routes_are_the_routes_flow_curves_gives() {
    // The editor takes its canvas lines from the export scene when it builds one: they must be the
    // lines it would route itself.
    let mut docs: Vec<Document> = SAMPLES.into_iter().map(sample).collect();
    docs.push(threatboard::model::synth::document(400, 3));
    for doc in &docs {
        let scene = Scene::build(doc, &RenderOptions::default());
        let curves = threatboard::render::flow_curves(doc, true);
        let routed: Vec<_> = curves.into_iter().flatten().collect();
        let from_scene: Vec<_> = scene.flows.iter().map(|f| f.route).collect();
        assert_eq!(from_scene, routed, "{}", doc.title);
        assert!(
            scene.flows.iter().all(|f| f.route.end() != f.curve.end()),
            "the drawn line is shortened under its arrowhead"
        );
    }
}
