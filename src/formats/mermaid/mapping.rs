//! From a parsed flowchart to a threat model: subgraphs become trust boundaries, nodes elements,
//! links flows; Threatboard's own metadata, when present, wins over what the diagram suggests.

use std::borrow::Cow;

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

use super::ast::{Diagram, Pos, Shape, Stmt, Stroke};
use super::lexer::Lines;
use super::meta::{self, IdTable, Meta};
use super::{Imported, Warning, shapes, text};
use crate::layout::{self, LayoutOptions};
use crate::model::{Boundary, Document, Element, Flow, Id, MAX_COORDINATE, Point, coordinate_in_range, protocol};

/// Class names that mark an element out of scope (compared without case, `-` or `_`).
pub const OUT_OF_SCOPE_CLASS: &str = "tbOutOfScope";

fn is_out_of_scope_class(class: &str) -> bool {
    let key: String = class.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_ascii_lowercase();
    matches!(key.as_str(), "tboutofscope" | "outofscope" | "oos")
}

/// Classes Threatboard writes itself; using them is not worth a warning.
fn is_own_class(class: &str) -> bool {
    class.starts_with("tb")
}

// What the walk collects borrows its text from the parsed diagram (`'a`).

#[derive(Debug)]
struct NodeInfo<'a> {
    mid: &'a str,
    pos: Pos,
    shape: Option<Shape>,
    label: Option<&'a str>,
    out_of_scope: bool,
}

#[derive(Debug)]
struct SubgraphInfo<'a> {
    key: String,
    explicit: bool,
    title: Option<String>,
    pos: Pos,
    /// Node ids and subgraph keys its own statements mention.
    mentions: Vec<Cow<'a, str>>,
}

#[derive(Debug)]
struct EdgeInfo<'a> {
    pos: Pos,
    from: &'a str,
    to: &'a str,
    /// The ends' indices in `Walk::nodes`; `None` for a name no node statement registered.
    from_node: Option<usize>,
    to_node: Option<usize>,
    text: &'a str,
    dotted: bool,
    bidirectional: bool,
}

#[derive(Default)]
struct Walk<'a> {
    nodes: Vec<NodeInfo<'a>>,
    node_index: HashMap<&'a str, usize>,
    /// For each node of the diagram's chains (`Diagram::nodes`), its index in `nodes`.
    node_of: Vec<Option<usize>>,
    subgraphs: Vec<SubgraphInfo<'a>>,
    subgraph_index: HashMap<String, usize>,
    close_order: Vec<usize>,
    edges: Vec<EdgeInfo<'a>>,
    edge_ids: HashSet<&'a str>,
    classes: Vec<(&'a str, &'a str)>,
    warnings: Vec<(Pos, String)>,
    threatboard: bool,
}

impl<'a> Walk<'a> {
    fn warn(&mut self, pos: Pos, message: impl Into<String>) {
        self.warnings.push((pos, message.into()));
    }

    fn node(&mut self, n: &'a super::ast::Node<'_>) -> usize {
        let next = self.nodes.len();
        let i = *self.node_index.entry(n.id).or_insert(next);
        if i == next {
            self.nodes.push(NodeInfo { mid: n.id, pos: n.pos, shape: None, label: None, out_of_scope: false });
        }
        if n.shape.is_some() {
            self.nodes[i].shape = n.shape;
        }
        if let Some(l) = &n.label {
            self.nodes[i].label = Some(&*l.text);
        }
        i
    }

