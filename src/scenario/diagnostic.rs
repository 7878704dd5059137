//! Problems found in scenario and world files: what, where (file, line, column, key), what is
//! allowed and how to fix it, rendered as an annotated snippet of the offending text.

use std::borrow::Cow;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

use super::text::terminal;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// One loaded text file; diagnostics keep a handle on it so they can underline the source.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: PathBuf,
    pub text: Arc<str>,
}

/// Where a value sits: which loaded file (index into the loader's file list) and its byte span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loc {
    pub file: usize,
    pub span: Range<usize>,
}

#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub severity: Severity,
    pub file: PathBuf,
    /// 1-based; 0 when the problem has no position (e.g. an unreadable file).
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
    /// Where in the document, e.g. `shock "cn-hree".duration`.
    pub key_path: String,
    pub message: String,
    /// What the field accepts.
    pub allowed: Option<String>,
    /// How to fix it.
    pub hint: Option<String>,
    /// Byte span in `source` to underline.
    pub span: Option<Range<usize>>,
    pub source: Option<Arc<str>>,
}

impl Diagnostic {
    /// A diagnostic about a whole file (no position).
    pub fn file_level(severity: Severity, file: &Path, message: impl Into<String>) -> Self {
        Diagnostic {
            severity,
            file: file.to_path_buf(),
            line: 0,
            column: 0,
            key_path: String::new(),
            message: message.into(),
            allowed: None,
            hint: None,
            span: None,
            source: None,
        }
    }

    /// A diagnostic at `span` of `file`.
    pub fn at(
        severity: Severity,
        file: &SourceFile,
        span: Range<usize>,
        key_path: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        let text = &file.text;
        let start = floor_char_boundary(text, span.start.min(text.len()));
        let end = floor_char_boundary(text, span.end.clamp(start, text.len()));
        let (line, column) = line_col(text, start);
        Diagnostic {
            severity,
            file: file.path.clone(),
            line,
            column,
            key_path: key_path.into(),
            message: message.into(),
            allowed: None,
            hint: None,
            span: Some(start..end),
            source: Some(file.text.clone()),
        }
    }

    pub fn allowed(&mut self, s: impl Into<String>) -> &mut Self {
        self.allowed = Some(s.into());
        self
    }

    pub fn hint(&mut self, s: impl Into<String>) -> &mut Self {
        self.hint = Some(s.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The title line: the key path (when known) and the message.
    pub fn title(&self) -> String {
        if self.key_path.is_empty() {
            self.message.clone()
        } else {
            format!("{}: {}", self.key_path, self.message)
        }
    }

    /// Renders the diagnostic as an annotated snippet; `color` adds ANSI styles.
    pub fn render(&self, color: bool) -> String {
        let level = match self.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        };
        // Text from the files is shown with control characters escaped, so a hostile file cannot
        // send commands to the terminal; colour codes are added by the renderer afterwards.
        let path = terminal(&self.file.display().to_string()).into_owned();
        let title = terminal(&self.title()).into_owned();
        let shown = self.source.as_deref().map(same_length_printable);
        let mut group = Group::with_title(level.clone().primary_title(title.as_str()));
        match (&shown, &self.span) {
            (Some(src), Some(span)) => {
                // An empty span (end of file) still needs one character to point at.
                let span = if !span.is_empty() {
                    span.clone()
                } else if span.start > 0
                    && (span.start >= src.len() || src.as_bytes()[span.start] == b'\n')
                {
                    // At the end of a line or file: underline the last character before it.
                    floor_char_boundary(src, span.start - 1)..span.start
                } else if span.end < src.len() {
                    span.start..next_char_boundary(src, span.start)
                } else {
                    span.clone()
                };
                let label = match &self.allowed {
                    Some(a) => format!("allowed: {}", terminal(a)),
                    None => String::new(),
                };
                let mut ann = AnnotationKind::Primary.span(span);
                if !label.is_empty() {
                    ann = ann.label(label);
                }
                group = group.element(
                    Snippet::source(src.as_ref())
                        .path(path.as_str())
                        .annotation(ann),
                );
            }
            _ => {
                group = group.element(annotate_snippets::Origin::path(path.as_str()));
                if let Some(a) = &self.allowed {
                    group = group.element(Level::NOTE.message(format!("allowed: {}", terminal(a))));
                }
            }
        }
        if let Some(h) = &self.hint {
            group = group.element(Level::HELP.message(terminal(h)));
        }
        let renderer = if color {
            Renderer::styled()
        } else {
            Renderer::plain()
        };
        renderer.render(&[group])
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(false))
    }
}

