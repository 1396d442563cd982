//! Flows in a scene: routing each flow's line (spread apart from flows between the same two elements,
//! bent around elements in the way) and placing its label where it hides the least.

use std::collections::HashMap;
use std::sync::LazyLock;

use super::grid::{Grid, GridBuilder, Marks};
use super::route::{self, ARROW_LENGTH, Curve, Outline, PARALLEL_SPACING};
use super::scene::{
    Anchor, BADGE_RADIUS, BoundaryShape, ElementShape, FLOW_FONT, FLOW_LINE, FlowLabel, FlowShape, HARD, NO_OWNER,
    OWN_LINE, SOFT, TextBlock,
};
use super::style::{LineStyle, Palette, Style};
use super::{name_or_id, text};
use crate::model::geometry::{self, Rect};
use crate::model::{Document, Encryption, Flow, Id, Index, Point, encryption};

/// Padding inside flow label boxes.
const LABEL_PAD: f64 = 4.0;
/// Room taken by the padlock before an encrypted flow's protocol.
const LOCK_ROOM: f64 = 11.0;
/// Longest line of a flow label, in characters, before it wraps.
const FLOW_WRAP: usize = 24;
/// Most lines a flow label shows.
const FLOW_MAX_LINES: usize = 3;
/// The widest spread between the middles of two neighbouring parallel flows.
const MAX_SPACING: f64 = 120.0;

/// A flow label's text and size, before it is placed.
struct LabelText {
    lines: Vec<String>,
    protocol: Option<String>,
    locked: bool,
    protocol_w: f64,
    w: f64,
    h: f64,
}

impl LabelText {
    fn of(flow: &Flow, enc: Encryption) -> Option<Self> {
        let lines = text::wrap(&text::clean(flow.shown_label()), FLOW_WRAP, FLOW_MAX_LINES);
        let protocol = text::clean_line(&flow.protocol);
        let protocol = (!protocol.is_empty()).then(|| text::fit(&protocol, 160.0, FLOW_FONT));
        if lines.is_empty() && protocol.is_none() {
            return None;
        }
        let locked = enc == Encryption::Encrypted && protocol.is_some();
        let text_w = lines.iter().map(|l| text::width(l, FLOW_FONT)).fold(0.0, f64::max);
        let protocol_w =
            protocol.as_deref().map_or(0.0, |p| text::width(p, FLOW_FONT) + if locked { LOCK_ROOM } else { 0.0 });
        let rows = lines.len() + usize::from(protocol.is_some());
        Some(Self {
            w: text_w.max(protocol_w) + 2.0 * LABEL_PAD,
            h: rows as f64 * FLOW_LINE + LABEL_PAD,
            lines,
            protocol,
            locked,
            protocol_w,
        })
    }

    /// How far the box reaches along the unit vector `n`, from side to side.
    fn extent(&self, n: Point) -> f64 {
        n.x.abs() * self.w + n.y.abs() * self.h
    }
}

fn flow_style(flow: &Flow, enc: Encryption, palette: &Palette) -> Style {
    if flow.out_of_scope {
        return Style {
            stroke: palette.out_of_scope,
            fill: Some(palette.label_fill),
            text: palette.muted,
            width: 1.6,
            line: LineStyle::Dotted,
            opacity: 1.0,
        };
    }
    let (width, line) = match enc {
        Encryption::Encrypted => (4.2, LineStyle::Double),
        Encryption::Plain => (1.8, LineStyle::Solid),
        Encryption::Unknown => (1.4, LineStyle::Solid),
    };
    Style { stroke: palette.flow(enc), fill: Some(palette.label_fill), text: palette.ink, width, line, opacity: 1.0 }
}

