//! Layered (Sugiyama-style) placement of one box's items: break cycles, assign layers along the
//! document's direction, order each layer to reduce crossings, then place without overlaps.

use petgraph::algo::greedy_feedback_arc_set;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;

use crate::model::Direction;

/// One link between two items, with the size of the label drawn on it.
#[derive(Debug, Clone, Copy)]
pub struct Link {
    /// Source item.
    pub from: usize,
    /// Target item.
    pub to: usize,
    /// Label width and height, in canvas units (zero without a label).
    pub label: (f64, f64),
}

/// Spacing rules.
#[derive(Debug, Clone, Copy)]
pub struct Spacing {
    /// Least space between neighbours in a layer.
    pub node_gap: f64,
    /// Least space between layers.
    pub layer_gap: f64,
}

/// Centres for items of the given sizes (width, height), linked by `links`, in direction `dir`.
pub fn place(sizes: &[(f64, f64)], links: &[Link], dir: Direction, spacing: Spacing) -> Vec<(f64, f64)> {
    let n = sizes.len();
    if n == 0 {
        return Vec::new();
    }
    let horizontal = matches!(dir, Direction::LR | Direction::RL);
    // Extent along the order axis (within a layer) and along the rank axis (across layers).
    let along = |i: usize| if horizontal { sizes[i].1 } else { sizes[i].0 };
    let across = |i: usize| if horizontal { sizes[i].0 } else { sizes[i].1 };

    let mut graph: DiGraph<(), ()> = DiGraph::with_capacity(n, links.len());
    for _ in 0..n {
        graph.add_node(());
    }
    let mut seen = std::collections::HashSet::new();
    for l in links {
        if l.from != l.to && l.from < n && l.to < n && seen.insert((l.from, l.to)) {
            graph.add_edge(NodeIndex::new(l.from), NodeIndex::new(l.to), ());
        }
    }
    let reversed: std::collections::HashSet<usize> = greedy_feedback_arc_set(&graph).map(|e| e.id().index()).collect();
    let mut succ: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut pred: Vec<Vec<usize>> = vec![Vec::new(); n];
    for e in graph.edge_references() {
        let (mut a, mut b) = (e.source().index(), e.target().index());
        if reversed.contains(&e.id().index()) {
            std::mem::swap(&mut a, &mut b);
        }
        if !succ[a].contains(&b) {
            succ[a].push(b);
            pred[b].push(a);
        }
    }

    // Longest-path layering in topological order (Kahn), then sources pulled next to their successors.
    let mut layer = vec![0usize; n];
    let mut indegree: Vec<usize> = pred.iter().map(Vec::len).collect();
    let mut queue: std::collections::VecDeque<usize> = (0..n).filter(|&v| indegree[v] == 0).collect();
    let mut topo = Vec::with_capacity(n);
    while let Some(v) = queue.pop_front() {
        topo.push(v);
        for &w in &succ[v] {
            layer[w] = layer[w].max(layer[v] + 1);
            indegree[w] -= 1;
            if indegree[w] == 0 {
                queue.push_back(w);
            }
        }
    }
    for &v in topo.iter().rev() {
        if pred[v].is_empty()
            && let Some(min) = succ[v].iter().map(|&w| layer[w]).min()
        {
            layer[v] = min.saturating_sub(1);
        }
    }
    let connected: Vec<bool> = (0..n).map(|v| !succ[v].is_empty() || !pred[v].is_empty()).collect();
    let mut layers: Vec<Vec<usize>> = Vec::new();
    for v in (0..n).filter(|&v| connected[v]) {
        if layers.len() <= layer[v] {
            layers.resize(layer[v] + 1, Vec::new());
        }
        layers[layer[v]].push(v);
    }
    // Unlinked items fill short layers, then new ones, so that a box of loose items stays compact.
    let cap = ((n as f64).sqrt().ceil() as usize).max(4);
    for v in (0..n).filter(|&v| !connected[v]) {
        let slot = layers.iter().position(|l| l.len() < cap);
        let k = slot.unwrap_or_else(|| {
            layers.push(Vec::new());
            layers.len() - 1
        });
        layer[v] = k;
        layers[k].push(v);
    }

    // Crossing reduction: barycentre sweeps down and up.
    let mut rank_in_layer = vec![0.0f64; n];
    let renumber = |layers: &Vec<Vec<usize>>, rank: &mut Vec<f64>| {
        for l in layers {
            for (i, &v) in l.iter().enumerate() {
                rank[v] = (i as f64 + 0.5) / l.len() as f64;
            }
        }
    };
    renumber(&layers, &mut rank_in_layer);
    for sweep in 0..6 {
        let down = sweep % 2 == 0;
        let order: Vec<usize> =
            if down { (1..layers.len()).collect() } else { (0..layers.len().saturating_sub(1)).rev().collect() };
        for k in order {
            let mut keyed: Vec<(f64, usize)> = layers[k]
                .iter()
                .map(|&v| {
                    let nbrs = if down { &pred[v] } else { &succ[v] };
                    let pos: Vec<f64> = nbrs.iter().map(|&w| rank_in_layer[w]).collect();
                    let key =
                        if pos.is_empty() { rank_in_layer[v] } else { pos.iter().sum::<f64>() / pos.len() as f64 };
                    (key, v)
                })
                .collect();
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0));
            layers[k] = keyed.into_iter().map(|(_, v)| v).collect();
            for (i, &v) in layers[k].iter().enumerate() {
                rank_in_layer[v] = (i as f64 + 0.5) / layers[k].len() as f64;
            }
        }
    }

    // Room for labels: between layers along the rank axis, and between neighbours in a layer.
    let mut gap_after = vec![spacing.layer_gap; layers.len()];
    let mut widest_label: f64 = 0.0;
    let mut dag_links = Vec::new();
    for (a, outs) in succ.iter().enumerate() {
        for &b in outs {
            dag_links.push((a, b));
        }
    }
    for l in links {
        if l.from >= n || l.to >= n || l.from == l.to {
            continue;
        }
        let (lo, hi) = (layer[l.from].min(layer[l.to]), layer[l.from].max(layer[l.to]));
        let need = if horizontal { l.label.0 } else { l.label.1 } + 24.0;
        if hi > lo {
            // The label sits halfway, in the gap that holds the link's middle.
            let mid = (lo + hi - 1) / 2;
            gap_after[mid] = gap_after[mid].max(need);
        }
        widest_label = widest_label.max(if horizontal { l.label.1 } else { l.label.0 });
    }
    let node_gap = spacing.node_gap.max((widest_label - 60.0).min(140.0));

    let mut rank_pos = vec![0.0f64; layers.len()];
    let mut at = 0.0;
    for (k, l) in layers.iter().enumerate() {
        let thick = l.iter().map(|&v| across(v)).fold(0.0, f64::max);
        rank_pos[k] = at + thick / 2.0;
        at += thick + gap_after[k];
    }

    // Order-axis positions: packed and centred, then pulled towards neighbours without overlapping.
    let mut pos = vec![0.0f64; n];
    for l in &layers {
        let total: f64 = l.iter().map(|&v| along(v)).sum::<f64>() + node_gap * l.len().saturating_sub(1) as f64;
        let mut x = -total / 2.0;
        for &v in l {
            pos[v] = x + along(v) / 2.0;
            x += along(v) + node_gap;
        }
    }
    for sweep in 0..4 {
        let down = sweep % 2 == 0;
        let order: Vec<usize> =
            if down { (1..layers.len()).collect() } else { (0..layers.len().saturating_sub(1)).rev().collect() };
        for k in order {
            let l = &layers[k];
            let desired: Vec<f64> = l
                .iter()
                .map(|&v| {
                    let nbrs = if down { &pred[v] } else { &succ[v] };
                    if nbrs.is_empty() { pos[v] } else { nbrs.iter().map(|&w| pos[w]).sum::<f64>() / nbrs.len() as f64 }
                })
                .collect();
            let placed = pack(l, &desired, &along, node_gap);
            for (i, &v) in l.iter().enumerate() {
                pos[v] = placed[i];
            }
        }
    }

    (0..n)
        .map(|v| {
            let (o, r) = (pos[v], rank_pos[layer[v]]);
            match dir {
                Direction::TB => (o, r),
                Direction::BT => (o, -r),
                Direction::LR => (r, o),
                Direction::RL => (-r, o),
            }
        })
        .collect()
}

/// Positions as close to `desired` as the order and the gaps allow: the mean of a left-to-right and
/// a right-to-left pass, then pushed apart left to right.
fn pack(layer: &[usize], desired: &[f64], along: &impl Fn(usize) -> f64, gap: f64) -> Vec<f64> {
    let m = layer.len();
    let mut right = desired.to_vec();
    for i in 1..m {
        let min = right[i - 1] + along(layer[i - 1]) / 2.0 + gap + along(layer[i]) / 2.0;
        right[i] = right[i].max(min);
    }
    let mut left = desired.to_vec();
    for i in (0..m.saturating_sub(1)).rev() {
        let max = left[i + 1] - along(layer[i + 1]) / 2.0 - gap - along(layer[i]) / 2.0;
        left[i] = left[i].min(max);
    }
    let mut out: Vec<f64> = (0..m).map(|i| f64::midpoint(left[i], right[i])).collect();
    for i in 1..m {
        let min = out[i - 1] + along(layer[i - 1]) / 2.0 + gap + along(layer[i]) / 2.0;
        out[i] = out[i].max(min);
    }
    out
}
