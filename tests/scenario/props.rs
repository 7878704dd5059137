//! Property tests: generated valid scenarios load; arbitrary or mutated text never panics the
//! parser or validator, and every reported problem has a position.

use std::fmt::Write;
use std::path::Path;

use chokepoint::scenario::{self, LoadError};
use proptest::prelude::*;

/// A distribution table (or number) whose support lies inside [lo, hi].
fn dist_in(lo: f64, hi: f64) -> impl Strategy<Value = String> {
    let span = hi - lo;
    prop_oneof![
        (0.0..=1.0f64).prop_map(move |a| format!("{}", lo + a * span)),
        (0.0..=1.0f64, 0.0..=1.0f64).prop_map(move |(a, b)| {
            let (a, b) = if a <= b { (a, b) } else { (b, a) };
            format!("{{ uniform = [{}, {}] }}", lo + a * span, lo + b * span)
        }),
        (0.0..=1.0f64, 0.0..=1.0f64, 0.0..=1.0f64).prop_map(move |(a, b, c)| {
            let mut v = [a, b, c];
            v.sort_by(f64::total_cmp);
            format!(
                "{{ triangular = [{}, {}, {}] }}",
                lo + v[0] * span,
                lo + v[1] * span,
                lo + v[2] * span
            )
        }),
        (0.0..=1.0f64, 0.0..=1.0f64, 0.0..=1.0f64).prop_map(move |(a, b, c)| {
            let mut v = [a, b, c];
            v.sort_by(f64::total_cmp);
            format!(
                "{{ pert = [{}, {}, {}] }}",
                lo + v[0] * span,
                lo + v[1] * span,
                lo + v[2] * span
            )
        }),
        (0.0..=1.0f64, 0.01..=1.0f64).prop_map(move |(m, sd)| {
            format!(
                "{{ normal = [{}, {}], min = {lo}, max = {hi} }}",
                lo + m * span,
                sd * span
            )
        }),
        (0.0..=1.0f64, 0.0..=1.0f64).prop_map(move |(a, b)| {
            format!(
                "{{ choice = [[{}, 1], [{}, 2]] }}",
                lo + a * span,
                lo + b * span
            )
        }),
    ]
}

#[derive(Debug, Clone)]
struct Gen {
    regions: usize,
    commodities: usize,
    /// (commodity, region, capacity, optional input commodity below it)
    producers: Vec<(usize, usize, String, Option<usize>)>,
    sectors: Vec<(usize, Vec<(usize, String)>)>,
    severity: String,
    duration: String,
    with_shock: bool,
}

fn scenarios() -> impl Strategy<Value = Gen> {
    (2usize..5, 1usize..5).prop_flat_map(|(r, c)| {
        let producer =
            (0..c, 0..r, dist_in(0.0, 1e5), any::<bool>()).prop_map(|(ci, ri, cap, with_input)| {
                // Inputs only from lower-indexed commodities: the recipe graph stays acyclic.
                (ci, ri, cap, (with_input && ci > 0).then(|| ci - 1))
            });
        let sector = (0..r, prop::collection::vec((0..c, dist_in(0.0, 1e4)), 1..3));
        (
            Just(r),
            Just(c),
            prop::collection::vec(producer, 1..6),
            prop::collection::vec(sector, 0..4),
            dist_in(0.0, 1.0),
            dist_in(1.0, 30.0),
            any::<bool>(),
        )
            .prop_map(
                |(regions, commodities, producers, sectors, severity, duration, with_shock)| Gen {
                    regions,
                    commodities,
                    producers,
                    sectors,
                    severity,
                    duration,
                    with_shock,
                },
            )
    })
}

