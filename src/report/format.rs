//! Number formatting shared by every exporter: deterministic, round-trip exact for files, short and
//! readable for the terminal.

use crate::scenario::{Scenario, ShockKind};

/// A number for a CSV cell: the shortest text that parses back to the same `f64`, in plain decimal
/// for ordinary magnitudes and in exponent form (`1e-20`) for tiny or huge ones, so no cell holds
/// dozens of zeros. Non-finite values (a metric undefined in some trials) are an empty cell.
pub fn num(x: f64) -> String {
    if !x.is_finite() {
        return String::new();
    }
    if x == 0.0 {
        return "0".into();
    }
    let a = x.abs();
    if (1e-5..1e16).contains(&a) {
        format!("{x}")
    } else {
        format!("{x:e}")
    }
}

/// `num` for a column of floats: whole numbers keep a decimal point (`0.0`, `12.0`), so tools
/// that guess column types from the first rows (polars, DuckDB) read every such column as a float.
pub fn float(x: f64) -> String {
    decimal(num(x))
}

/// `num32` with the same guarantee as `float`.
pub fn float32(x: f64) -> String {
    decimal(num32(x))
}

fn decimal(mut s: String) -> String {
    if !s.is_empty() && !s.contains(['.', 'e']) {
        s.push_str(".0");
    }
    s
}

/// A time-series value for `series.csv`. Series are stored in single precision, so digits past
/// `f32` precision carry no information: print the shortest text that round-trips the `f32`.
pub fn num32(x: f64) -> String {
    if !x.is_finite() {
        return String::new();
    }
    let v = x as f32;
    if v == 0.0 {
        return "0".into();
    }
    let a = v.abs();
    if (1e-5..1e16).contains(&a) {
        format!("{v}")
    } else {
        format!("{v:e}")
    }
}

/// A trial count in words: `1 trial`, `400 trials`.
pub fn trials(n: impl Into<u64>) -> String {
    let n = n.into();
    if n == 1 {
        "1 trial".into()
    } else {
        format!("{n} trials")
    }
}

/// Values of one swept parameter for people: four significant figures (`2.333`, `0.0125`,
/// `1.5e-7`), or as many more as it takes to keep distinct values distinct (a grid `1000..1001:5`
/// reads `1000`, `1000.2`, `1000.5`, ...). Files keep the exact values (`num`).
pub fn short_values(values: &[f64]) -> Vec<String> {
    let at = |digits: usize| -> Vec<String> { values.iter().map(|&v| sig(v, digits)).collect() };
    for digits in 4..=17 {
        let labels = at(digits);
        let clash = values.iter().enumerate().any(|(i, a)| {
            values[..i]
                .iter()
                .zip(&labels)
                .any(|(b, l)| a.to_bits() != b.to_bits() && *l == labels[i])
        });
        if !clash {
            return labels;
        }
    }
    values.iter().map(|&v| num(v)).collect()
}

