//! The flat parameter table: every numeric parameter of a scenario, with its stream key computed
//! once, so a trial draws by index and never touches a string.

use std::sync::Arc;

use rand::RngExt;

use crate::sample::design::quantile;
use crate::sample::{Design, Dist, path_key, stream};
use crate::scenario::Param;

/// Index into `ParamTable::specs` (and into a trial's drawn values).
pub type Px = u32;

/// How a parameter's per-trial value is produced.
#[derive(Debug, Clone, PartialEq)]
pub enum Draw {
    /// A draw from the distribution (rounded to a whole number when the parameter is a time).
    Dist { dist: Dist, round: bool },
    /// 1 with the probability held by another (earlier) parameter, else 0: whether a shock happens,
    /// whether a capacity project succeeds. Its own path keys its own stream.
    Bernoulli { prob: Px },
}

/// What a reported parameter is to a design that treats events apart (Morris screening).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Factor {
    /// A value drawn from its distribution.
    Value,
    /// An uncertain event (`Draw::Bernoulli`): 1 when it happens.
    Event,
    /// An uncertain value that only sets an event's probability.
    Probability,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ParamSpec {
    pub path: String,
    pub key: u64,
    pub draw: Draw,
    /// Reported in `RunResults::params` (non-constant draws, uncertain events).
    pub reported: bool,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ParamTable {
    pub specs: Vec<ParamSpec>,
    /// Indices of reported parameters, in scenario order.
    pub reported: Vec<Px>,
    /// A sampling design that replaces the plain Monte Carlo draws of the reported (uncertain)
    /// parameters; its dimension `i` is `reported[i]`, so a structured design must be built for
    /// `reported.len()` dimensions (as `study::sensitivity::plan` does). `None`: keyed streams,
    /// as always.
    pub design: Option<Arc<Design>>,
    /// The design dimension of each reported parameter (`design_dims[i]` for `reported[i]`);
    /// empty: dimension `i`. `compare --design` numbers the dimensions over both sides' paths so
    /// a parameter both scenarios share takes the same values on both (common random numbers).
    pub design_dims: Vec<usize>,
}

impl ParamTable {
    /// Adds a scenario parameter; `round` for times (start, duration, lead time, lag, ramp periods).
    pub fn add(&mut self, p: &Param, round: bool) -> Px {
        let reported = !p.dist.is_const();
        self.push(ParamSpec {
            path: p.path.clone(),
            key: path_key(&p.path),
            draw: Draw::Dist {
                dist: p.dist.clone(),
                round,
            },
            reported,
        })
    }

    /// A fixed value that is not a scenario parameter (e.g. a default).
    pub fn constant(&mut self, path: &str, v: f64) -> Px {
        self.push(ParamSpec {
            path: path.to_string(),
            key: path_key(path),
            draw: Draw::Dist {
                dist: Dist::Const(v),
                round: false,
            },
            reported: false,
        })
    }

    /// An event with the probability held by parameter `prob`; reported unless it is certain.
    pub fn bernoulli(&mut self, path: String, prob: Px) -> Px {
        let certain = match &self.specs[prob as usize].draw {
            Draw::Dist {
                dist: Dist::Const(v),
                ..
            } => *v >= 1.0,
            _ => false,
        };
        self.push(ParamSpec {
            key: path_key(&path),
            path,
            draw: Draw::Bernoulli { prob },
            reported: !certain,
        })
    }

    fn push(&mut self, s: ParamSpec) -> Px {
        let ix = self.specs.len() as Px;
        if s.reported {
            self.reported.push(ix);
        }
        self.specs.push(s);
        ix
    }

    /// What each reported parameter is, in `reported` order (the design's dimensions).
    pub fn factors(&self) -> Vec<Factor> {
        let probabilities: Vec<Px> = self
            .specs
            .iter()
            .filter_map(|s| match s.draw {
                Draw::Bernoulli { prob } => Some(prob),
                Draw::Dist { .. } => None,
            })
            .collect();
        self.reported
            .iter()
            .map(|&ix| match self.specs[ix as usize].draw {
                Draw::Bernoulli { .. } => Factor::Event,
                Draw::Dist { .. } if probabilities.contains(&ix) => Factor::Probability,
                Draw::Dist { .. } => Factor::Value,
            })
            .collect()
    }

    /// Draws every parameter of global trial `trial` into `vals` (same length as `specs`).
    /// Each parameter has its own stream, so adding a parameter never shifts another's draw.
    pub fn draw(&self, seed: u64, trial: u64, vals: &mut [f64]) {
        if let Some(d) = &self.design {
            return self.draw_design(d, seed, trial, vals);
        }
        for (i, s) in self.specs.iter().enumerate() {
            vals[i] = match &s.draw {
                Draw::Dist { dist, round } => {
                    let v = if dist.is_const() {
                        // Every draw is the same value: skip seeding a stream.
                        dist.support().0
                    } else {
                        dist.sample(&mut stream(seed, trial, s.key))
                    };
                    if *round { v.round() } else { v }
                }
                Draw::Bernoulli { prob } => {
                    let p = vals[*prob as usize];
                    if p >= 1.0 {
                        1.0
                    } else if p <= 0.0 {
                        0.0
                    } else {
                        let u: f64 = stream(seed, trial, s.key).random();
                        if u < p { 1.0 } else { 0.0 }
                    }
                }
            };
        }
    }

    /// Like `draw`, with the uncertain parameters taken from design `d`: each at its
    /// distribution's quantile of the design's uniform number (rounded for times), an uncertain
    /// event as `Design::occurs` says (below its probability; Morris: in the lower half of the
    /// grid). Fixed values stay as they are.
    fn draw_design(&self, d: &Design, seed: u64, trial: u64, vals: &mut [f64]) {
        let mut dim = 0;
        for (i, s) in self.specs.iter().enumerate() {
            let u = if s.reported {
                dim += 1;
                let at = self.design_dims.get(dim - 1).copied().unwrap_or(dim - 1);
                Some(d.uniform(seed, trial, at, s.key))
            } else {
                None
            };
            vals[i] = match (&s.draw, u) {
                (Draw::Dist { dist, round }, Some(u)) => {
                    let v = quantile(dist, u);
                    if *round { v.round() } else { v }
                }
                (Draw::Dist { dist, .. }, None) => dist.support().0,
                (Draw::Bernoulli { prob }, u) => {
                    let p = vals[*prob as usize];
                    let on = match u {
                        Some(u) => d.occurs(u, p, self.specs[*prob as usize].reported),
                        // Not reported: certain.
                        None => p >= 1.0,
                    };
                    if on { 1.0 } else { 0.0 }
                }
            };
        }
    }
}
