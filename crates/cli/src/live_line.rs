//! The one status line `buy --wait` keeps redrawing on a terminal.
//!
//! It is redrawn with an escape code ("erase the line") where the terminal
//! understands it. The classic Windows 10 console shows escape codes as text
//! unless a program turns on its VT processing; where that cannot be turned on,
//! or `TERM=dumb` says there are none, the line is redrawn with spaces over
//! what is left of the previous one.

/// How the line is redrawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Redraw {
    /// `\r` then "erase the line".
    Erase,
    /// `\r` then the text, padded with spaces over the previous one.
    Overwrite,
}

impl Redraw {
    /// What this terminal understands; on Windows, turns on VT processing
    /// for the console first.
    pub fn for_this_terminal() -> Self {
        #[cfg(windows)]
        let escapes = anstyle_query::windows::enable_ansi_colors() == Some(true);
        #[cfg(not(windows))]
        let escapes = true;
        Self::choose(escapes, std::env::var("TERM").ok().as_deref())
    }

    /// `TERM=dumb` (Emacs' shell, some CI consoles) announces a terminal
    /// without escape codes wherever it runs.
    fn choose(escapes: bool, term: Option<&str>) -> Self {
        if escapes && term != Some("dumb") {
            Self::Erase
        } else {
            Self::Overwrite
        }
    }
}

/// Redraws the line as `text`, remembering its width for the next redraw.
#[derive(Debug)]
pub struct LiveLine {
    redraw: Redraw,
    shown_chars: usize,
}

impl LiveLine {
    pub fn new(redraw: Redraw) -> Self {
        Self {
            redraw,
            shown_chars: 0,
        }
    }

    /// What to write to put `text` in place of the line shown so far.
    pub fn replace(&mut self, text: &str) -> String {
        let chars = text.chars().count();
        let out = match self.redraw {
            Redraw::Erase => format!("\r\x1b[2K{text}"),
            Redraw::Overwrite => {
                let pad = self.shown_chars.saturating_sub(chars);
                format!("\r{text}{}", " ".repeat(pad))
            }
        };
        self.shown_chars = chars;
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_terminal_with_escape_codes_erases_the_line() {
        let mut line = LiveLine::new(Redraw::Erase);
        assert_eq!(
            line.replace("Waiting for payment"),
            "\r\x1b[2KWaiting for payment"
        );
        assert_eq!(line.replace("Paid"), "\r\x1b[2KPaid");
    }

    #[test]
    fn a_console_without_them_gets_no_escape_code_and_no_leftovers() {
        let mut line = LiveLine::new(Redraw::Overwrite);
        assert_eq!(line.replace("Waiting for payment"), "\rWaiting for payment");
        let shorter = line.replace("Paid, 2 s");
        assert_eq!(shorter, "\rPaid, 2 s          ");
        assert!(!shorter.contains('\x1b'));
        assert_eq!(shorter.chars().count(), 1 + "Waiting for payment".len());
        assert_eq!(line.replace("Crédits reçus"), "\rCrédits reçus");
    }

    #[test]
    fn escape_codes_only_where_the_terminal_takes_them() {
        assert_eq!(Redraw::choose(true, Some("xterm-256color")), Redraw::Erase);
        assert_eq!(Redraw::choose(true, None), Redraw::Erase);
        assert_eq!(Redraw::choose(true, Some("dumb")), Redraw::Overwrite);
        // A Windows console whose VT processing could not be turned on.
        assert_eq!(Redraw::choose(false, None), Redraw::Overwrite);
    }
}