fn flow_tooltip<'a>(flow: &'a Flow, index: &Index<'a>, enc: Encryption) -> String {
    let name = |id: &'a Id| index.element(id.as_str()).map_or(id.as_str(), |e| name_or_id(&e.label, &e.id));
    let arrow = if flow.bidirectional { "↔" } else { "→" };
    let mut t = format!("{} {arrow} {}", text::clean_line(name(&flow.from)), text::clean_line(name(&flow.to)));
    if !flow.label.is_empty() {
        t.push_str(": ");
        t.push_str(&text::clean_line(&flow.label));
    }
    let protocol = text::clean_line(&flow.protocol);
    t.push_str(" (");
    t.push_str(&protocol);
    if !protocol.is_empty() {
        t.push_str(", ");
    }
    t.push_str(enc.as_str());
    t.push(')');
    if flow.out_of_scope {
        t.push_str("\nOut of scope");
        if !flow.out_of_scope_reason.is_empty() {
            t.push_str(": ");
            t.push_str(&text::clean_line(&flow.out_of_scope_reason));
        }
    }
    if !flow.notes.is_empty() {
        t.push('\n');
        t.push_str(&text::clean(&flow.notes));
    }
    t
}

/// A straight route through more elements than this runs through a crowd: it is not bent around them.
const CROWD: usize = 3;

/// The offsets that bend a flow around elements in its way, nearest to `base` first, on `base`'s side first.
fn offset_candidates(base: f64) -> impl Iterator<Item = f64> {
    let side = if base < 0.0 { -1.0 } else { 1.0 };
    std::iter::once(base).chain((1..=6).flat_map(move |k| {
        let step = f64::from(k) * 30.0 * side;
        [base + step, base - step]
    }))
}

/// How many elements other than `ends` the curve runs through, counted up to `enough` (at most
/// [`CROWD`] + 1): a route that already hits that many cannot beat the best one found, so its count
/// need not be finished.
fn blocked(curve: &Curve, obstacles: &Grid, ends: [u32; 2], enough: usize) -> usize {
    let enough = enough.min(CROWD + 1);
    let mut hits = [u32::MAX; CROWD + 1];
    let mut count = 0;
    let mut prev = curve.start();
    // A straight line is its own one piece: the boxes a convex box's pieces meet are the ones it meets.
    let pieces = if matches!(curve, Curve::Line { .. }) { 1 } else { 16 };
    for q in curve.sample(pieces).skip(1) {
        let p = prev;
        let (lo_x, hi_x, lo_y, hi_y) = (p.x.min(q.x), p.x.max(q.x), p.y.min(q.y), p.y.max(q.y));
        obstacles.along(p, q, |r, owner, _| {
            // Boxes beside the piece are most of those near it: cheaper to pass over than to clip.
            let beside = r.max_x < lo_x || r.min_x > hi_x || r.max_y < lo_y || r.min_y > hi_y;
            if count < enough
                && !beside
                && !ends.contains(&owner)
                && !hits[..count].contains(&owner)
                && route::segment_hits(p, q, r)
            {
                hits[count] = owner;
                count += 1;
            }
        });
        if count >= enough {
            break;
        }
        prev = q;
    }
    count
}

/// Flows between the same two elements, either way, form a group, keyed by the two ids in order.
fn pair(f: &Flow) -> (&str, &str) {
    if f.from <= f.to { (f.from.as_str(), f.to.as_str()) } else { (f.to.as_str(), f.from.as_str()) }
}

