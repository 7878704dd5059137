//! The commodity graph through producer recipes: topological order (inputs before outputs) and
//! cycle detection that names the cycle.

use super::types::CommodityIx;

/// `edges[i] = (input, output)`. Returns the order, or the cycle as commodity indices
/// `[a, b, ..., a]` (each an input of the next).
pub fn topo_order(
    n: usize,
    edges: &[(CommodityIx, CommodityIx)],
) -> Result<Vec<CommodityIx>, Vec<CommodityIx>> {
    let mut outs: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut indeg = vec![0usize; n];
    for &(a, b) in edges {
        if !outs[a].contains(&b) {
            outs[a].push(b);
            indeg[b] += 1;
        }
    }
    // Kahn's algorithm, always taking the lowest ready index, so the order is stable.
    let mut ready: std::collections::BTreeSet<usize> = (0..n).filter(|i| indeg[*i] == 0).collect();
    let mut order = Vec::with_capacity(n);
    while let Some(&c) = ready.iter().next() {
        ready.remove(&c);
        order.push(c);
        for &o in &outs[c] {
            indeg[o] -= 1;
            if indeg[o] == 0 {
                ready.insert(o);
            }
        }
    }
    if order.len() == n {
        return Ok(order);
    }
    Err(find_cycle(&outs, &indeg))
}

/// A cycle among the nodes Kahn could not order (they all have remaining in-degree).
fn find_cycle(outs: &[Vec<usize>], indeg: &[usize]) -> Vec<usize> {
    let stuck: Vec<bool> = indeg.iter().map(|d| *d > 0).collect();
    let start = stuck.iter().position(|s| *s).expect("a cycle exists");
    // Walk backwards-free: follow any stuck successor until a node repeats.
    let mut path = vec![start];
    let mut pos = vec![usize::MAX; outs.len()];
    pos[start] = 0;
    let mut cur = start;
    loop {
        let next = outs[cur]
            .iter()
            .copied()
            .find(|o| stuck[*o])
            .expect("a stuck node has a stuck successor");
        if pos[next] != usize::MAX {
            let mut cycle = path[pos[next]..].to_vec();
            cycle.push(next);
            return cycle;
        }
        pos[next] = path.len();
        path.push(next);
        cur = next;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_inputs_first() {
        // 2 -> 0 -> 1
        let order = topo_order(3, &[(2, 0), (0, 1)]).unwrap();
        assert_eq!(order, vec![2, 0, 1]);
    }

    #[test]
    fn names_the_cycle() {
        // 0 -> 1 -> 2 -> 1, 3 free
        let cycle = topo_order(4, &[(0, 1), (1, 2), (2, 1)]).unwrap_err();
        assert_eq!(cycle, vec![1, 2, 1]);
        assert_eq!(topo_order(1, &[(0, 0)]).unwrap_err(), vec![0, 0]);
    }
}
