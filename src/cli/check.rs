//! `chokepoint check FILE...`: validate each file, print every error and warning, then a
//! one-line verdict per file.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use super::term::Escaped;
use super::{EXIT_INVALID, EXIT_OK, EXIT_USAGE};
use crate::scenario::{self, render_all};

/// Colour only for a terminal, and never when `NO_COLOR` is set.
pub fn use_color(stream_is_terminal: bool) -> bool {
    stream_is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Checks every file; returns 0 when all are valid, 1 when any is invalid, 2 when a file
/// named on the command line cannot be read (`EXIT_PIPE`/`EXIT_OUTPUT` when stdout fails).
pub fn run(files: &[PathBuf]) -> i32 {
    let stdout = std::io::stdout();
    let color = use_color(stdout.is_terminal());
    let mut out = stdout.lock();
    match check_all(files, color, &mut out) {
        Ok(code) => code,
        Err(e) => super::term::stdout_failed(&e, &mut super::term::stderr()),
    }
}

fn check_all(files: &[PathBuf], color: bool, out: &mut dyn Write) -> std::io::Result<i32> {
    let mut code = EXIT_OK;
    for file in files {
        if let Err(why) = scenario::readable(file) {
            let mut text = Escaped(&mut *out);
            writeln!(text, "error: {why}")?;
            writeln!(text, "{}: cannot read\n", file.display())?;
            code = EXIT_USAGE;
            continue;
        }
        let (diags, ok) = match scenario::load(file) {
            Ok(l) => (l.warnings, true),
            Err(e) => (e.diagnostics, false),
        };
        let errors = diags.iter().filter(|d| d.is_error()).count();
        let warnings = diags.len() - errors;
        // Diagnostics escape their own text (and may carry colour codes).
        write!(out, "{}", render_all(&diags, color))?;
        let verdict = if ok {
            format!("{}: ok{}", file.display(), count(", ", warnings, "warning"))
        } else {
            if code == EXIT_OK {
                code = EXIT_INVALID;
            }
            format!(
                "{}: invalid, {}{}",
                file.display(),
                count("", errors, "error"),
                count(", ", warnings, "warning")
            )
        };
        writeln!(Escaped(&mut *out), "{verdict}")?;
    }
    out.flush()?;
    Ok(code)
}

fn count(prefix: &str, n: usize, what: &str) -> String {
    match n {
        0 if prefix.is_empty() => format!("0 {what}s"),
        0 => String::new(),
        1 => format!("{prefix}1 {what}"),
        _ => format!("{prefix}{n} {what}s"),
    }
}