/// The sideways offset of each flow in its group (by position in `doc.flows`): neighbours are spread far
/// enough apart for their labels to sit side by side on their own lines, within [`MAX_SPACING`].
fn group_offsets(doc: &Document, index: &Index<'_>, outlines: &[Outline], texts: &[Option<LabelText>]) -> Vec<f64> {
    let mut groups: HashMap<(&str, &str), Vec<usize>> = HashMap::new();
    for (i, f) in doc.flows.iter().enumerate() {
        groups.entry(pair(f)).or_default().push(i);
    }
    let centre = |id: &str| index.element_position(id).map(|i| outlines[i].rect.centre());
    let mut offsets = vec![0.0; doc.flows.len()];
    for (i, f) in doc.flows.iter().enumerate() {
        let key = pair(f);
        let Some(members) = groups.get(&key) else { continue };
        // Each group is laid out once, when its first member comes up.
        if members.len() < 2 || members[0] != i || key.0 == key.1 {
            continue;
        }
        let (Some(a), Some(b)) = (centre(key.0), centre(key.1)) else { continue };
        let normal = route::pair_normal(a, b);
        let extent = |m: usize| texts[m].as_ref().map_or(0.0, |t| t.extent(normal));
        let mut at = 0.0;
        let mut positions = vec![0.0];
        for w in members.windows(2) {
            at += (f64::midpoint(extent(w[0]), extent(w[1])) + 6.0).clamp(PARALLEL_SPACING, MAX_SPACING);
            positions.push(at);
        }
        for (m, p) in members.iter().zip(positions) {
            offsets[*m] = p - at / 2.0;
        }
    }
    offsets
}

/// A flow's line and the side it bends to (a unit vector).
pub(super) struct Route {
    pub curve: Curve,
    pub bend: Point,
}

/// Routes every flow of `doc` between the `outlines` of its elements (in document order): flows between
/// the same two elements spread apart by [`group_offsets`], self-loops stacked, and, with `obstacles`,
/// each line bent around the elements in its way where a nearby bend clears them. `None` for a flow
/// whose ends are missing.
fn routes(
    doc: &Document,
    index: &Index<'_>,
    outlines: &[Outline],
    offsets: &[f64],
    obstacles: Option<&Grid>,
) -> Vec<Option<Route>> {
    // Which of its element's self-loops each self-loop is, in document order: the one part that
    // depends on the flows before; the rest of each route depends on nothing but the flow.
    let mut loops: HashMap<&str, usize> = HashMap::new();
    let nth_loop: Vec<usize> = doc
        .flows
        .iter()
        .map(|f| {
            if f.from != f.to || index.element_position(f.from.as_str()).is_none() {
                return 0;
            }
            let nth = loops.entry(f.from.as_str()).or_default();
            *nth += 1;
            *nth - 1
        })
        .collect();
    in_parallel(doc.flows.len(), |fi| {
        let f = &doc.flows[fi];
        let ia = index.element_position(f.from.as_str())?;
        let ib = index.element_position(f.to.as_str())?;
        let (oa, ob) = (&outlines[ia], &outlines[ib]);
        if ia == ib {
            return Some(Route { curve: route::self_loop(oa, nth_loop[fi]), bend: Point::new(0.707, -0.707) });
        }
        let key = pair(f);
        let (first, second) = if f.from.as_str() == key.0 { (oa, ob) } else { (ob, oa) };
        let normal = route::pair_normal(first.rect.centre(), second.rect.centre());
        let base = offsets[fi];
        let (curve, offset) = match obstacles {
            Some(grid) => around(oa, ob, normal, base, grid, [ia as u32, ib as u32]),
            None => (route::between(oa, ob, base, normal), base),
        };
        Some(Route { curve, bend: if offset < 0.0 { Point::new(-normal.x, -normal.y) } else { normal } })
    })
}

/// From this many items on, [`in_parallel`] shares them among threads: below it, starting a
/// thread costs more than it saves (routing 1 000 flows takes about 5 ms).
const PARALLEL_ITEMS: usize = 2000;

/// `(0..n).map(f)`, computed by as many threads as the machine has cores once `n` is large. Each
/// item depends only on its index, so the result is the same however the work is shared.
fn in_parallel<T: Send>(n: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    if n < PARALLEL_ITEMS {
        return (0..n).map(f).collect();
    }
    in_parallel_always(n, f)
}