fn render(g: &Gen) -> String {
    let mut t = String::from("[scenario]\nname = \"generated\"\nhorizon = 24\ntrials = 100\n\n");
    for r in 0..g.regions {
        let _ = writeln!(t, "[[region]]\nid = \"R{r}\"\n");
    }
    for c in 0..g.commodities {
        let _ = writeln!(
            t,
            "[[commodity]]\nid = \"c{c}\"\nprice = 10\nelasticity = 0.2\n"
        );
    }
    let mut seen = std::collections::HashSet::new();
    for (c, r, cap, input) in &g.producers {
        if !seen.insert((c, r)) {
            continue;
        }
        let _ = writeln!(
            t,
            "[[producer]]\ncommodity = \"c{c}\"\nregion = \"R{r}\"\ncapacity = {cap}"
        );
        if let Some(i) = input {
            let _ = writeln!(t, "inputs = {{ c{i} = 0.5 }}");
        }
        t.push('\n');
    }
    for (k, (r, demand)) in g.sectors.iter().enumerate() {
        let mut ds = Vec::new();
        let mut used = std::collections::HashSet::new();
        for (c, q) in demand {
            if used.insert(c) {
                ds.push(format!("c{c} = {q}"));
            }
        }
        let _ = writeln!(
            t,
            "[[sector]]\nid = \"s{k}\"\nregion = \"R{r}\"\nvalue_added = 1e6\ndemand = {{ {} }}\n",
            ds.join(", ")
        );
    }
    // Every region with a sector gets an inventory of its first input, a stockpile, recycling,
    // a substitution option and a priority policy; a surge hits the first sector's id.
    for (k, (r, demand)) in g.sectors.iter().enumerate() {
        let c = demand[0].0;
        if k == 0
            || g.sectors[..k]
                .iter()
                .all(|(r2, d2)| !(r2 == r && d2[0].0 == c))
        {
            let _ = writeln!(
                t,
                "[[inventory]]\nregion = \"R{r}\"\ncommodity = \"c{c}\"\ncover = {}\n",
                g.duration
            );
        }
        let _ = writeln!(
            t,
            "[[policy]]\nid = \"reserve{k}\"\nkind = \"stockpile\"\nregion = \"R{r}\"\ncommodity = \"c{c}\"\n\
             initial = 2\nrelease_below = {}\nmax_release = 0.5\neligible = [\"s{k}\"]\n",
            g.severity
        );
        let _ = writeln!(
            t,
            "[[policy]]\nid = \"recycle{k}\"\nkind = \"recycling\"\nregion = \"R{r}\"\ncommodity = \"c{c}\"\nshare = {}\n",
            g.severity
        );
        let _ = writeln!(
            t,
            "[[policy]]\nid = \"sub{k}\"\nkind = \"substitution\"\nregion = \"R{r}\"\nsector = \"s{k}\"\ncommodity = \"c{c}\"\nmax = {}\nlag = 3\nrate = 0.1\n",
            g.severity
        );
        let _ = writeln!(
            t,
            "[[policy]]\nid = \"prio{k}\"\nkind = \"priority\"\nregion = \"R{r}\"\nsector = \"s{k}\"\npriority = {k}\n"
        );
    }
    if let Some((r, _)) = g.sectors.first() {
        let _ = writeln!(
            t,
            "[[shock]]\nid = \"surge\"\nkind = \"demand_surge\"\nsector = \"s0\"\nregion = \"R{r}\"\nfactor = {}\nduration = {}\n",
            g.severity, g.duration
        );
    }
    let (c, r, _, _) = &g.producers[0];
    let _ = writeln!(
        t,
        "[[shock]]\nid = \"outage\"\nkind = \"production_outage\"\nregion = \"R{r}\"\ncommodity = \"c{c}\"\nseverity = {}\n",
        g.severity
    );
    let _ = writeln!(
        t,
        "[[policy]]\nid = \"plant\"\nkind = \"capacity_expansion\"\nregion = \"R{}\"\ncommodity = \"c{c}\"\ncapacity = 100\nlead_time = {}\n",
        (r + 1) % g.regions,
        g.duration
    );
    if g.with_shock {
        let _ = writeln!(
            t,
            "[[shock]]\nid = \"ban\"\nkind = \"export_restriction\"\nexporter = \"R0\"\ncommodities = [\"c0\"]\nseverity = {}\nduration = {}\n",
            g.severity, g.duration
        );
    }
    t
}

fn check_diagnostics(e: &LoadError) {
    assert!(e.errors().count() > 0);
    for d in &e.diagnostics {
        if d.span.is_some() {
            assert!(d.line >= 1 && d.column >= 1);
        }
        let _ = d.render(false);
        let _ = d.render(true);
    }
}

fn load_any(text: &str, path: &str) {
    if let Err(e) = scenario::load_str(text, Path::new(path)) {
        check_diagnostics(&e);
    }
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(96)
}

const FULL: &str = include_str!("../data/scenario/full.toml");
const FULL_PATH: &str = "tests/data/scenario/full.toml";

