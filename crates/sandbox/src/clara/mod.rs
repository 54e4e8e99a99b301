//! The Clara-compatible API (`clara-api.md`), served under `/api/v1`.
//!
//! Documented behaviour by default; with [`Quirks::Boilerplate`] the Sandbox
//! does what the Flask Backend Boilerplate's source does where the two differ.

mod account;
mod admin;
mod billing;

pub use admin::set_balance;
pub mod google;
pub mod jwt;
mod session;
mod users;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::SystemTime;

use axum::body::Bytes;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::Router;
use serde_json::{json, Map, Value};

use crate::clock::http_date;
use crate::config::Quirks;
use crate::state::{App, World};
use crate::{demo, ids};

pub fn routes() -> Router<App> {
    Router::new()
        .route("/auth/register", post(account::register))
        .route("/auth/google", post(account::google))
        .route(
            "/auth/session",
            post(session::login).delete(session::logout),
        )
        .route("/users", get(admin::list_users))
        .route(
            "/users/{user}",
            get(users::view)
                .patch(users::update)
                .delete(admin::delete_user),
        )
        .route(
            "/users/{user}/password",
            axum::routing::patch(account::change_password),
        )
        .route("/users/{user}/otp/{otp_type}", post(account::request_otp))
        .route("/users/{user}/activate", post(account::activate))
        .route(
            "/users/{user}/2fa",
            post(account::enable_2fa).delete(account::disable_2fa),
        )
        .route(
            "/users/{user}/api_key",
            get(users::view_api_key).post(users::reset_api_key),
        )
        .route("/users/{user}/credits", put(admin::set_credits))
        .route(
            "/users/{user}/transactions",
            get(users::transactions).post(admin::create_transaction),
        )
        .route(
            "/users/{user}/transactions/{transaction}",
            get(users::transaction)
                .patch(admin::update_transaction)
                .delete(admin::delete_transaction),
        )
        .route("/users/{user}/tasks", get(users::tasks))
        .route("/users/{user}/tasks/{task}", get(users::task))
        .route(
            "/users/{user}/agent/supported_attachments",
            get(users::supported_attachments),
        )
        .route("/users/{user}/agent/analysis", post(users::analysis))
        .route("/stripe/rate", get(billing::rate))
        .route("/stripe/buy", post(billing::buy))
        .route("/stripe/portal", post(billing::portal))
        .route("/stripe/settle", post(billing::settle))
        .route("/health", get(health))
        .route("/version", get(version))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
}

// ---- messages (§4) ----

pub const MSG_EMPTY_BODY: &str = "Request body is empty.";
pub const MSG_SCHEMA: &str =
    "One or more required parameters are either not given or have invalid schema.";
pub const MSG_UNAUTHORIZED: &str =
    "Authorization header or OTP is either missing, invalid or expired.";
pub const MSG_INACTIVE: &str = "Please activate your account to access the requested resource.";
pub const MSG_FORBIDDEN: &str = "You do not have access to the requested resource.";
pub const MSG_NO_CREDITS: &str = "You do not have enough credits to perform this action.";
pub const MSG_NO_RATE: &str = "No credits rate found for the given amount.";
pub const MSG_SERVER: &str = "Something went wrong.";

// ---- state ----

#[derive(Debug, Clone, serde::Serialize)]
pub struct Settlement {
    pub session_id: String,
    pub user_id: String,
    pub credits: f64,
    /// Unix milliseconds on the machine's clock when the balance was credited.
    pub wall_ms: u128,
}

pub struct Store {
    pub users: BTreeMap<String, User>,
    pub tokens: HashMap<String, Token>,
    pub otps: HashMap<(String, OtpType), Otp>,
    pub transactions: Vec<Transaction>,
    pub api_keys: HashMap<String, ApiKey>,
    pub tasks: Vec<Task>,
    /// Checkout Sessions already credited: each at most once.
    pub settled: HashSet<String>,
    /// When each credit was written, on the wall clock (not the Sandbox
    /// clock, which tests move): benchmarks time "paid → on screen" from it.
    pub settlements: Vec<Settlement>,
    pub tiers: Vec<Tier>,
    pub jwt_secret: String,
    pub token_ttl_secs: f64,
    pub webhook_secret: String,
    pub google: google::Store,
}

