//! Starting and stopping a Sandbox, the router, and the seeded demo data.

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::middleware::from_fn_with_state;
use axum::response::Html;
use axum::routing::{get, post};
use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::app::AppState;
use crate::clock::{http_date, Clock};
use crate::config::{Config, Quirks};
use crate::state::Common;
use crate::stripe::{self, delivery};
use crate::urls::Urls;
use crate::{admin, clara, demo, dispersed, faults, reqlog};

/// A running Sandbox. Dropping it stops the server too; [`Sandbox::shutdown`]
/// waits for in-flight requests first.
pub struct Sandbox {
    urls: Urls,
    app: AppState,
    stop: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<()>>,
    ticker: JoinHandle<()>,
}

impl Sandbox {
    /// Binds 127.0.0.1 (`config.port`, 0 for any free port) and serves.
    pub async fn start(config: Config) -> io::Result<Self> {
        let listener =
            TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, config.port))).await?;
        let port = listener.local_addr()?.port();
        let base = format!("http://127.0.0.1:{port}");
        let app = AppState::new(config, base.clone());
        let router = router(app.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(async move {
            let serve = axum::serve(listener, router).with_graceful_shutdown(async {
                let _ = stopped.await;
            });
            if let Err(err) = serve.await {
                tracing::error!(%err, "sandbox server stopped");
            }
        });
        let ticker = tokio::spawn(expire_sessions_on_time(app.stripe.clone()));
        tracing::info!(%base, "sandbox listening");
        Ok(Self {
            urls: Urls::for_base(&base),
            app,
            stop: Some(stop),
            server: Some(server),
            ticker,
        })
    }

    pub fn urls(&self) -> &Urls {
        &self.urls
    }

    /// The demo user's API-key token (`clara_api_…`).
    pub fn demo_api_key_token(&self) -> Option<String> {
        let world = self.app.clara.world();
        let user = clara::store::find_by_email(&world, demo::USER_EMAIL)?;
        world.clara.api_keys.get(&user.id).map(|k| k.token.clone())
    }

    /// Stops accepting, lets in-flight requests finish, and returns.
    pub async fn shutdown(mut self) {
        self.ticker.abort();
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.ticker.abort();
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

fn router(app: AppState) -> Router {
    // Each service's routes get that service's state; the shared hooks and
    // pages take theirs from AppState (FromRef).
    let stripe = app.stripe.clone();
    let clara = app.clara.clone();
    let dispersed = app.dispersed.clone();
    let hooks = admin::routes()
        .merge(stripe::hooks::routes().with_state(stripe.clone()))
        .merge(clara::hooks::routes().with_state(clara.clone()))
        .merge(dispersed::hooks::routes().with_state(dispersed.clone()));
    let mut clara_api = clara::routes().with_state(clara.clone());
    if app.common.config.quirks == Quirks::Boilerplate {
        let limiter = clara::rate_limit::Limiter::new(
            app.common.config.clara_rate_limit,
            app.common.clock.clone(),
        );
        clara_api = clara_api.layer(from_fn_with_state(limiter, clara::rate_limit::limit));
    }
    Router::new()
        .nest(
            "/stripe",
            stripe::api::routes()
                .merge(stripe::pages::routes())
                .with_state(stripe),
        )
        .nest("/api/v1", clara_api)
        .nest("/oauth", clara::google::routes().with_state(clara))
        .nest("/v1", dispersed::routes().with_state(dispersed))
        .nest("/__sandbox", hooks)
        .route(
            "/dispersed-webhooks/stripe",
            post(dispersed::stripe_webhook),
        )
        .route("/client/{*path}", get(landing))
        .route("/client/", get(landing))
        .route("/console/{*path}", get(landing))
        .route("/", get(home))
        .layer(from_fn_with_state(
            app.common.fault_rules.clone(),
            faults::inject,
        ))
        .layer(from_fn_with_state(
            app.common.requests.clone(),
            reqlog::record,
        ))
        .layer(from_fn_with_state(app.common.clock.clone(), stamp_date))
        .with_state(app)
}

/// Every answer's `Date` is the Sandbox's own clock, as a real server's is its
/// own: moving the clock shows a client a server whose clock runs ahead.
async fn stamp_date(
    State(clock): State<Clock>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let mut response = next.run(request).await;
    if let Ok(value) = HeaderValue::from_str(&http_date(clock.now())) {
        response.headers_mut().insert(header::DATE, value);
    }
    response
}

/// Where checkout redirects land: the stand-in for the services' web clients.
async fn landing() -> Html<&'static str> {
    Html(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Back to Topup</title></head>\
<body style=\"font-family:system-ui,sans-serif;text-align:center;margin-top:4rem\">\
<h1 id=\"landing\">You can return to Topup</h1><p>Topup is watching for your credits and will show them as soon as they land.</p></body></html>",
    )
}

async fn home(State(app): State<Common>) -> Html<String> {
    let urls = Urls::for_base(&app.base);
    Html(format!(
        "<!doctype html><title>Topup Sandbox</title><h1>Topup Sandbox</h1><ul>\
<li>Clara: {}</li><li>Dispersed: {}</li><li>Stripe: {}</li><li>Test hooks: <a href=\"/__sandbox/\">{}</a></li></ul>",
        urls.clara, urls.dispersed, urls.stripe, urls.admin
    ))
}

/// Expires Checkout Sessions whose time is up and tells the webhooks.
async fn expire_sessions_on_time(app: stripe::App) {
    let mut tick = tokio::time::interval(Duration::from_millis(500));
    loop {
        tick.tick().await;
        let events = {
            let mut world = app.world();
            stripe::expire_due(&app, &mut world)
        };
        for event in events {
            delivery::deliver(&app, event);
        }
    }
}