    #[allow(clippy::too_many_lines)] // one arm per statement kind, each short
    fn statements(&mut self, d: &'a Diagram<'_>, stmts: &'a [Stmt], current: Option<usize>) {
        for stmt in stmts {
            match stmt {
                Stmt::Chain(chain) => {
                    for group in &d.groups[chain.groups.clone()] {
                        for at in group.clone() {
                            let n = &d.nodes[at];
                            if n.has_data && n.shape.is_none() && n.label.is_none() && self.edge_ids.contains(n.id) {
                                self.warn(n.pos, format!("properties of link `{}` ignored (styling)", n.id));
                                continue;
                            }
                            let i = self.node(n);
                            self.node_of[at] = Some(i);
                            for (pos, key) in &n.ignored_data {
                                self.warn(*pos, format!("node property `{key}` ignored"));
                            }
                            for class in &n.classes {
                                if is_out_of_scope_class(class) {
                                    self.nodes[i].out_of_scope = true;
                                } else if !is_own_class(class) {
                                    self.warn(n.pos, format!("class `{class}` on `{}` ignored (styling)", n.id));
                                }
                            }
                            if let Some(c) = current {
                                self.subgraphs[c].mentions.push(Cow::Borrowed(n.id));
                            }
                        }
                    }
                    for (k, link) in d.links_of(chain).iter().enumerate() {
                        if let Some(id) = &link.id {
                            self.edge_ids.insert(id);
                        }
                        if link.stroke == Stroke::Invisible {
                            self.warn(link.pos, "invisible link `~~~` ignored (it only guides Mermaid's layout)");
                            continue;
                        }
                        let text = link.label.as_ref().map_or("", |l| &*l.text);
                        let (ga, gb) = (&d.groups[chain.groups.start + k], &d.groups[chain.groups.start + k + 1]);
                        for a in ga.clone() {
                            for b in gb.clone() {
                                let (mut from, mut to) =
                                    ((d.nodes[a].id, self.node_of[a]), (d.nodes[b].id, self.node_of[b]));
                                if link.head_at_start && !link.head_at_end {
                                    std::mem::swap(&mut from, &mut to);
                                }
                                self.edges.push(EdgeInfo {
                                    pos: link.pos,
                                    from: from.0,
                                    to: to.0,
                                    from_node: from.1,
                                    to_node: to.1,
                                    text,
                                    dotted: link.stroke == Stroke::Dotted,
                                    bidirectional: link.head_at_start && link.head_at_end,
                                });
                            }
                        }
                    }
                }
                Stmt::Subgraph(sg) => {
                    let index = if let Some(&i) = sg.id.as_ref().and_then(|id| self.subgraph_index.get(id)) {
                        self.warn(
                            sg.pos,
                            format!("subgraph `{}` appears twice; its members are merged", self.subgraphs[i].key),
                        );
                        i
                    } else {
                        {
                            let key = sg.id.clone().unwrap_or_else(|| format!("\u{0}subgraph{}", self.subgraphs.len()));
                            self.subgraphs.push(SubgraphInfo {
                                key: key.clone(),
                                explicit: sg.id.is_some(),
                                title: sg.title.clone(),
                                pos: sg.pos,
                                mentions: Vec::new(),
                            });
                            self.subgraph_index.insert(key, self.subgraphs.len() - 1);
                            self.subgraphs.len() - 1
                        }
                    };
                    if let Some(c) = current {
                        let key = self.subgraphs[index].key.clone();
                        self.subgraphs[c].mentions.push(Cow::Owned(key));
                    }
                    self.statements(d, &sg.body, Some(index));
                    self.close_order.push(index);
                }
                Stmt::Class { pos, ids, class } => {
                    for id in ids {
                        self.classes.push((id, class));
                    }
                    if !is_out_of_scope_class(class) && !is_own_class(class) {
                        self.warn(*pos, format!("class `{class}` ignored (styling)"));
                    }
                }
                Stmt::Styling { pos, keyword, name } => {
                    let own =
                        (*keyword == "classDef" && is_own_class(name)) || (*keyword == "linkStyle" && self.threatboard);
                    if own {
                        continue;
                    }
                    let message = match *keyword {
                        "direction" => {
                            "`direction` ignored: Threatboard lays the whole diagram out in one direction".to_owned()
                        }
                        "click" => "`click` ignored (interaction)".to_owned(),
                        k => format!("`{k}` ignored (styling)"),
                    };
                    self.warn(*pos, message);
                }
            }
        }
    }
}

/// The element (its index in `Document::elements`) each link end stands for.
struct ElementOf<'a> {
    /// By the end's index in `Walk::nodes`.
    by_node: Vec<Option<usize>>,
    /// For ends that name no node: a subgraph's stand-in.
    by_name: HashMap<&'a str, usize>,
}

impl ElementOf<'_> {
    fn get(&self, name: &str, node: Option<usize>) -> Option<usize> {
        match node {
            Some(k) => self.by_node[k],
            None => self.by_name.get(name).copied(),
        }
    }
}

/// What has an id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Owner {
    /// A boundary.
    Boundary,
    /// An element or a flow: threats can be about it.
    Item,
}

/// The ids given so far in the document being built.
struct Ids(IdTable<Owner>);