/// `(0..n).map(f)`, computed by as many threads as the machine has cores, however small `n` is.
fn in_parallel_always<T: Send>(n: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get).min(8);
    if threads < 2 || n < 2 {
        return (0..n).map(f).collect();
    }
    let chunk = n.div_ceil(threads);
    let f = &f;
    std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..threads)
            .map(|t| {
                let range = (t * chunk).min(n)..((t + 1) * chunk).min(n);
                (
                    range.clone(),
                    std::thread::Builder::new().spawn_scoped(scope, move || range.map(f).collect::<Vec<T>>()),
                )
            })
            .collect();
        let mut out: Vec<T> = (0..chunk.min(n)).map(f).collect();
        for (range, helper) in helpers {
            // A thread that could not start, or failed, has its share computed here.
            match helper.ok().and_then(|h| h.join().ok()) {
                Some(part) => out.extend(part),
                None => out.extend(range.map(f)),
            }
        }
        out
    })
}

/// The curve from `a` to `b` that runs through the fewest elements other than its `ends`, trying bends
/// ever further from `base`; returns it with its offset.
fn around(a: &Outline, b: &Outline, normal: Point, base: f64, obstacles: &Grid, ends: [u32; 2]) -> (Curve, f64) {
    let mut best: Option<(usize, Curve, f64)> = None;
    for (k, offset) in offset_candidates(base).enumerate() {
        let c = route::between(a, b, offset, normal);
        // The straight route need only be counted far enough to tell a crowd (given up on below).
        let enough = best.as_ref().map_or(CROWD + 1, |(h, _, _)| *h);
        let hits = blocked(&c, obstacles, ends, enough);
        if best.as_ref().is_none_or(|(h, _, _)| hits < *h) {
            best = Some((hits, c, offset));
        }
        // Nothing to avoid, or a straight route through a crowd that no nearby offset clears.
        if hits == 0 || (k == 0 && hits > CROWD) {
            break;
        }
    }
    best.map_or_else(|| (route::between(a, b, base, normal), base), |(_, c, offset)| (c, offset))
}

/// The obstacles flows are routed around: each element's box with a little room.
pub(super) fn obstacle_grid(boxes: impl Iterator<Item = Rect>) -> Grid {
    let boxes: Vec<Rect> = boxes.map(|r| r.expand(4.0, 4.0, 4.0, 4.0)).collect();
    let mut obstacles =
        boxes.iter().copied().reduce(|a, b| a.union(&b)).map_or_else(GridBuilder::default, GridBuilder::covering);
    obstacles.reserve(boxes.len());
    for (i, r) in boxes.into_iter().enumerate() {
        obstacles.insert(r, i as u32);
    }
    obstacles.build()
}

/// The line of each flow of `doc` (document order; `None` where an end is missing), routed as the drawn
/// exports route it, bent around elements in the way when `avoid` is set.
pub(super) fn curves(doc: &Document, avoid: bool) -> Vec<Option<Curve>> {
    let index = Index::new(doc);
    let outlines: Vec<Outline> = doc
        .elements
        .iter()
        .map(|e| Outline::new(e.kind, Rect::centred(e.at, geometry::element_size(e.kind, &e.label))))
        .collect();
    let texts: Vec<Option<LabelText>> = doc.flows.iter().map(|f| LabelText::of(f, encryption(f))).collect();
    let offsets = group_offsets(doc, &index, &outlines, &texts);
    let obstacles = avoid.then(|| obstacle_grid(outlines.iter().map(|o| o.rect)));
    routes(doc, &index, &outlines, &offsets, obstacles.as_ref()).into_iter().map(|r| r.map(|r| r.curve)).collect()
}

