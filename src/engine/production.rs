//! Step 4: a producer's available output is its planned output limited by the inputs its region
//! delivered to it this period (commodities run in topological order, so inputs are known).
//! Output nobody takes is not produced: after the allocation a producer uses inputs for what it
//! sold, and what it did not use returns to its region's inventory.

use super::Workspace;
use crate::model::Model;

pub fn available(m: &Model, ws: &mut Workspace, c: usize) {
    for &p in &m.producer_list[m.producers_of[c].clone()] {
        let mut a = ws.planned[p];
        for k in m.producers[p].inputs.clone() {
            let coef = ws.vals[m.recipe[k].coef as usize];
            if coef > 0.0 {
                a = a.min(ws.got_prod[k] / coef);
            }
        }
        ws.avail[p] = a.max(0.0);
    }
}

pub fn consume_inputs(m: &Model, ws: &mut Workspace, c: usize) {
    for &p in &m.producer_list[m.producers_of[c].clone()] {
        let pr = &m.producers[p];
        for k in pr.inputs.clone() {
            let it = &m.recipe[k];
            let used = ws.vals[it.coef as usize] * ws.sold[p];
            let unused = (ws.got_prod[k] - used).max(0.0);
            ws.returned[m.rc(pr.region, it.commodity)] += unused;
        }
    }
}
