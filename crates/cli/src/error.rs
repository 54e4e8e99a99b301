//! What a command can fail with, and the exit code each outcome gets.

use topup_core::ErrorCode;

/// Exit codes scripts can rely on.
pub mod exit {
    pub const OK: u8 = 0;
    pub const ERROR: u8 = 1;
    /// clap's own code for a bad command line.
    pub const USAGE: u8 = 2;
    /// The checkout expired before it was paid.
    pub const EXPIRED: u8 = 3;
    /// The person declined the confirmation, or pressed Ctrl-C while waiting.
    pub const CANCELLED: u8 = 4;
    /// `--wait` gave up (30 minutes without the credits).
    pub const GAVE_UP: u8 = 5;
    /// Not signed in, or the session ended: run `topup-cli login`.
    pub const SIGN_IN: u8 = 6;
}

/// The codes of failures that belong to the command line itself.
pub const CLI_CODES: [(&str, &str); 4] = [
    ("usage", "the command line is wrong (exit code 2)"),
    (
        "cancelled",
        "the purchase was declined at the prompt, or Ctrl-C",
    ),
    ("terminal", "the terminal could not be read"),
    (
        "failed",
        "topup-cli itself failed (no config directory, the Sandbox did not start)",
    ),
];

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Core(#[from] topup_core::Error),
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Cancelled(String),
    #[error("cannot read the terminal: {0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Failed(String),
}

impl CliError {
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Core(e) if e.code() == ErrorCode::SessionExpired => exit::SIGN_IN,
            Self::Core(e) if e.code() == ErrorCode::Cancelled => exit::CANCELLED,
            Self::Usage(_) => exit::USAGE,
            Self::Cancelled(_) => exit::CANCELLED,
            _ => exit::ERROR,
        }
    }

    /// The stable code scripts can branch on in `--json` mode.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Core(e) => e.code().as_str(),
            Self::Usage(_) => CLI_CODES[0].0,
            Self::Cancelled(_) => CLI_CODES[1].0,
            Self::Io(_) => CLI_CODES[2].0,
            Self::Failed(_) => CLI_CODES[3].0,
        }
    }
}

pub type Result<T> = std::result::Result<T, CliError>;