/// Routes every flow and places its label. Labels keep clear of what `labels` already holds, of the
/// `boundaries`' labels (moved along their boxes' top edges clear of the lines first, see
/// [`place_boundary_labels`]) and of other flows' lines, filed over `area`.
pub(super) fn flow_shapes(
    doc: &Document,
    index: &Index<'_>,
    elements: &[ElementShape],
    palette: &Palette,
    obstacles: &Grid,
    (area, mut labels, boundaries): (Option<Rect>, GridBuilder, &mut [BoundaryShape]),
    badged: impl Fn(&str) -> bool,
) -> Vec<FlowShape> {
    let texts = in_parallel(doc.flows.len(), |i| LabelText::of(&doc.flows[i], encryption(&doc.flows[i])));
    let outlines: Vec<Outline> = elements.iter().map(|e| Outline { rect: e.rect, radius: e.radius }).collect();
    let offsets = group_offsets(doc, index, &outlines, &texts);
    let routes = routes(doc, index, &outlines, &offsets, Some(obstacles));
    // Shapes and tooltips need nothing but their own flow and route.
    let built = in_parallel(doc.flows.len(), |fi| {
        let (f, Route { curve, bend }) = (&doc.flows[fi], routes[fi].as_ref()?);
        let enc = encryption(f);
        let mut arrowheads = vec![route::arrowhead(curve.end(), curve.end_direction())];
        if f.bidirectional {
            let back = curve.start_direction();
            arrowheads.push(route::arrowhead(curve.start(), Point::new(-back.x, -back.y)));
        }
        let trim = ARROW_LENGTH * 0.8;
        Some(FlowShape {
            id: f.id.clone(),
            curve: curve.trimmed(if f.bidirectional { trim } else { 0.0 }, trim),
            route: *curve,
            bend: *bend,
            arrowheads,
            label: None,
            encryption: enc,
            bidirectional: f.bidirectional,
            out_of_scope: f.out_of_scope,
            tooltip: flow_tooltip(f, index, enc),
            style: flow_style(f, enc, palette),
        })
    });
    let mut shapes = Vec::with_capacity(doc.flows.len());
    let mut text_of = Vec::with_capacity(doc.flows.len());
    for (fi, shape) in built.into_iter().enumerate() {
        if let Some(shape) = shape {
            shapes.push(shape);
            text_of.push(fi);
        }
    }
    labels.reserve(shapes.iter().map(|f| f.arrowheads.len()).sum::<usize>() + shapes.len() + boundaries.len());
    for f in &shapes {
        mark_arrowheads(&mut labels, f);
    }
    let pieces: Vec<usize> = shapes.iter().map(line_marks).collect();
    let lines =
        shapes.iter().zip(&pieces).enumerate().flat_map(|(i, (f, n))| f.curve.sample(*n).map(move |p| (p, i as u32)));
    let marks = Marks::build(area, (MARK_HALF, SOFT), pieces.iter().map(|n| n + 1).sum(), lines);
    place_boundary_labels(boundaries, &marks, obstacles, &mut labels);
    let mut labels = labels.build();
    // Big labels have the fewest places to go: they choose first (ties in document order).
    let mut order: Vec<usize> = (0..shapes.len()).collect();
    let size = |i: usize| texts[text_of[i]].as_ref().map_or(0.0, |t| t.w * t.h);
    order.sort_by(|a, b| size(*b).total_cmp(&size(*a)).then(a.cmp(b)));
    let wanted: Vec<(usize, &LabelText, bool)> = order
        .into_iter()
        .filter_map(|i| texts[text_of[i]].as_ref().map(|t| (i, t, badged(shapes[i].id.as_str()))))
        .collect();
    let placed = place_labels(&shapes, &wanted, &mut labels, &marks);
    for (i, label) in placed {
        shapes[i].label = Some(label);
    }
    shapes
}

/// From this many labels on, [`place_labels`] places those of each strip of the drawing on its own.
const STRIP_LABELS: usize = 2000;
/// The number of vertical strips a large drawing's labels are placed in: fixed, so the drawing does
/// not depend on the number of cores.
const STRIPS: usize = 8;

