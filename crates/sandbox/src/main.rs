//! `topup-sandbox`: run the Sandbox as a program.
//!
//! Prints one JSON line with the base URLs first, then the demo credentials,
//! and serves until interrupted.

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use topup_sandbox::config::FaultSpec;
use topup_sandbox::{demo, Config, Quirks, Sandbox, SeedPrice, SeedWebhook};

#[derive(Debug, Parser)]
#[command(
    name = "topup-sandbox",
    version,
    about = "A local stand-in for Stripe Checkout, Clara and Dispersed"
)]
struct Args {
    /// Port on 127.0.0.1; 0 picks a free one.
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Clara behaviour: as documented, or as the Flask Backend Boilerplate's source.
    #[arg(long, value_enum, default_value_t = Quirks::Documented)]
    quirks: Quirks,
    /// Fault injection: a JSON array of rules, or `chaos=<probability>`.
    // One value holding the list: clap would read a `Vec` as repeated values.
    #[arg(long)]
    faults: Option<FaultSpec>,
    /// Seed for fault injection, so a run can be repeated.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Extra webhook endpoint `<url>=<whsec_…>` (repeatable).
    #[arg(long = "webhook", value_parser = SeedWebhook::parse)]
    webhooks: Vec<SeedWebhook>,
    /// Extra Stripe Price `<price_id>=<unit amount in minor units>:<currency>` (repeatable).
    #[arg(long = "price", value_parser = SeedPrice::parse)]
    prices: Vec<SeedPrice>,
    /// Lifetime of Clara user tokens, in seconds.
    #[arg(long, default_value_t = 7 * 24 * 3600)]
    token_ttl: u64,
    /// Requests per second per caller on Clara's API with `--quirks
    /// boilerplate` (its `RATE_LIMIT`); 0 for none.
    #[arg(long, default_value_t = 10)]
    clara_rate_limit: u32,
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let mut config = Config {
        port: args.port,
        quirks: args.quirks,
        faults: args.faults.map(|f| f.0).unwrap_or_default(),
        seed: args.seed,
        webhooks: args.webhooks,
        token_ttl: Duration::from_secs(args.token_ttl),
        print_emails: true,
        clara_rate_limit: args.clara_rate_limit,
        ..Config::default()
    };
    config.prices.extend(args.prices);
    let sandbox = match Sandbox::start(config).await {
        Ok(s) => s,
        Err(err) => {
            eprintln!(
                "topup-sandbox: cannot listen on 127.0.0.1:{}: {err}",
                args.port
            );
            return ExitCode::FAILURE;
        }
    };
    let urls = sandbox.urls();
    println!(
        "{}",
        serde_json::json!({"clara": urls.clara, "dispersed": urls.dispersed, "stripe": urls.stripe, "admin": urls.admin})
    );
    println!(
        "Clara users (password {}): {} · {} (2FA on) · {} (not activated)",
        demo::PASSWORD,
        demo::USER_EMAIL,
        demo::TWO_FA_EMAIL,
        demo::INACTIVE_EMAIL
    );
    println!("Clara public API key: {}", demo::CLARA_PUBLIC_KEY);
    if let Some(token) = sandbox.demo_api_key_token() {
        println!("Clara API-key token for {}: {token}", demo::USER_EMAIL);
    }
    println!(
        "Dispersed key pair: {} / {}",
        demo::DISPERSED_PUBLIC_KEY,
        demo::DISPERSED_SECRET_KEY
    );
    println!(
        "Stripe secret key: {} · webhook secret: {}",
        demo::STRIPE_SECRET_KEY,
        demo::WEBHOOK_SECRET
    );
    println!("Test cards: 4242 4242 4242 4242 pays · 4000 0000 0000 0002 declined · 4000 0000 0000 9995 insufficient funds");
    if tokio::signal::ctrl_c().await.is_err() {
        eprintln!("topup-sandbox: cannot wait for Ctrl-C; stopping");
    }
    sandbox.shutdown().await;
    ExitCode::SUCCESS
}
