//! What the Google stand-in remembers: its signing secret, the authorization
//! codes it handed out, and each email's stable subject.

use std::collections::HashMap;

use crate::ids;

pub struct Store {
    pub(super) secret: String,
    pub(super) codes: HashMap<String, Grant>,
    pub(super) subjects: HashMap<String, String>,
}

impl Default for Store {
    fn default() -> Self {
        Self {
            secret: ids::secret(32),
            codes: HashMap::new(),
            subjects: HashMap::new(),
        }
    }
}

#[derive(Debug, Clone)]
pub(super) struct Grant {
    pub(super) client_id: String,
    pub(super) redirect_uri: String,
    pub(super) challenge: String,
    pub(super) email: String,
    pub(super) nonce: Option<String>,
    pub(super) expires_at: i64,
}