/// Places `wanted` labels (flow index, text, whether a badge needs room), in that order, each clear of
/// what `labels` holds, of the labels placed before it and of the `lines` of flows.
///
/// A large drawing is cut into [`STRIPS`] vertical strips. A label whose every candidate spot lies
/// within one strip can only meet labels of that strip; the others, across strip edges, are placed
/// first, in order, and then each strip's labels in order, strips side by side on every core. The
/// result depends only on the document.
fn place_labels(
    shapes: &[FlowShape],
    wanted: &[(usize, &LabelText, bool)],
    labels: &mut Grid,
    lines: &Marks,
) -> Vec<(usize, FlowLabel)> {
    let place_into = |grid: &mut Grid, (i, t, badge): (usize, &LabelText, bool), extra: Option<&Grid>| {
        let cost = |r: &Rect, enough: f64| {
            let factor = |o: u32| if o == i as u32 { OWN_LINE / SOFT } else { 1.0 };
            let mut sum = grid.overlap_up_to(r, factor, enough);
            if let Some(g) = extra.filter(|_| sum <= enough) {
                sum += g.overlap_up_to(r, factor, enough - sum);
            }
            if sum <= enough {
                sum += lines.overlap_up_to(r, factor, enough - sum);
            }
            sum
        };
        let (label, covers) = place_label(t, &shapes[i], badge, cost);
        grid.insert_weighted(covers, NO_OWNER, HARD);
        (i, label)
    };
    let regions: Vec<Rect> = wanted.iter().map(|&(i, t, badge)| label_region(t, &shapes[i], badge)).collect();
    let strips_over = regions
        .iter()
        .copied()
        .reduce(|a, b| a.union(&b))
        .map(|bounds| (bounds, bounds.width() / STRIPS as f64))
        .filter(|(_, width)| wanted.len() >= STRIP_LABELS && *width > 0.0 && width.is_finite());
    let Some((bounds, width)) = strips_over else {
        return wanted.iter().map(|&w| place_into(labels, w, None)).collect();
    };
    let strip_of = |r: &Rect| {
        // Saturating casts: a region outside the bounds (it cannot be) would fall outside 0..STRIPS.
        let at = |x: f64| ((x - bounds.min_x) / width).floor() as i64;
        let (first, last) = (at(r.min_x), at(r.max_x));
        (first == last).then(|| usize::try_from(first).ok()).flatten().filter(|s| *s < STRIPS)
    };
    let mut strips: Vec<Vec<(usize, &LabelText, bool)>> = vec![Vec::new(); STRIPS];
    let mut placed = Vec::with_capacity(wanted.len());
    for (&w, region) in wanted.iter().zip(&regions) {
        match strip_of(region) {
            Some(s) => strips[s].push(w),
            None => placed.push(place_into(labels, w, None)),
        }
    }
    let shared: &Grid = labels;
    let per_strip = in_parallel_always(STRIPS, |s| {
        let strip =
            Rect { min_x: bounds.min_x + width * s as f64, max_x: bounds.min_x + width * (s + 1) as f64, ..bounds };
        let mut mine = Grid::covering(strip);
        strips[s].iter().map(|&w| place_into(&mut mine, w, Some(shared))).collect::<Vec<_>>()
    });
    placed.extend(per_strip.into_iter().flatten());
    placed
}

/// Most places along its box's top edge a boundary label is tried at.
const BOUNDARY_LABEL_SPOTS: usize = 48;
/// What moving a boundary label one unit to the right of its box's corner costs, in units of area
/// covered: a line that only grazes the label does not move it far.
const BOUNDARY_LABEL_SHIFT: f64 = 0.02;

/// The box a boundary's label keeps clear, where it is drawn now.
fn boundary_label_box(b: &BoundaryShape) -> Rect {
    let w = b.label.lines.iter().map(|l| text::width(l, b.label.size)).fold(0.0, f64::max);
    Rect { min_x: b.label.x - 2.0, min_y: b.rect.min_y + 3.0, max_x: b.label.x + 2.0 + w, max_y: b.rect.min_y + 20.0 }
}