/// The source with each control character other than tab and line breaks replaced by as many
/// `?` as it has bytes, so spans still point at the same text and nothing reaches the terminal
/// as a command.
fn same_length_printable(src: &str) -> Cow<'_, str> {
    let bad = |(i, c): (usize, char)| {
        c.is_control()
            && c != '\t'
            && c != '\n'
            && !(c == '\r' && src.as_bytes().get(i + 1) == Some(&b'\n'))
    };
    if !src.char_indices().any(bad) {
        return Cow::Borrowed(src);
    }
    let mut out = String::with_capacity(src.len());
    for (i, c) in src.char_indices() {
        if bad((i, c)) {
            out.extend(std::iter::repeat_n('?', c.len_utf8()));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// 1-based line and character column of byte `offset`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = text[line_start..offset].chars().count() + 1;
    (line, column)
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn next_char_boundary(s: &str, i: usize) -> usize {
    let mut j = i + 1;
    while j < s.len() && !s.is_char_boundary(j) {
        j += 1;
    }
    j.min(s.len())
}

/// Collects diagnostics while walking the files of one load, and carries the load's `--set`
/// overrides so that the reader of each parameter can take one in place of the file's value.
#[derive(Debug, Default)]
pub struct Diags {
    pub files: Vec<SourceFile>,
    pub list: Vec<Diagnostic>,
    /// `--set PATH=VALUE` overrides of this load (see `scenario::LoadOptions`).
    pub set: Vec<SetEntry>,
}

/// One `--set PATH=VALUE`: the value as a node located in the `--set` pseudo file, so a bad
/// value is reported like a bad value in a file (the allowed range of the field, a hint).
#[derive(Debug, Clone)]
pub struct SetEntry {
    pub path: String,
    pub path_loc: Loc,
    pub node: super::tree::Node,
    /// Whether a parameter of that path took it.
    pub used: bool,
}

impl Diags {
    /// The `--set` value for parameter `path`, if any (marking it used).
    pub fn set_value(&mut self, path: &str) -> Option<super::tree::Node> {
        let e = self.set.iter_mut().find(|e| e.path == path)?;
        e.used = true;
        Some(e.node.clone())
    }

    pub fn add_file(&mut self, path: PathBuf, text: Arc<str>) -> usize {
        self.files.push(SourceFile { path, text });
        self.files.len() - 1
    }

    pub fn push(
        &mut self,
        severity: Severity,
        loc: &Loc,
        key: &str,
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        let d = Diagnostic::at(
            severity,
            &self.files[loc.file],
            loc.span.clone(),
            key,
            message,
        );
        self.list.push(d);
        self.list.last_mut().expect("just pushed")
    }

    pub fn error(&mut self, loc: &Loc, key: &str, message: impl Into<String>) -> &mut Diagnostic {
        self.push(Severity::Error, loc, key, message)
    }

    pub fn warn(&mut self, loc: &Loc, key: &str, message: impl Into<String>) -> &mut Diagnostic {
        self.push(Severity::Warning, loc, key, message)
    }

    /// `path:line:column` of `loc`, for "first defined at" hints.
    pub fn describe(&self, loc: &Loc) -> String {
        let f = &self.files[loc.file];
        let (line, col) = line_col(
            &f.text,
            floor_char_boundary(&f.text, loc.span.start.min(f.text.len())),
        );
        format!("{}:{line}:{col}", f.path.display())
    }

    pub fn has_errors(&self) -> bool {
        self.list.iter().any(Diagnostic::is_error)
    }

    /// Diagnostics in file order: by file (scenario first), then position.
    pub fn sorted(mut self) -> Vec<Diagnostic> {
        let order = |d: &Diagnostic| {
            let f = self
                .files
                .iter()
                .position(|s| s.path == d.file)
                .unwrap_or(usize::MAX);
            (f, d.span.as_ref().map_or(0, |s| s.start))
        };
        let mut keyed: Vec<_> = self.list.drain(..).map(|d| (order(&d), d)).collect();
        keyed.sort_by_key(|k| k.0);
        keyed.into_iter().map(|(_, d)| d).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_characters() {
        let text = "a = 1\nname = \"Ünïcode\" x\n";
        let x = text.find(" x").unwrap() + 1;
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 6), (2, 1));
        assert_eq!(line_col(text, x), (2, 18));
    }

    #[test]
    fn render_never_slices_inside_a_character() {
        let file = SourceFile {
            path: "t.toml".into(),
            text: Arc::from("x = \"é\"\n"),
        };
        // A span ending inside the two-byte é is pulled back to a boundary.
        let d = Diagnostic::at(Severity::Error, &file, 5..6, "x", "bad");
        assert_eq!(d.span, Some(5..5));
        assert!(d.render(false).contains("t.toml:1:"));
    }

    #[test]
    fn render_escapes_control_characters() {
        let file = SourceFile {
            path: "t.toml".into(),
            text: Arc::from("x = \"\u{1b}[2J\u{9b}\"\r\ny = 1\n"),
        };
        let mut d = Diagnostic::at(Severity::Error, &file, 0..1, "x", "bad \u{1b}]0;pwned\u{7}");
        d.hint("\r").allowed("\u{1b}");
        let out = d.render(false);
        assert!(!out.chars().any(|c| c.is_control() && c != '\n'), "{out:?}");
        assert!(out.contains("bad \\e]0;pwned\\x07"), "{out}");
    }
}
