//! Step 8: substitution. An input counts as short when deliveries from every source (trade,
//! recycling, inventory, stockpile) fall below the sector's net demand. The `lag`-th consecutive
//! short period and each further one substitute `rate` more of the input's demand, up to `max`;
//! substitution stays once built. It applies from the next period's demand, so a sector short for
//! `lag` periods substitutes from the one after them.

use super::Workspace;

pub fn update(ws: &mut Workspace) {
    let Workspace {
        sub,
        sub_max,
        sub_rate,
        sub_lag,
        short_run,
        net,
        got_sector,
        ..
    } = &mut *ws;
    let n = sub.len();
    let (sub_max, sub_rate, sub_lag) = (&sub_max[..n], &sub_rate[..n], &sub_lag[..n]);
    let (short_run, net, got) = (&mut short_run[..n], &net[..n], &got_sector[..n]);
    for i in 0..n {
        if sub_max[i] <= 0.0 || sub_rate[i] <= 0.0 {
            continue;
        }
        let short = net[i] > 0.0 && got[i] < net[i] * (1.0 - 1e-9);
        if !short {
            short_run[i] = 0;
            continue;
        }
        short_run[i] += 1;
        if f64::from(short_run[i]) >= sub_lag[i] {
            sub[i] = (sub[i] + sub_rate[i]).min(sub_max[i]);
        }
    }
}
