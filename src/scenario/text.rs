//! Text from outside (a scenario file's names, ids, messages, paths) made safe to print on a
//! terminal. Here, at the bottom of the layers, because the scenario's own diagnostics print it;
//! `report::format` re-exports it for every exporter and command.

use std::borrow::Cow;

/// Text from a scenario file (or any outside source) made safe to print on a terminal: every
/// control character (C0, DEL and C1, which terminals read as commands) is shown as an escape:
/// `\e` for ESC, `\r`, `\n`, `\t`, `\0`, and `\x07` / `\u{9b}` for the others. Text without
/// control characters is returned as is. Use it for one-line fields (names, ids, paths, messages).
pub fn terminal(s: &str) -> Cow<'_, str> {
    escape_controls(s, false)
}

/// Like `terminal`, but keeps line breaks: for whole multi-line outputs (tables, explanations).
pub fn terminal_lines(s: &str) -> Cow<'_, str> {
    escape_controls(s, true)
}

fn escape_controls(s: &str, keep_newlines: bool) -> Cow<'_, str> {
    let unsafe_char = |c: char| c.is_control() && !(keep_newlines && c == '\n');
    if !s.chars().any(unsafe_char) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if !unsafe_char(c) {
            out.push(c);
            continue;
        }
        match c {
            '\u{1b}' => out.push_str("\\e"),
            '\r' => out.push_str("\\r"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\0' => out.push_str("\\0"),
            c if (c as u32) < 0x80 => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_text_has_no_control_characters() {
        let hostile = "a\u{1b}]0;pwned\u{7}\u{1b}[2J\rb\tc\nd\u{9b}e\u{7f}\0";
        assert_eq!(
            terminal(hostile),
            "a\\e]0;pwned\\x07\\e[2J\\rb\\tc\\nd\\u{9b}e\\x7f\\0"
        );
        assert_eq!(terminal_lines("x\ny\u{1b}"), "x\ny\\e");
        assert!(matches!(terminal("Ünïcode, ok"), Cow::Borrowed(_)));
        assert!(!terminal(hostile).chars().any(char::is_control));
    }
}