/// `v` with `digits` significant figures, trailing zeros trimmed, in exponent form where `num`
/// would use it; non-finite values as `-`.
fn sig(v: f64, digits: usize) -> String {
    if !v.is_finite() {
        return "-".into();
    }
    if v == 0.0 {
        return "0".into();
    }
    let a = v.abs();
    if !(1e-5..1e16).contains(&a) {
        let e = format!("{v:.prec$e}", prec = digits - 1);
        let (m, x) = e.split_once('e').unwrap_or((&e, "0"));
        let m = if m.contains('.') {
            m.trim_end_matches('0').trim_end_matches('.')
        } else {
            m
        };
        return format!("{m}e{x}");
    }
    let magnitude = a.log10().floor() as i32;
    let decimals = (digits as i32 - 1 - magnitude).max(0) as usize;
    let s = format!("{v:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// Dollars for people: `$1.2 bn`, `$350 m`, `$12 k`, `$640`, `$0`. Three significant figures at
/// most; `-` for an undefined value.
pub fn money(x: f64) -> String {
    if !x.is_finite() {
        return "-".into();
    }
    let sign = if x < 0.0 { "-" } else { "" };
    let a = x.abs();
    if a >= 1e15 {
        // Beyond $999 tn: exponent form, never hundreds of digits.
        let e = format!("{a:.2e}");
        let (mantissa, exp) = e.split_once('e').unwrap_or((&e, "0"));
        let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
        return format!("{sign}${mantissa}e{exp}");
    }
    const UNITS: [(f64, &str); 5] = [
        (1.0, ""),
        (1e3, " k"),
        (1e6, " m"),
        (1e9, " bn"),
        (1e12, " tn"),
    ];
    let mut u = UNITS
        .iter()
        .rposition(|&(scale, _)| a >= scale)
        .unwrap_or(0);
    // Rounding can carry into the next unit ($999.7 k is $1 m).
    if u + 1 < UNITS.len()
        && sig3(a / UNITS[u].0)
            .parse::<f64>()
            .is_ok_and(|v| v >= 1000.0)
    {
        u += 1;
    }
    let (scale, unit) = UNITS[u];
    format!("{sign}${}{unit}", sig3(a / scale))
}

/// A share in [0, 1] as a percentage: `12.3%`, `0.04%`, `0%`; `-` for an undefined value.
pub fn percent(x: f64) -> String {
    if !x.is_finite() {
        return "-".into();
    }
    let p = x * 100.0;
    if p == 0.0 {
        "0%".into()
    } else if p.abs() < 0.1 {
        format!("{p:.2}%")
    } else {
        format!("{p:.1}%")
    }
}

/// `v >= 0` with up to three significant figures and no trailing zeros (`1.2`, `35`, `640`).
fn sig3(v: f64) -> String {
    let decimals = if v >= 100.0 {
        0
    } else if v >= 10.0 {
        1
    } else {
        2
    };
    let s = format!("{v:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

// Terminal-safe text lives with the scenario reader, whose diagnostics need it first.
pub use crate::scenario::text::{terminal, terminal_lines};

/// A price index as a multiple, to two significant figures: `×13`, `×4.4`, `×0.96`.
pub fn multiple(v: f64) -> String {
    if !v.is_finite() {
        return "–".to_string();
    }
    let digits = if v >= 10.0 {
        0
    } else if v >= 1.0 {
        1
    } else {
        2
    };
    let s = format!("{v:.digits$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    format!("×{s}")
}

/// A field of a parameter path in words (`relief_half_life` -> "relief half-life").
fn field_words(field: &str) -> String {
    let known = match field {
        "severity" => "share blocked",
        "relief_half_life" => "relief half-life",
        "review" => "licence review time",
        "approval_rate" => "licence approval rate",
        "ceiling" => "licence ceiling",
        "precautionary_cover" => "precautionary buying",
        "cover" => "stocks held",
        "stock" => "finished-goods stock",
        "initial" => "initial stock",
        "succeeds" => "chance of success",
        "price_elasticity" => "price response",
        "elasticity" => "demand elasticity",
        "availability_elasticity" => "price response to scarcity",
        "price_adjustment" => "price adjustment speed",
        "price" => "reference price",
        "growth" => "entry growth",
        "threshold" => "entry price threshold",
        "max" => "largest new entry",
        "max_price_multiple" => "price cap",
        other => return other.replace('_', " "),
    };
    known.to_string()
}

/// A row label a reader can parse without knowing metric names: `sector.EU.ev` reads
/// "EU · ev", `region.EU` "EU, all sectors", `world` "World". The metric name stays in the
/// cell's tooltip, to find the row in comparison.csv. `metric_label` builds on it.
/// With the base scenario, rows read as in the run's table and report: `EU Automotive`,
/// `EU European Union (27), all sectors`.
pub fn subject_label(label: &str, scenario: Option<&Scenario>) -> String {
    if label == "world" {
        return "World".to_string();
    }
    if let Some(r) = label.strip_prefix("region.") {
        let name = scenario
            .and_then(|sc| sc.regions.iter().find(|x| x.id == r && x.name != x.id))
            .map_or(String::new(), |x| format!(" {}", x.name));
        return format!("{r}{name}, all sectors");
    }
    if let Some((r, s)) = label
        .strip_prefix("sector.")
        .and_then(|rest| rest.split_once('.'))
    {
        let named = scenario.and_then(|sc| {
            sc.sectors
                .iter()
                .find(|x| x.id == s && sc.regions[x.region].id == r)
                .map(|x| format!("{r} {}", crate::report::charts::format::short_name(&x.name)))
        });
        return named.unwrap_or_else(|| format!("{r} · {s}"));
    }
    label.to_string()
}

/// A metric's or series' display name, the `label` column of `metrics.csv` and `series.csv`:
/// `sector.EU.auto.mean_loss` -> "EU Automotive, mean output loss", `price.US.gallium` -> "US
/// Gallium, price". The subject reads as in the pages and tables (`subject_label`); names of
/// an unknown shape read as themselves.
pub fn metric_label(name: &str, scenario: Option<&Scenario>) -> String {
    let parts: Vec<&str> = name.split('.').collect();
    let commodity = |r: &str, c: &str| {
        let named = scenario.map_or(c.to_string(), |sc| commodity_words(sc, c));
        format!("{r} {named}")
    };
    let (subject, measure) = match parts[..] {
        ["world", m] => ("World".to_string(), m),
        ["region", r, m] => (subject_label(&format!("region.{r}"), scenario), m),
        ["sector", r, s, m] => (subject_label(&format!("sector.{r}.{s}"), scenario), m),
        ["output", r, s] => (
            subject_label(&format!("sector.{r}.{s}"), scenario),
            "output",
        ),
        ["unmet", r, c] => (commodity(r, c), "unmet"),
        ["price", r, c] => (commodity(r, c), "price"),
        ["price", r, c, m] => (commodity(r, c), m),
        ["stockpile", r, c, m] => (commodity(r, c), m),
        ["reserve", id, m] => (format!("State reserve purchase {id}"), m),
        ["flow", e, i, c] => return format!("{}, flow to {i}", commodity(e, c)),
        ["baseline_flow", e, i, c] => {
            return format!(
                "{}, flow to {i} without shocks or policies",
                commodity(e, c)
            );
        }
        _ => return name.to_string(),
    };
    format!("{subject}, {}", measure_words(measure))
}

/// The measure at the end of a metric name in words (`metric_label`).
fn measure_words(measure: &str) -> String {
    match measure {
        "mean_loss" => "mean output loss",
        "peak_loss" => "peak output loss",
        "periods_disrupted" => "periods disrupted",
        "first_disrupted" => "first disrupted period",
        "value_lost" => "value lost",
        "total_value_lost" => "total value lost",
        "unmet" => "unmet demand",
        "peak" => "peak price",
        "at_cap" => "share of periods at the price cap",
        "empty_at" => "stockpile empty at",
        "bought" => "units bought",
        "output" => "output",
        "price" => "price",
        other => return other.replace('_', " "),
    }
    .to_string()
}

/// A commodity's name without its parenthetical detail, or its id when the scenario lacks it.
fn commodity_words(scenario: &Scenario, id: &str) -> String {
    scenario
        .commodities
        .iter()
        .find(|c| c.id == id)
        .map_or(id.to_string(), |c| {
            crate::report::charts::format::short_name(&c.name).to_string()
        })
}

/// A sampled parameter's path in words a reader of the report follows without the TOML:
/// `shock.esc-ree.relief_half_life` -> "relief half-life of CN's controls on Dysprosium and
/// terbium oxides"; `inventory.EU.gallium.cover` -> "stocks held of Gallium in EU". The one
/// vocabulary of parameter names for pages, charts and tables; unknown shapes read as the path.
pub fn param_words(scenario: &Scenario, path: &str) -> String {
    let parts: Vec<&str> = path.split('.').collect();
    if parts.len() < 3 {
        return path.to_string();
    }
    let last = |n: usize| field_words(parts[parts.len() - n]);
    match parts[0] {
        "shock" => {
            let field = last(1);
            let Some(shock) = scenario.shocks.iter().find(|s| s.id == parts[1]) else {
                return format!("{field} of shock {}", parts[1]);
            };
            match &shock.kind {
                ShockKind::ExportRestriction {
                    exporter,
                    commodities,
                    ..
                } => {
                    let first = commodities.first().map_or(String::new(), |&c| {
                        crate::report::charts::format::short_name(&scenario.commodities[c].name)
                            .to_string()
                    });
                    let more = match commodities.len() {
                        0 | 1 => String::new(),
                        2 => " and 1 more".to_string(),
                        n => format!(" and {} more", n - 1),
                    };
                    format!(
                        "{field} of {}'s controls on {first}{more} ({})",
                        scenario.regions[*exporter].id, shock.id
                    )
                }
                _ => format!("{field} of shock {}", shock.id),
            }
        }
        "policy" => format!("{} of policy {}", last(1), parts[1]),
        "commodity" => format!("{} of {}", last(1), commodity_words(scenario, parts[1])),
        "producer" if parts.len() >= 4 => format!(
            "{} of {} producers in {}",
            last(1),
            commodity_words(scenario, parts[1]),
            parts[2]
        ),
        "inventory" if parts.len() >= 4 => format!(
            "{} of {} in {}",
            last(1),
            commodity_words(scenario, parts[2]),
            parts[1]
        ),
        "sector" if parts.len() >= 4 => {
            let name = scenario
                .sectors
                .iter()
                .find(|s| s.id == parts[2] && scenario.regions[s.region].id == parts[1])
                .map_or(parts[2].to_string(), |s| {
                    crate::report::charts::format::short_name(&s.name).to_string()
                });
            if parts.len() == 5 {
                format!(
                    "{} of {name} in {} to {}",
                    field_words(parts[3]),
                    parts[1],
                    commodity_words(scenario, parts[4])
                )
            } else {
                format!("{} of {name} in {}", last(1), parts[1])
            }
        }
        _ => path.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swept_values_read_short_and_stay_distinct() {
        assert_eq!(
            short_values(&[0.0, 7.0 / 3.0, 14.0 / 3.0, 7.0]),
            ["0", "2.333", "4.667", "7"]
        );
        assert_eq!(
            short_values(&[1000.0, 1000.25, 1000.5, 1000.75, 1001.0]),
            ["1000", "1000.2", "1000.5", "1000.8", "1001"]
        );
        assert_eq!(
            short_values(&[0.0125, 1.5e-7, -2.5]),
            ["0.0125", "1.5e-7", "-2.5"]
        );
        // The same value twice is not a clash.
        assert_eq!(short_values(&[0.5, 0.5]), ["0.5", "0.5"]);
        // Values that differ only past 17 digits fall back to the exact text.
        let (a, b) = (1.0, 1.0 + f64::EPSILON);
        assert_eq!(short_values(&[a, b]), [num(a), num(b)]);
    }

    #[test]
    fn metric_labels_name_the_subject_then_the_measure() {
        assert_eq!(
            metric_label("reserve.cn-ge.bought", None),
            "State reserve purchase cn-ge, units bought"
        );
        assert_eq!(
            metric_label("price.EU.gallium.at_cap", None),
            "EU gallium, share of periods at the price cap"
        );
    }

    #[test]
    fn multiples_have_two_significant_figures() {
        assert_eq!(multiple(12.92), "×13");
        assert_eq!(multiple(20.0), "×20");
        assert_eq!(multiple(4.44), "×4.4");
        assert_eq!(multiple(1.0), "×1");
        assert_eq!(multiple(0.963), "×0.96");
        assert_eq!(multiple(f64::NAN), "–");
    }

    #[test]
    fn float_columns_always_read_as_floats() {
        assert_eq!(float(0.0), "0.0");
        assert_eq!(float(12.0), "12.0");
        assert_eq!(float(-3.0), "-3.0");
        assert_eq!(float(1.5), "1.5");
        assert_eq!(float(1e20), "1e20");
        assert_eq!(float(f64::NAN), "");
        assert_eq!(float32(1.0), "1.0");
        assert_eq!(float32(0.25), "0.25");
    }

    #[test]
    fn csv_numbers_round_trip() {
        for x in [0.1, 1.0 / 3.0, 12345678901.25, 1e-20, 2.5e17, -7.0, 0.00001] {
            assert_eq!(num(x).parse::<f64>().unwrap(), x, "{x}");
        }
        assert_eq!(num(1.0), "1");
        assert_eq!(num(0.25), "0.25");
        assert_eq!(num(1e-20), "1e-20");
        assert_eq!(num(-0.0), "0");
        assert_eq!(num(f64::NAN), "");
        assert_eq!(num(f64::INFINITY), "");
    }

    #[test]
    fn series_numbers_drop_digits_beyond_single_precision() {
        assert_eq!(num32(f64::from(0.9_f32)), "0.9");
        assert_eq!(num32(1.0), "1");
        assert_eq!(num32(f64::NAN), "");
    }

    #[test]
    fn money_uses_readable_units() {
        assert_eq!(money(1.234e9), "$1.23 bn");
        assert_eq!(money(1.2e9), "$1.2 bn");
        assert_eq!(money(350e6), "$350 m");
        assert_eq!(money(12_000.0), "$12 k");
        assert_eq!(money(640.0), "$640");
        assert_eq!(money(0.0), "$0");
        assert_eq!(money(-2.5e12), "-$2.5 tn");
        assert_eq!(money(999_700.0), "$1 m");
        assert_eq!(money(0.4), "$0.4");
        assert_eq!(money(f64::NAN), "-");
        assert_eq!(money(1e300), "$1e300");
        assert_eq!(money(-2.5e17), "-$2.5e17");
        assert_eq!(money(1.234e16), "$1.23e16");
        assert_eq!(money(999e12), "$999 tn");
    }

    #[test]
    fn percent_keeps_small_shares_visible() {
        assert_eq!(percent(0.123), "12.3%");
        assert_eq!(percent(0.0004), "0.04%");
        assert_eq!(percent(0.0), "0%");
        assert_eq!(percent(1.0), "100.0%");
    }
}
