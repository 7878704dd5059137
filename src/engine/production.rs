//! Step 4: a producer's available output is what it can make this period (planned output limited
//! by the inputs its region delivered to it; commodities run in topological order, so inputs are
//! known) plus its finished-goods stock. Output nobody takes is not produced: after the
//! allocation a producer makes what it sold beyond its stock draw, plus what refills its stock to
//! target from spare output; it uses inputs for what it made, and keeps what it did not use
//! (`held_in`) for the next period, when it orders only what it lacks. (Until engine 6 unused
//! inputs went to the region's inventory and were ordered again, so a producer with idle
//! capacity piled up input stocks without bound, even in the baseline.)

use super::Workspace;
use crate::model::Model;

pub fn available(m: &Model, ws: &mut Workspace, c: usize) {
    let Workspace {
        vals,
        planned,
        got_prod,
        held_in,
        made,
        fg,
        avail,
        ..
    } = &mut *ws;
    for &p in &m.producer_list[m.producers_of[c].clone()] {
        let mut a = planned[p];
        for k in m.producers[p].inputs.clone() {
            let coef = vals[m.recipe[k].coef as usize];
            if coef > 0.0 {
                a = a.min((got_prod[k] + held_in[k]) / coef);
            }
        }
        made[p] = a.max(0.0);
        avail[p] = made[p] + fg[p];
    }
}

pub fn consume_inputs(m: &Model, ws: &mut Workspace, c: usize) {
    let Workspace {
        vals,
        made,
        sold,
        fg,
        fg_target,
        got_prod,
        held_in,
        ..
    } = &mut *ws;
    for &p in &m.producer_list[m.producers_of[c].clone()] {
        let pr = &m.producers[p];
        let (made, sold) = (made[p], sold[p]);
        // Sold beyond this period's output comes from stock; spare output refills it.
        let produced = if sold > made {
            made
        } else {
            sold + (made - sold).min((fg_target[p] - fg[p]).max(0.0))
        };
        fg[p] = (fg[p] + produced - sold).max(0.0);
        for k in pr.inputs.clone() {
            let it = &m.recipe[k];
            let used = vals[it.coef as usize] * produced;
            held_in[k] = (got_prod[k] + held_in[k] - used).max(0.0);
        }
    }
}
