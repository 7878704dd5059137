//! Cross-checks on the resolved world: recipe cycles (errors) and things that are legal but
//! probably unintended (warnings).

use super::diagnostic::{Diags, Loc};
use super::graph::topo_order;
use super::types::{CommodityIx, Policy, PolicyKind};
use super::world::World;

/// The topological order of commodities, or an error naming the recipe cycle.
pub fn order(w: &World, policies: &[Policy], d: &mut Diags) -> Vec<CommodityIx> {
    let mut edges = Vec::new();
    let mut edge_locs: Vec<Option<Loc>> = Vec::new();
    for (pi, p) in w.producers.iter().enumerate() {
        for (k, (c, _)) in p.inputs.iter().enumerate() {
            edges.push((*c, p.commodity));
            edge_locs.push(
                w.locs
                    .producer_inputs
                    .get(pi)
                    .and_then(|l| l.get(k))
                    .cloned(),
            );
        }
    }
    for pol in policies {
        if let PolicyKind::CapacityExpansion {
            commodity, inputs, ..
        } = &pol.kind
        {
            for (c, _) in inputs {
                edges.push((*c, *commodity));
                edge_locs.push(None);
            }
        }
    }
    match topo_order(w.commodities.len(), &edges) {
        Ok(order) => order,
        Err(cycle) => {
            let names: Vec<&str> = cycle
                .iter()
                .map(|c| w.ids.commodities[*c].as_str())
                .collect();
            // Point at the recipe entry that closes the cycle (input cycle[0] of cycle[1]).
            let closing = edges
                .iter()
                .position(|e| *e == (cycle[0], cycle[1]))
                .and_then(|i| edge_locs[i].clone())
                .unwrap_or_else(|| w.locs.commodity[cycle[0]].clone());
            let region = w
                .producers
                .iter()
                .find(|p| p.commodity == cycle[1] && p.inputs.iter().any(|(i, _)| *i == cycle[0]))
                .map_or("?", |p| w.ids.regions[p.region].as_str());
            let key = format!("producer \"{}/{region}\".inputs.{}", names[1], names[0]);
            d.error(&closing, &key, format!("recipe cycle: {}", names.join(" -> ")))
                .allowed("recipes that form no cycle (inputs are made before outputs)")
                .hint("a commodity cannot be an input, directly or indirectly, of itself; remove one of these inputs");
            (0..w.commodities.len()).collect()
        }
    }
}

/// Largest number of units of any commodity that one unit of another needs through its recipe
/// chain (the product of the recipe coefficients along the chain): with quantities at most
/// `numbers::MAX_QUANTITY`, every derived requirement stays far inside `f32` and `f64`.
pub const MAX_CHAIN_MULTIPLIER: f64 = 1e9;

/// Refuses recipe chains whose coefficients multiply beyond `MAX_CHAIN_MULTIPLIER` (e.g. forty
/// steps of 10 units each), naming the recipe entry where the product first exceeds it. `order`
/// lists inputs before outputs.
pub fn chain_bounds(w: &World, order: &[CommodityIx], d: &mut Diags) {
    // need[c]: most units of any upstream commodity one unit of c needs (1 for itself).
    let mut need = vec![1.0_f64; w.commodities.len()];
    for &c in order {
        for (pi, p) in w.producers.iter().enumerate() {
            if p.commodity != c {
                continue;
            }
            for (k, (i, q)) in p.inputs.iter().enumerate() {
                let m = super::numbers::reach(&q.dist).1 * need[*i];
                if m <= MAX_CHAIN_MULTIPLIER {
                    need[c] = need[c].max(m);
                    continue;
                }
                let Some(loc) = w.locs.producer_inputs.get(pi).and_then(|l| l.get(k)) else {
                    continue;
                };
                let (out, input) = (&w.ids.commodities[c], &w.ids.commodities[*i]);
                d.error(
                    loc,
                    &format!(
                        "producer \"{out}/{}\".inputs.{input}",
                        w.ids.regions[p.region]
                    ),
                    format!(
                        "one unit of \"{out}\" needs up to {m:e} units of an input through this \
                         recipe chain, above {MAX_CHAIN_MULTIPLIER:e}"
                    ),
                )
                .allowed(format!(
                    "recipe coefficients whose product along any chain is at most \
                     {MAX_CHAIN_MULTIPLIER:e}"
                ))
                .hint("check the units of the recipes along this chain");
                return;
            }
        }
    }
}

/// Warnings for commodities nobody makes but somebody needs, and commodities nobody uses.
pub fn warnings(w: &World, policies: &[Policy], d: &mut Diags) {
    let produced = |c: CommodityIx| w.producers.iter().any(|p| p.commodity == c);
    let recycled = |r, c| {
        policies
            .iter()
            .any(|p| matches!(p.kind, PolicyKind::Recycling { region, commodity, .. } if region == r && commodity == c))
    };
    let mut used = vec![false; w.commodities.len()];
    for (si, s) in w.sectors.iter().enumerate() {
        for (k, i) in s.inputs.iter().enumerate() {
            used[i.commodity] = true;
            if !produced(i.commodity) && !recycled(s.region, i.commodity) {
                let c = &w.ids.commodities[i.commodity];
                let key = format!("sector \"{}/{}\".demand.{c}", w.ids.regions[s.region], s.id);
                if let Some(loc) = w.locs.sector_demand.get(si).and_then(|l| l.get(k)) {
                    d.warn(
                        loc,
                        &key,
                        format!("nobody produces \"{c}\": this demand is never met"),
                    )
                    .hint("add a [[producer]] of it, or check the commodity id");
                }
            }
        }
    }
    for (pi, p) in w.producers.iter().enumerate() {
        used[p.commodity] = true;
        for (k, (c, _)) in p.inputs.iter().enumerate() {
            used[*c] = true;
            if !produced(*c) && !recycled(p.region, *c) {
                let name = &w.ids.commodities[*c];
                let key = format!(
                    "producer \"{}/{}\".inputs.{name}",
                    w.ids.commodities[p.commodity], w.ids.regions[p.region]
                );
                if let Some(loc) = w.locs.producer_inputs.get(pi).and_then(|l| l.get(k)) {
                    d.warn(
                        loc,
                        &key,
                        format!(
                            "nobody produces the input \"{name}\": this producer makes nothing"
                        ),
                    )
                    .hint("add a [[producer]] of the input, or remove it from the recipe");
                }
            }
        }
    }
    for (si, s) in w.sectors.iter().enumerate() {
        if s.inputs.is_empty() {
            let key = format!("sector \"{}/{}\"", w.ids.regions[s.region], s.id);
            d.warn(
                &w.locs.sector[si],
                &key,
                "this sector demands nothing: it can never be short",
            )
            .hint("list what it uses in `demand = { commodity = units per year }`");
        }
    }
    for pol in policies {
        match &pol.kind {
            PolicyKind::Stockpile { commodity, .. } | PolicyKind::Recycling { commodity, .. } => {
                used[*commodity] = true
            }
            _ => {}
        }
    }
    for (c, u) in used.iter().enumerate() {
        if !u {
            let id = &w.ids.commodities[c];
            d.warn(
                &w.locs.commodity[c],
                &format!("commodity \"{id}\""),
                format!("\"{id}\" is neither produced nor used"),
            )
            .hint("add producers and demand for it, or remove it");
        }
    }
}