impl Ids {
    /// A metadata id is taken by its first user; a second one (a hand-edited file) gets a fresh id.
    fn claim(&mut self, id: Id, owner: Owner, pos: Pos, warnings: &mut Vec<(Pos, String)>) -> Option<Id> {
        if self.0.get(id.as_str()).is_some() {
            warnings.push((pos, format!("id `{id}` from the metadata is used twice; a new one is made")));
            return None;
        }
        self.0.insert_new(id.as_str(), owner);
        Some(id)
    }

    /// Picks a free id: `wanted` when it is a valid id, else a slug of it, made unique; free also
    /// of every id the metadata names, so that it never takes one an item read later will claim.
    fn fresh(&mut self, meta: &Meta<'_>, owner: Owner, wanted: &str, fallback: &str) -> Id {
        let taken = |s: &str| self.0.get(s).is_some() || meta.names(s);
        let base = Id::new(wanted).unwrap_or_else(|_| Id::slug(wanted, fallback));
        let id = if taken(base.as_str()) { Id::unique(&base, taken) } else { base };
        self.0.insert_new(id.as_str(), owner);
        id
    }

    /// Whether an element or a flow has `id`.
    fn is_item(&self, id: &str) -> bool {
        self.0.get(id) == Some(&Owner::Item)
    }
}

