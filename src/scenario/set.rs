//! `--set PATH=VALUES`: one-off overrides of a scenario's parameters by the path names that
//! `trials.csv` and `explain` show (`policy.eu-pilot-magnets.initial`), and the value lists of
//! `chokepoint sweep` (`a,b,c` or `a..b:n`).
//!
//! A value replaces the parameter's number or distribution before validation, so it is checked
//! against the field's allowed range like a value written in the file; a path no parameter has
//! is an error with a did-you-mean (`scenario::load_with`).

use std::fmt;
use std::str::FromStr;

/// Most points one `--set` may list (a range `a..b:n` or a list).
pub const MAX_VALUES: usize = 1000;

/// One `--set PATH=VALUES` as given on the command line.
#[derive(Debug, Clone, PartialEq)]
pub struct SetArg {
    pub path: String,
    /// The values, in the order given (a range from `a` to `b`).
    pub values: Vec<f64>,
    /// The text after `=`, for messages and reproduction.
    pub text: String,
}

impl SetArg {
    /// The argument with one value `v` (a sweep point), written `PATH=v`.
    pub fn one(&self, v: f64) -> SetValue {
        SetValue {
            path: self.path.clone(),
            value: v,
        }
    }
}

/// One parameter set to one value.
#[derive(Debug, Clone, PartialEq)]
pub struct SetValue {
    pub path: String,
    pub value: f64,
}

impl fmt::Display for SetArg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}", self.path, self.text)
    }
}

impl FromStr for SetArg {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let Some((path, text)) = s.split_once('=') else {
            return Err(format!(
                "`{s}` is not PATH=VALUES: write e.g. `policy.eu-pilot-magnets.initial=3` \
                 (paths as `chokepoint explain` and trials.csv show them)"
            ));
        };
        let (path, text) = (path.trim(), text.trim());
        if path.is_empty() || path.contains(char::is_whitespace) {
            return Err(format!(
                "`{path}` is not a parameter path: write e.g. `shock.cn-ga.severity` (no spaces)"
            ));
        }
        let values = values(text)?;
        Ok(SetArg {
            path: path.to_string(),
            values,
            text: text.to_string(),
        })
    }
}

fn number(t: &str) -> Result<f64, String> {
    let t = t.trim();
    match t.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(format!(
            "`{t}` is not a finite number: write e.g. `3`, `0.25` or `2.5e9`"
        )),
    }
}

/// `a`, `a,b,c` or `a..b:n` (n evenly spaced points from a to b, both included).
fn values(text: &str) -> Result<Vec<f64>, String> {
    if text.is_empty() {
        return Err(
            "no value after `=`: write one number, a list `a,b,c` or a range `a..b:n`".into(),
        );
    }
    let out = if let Some((range, n)) = text.split_once(':') {
        let Some((a, b)) = range.split_once("..") else {
            return Err(format!(
                "`{text}` is not a range: write `a..b:n`, e.g. `0.5..6:12` for 12 points from 0.5 to 6"
            ));
        };
        let (a, b) = (number(a)?, number(b)?);
        let n: usize = n
            .trim()
            .parse()
            .map_err(|_| format!("`{}` in `{text}` is not a whole number of points", n.trim()))?;
        if !(2..=MAX_VALUES).contains(&n) {
            return Err(format!(
                "`{text}` asks for {n} points: a range takes 2 to {MAX_VALUES} points"
            ));
        }
        (0..n)
            .map(|i| {
                if i == n - 1 {
                    b
                } else {
                    a + (b - a) * i as f64 / (n - 1) as f64
                }
            })
            .collect()
    } else if text.contains("..") {
        return Err(format!(
            "`{text}` has no point count: write `a..b:n`, e.g. `0.5..6:12`"
        ));
    } else {
        text.split(',').map(number).collect::<Result<Vec<_>, _>>()?
    };
    if out.len() > MAX_VALUES {
        return Err(format!(
            "{} values: one --set takes at most {MAX_VALUES}",
            out.len()
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_ranges_and_single_values() {
        let a: SetArg = "policy.x.initial=3".parse().unwrap();
        assert_eq!(
            (a.path.as_str(), a.values.clone()),
            ("policy.x.initial", vec![3.0])
        );
        let b: SetArg = "p=1, 2,4".parse().unwrap();
        assert_eq!(b.values, vec![1.0, 2.0, 4.0]);
        let c: SetArg = "p=0.5..6:12".parse().unwrap();
        assert_eq!(c.values.len(), 12);
        assert_eq!((c.values[0], c.values[11]), (0.5, 6.0));
        assert!((c.values[1] - 1.0).abs() < 1e-12);
    }

    #[test]
    fn bad_arguments_say_what_is_allowed() {
        for (s, want) in [
            ("p", "not PATH=VALUES"),
            ("p=", "no value"),
            ("p=abc", "not a finite number"),
            ("p=1..2", "no point count"),
            ("p=1..2:1", "2 to 1000 points"),
            ("p=1..2:x", "not a whole number"),
            ("p=nan", "not a finite number"),
            ("a b=1", "not a parameter path"),
        ] {
            let e = s.parse::<SetArg>().unwrap_err();
            assert!(e.contains(want), "{s}: {e}");
        }
    }
}