impl Default for Store {
    fn default() -> Self {
        Self {
            users: BTreeMap::new(),
            tokens: HashMap::new(),
            otps: HashMap::new(),
            transactions: Vec::new(),
            api_keys: HashMap::new(),
            tasks: Vec::new(),
            settled: HashSet::new(),
            settlements: Vec::new(),
            tiers: vec![Tier {
                lower_limit: 5.0,
                upper_limit: 10_000.0,
                rate: 100.0,
                stripe_price_id: demo::CLARA_PRICE_ID.to_owned(),
            }],
            jwt_secret: ids::secret(32),
            token_ttl_secs: 7.0 * 24.0 * 3600.0,
            webhook_secret: demo::WEBHOOK_SECRET.to_owned(),
            google: google::Store::default(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct User {
    pub id: String,
    pub email: String,
    pub password: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub credits: f64,
    pub is_active: bool,
    pub is_2fa_enabled: bool,
    pub is_dark_mode: bool,
    pub created_at: SystemTime,
    pub updated_at: SystemTime,
    pub stripe_customer_id: Option<String>,
    pub google_user_id: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Token {
    pub user_id: String,
    pub exp: f64,
    pub revoked: bool,
    /// Set by the test hook that ends sessions as if their JWT had expired.
    pub force_expired: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OtpType {
    ChangePassword,
    TwoFactorAuth,
    Activation,
}

impl OtpType {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "CHANGE_PASSWORD" => Some(Self::ChangePassword),
            "TWO_FACTOR_AUTH" => Some(Self::TwoFactorAuth),
            "ACTIVATION" => Some(Self::Activation),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::ChangePassword => "CHANGE_PASSWORD",
            Self::TwoFactorAuth => "TWO_FACTOR_AUTH",
            Self::Activation => "ACTIVATION",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Otp {
    pub code: String,
    pub expires_at: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Credit,
    Debit,
}

#[derive(Debug, Clone)]
pub struct Transaction {
    pub id: String,
    pub user_id: String,
    pub kind: Kind,
    pub description: String,
    pub value_in_credits: f64,
    pub value_in_fiat: f64,
    pub created_at: SystemTime,
    pub updated_at: SystemTime,
    pub payment_intent: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ApiKey {
    pub id: String,
    pub token: String,
    pub created_at: SystemTime,
    pub updated_at: SystemTime,
}

#[derive(Debug, Clone)]
pub struct Task {
    pub id: String,
    pub user_id: String,
    pub status: String,
    pub created_at: SystemTime,
    pub updated_at: SystemTime,
}

#[derive(Debug, Clone)]
pub struct Tier {
    pub lower_limit: f64,
    pub upper_limit: f64,
    pub rate: f64,
    pub stripe_price_id: String,
}

/// A JSON number as Python would print it: whole floats stay floats (`10.0`).
pub fn float(v: f64) -> Value {
    serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number)
}

/// A number written the way the published examples write tier values (`5`, `100`).
pub fn whole_or_float(v: f64) -> Value {
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        json!(v as i64)
    } else {
        float(v)
    }
}

pub fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

impl User {
    pub fn to_json(&self) -> Value {
        json!({
            "created_at": http_date(self.created_at),
            "credits": float(self.credits),
            "email": self.email,
            "first_name": self.first_name,
            "id": self.id,
            "is_2fa_enabled": self.is_2fa_enabled,
            "is_active": self.is_active,
            "is_dark_mode": self.is_dark_mode,
            "last_name": self.last_name,
            "updated_at": http_date(self.updated_at),
        })
    }

    pub fn with_token(&self, token: &str) -> Value {
        let mut v = self.to_json();
        v["token"] = json!(token);
        v
    }

    /// The active-user rule (§5.4).
    pub fn qualifies(&self) -> bool {
        self.is_active
            && self.first_name.as_deref().is_some_and(|n| !n.is_empty())
            && self.last_name.as_deref().is_some_and(|n| !n.is_empty())
    }
}

impl Transaction {
    pub fn to_json(&self) -> Value {
        json!({
            "created_at": http_date(self.created_at),
            "description": self.description,
            "id": self.id,
            "type": match self.kind { Kind::Credit => "CREDIT", Kind::Debit => "DEBIT" },
            "updated_at": http_date(self.updated_at),
            "user_id": self.user_id,
            "value_in_credits": float(self.value_in_credits),
            "value_in_fiat": float(self.value_in_fiat),
        })
    }
}

impl Tier {
    pub fn to_json(&self) -> Value {
        json!({
            "lower_limit": whole_or_float(self.lower_limit),
            "rate": whole_or_float(self.rate),
            "stripe_price_id": self.stripe_price_id,
            "upper_limit": whole_or_float(self.upper_limit),
        })
    }
}

/// Word-by-word capitalisation, as the boilerplate stores names.
pub fn capitalise(name: &str) -> String {
    name.split(' ')
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f
                    .to_uppercase()
                    .chain(c.flat_map(char::to_lowercase))
                    .collect(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

// ---- envelope (§2) ----

/// Rebuilds objects with their keys in order, whatever the JSON map type keeps.
pub fn sorted(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k, sorted(v)))
                    .collect::<Map<_, _>>(),
            )
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}

pub fn envelope(status: StatusCode, ok: bool, message: &str, data: Value) -> Response {
    let body = sorted(json!({
        "data": data,
        "message": message,
        "status": if ok { "success" } else { "error" },
    }));
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

pub fn success(status: StatusCode, message: &str, data: Value) -> Response {
    envelope(status, true, message, data)
}

pub fn failure(status: StatusCode, message: &str) -> Response {
    envelope(status, false, message, Value::Null)
}

pub fn no_content() -> Response {
    StatusCode::NO_CONTENT.into_response()
}

pub fn schema_error() -> Response {
    failure(StatusCode::BAD_REQUEST, MSG_SCHEMA)
}

pub fn unauthorized() -> Response {
    failure(StatusCode::UNAUTHORIZED, MSG_UNAUTHORIZED)
}

pub fn unauthorized_2fa() -> Response {
    envelope(
        StatusCode::UNAUTHORIZED,
        false,
        MSG_UNAUTHORIZED,
        json!({"is_2fa_enabled": true}),
    )
}

pub fn forbidden() -> Response {
    failure(StatusCode::FORBIDDEN, MSG_FORBIDDEN)
}

pub fn inactive() -> Response {
    failure(StatusCode::UNAUTHORIZED, MSG_INACTIVE)
}

pub fn server_error() -> Response {
    failure(StatusCode::INTERNAL_SERVER_ERROR, MSG_SERVER)
}

pub fn not_found_resource(resource: &str) -> Response {
    failure(
        StatusCode::NOT_FOUND,
        &format!("{resource} with the given identifier does not exist."),
    )
}

async fn not_found() -> Response {
    failure(StatusCode::NOT_FOUND, "The requested route does not exist.")
}

async fn method_not_allowed() -> Response {
    failure(
        StatusCode::METHOD_NOT_ALLOWED,
        "The requested method is not allowed for this route.",
    )
}

async fn health(axum::extract::State(app): axum::extract::State<App>) -> Response {
    let service = if app.config.quirks == Quirks::Boilerplate {
        "crazi-co"
    } else {
        "crazi_co"
    };
    success(
        StatusCode::OK,
        "Health check successful.",
        json!({"service": service, "status": "healthy"}),
    )
}

async fn version(axum::extract::State(app): axum::extract::State<App>) -> Response {
    let version = if app.config.quirks == Quirks::Boilerplate {
        "1.0.0"
    } else {
        "1.1.3"
    };
    success(
        StatusCode::OK,
        "Version check successful.",
        json!({"version": version}),
    )
}

// ---- bodies ----

/// A JSON object body, or the §4 error for a missing/empty/non-JSON one.
pub fn json_body(headers: &HeaderMap, body: &Bytes) -> Result<Map<String, Value>, Response> {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.to_ascii_lowercase().starts_with("application/json"));
    if !is_json || body.is_empty() {
        return Err(failure(StatusCode::BAD_REQUEST, MSG_EMPTY_BODY));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) if !map.is_empty() => Ok(map),
        Ok(Value::Object(_)) => Err(failure(StatusCode::BAD_REQUEST, MSG_EMPTY_BODY)),
        _ => Err(schema_error()),
    }
}

/// Checks that `body` has exactly the `required` keys plus any of `optional`,
/// each a string (the common case in this API).
pub fn string_fields(
    body: &Map<String, Value>,
    required: &[&str],
    optional: &[&str],
) -> Result<(), Response> {
    for key in body.keys() {
        if !required.contains(&key.as_str()) && !optional.contains(&key.as_str()) {
            return Err(schema_error());
        }
    }
    for key in required {
        if !body.get(*key).is_some_and(Value::is_string) {
            return Err(schema_error());
        }
    }
    for key in optional {
        if body.get(*key).is_some_and(|v| !v.is_string()) {
            return Err(schema_error());
        }
    }
    Ok(())
}

// ---- authentication (§5) ----

/// Who is calling.
#[derive(Debug, Clone)]
pub enum Caller {
    User { user_id: String, token: String },
    ApiKey { user_id: String },
    Public,
    Private,
}

impl Caller {
    pub fn user_id(&self) -> Option<&str> {
        match self {
            Self::User { user_id, .. } | Self::ApiKey { user_id } => Some(user_id),
            _ => None,
        }
    }
}

pub fn auth_header(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// The user-token prefix: the boilerplate source's, or the published examples'.
pub fn token_prefix(quirks: Quirks) -> &'static str {
    match quirks {
        Quirks::Boilerplate => "crazi_couser_",
        Quirks::Documented => "crazi_co_user_",
    }
}

/// Identifies the caller from `Authorization`. Basic credentials are not a
/// caller here: only Login takes them.
pub fn authenticate(app: &App, world: &World, headers: &HeaderMap) -> Result<Caller, Response> {
    let quirky = app.config.quirks == Quirks::Boilerplate;
    let Some(value) = auth_header(headers) else {
        return Err(unauthorized());
    };
    if value == demo::CLARA_PRIVATE_KEY {
        return Ok(Caller::Private);
    }
    if value == demo::CLARA_PUBLIC_KEY {
        return Ok(Caller::Public);
    }
    let trimmed = value.trim();
    if trimmed == "Bearer" || trimmed == "Basic" {
        // The boilerplate indexes past the scheme word and crashes.
        return Err(if quirky {
            server_error()
        } else {
            unauthorized()
        });
    }
    let Some(token) = value.strip_prefix("Bearer ") else {
        return Err(unauthorized());
    };
    if token.starts_with("clara_api_") {
        return world
            .clara
            .api_keys
            .iter()
            .find(|(_, k)| k.token == token)
            .map(|(user_id, _)| Caller::ApiKey {
                user_id: user_id.clone(),
            })
            .ok_or_else(unauthorized);
    }
    let Some(record) = world.clara.tokens.get(token) else {
        return Err(unauthorized());
    };
    if record.revoked {
        return Err(unauthorized());
    }
    let now = world
        .clock
        .now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64());
    if record.force_expired || now >= record.exp {
        // Documented: 401. Boilerplate: the JWT expiry exception is not caught.
        return Err(if quirky {
            server_error()
        } else {
            unauthorized()
        });
    }
    if !world.clara.users.contains_key(&record.user_id) {
        return Err(unauthorized());
    }
    Ok(Caller::User {
        user_id: record.user_id.clone(),
        token: token.to_owned(),
    })
}

/// For `/users/{user_id}/…`: the caller must be that user (or hold the
/// Private key); with `active`, the user must also pass §5.4.
pub fn own_user(
    world: &World,
    caller: &Caller,
    path_user: &str,
    active: bool,
) -> Result<String, Response> {
    match caller {
        Caller::Private => {
            if world.clara.users.contains_key(path_user) {
                Ok(path_user.to_owned())
            } else {
                Err(not_found_resource("User"))
            }
        }
        Caller::User { user_id, .. } | Caller::ApiKey { user_id } => {
            if user_id != path_user {
                return Err(forbidden());
            }
            let user = world.clara.users.get(user_id).ok_or_else(unauthorized)?;
            if active && !user.qualifies() {
                return Err(inactive());
            }
            Ok(user_id.clone())
        }
        Caller::Public => Err(forbidden()),
    }
}

/// Issues a user token (prefix + HS256 JWT) and remembers it.
pub fn issue_token(app: &App, world: &mut World, user_id: &str) -> String {
    let now = world
        .clock
        .now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64());
    let exp = now + world.clara.token_ttl_secs;
    let claims = json!({"sub": user_id, "role": "user", "iat": now, "exp": exp});
    let token = format!(
        "{}{}",
        token_prefix(app.config.quirks),
        jwt::encode(&claims, &world.clara.jwt_secret)
    );
    world.clara.tokens.insert(
        token.clone(),
        Token {
            user_id: user_id.to_owned(),
            exp,
            revoked: false,
            force_expired: false,
        },
    );
    token
}

/// An API-key token (`clara_api_` + JWT without `exp`).
pub fn issue_api_key(world: &mut World, user_id: &str) -> ApiKey {
    let now = world.clock.now();
    let claims = json!({"sub": user_id, "role": "api_key", "jti": ids::secret(12)});
    let key = ApiKey {
        id: ids::clara("api_key"),
        token: format!(
            "clara_api_{}",
            jwt::encode(&claims, &world.clara.jwt_secret)
        ),
        created_at: now,
        updated_at: now,
    };
    world.clara.api_keys.insert(user_id.to_owned(), key.clone());
    key
}

/// Creates (or replaces) an OTP and "emails" it.
pub fn send_otp(app: &App, world: &mut World, user_id: &str, kind: OtpType) -> Option<String> {
    let email = world.clara.users.get(user_id)?.email.clone();
    let code = ids::otp();
    let expires_at = world.clock.unix() + 10 * 60;
    world.clara.otps.insert(
        (user_id.to_owned(), kind),
        Otp {
            code: code.clone(),
            expires_at,
        },
    );
    let sent_at = world.clock.unix();
    app.send_email(
        world,
        crate::state::Email {
            to: email,
            subject: format!("Your {} code", kind.name()),
            body: format!("Your code is {code}. It is valid for 10 minutes."),
            otp_type: Some(kind.name().to_owned()),
            code: Some(code.clone()),
            sent_at,
        },
    );
    Some(code)
}

/// The outcome of checking a code.
pub enum CodeCheck {
    Valid,
    Wrong,
    Expired,
    NeverRequested,
}

pub fn check_otp(world: &World, user_id: &str, kind: OtpType, code: &str) -> CodeCheck {
    match world.clara.otps.get(&(user_id.to_owned(), kind)) {
        None => CodeCheck::NeverRequested,
        Some(otp) if otp.code != code => CodeCheck::Wrong,
        Some(otp) if world.clock.unix() >= otp.expires_at => CodeCheck::Expired,
        Some(_) => CodeCheck::Valid,
    }
}

pub fn consume_otp(world: &mut World, user_id: &str, kind: OtpType) {
    world.clara.otps.remove(&(user_id.to_owned(), kind));
}

pub fn find_by_email<'a>(world: &'a World, email: &str) -> Option<&'a User> {
    world
        .clara
        .users
        .values()
        .find(|u| u.email.eq_ignore_ascii_case(email))
}