/// Maps a parsed diagram onto a document.
#[allow(clippy::too_many_lines)] // one pass per kind of item, in dependency order
///
/// `meta` is what `meta::read_all` found in the diagram's metadata lines, with its warnings.
pub fn to_document<'a>(
    diagram: Diagram<'a>,
    (mut meta, mut meta_warnings): (Meta<'a>, Vec<(Pos, String)>),
    lines: &Lines<'_>,
) -> Imported {
    let mut warnings: Vec<(Pos, String)> = diagram.skipped.clone();
    warnings.append(&mut meta_warnings);
    let mut walk =
        Walk { threatboard: meta.doc.is_some(), node_of: vec![None; diagram.nodes.len()], ..Walk::default() };
    walk.statements(&diagram, &diagram.statements, None);
    // A link end skipped where it was written may be a node registered elsewhere.
    for e in &mut walk.edges {
        e.from_node = e.from_node.or_else(|| walk.node_index.get(e.from).copied());
        e.to_node = e.to_node.or_else(|| walk.node_index.get(e.to).copied());
    }
    warnings.append(&mut walk.warnings);
    for (id, class) in std::mem::take(&mut walk.classes) {
        if is_out_of_scope_class(class)
            && let Some(&i) = walk.node_index.get(id)
        {
            walk.nodes[i].out_of_scope = true;
        }
    }

    // Membership: as in Mermaid, each subgraph claims, when it closes, the nodes and subgraphs its
    // own statements mention and that no subgraph closed before it has claimed.
    let mut claimed: HashMap<&str, usize> = HashMap::with_capacity(walk.nodes.len());
    for &s in &walk.close_order {
        for m in &walk.subgraphs[s].mentions {
            claimed.entry(m).or_insert(s);
        }
    }
    let mut parents: Vec<Option<usize>> = vec![None; walk.subgraphs.len()];
    for &s in &walk.close_order {
        let Some(&p) = claimed.get(walk.subgraphs[s].key.as_str()) else { continue };
        let mut up = Some(p);
        let mut cycle = false;
        while let Some(u) = up {
            if u == s {
                cycle = true;
                break;
            }
            up = parents[u];
        }
        if !cycle {
            parents[s] = Some(p);
        }
    }

    let mut ids = Ids(IdTable::with_capacity(walk.subgraphs.len() + walk.nodes.len() + walk.edges.len()));

    let mut boundary_ids: Vec<Id> = Vec::with_capacity(walk.subgraphs.len());
    for sg in &walk.subgraphs {
        let from_meta = meta.boundaries.get(sg.key.as_str()).and_then(|b| b.id.clone());
        let id = match from_meta.and_then(|id| ids.claim(id, Owner::Boundary, sg.pos, &mut warnings)) {
            Some(id) => id,
            None if sg.explicit => ids.fresh(&meta, Owner::Boundary, &sg.key, "boundary"),
            None => {
                let wanted = Id::slug(sg.title.as_deref().unwrap_or(""), "boundary");
                ids.fresh(&meta, Owner::Boundary, wanted.as_str(), "boundary")
            }
        };
        boundary_ids.push(id);
    }
    let mut doc = Document {
        direction: diagram.direction,
        elements: Vec::with_capacity(walk.nodes.len()),
        flows: Vec::with_capacity(walk.edges.len()),
        ..Document::default()
    };
    for (i, sg) in walk.subgraphs.iter().enumerate() {
        let notes = meta.boundaries.get(sg.key.as_str()).map(|b| b.notes.clone()).unwrap_or_default();
        doc.boundaries.push(Boundary {
            id: boundary_ids[i].clone(),
            label: sg.title.clone().unwrap_or_default(),
            parent: parents[i].map(|p| boundary_ids[p].clone()),
            notes,
        });
    }

    let mut positioned: Vec<bool> = Vec::new();
    let mut element_of = ElementOf { by_node: vec![None; walk.nodes.len()], by_name: HashMap::new() };
    let mut add_element = |doc: &mut Document,
                           positioned: &mut Vec<bool>,
                           warnings: &mut Vec<(Pos, String)>,
                           ids: &mut Ids,
                           info: &NodeInfo<'_>,
                           boundary: Option<usize>,
                           stand_in: Option<&SubgraphInfo<'_>>| {
        let mut em = meta.elements.take(info.mid).unwrap_or_default();
        let id = match em.id.take().and_then(|id| ids.claim(id, Owner::Item, info.pos, warnings)) {
            Some(id) => id,
            None if stand_in.is_some() => {
                ids.fresh(&meta, Owner::Item, &format!("{}-node", Id::slug(info.mid, "boundary")), "node")
            }
            None => ids.fresh(&meta, Owner::Item, info.mid, "node"),
        };
        let label = match (info.label, stand_in) {
            (Some(l), _) => l.to_owned(),
            (None, Some(sg)) => sg.title.clone().unwrap_or_else(|| info.mid.to_owned()),
            (None, None) => info.mid.to_owned(),
        };
        let notes = match (stand_in, em.notes.is_empty()) {
            (Some(_), true) => format!("Stands for the Mermaid subgraph `{}`, which links pointed at.", info.mid),
            _ => em.notes,
        };
        let at = match em.at {
            Some([x, y]) if coordinate_in_range(x) && coordinate_in_range(y) => Some(Point::new(x, y)),
            Some([x, y]) => {
                warnings.push((
                    info.pos,
                    format!(
                        "position [{x}, {y}] of `{id}` is outside ±{MAX_COORDINATE}; the element is laid out instead"
                    ),
                ));
                None
            }
            None => None,
        };
        positioned.push(at.is_some());
        let at = at.unwrap_or_default();
        doc.elements.push(Element {
            id,
            kind: em.kind.unwrap_or_else(|| shapes::kind(info.shape)),
            label,
            boundary: boundary.map(|b| boundary_ids[b].clone()),
            at,
            out_of_scope: info.out_of_scope,
            out_of_scope_reason: em.out_of_scope_reason,
            notes,
        });
        doc.elements.len() - 1
    };
    for (k, info) in walk.nodes.iter().enumerate() {
        if walk.subgraph_index.contains_key(info.mid) {
            continue;
        }
        let boundary = claimed.get(info.mid).copied();
        element_of.by_node[k] =
            Some(add_element(&mut doc, &mut positioned, &mut warnings, &mut ids, info, boundary, None));
    }
    // Links to a subgraph: an element inside its boundary stands for it.
    for e in &walk.edges {
        for (end, node) in [(e.from, e.from_node), (e.to, e.to_node)] {
            if element_of.get(end, node).is_some() {
                continue;
            }
            let Some(&s) = walk.subgraph_index.get(end) else { continue };
            let sg = &walk.subgraphs[s];
            let info = node.map_or_else(
                || NodeInfo { mid: end, pos: e.pos, shape: None, label: None, out_of_scope: false },
                |i| NodeInfo {
                    mid: end,
                    pos: e.pos,
                    shape: walk.nodes[i].shape,
                    label: walk.nodes[i].label,
                    out_of_scope: walk.nodes[i].out_of_scope,
                },
            );
            let i = add_element(&mut doc, &mut positioned, &mut warnings, &mut ids, &info, Some(s), Some(sg));
            let id = &doc.elements[i].id;
            warnings.push((
                e.pos,
                format!("link to subgraph `{end}`: flows connect elements, so element `{id}` inside the boundary stands for it"),
            ));
            match node {
                Some(k) => element_of.by_node[k] = Some(i),
                None => {
                    element_of.by_name.insert(end, i);
                }
            }
        }
    }

    for e in &walk.edges {
        let (Some(from), Some(to)) = (element_of.get(e.from, e.from_node), element_of.get(e.to, e.to_node)) else {
            continue;
        };
        let (from, to) = (&doc.elements[from].id, &doc.elements[to].id);
        let fm = meta.flows.pop(e.from, e.to);
        let (label, protocol, mut fm) = if let Some(mut fm) = fm {
            let protocol = std::mem::take(&mut fm.protocol);
            (text::split_flow_text(e.text, &protocol), protocol, fm)
        } else {
            let p = protocol::recognise(e.text).map(|p| p.name.to_owned()).unwrap_or_default();
            (e.text.to_owned(), p, meta::FlowMeta::default())
        };
        let id = match fm.id.take().and_then(|id| ids.claim(id, Owner::Item, e.pos, &mut warnings)) {
            Some(id) => id,
            None => ids.fresh(&meta, Owner::Item, Id::slug(&format!("{from}-to-{to}"), "flow").as_str(), "flow"),
        };
        doc.flows.push(Flow {
            id,
            from: from.clone(),
            to: to.clone(),
            label,
            protocol,
            encrypted: fm.encrypted,
            bidirectional: e.bidirectional,
            out_of_scope: e.dotted,
            out_of_scope_reason: fm.out_of_scope_reason,
            notes: fm.notes,
        });
    }

    let mut threat_ids = HashSet::new();
    for (pos, t) in std::mem::take(&mut meta.threats) {
        if !ids.is_item(t.target.as_str()) {
            warnings.push((
                pos,
                format!("threat `{}` is about `{}`, which the diagram no longer has; dropped", t.id, t.target),
            ));
        } else if !threat_ids.insert(t.id.clone()) {
            warnings.push((pos, format!("threat id `{}` appears twice; the second is dropped", t.id)));
        } else {
            doc.threats.push(t);
        }
    }
    if let Some(dm) = meta.doc.take() {
        doc.title = dm.title;
        doc.description = dm.description;
        doc.decomposition = dm.decomposition;
        doc.dismissed = dm.dismissed.into_iter().filter(|d| ids.is_item(d.target.as_str())).collect();
        reorder(&mut doc.boundaries, &dm.boundary_order, |b| &b.id);
        let mut paired: Vec<(Element, bool)> = doc.elements.drain(..).zip(positioned.drain(..)).collect();
        reorder(&mut paired, &dm.element_order, |(e, _)| &e.id);
        (doc.elements, positioned) = paired.into_iter().unzip();
    } else {
        doc.title = diagram.title.or(diagram.acc_title).unwrap_or_default();
        doc.description = diagram.acc_descr.unwrap_or_default();
    }

    if positioned.iter().any(|p| !p) {
        let pinned = doc.elements.iter().zip(&positioned).filter(|(_, p)| **p).map(|(e, _)| e.id.clone()).collect();
        layout::layout(&mut doc, &LayoutOptions { pinned, ..LayoutOptions::default() });
    }

    warnings.sort_by_key(|(pos, _)| *pos);
    let warnings = warnings
        .into_iter()
        .map(|(pos, message)| {
            let (line, column) = lines.locate(pos);
            Warning { line, column, message }
        })
        .collect();
    Imported { document: doc, warnings }
}

/// Puts the items named in `order` first, in that order, and the others after them as they were.
fn reorder<T>(items: &mut Vec<T>, order: &[Id], id: impl Fn(&T) -> &Id) {
    if order.is_empty() {
        return;
    }
    let rank: HashMap<&str, usize> = order.iter().enumerate().map(|(i, id)| (id.as_str(), i)).collect();
    let mut keyed: Vec<(usize, usize, T)> = items
        .drain(..)
        .enumerate()
        .map(|(i, t)| (rank.get(id(&t).as_str()).copied().unwrap_or(usize::MAX), i, t))
        .collect();
    keyed.sort_by_key(|(r, i, _)| (*r, *i));
    items.extend(keyed.into_iter().map(|(_, _, t)| t));
}
