//! The one status line `buy --wait` keeps redrawing on a terminal.
//!
//! It is redrawn with an escape code ("erase the line") where the terminal
//! understands it. The classic Windows 10 console shows escape codes as text
//! unless a program turns on its VT processing; where that cannot be turned on
//! the line is redrawn with spaces over what is left of the previous one.

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
        {
            if anstyle_query::windows::enable_ansi_colors() == Some(true) {
                Self::Erase
            } else {
                Self::Overwrite
            }
        }
        #[cfg(not(windows))]
        {
            Self::Erase
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

    #[cfg(not(windows))]
    #[test]
    fn unix_terminals_understand_escape_codes() {
        assert_eq!(Redraw::for_this_terminal(), Redraw::Erase);
    }
}