/// Credits a user and writes the history row, as settlement and admin do.
pub fn add_transaction(
    world: &mut World,
    user_id: &str,
    kind: Kind,
    description: String,
    credits: f64,
    fiat: f64,
    payment_intent: Option<String>,
) -> Transaction {
    let now = world.clock.now();
    let t = Transaction {
        id: ids::clara("transaction"),
        user_id: user_id.to_owned(),
        kind,
        description,
        value_in_credits: round2(credits),
        value_in_fiat: round2(fiat),
        created_at: now,
        updated_at: now,
        payment_intent,
    };
    world.clara.transactions.push(t.clone());
    t
}

/// fiat = credits ÷ the rate of the tier whose limits contain `credits`, else ÷ 100 (§8.4.3).
pub fn fiat_for(world: &World, credits: f64) -> f64 {
    let rate = world
        .clara
        .tiers
        .iter()
        .find(|t| credits >= t.lower_limit && credits <= t.upper_limit)
        .map_or(100.0, |t| t.rate);
    credits / rate
}

/// Python's float repr for the whole-number and short cases the API shows (`500.0`, `2.5`).
pub fn py_float(v: f64) -> String {
    format!("{v:?}")
}

/// Creates a demo user directly in the store (no HTTP), with its Stripe customer.
pub fn seed_user(
    world: &mut World,
    email: &str,
    first: &str,
    last: &str,
    credits: f64,
    active: bool,
    two_fa: bool,
) -> String {
    let now = world.clock.now();
    let customer_id = ids::stripe("cus");
    world.stripe.customers.insert(
        customer_id.clone(),
        crate::stripe::Customer {
            id: customer_id.clone(),
            email: Some(email.to_owned()),
            name: Some(format!("{first} {last}")),
            metadata: Map::new(),
            created: world.clock.unix(),
        },
    );
    let id = ids::clara("user");
    world.clara.users.insert(
        id.clone(),
        User {
            id: id.clone(),
            email: email.to_owned(),
            password: demo::PASSWORD.to_owned(),
            first_name: Some(first.to_owned()),
            last_name: Some(last.to_owned()),
            credits,
            is_active: active,
            is_2fa_enabled: two_fa,
            is_dark_mode: true,
            created_at: now,
            updated_at: now,
            stripe_customer_id: Some(customer_id),
            google_user_id: None,
        },
    );
    id
}
