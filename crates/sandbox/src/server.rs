//! Starting and stopping a Sandbox, the router, and the seeded demo data.

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::middleware::from_fn_with_state;
use axum::response::Html;
use axum::routing::{get, post};
use axum::Router;
use serde::Serialize;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::config::Config;
use crate::state::{App, Shared, World};
use crate::stripe::{self, webhooks, Endpoint, Price};
use crate::{admin, clara, demo, dispersed, faults, ids, reqlog};

/// Where each service of a running Sandbox lives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Urls {
    /// Clara's base URL (ends in `/api/v1`).
    pub clara: String,
    /// Dispersed's base URL (paths start with `/v1/`).
    pub dispersed: String,
    /// The Stripe API base a Stripe SDK takes (`…/stripe`).
    pub stripe: String,
    /// The test hooks.
    pub admin: String,
    /// The Google-like OAuth server (`…/oauth`).
    pub oauth: String,
    /// The server's origin, `http://127.0.0.1:<port>`.
    #[serde(skip)]
    pub base: String,
}

pub fn urls_for(base: &str) -> Urls {
    Urls {
        clara: format!("{base}/api/v1"),
        dispersed: base.to_owned(),
        stripe: format!("{base}/stripe"),
        admin: format!("{base}/__sandbox"),
        oauth: format!("{base}/oauth"),
        base: base.to_owned(),
    }
}

/// A running Sandbox. Dropping it stops the server too; [`Sandbox::shutdown`]
/// waits for in-flight requests first.
pub struct Sandbox {
    urls: Urls,
    app: App,
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
        let world = seed(&config, &base);
        let app: App = Arc::new(Shared::new(config, base.clone(), world));
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
        let ticker = tokio::spawn(expire_sessions_on_time(app.clone()));
        tracing::info!(%base, "sandbox listening");
        Ok(Self {
            urls: urls_for(&base),
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
        let world = self.app.world();
        let user = clara::find_by_email(&world, demo::USER_EMAIL)?;
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

fn router(app: App) -> Router {
    Router::new()
        .nest(
            "/stripe",
            stripe::api::routes().merge(stripe::pages::routes()),
        )
        .nest("/api/v1", clara::routes())
        .nest("/v1", dispersed::routes())
        .nest("/oauth", clara::google::routes())
        .nest("/__sandbox", admin::routes())
        .route(
            "/dispersed-webhooks/stripe",
            post(dispersed::stripe_webhook),
        )
        .route("/client/{*path}", get(landing))
        .route("/client/", get(landing))
        .route("/console/{*path}", get(landing))
        .route("/", get(home))
        .layer(from_fn_with_state(app.clone(), faults::inject))
        .layer(from_fn_with_state(app.clone(), reqlog::record))
        .with_state(app)
}

/// Where checkout redirects land: the stand-in for the services' web clients.
async fn landing() -> Html<&'static str> {
    Html(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Back to Topup</title></head>\
<body style=\"font-family:system-ui,sans-serif;text-align:center;margin-top:4rem\">\
<h1 id=\"landing\">You can return to Topup</h1><p>Topup is watching for your credits and will show them as soon as they land.</p></body></html>",
    )
}

async fn home(State(app): State<App>) -> Html<String> {
    let urls = urls_for(&app.base);
    Html(format!(
        "<!doctype html><title>Topup Sandbox</title><h1>Topup Sandbox</h1><ul>\
<li>Clara: {}</li><li>Dispersed: {}</li><li>Stripe: {}</li><li>Test hooks: <a href=\"/__sandbox/\">{}</a></li></ul>",
        urls.clara, urls.dispersed, urls.stripe, urls.admin
    ))
}

/// Expires Checkout Sessions whose time is up and tells the webhooks.
async fn expire_sessions_on_time(app: App) {
    let mut tick = tokio::time::interval(Duration::from_millis(500));
    loop {
        tick.tick().await;
        let events = {
            let mut world = app.world();
            stripe::expire_due(&app, &mut world)
        };
        for event in events {
            webhooks::deliver(&app, event);
        }
    }
}

/// The demo world of the crate README.
pub fn seed(config: &Config, base: &str) -> World {
    let mut world = World::default();
    world.clara.token_ttl_secs = config.token_ttl.as_secs_f64();
    let created = world.clock.unix();
    for p in &config.prices {
        world.stripe.prices.insert(
            p.id.clone(),
            Price {
                id: p.id.clone(),
                unit_amount: p.unit_amount,
                currency: p.currency.clone(),
                product: "Clara credits".to_owned(),
                created,
            },
        );
    }
    let endpoint = |url: String, secret: String, events: &[&str]| Endpoint {
        id: ids::stripe("we"),
        url,
        secret,
        enabled_events: events.iter().map(|e| (*e).to_owned()).collect(),
        created,
    };
    let clara_hook = endpoint(
        format!("{base}/api/v1/stripe/settle"),
        demo::WEBHOOK_SECRET.to_owned(),
        &["checkout.session.completed"],
    );
    let dispersed_hook = endpoint(
        format!("{base}/dispersed-webhooks/stripe"),
        world.dispersed.webhook_secret.clone(),
        &["checkout.session.completed", "checkout.session.expired"],
    );
    let extra: Vec<Endpoint> = config
        .webhooks
        .iter()
        .map(|w| endpoint(w.url.clone(), w.secret.clone(), &["*"]))
        .collect();
    world.stripe.endpoints.push(clara_hook);
    world.stripe.endpoints.push(dispersed_hook);
    world.stripe.endpoints.extend(extra);

    let demo_id = clara::seed_user(
        &mut world,
        demo::USER_EMAIL,
        "Demo",
        "User",
        0.0,
        true,
        false,
    );
    clara::set_balance(&mut world, &demo_id, 1000.0);
    clara::issue_api_key(&mut world, &demo_id);
    let two_fa = clara::seed_user(
        &mut world,
        demo::TWO_FA_EMAIL,
        "Twofa",
        "User",
        0.0,
        true,
        true,
    );
    clara::set_balance(&mut world, &two_fa, 1000.0);
    clara::seed_user(
        &mut world,
        demo::INACTIVE_EMAIL,
        "Inactive",
        "User",
        0.0,
        false,
        false,
    );
    world
}

/// Back to the seeded world (the `/__sandbox/reset` hook).
pub fn reseed(app: &App) {
    let fresh = seed(&app.config, &app.base);
    *app.world() = fresh;
    let rules = app.config.faults.clone();
    app.faults().set(rules, Some(app.config.seed));
}