proptest! {
    // 96 cases by default (two shared cores); set PROPTEST_CASES to stress.
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn generated_valid_scenarios_load(g in scenarios()) {
        let text = render(&g);
        let l = scenario::load_str(&text, Path::new("generated.toml"));
        let l = match l {
            Ok(l) => l,
            Err(e) => panic!("{text}\n{e}"),
        };
        prop_assert_eq!(l.scenario.regions.len(), g.regions);
        prop_assert_eq!(l.scenario.commodities.len(), g.commodities);
        prop_assert_eq!(l.scenario.sectors.len(), g.sectors.len());
        prop_assert_eq!(l.scenario.topo_order.len(), g.commodities);
        prop_assert_eq!(l.scenario.policies.len(), 4 * g.sectors.len() + 1);
        for (k, s) in l.scenario.sectors.iter().enumerate() {
            prop_assert_eq!(s.priority as usize, k, "priority policies applied");
        }
        let plant = l.scenario.policies.last().unwrap();
        let chokepoint::scenario::PolicyKind::CapacityExpansion { producer, commodity, region, .. } = &plant.kind else {
            panic!("expansion expected")
        };
        prop_assert_eq!(l.scenario.producers[*producer].commodity, *commodity);
        prop_assert_eq!(l.scenario.producers[*producer].region, *region);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        load_any(&String::from_utf8_lossy(&bytes), "random.toml");
    }

    #[test]
    fn toml_like_text_never_panics(text in "[\\[\\]{}=,\"a-z0-9 .\\n#_-]{0,300}") {
        load_any(&text, "random.toml");
    }

    #[test]
    fn deleting_a_line_never_panics(i in 0usize..200) {
        let lines: Vec<&str> = FULL.lines().collect();
        let i = i % lines.len();
        let text: Vec<&str> = lines.iter().enumerate().filter(|(k, _)| *k != i).map(|(_, l)| *l).collect();
        load_any(&text.join("\n"), FULL_PATH);
    }

    #[test]
    fn duplicating_a_line_never_panics(i in 0usize..200) {
        let mut lines: Vec<&str> = FULL.lines().collect();
        let i = i % lines.len();
        lines.insert(i, lines[i]);
        load_any(&lines.join("\n"), FULL_PATH);
    }

    #[test]
    fn swapping_characters_never_panics(i in 0usize..4000, j in 0usize..4000) {
        let mut chars: Vec<char> = FULL.chars().collect();
        let (i, j) = (i % chars.len(), j % chars.len());
        chars.swap(i, j);
        load_any(&chars.into_iter().collect::<String>(), FULL_PATH);
    }

    #[test]
    fn mutating_a_number_never_panics(i in 0usize..200, v in prop_oneof![Just("-1".to_string()), Just("nan".to_string()), Just("1e400".to_string()), Just("\"x\"".to_string()), Just("{ pert = [3, 1, 2] }".to_string()), any::<f64>().prop_map(|f| format!("{f:?}"))]) {
        let lines: Vec<String> = FULL.lines().map(String::from).collect();
        let numeric: Vec<usize> = lines.iter().enumerate().filter(|(_, l)| l.contains(" = ") && l.trim_end().ends_with(|c: char| c.is_ascii_digit() || c == '}')).map(|(k, _)| k).collect();
        let k = numeric[i % numeric.len()];
        let mut lines = lines;
        let key = lines[k].split(" = ").next().unwrap().to_string();
        lines[k] = format!("{key} = {v}");
        load_any(&lines.join("\n"), FULL_PATH);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    /// The brief's promise: swapped triangular bounds are reported at their line with the fix.
    #[test]
    fn swapped_triangular_bounds_are_reported_with_the_fix(a in 1u32..10, b in 0u32..10, c in 1u32..10, pad in 0usize..5) {
        let (lo, mode, hi) = (a, a + b, a + b + c);
        let blank = "\n".repeat(pad);
        let text = format!(
            "[scenario]\nname = \"t\"\n{blank}\n[[region]]\nid = \"X\"\n\n[[region]]\nid = \"M\"\n\n\
             [[commodity]]\nid = \"g\"\nprice = 1\nelasticity = 1\n\n[[producer]]\ncommodity = \"g\"\n\
             region = \"X\"\ncapacity = 1\n\n[[sector]]\nid = \"s\"\nregion = \"M\"\nvalue_added = 1\n\
             demand = {{ g = 1 }}\n\n[[shock]]\nid = \"ban\"\nkind = \"export_restriction\"\n\
             exporter = \"X\"\ncommodities = [\"g\"]\nduration = {{ triangular = [{hi}, {mode}, {lo}] }}\n"
        );
        let line = text.lines().position(|l| l.starts_with("duration")).unwrap() + 1;
        let err = scenario::load_str(&text, Path::new("t.toml")).unwrap_err();
        let errors: Vec<_> = err.errors().collect();
        prop_assert_eq!(errors.len(), 1);
        prop_assert_eq!(errors[0].line, line);
        prop_assert_eq!(errors[0].key_path.as_str(), "shock \"ban\".duration.triangular");
        let fix = format!("did you mean [{lo}, {mode}, {hi}]?");
        prop_assert_eq!(errors[0].hint.as_deref(), Some(fix.as_str()));
    }
}