/// Moves each boundary's label along the top edge of its box, from the top-left corner rightwards, to
/// the first place that no flow line (of `lines`) or element (of `obstacles`) covers, or failing that
/// where they cover the least, so that no line runs through its text; then files it in `labels` for
/// flow labels to keep clear of.
fn place_boundary_labels(boundaries: &mut [BoundaryShape], lines: &Marks, obstacles: &Grid, labels: &mut GridBuilder) {
    for b in boundaries {
        let at_left = boundary_label_box(b);
        let room = (b.rect.max_x - 8.0 - at_left.max_x).max(0.0);
        let spots = ((room / 12.0).floor() as usize + 1).min(BOUNDARY_LABEL_SPOTS);
        let mut best: Option<(f64, f64)> = None;
        for k in 0..spots {
            let dx = if spots > 1 { room * k as f64 / (spots - 1) as f64 } else { 0.0 };
            let penalty = dx * BOUNDARY_LABEL_SHIFT;
            // Spots further right cost more: once the best beats a spot's penalty, it is final.
            if best.is_some_and(|(c, _)| c <= penalty) {
                break;
            }
            // With some room beside the text, so that a line just missing the label does not hug it.
            let r = Rect { min_x: at_left.min_x + dx - 6.0, max_x: at_left.max_x + dx + 6.0, ..at_left };
            let enough = best.map_or(f64::INFINITY, |(c, _)| c - penalty);
            let mut cost = lines.overlap_up_to(&r, |_| 1.0, enough);
            if cost <= enough {
                cost += obstacles.overlap_up_to(&r, |_| HARD, enough - cost);
            }
            let cost = cost + penalty;
            if best.is_none_or(|(c, _)| cost < c) {
                best = Some((cost, dx));
            }
        }
        b.label.x += best.map_or(0.0, |(_, dx)| dx);
        labels.insert_weighted(boundary_label_box(b), NO_OWNER, HARD);
    }
}

/// Everywhere a flow's label (and its badge) could be put by [`place_label`].
fn label_region(t: &LabelText, shape: &FlowShape, badged: bool) -> Rect {
    let largest = t.w.max(t.h);
    let side = 1.6 * (largest / 2.0 + 3.0);
    let reach = side + largest / 2.0 + if badged { BADGE_RADIUS } else { 0.0 } + 1.0;
    shape.curve.bounds().expand(reach, reach, reach, reach)
}

/// Half the side of the squares that mark a flow's line for labels to avoid.
pub(super) const MARK_HALF: f64 = 2.5;

/// How many pieces a flow's line is cut into where it is marked for labels to avoid: one per 14 units
/// of its bounds, 2 to 48.
fn line_marks(f: &FlowShape) -> usize {
    let b = f.curve.bounds();
    ((b.width() + b.height()) / 14.0).ceil().clamp(2.0, 48.0) as usize
}

/// Marks a routed flow's arrowheads in `labels` as hard obstacles: no label may hide where a flow ends.
/// (Its line, a soft obstacle, is sampled into [`Marks`] by [`flow_shapes`].)
fn mark_arrowheads(labels: &mut GridBuilder, f: &FlowShape) {
    for head in &f.arrowheads {
        let r = head
            .iter()
            .fold(Rect { min_x: head[0].x, min_y: head[0].y, max_x: head[0].x, max_y: head[0].y }, |r, p| {
                r.union(&Rect { min_x: p.x, min_y: p.y, max_x: p.x, max_y: p.y })
            });
        labels.insert_weighted(r.expand(2.0, 2.0, 2.0, 2.0), NO_OWNER, HARD);
    }
}

/// Where a flow's label may go, as (penalty, position along the line, sideways shift in label
/// widths), cheapest first: the middle before the ends, on the line before beside it.
static LABEL_SPOTS: LazyLock<Vec<(f64, f64, f64)>> = LazyLock::new(|| {
    let mut spots = Vec::with_capacity(45);
    for (ti, t) in [0.5, 0.42, 0.58, 0.34, 0.66, 0.26, 0.74, 0.18, 0.82].into_iter().enumerate() {
        for (shift, cost) in [(0.0, 0.0), (1.0, 25.0), (-1.0, 40.0), (1.6, 90.0), (-1.6, 105.0)] {
            spots.push((ti as f64 * 12.0 + cost, t, shift));
        }
    }
    spots.sort_by(|a, b| a.0.total_cmp(&b.0));
    spots
});

