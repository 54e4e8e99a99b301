//! What a handler answers: a refusal is the `Err` side, so each check reads
//! as one line with `?` (axum turns either side into the response).

use axum::response::Response;

pub type Reply = Result<Response, Response>;