/// Places a flow's label along its line where it covers the least (see [`HARD`], [`SOFT`] and
/// [`OWN_LINE`]), trying spots from the middle outwards, on the line before beside it. `badged` keeps
/// room for the threat badge at the box's top-right corner.
#[allow(clippy::many_single_char_names)] // geometry reads best in its textbook letters
fn place_label(
    t: &LabelText,
    shape: &FlowShape,
    badged: bool,
    cost_of: impl Fn(&Rect, f64) -> f64,
) -> (FlowLabel, Rect) {
    let (curve, bend, w, h) = (&shape.curve, shape.bend, t.w, t.h);
    let box_at =
        |c: Point| Rect { min_x: c.x - w / 2.0, min_y: c.y - h / 2.0, max_x: c.x + w / 2.0, max_y: c.y + h / 2.0 };
    let with_badge = |r: Rect| if badged { r.expand(0.0, BADGE_RADIUS, BADGE_RADIUS, 0.0) } else { r };
    // Spots, cheapest first; beside the line means on the side the flow bends to first. The search
    // stops once no later spot can be better.
    let spots = &*LABEL_SPOTS;
    let mut best: Option<(f64, Rect)> = None;
    for (i, &(penalty, at, shift)) in spots.iter().enumerate() {
        let p = curve.point_at(at);
        let n = curve.normal_at(at);
        let side = if n.x * bend.x + n.y * bend.y < 0.0 { -1.0 } else { 1.0 };
        let d = (t.extent(n) / 2.0 + 3.0) * shift * side;
        let rect = box_at(Point::new(p.x + n.x * d, p.y + n.y * d));
        // A spot costing as much as the best so far cannot replace it: its sum may stop early.
        let enough = best.as_ref().map_or(f64::INFINITY, |(c, _)| c - penalty);
        let cost = cost_of(&with_badge(rect), enough) + penalty;
        if best.as_ref().is_none_or(|(c, _)| cost < *c) {
            best = Some((cost, rect));
        }
        let next_penalty = spots.get(i + 1).map_or(f64::MAX, |s| s.0);
        if best.as_ref().is_some_and(|(c, _)| *c <= next_penalty) {
            break;
        }
    }
    let rect = best.map_or_else(|| box_at(curve.point_at(0.5)), |(_, r)| r);

    let cx = rect.centre().x;
    let first = rect.min_y + LABEL_PAD / 2.0 + FLOW_LINE * 0.5 + FLOW_FONT * 0.35;
    let proto_y = first + t.lines.len() as f64 * FLOW_LINE;
    let lock = t.locked.then(|| {
        let left = cx - t.protocol_w / 2.0;
        Rect { min_x: left, min_y: proto_y - 8.5, max_x: left + 7.5, max_y: proto_y + 0.5 }
    });
    let block = |lines: Vec<String>, x: f64, y: f64| TextBlock {
        lines,
        x,
        y,
        size: FLOW_FONT,
        line_height: FLOW_LINE,
        anchor: Anchor::Middle,
    };
    let label = FlowLabel {
        rect,
        text: block(t.lines.clone(), cx, first),
        protocol: t
            .protocol
            .clone()
            .map(|p| block(vec![p], cx + if t.locked { LOCK_ROOM / 2.0 } else { 0.0 }, proto_y)),
        lock,
    };
    (label, with_badge(rect))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn work_shared_among_threads_comes_back_in_order() {
        for n in [0, 1, PARALLEL_ITEMS - 1, PARALLEL_ITEMS, 3 * PARALLEL_ITEMS + 7] {
            let squares: Vec<usize> = (0..n).map(|i| i * i).collect();
            assert_eq!(in_parallel(n, |i| i * i), squares, "{n} items");
        }
    }
}
