//! The soak: purchase flows through the built `topup-cli` against the
//! `topup-sandbox` binary with chaos on its provider APIs, each checkout paid
//! a moment after its link appears. `make soak` runs 200 flows; `make test`
//! runs 20 (through `tests/e2e/run.sh`, which gives it a Secret Service).
//!
//! `SOAK_FLOWS` (20), `SOAK_CHAOS` (0.3) and `SOAK_SEED` (1) set the run.
//! Clara and Dispersed flows run side by side, each in a config directory
//! of its own (one purchase in flight per account, one writer per
//! `pending.json`); the two interleave on the Sandbox's seeded fault
//! sequence, so a seed fixes the faults' mix, not every single one.
//!
//! It prints one summary line and fails on any duplicate, lost credit,
//! crash or hang:
//! - duplicate: a flow that showed two checkout pages, or a payment credited
//!   more than once;
//! - lost: a paid checkout whose credits never arrived;
//! - crash: `topup-cli` killed by a signal, panicking, or printing no JSON;
//! - hang: a flow still running three minutes after it started.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::sync::oneshot;
use topup_sandbox::demo;

const CLI: &str = env!("CARGO_BIN_EXE_topup-cli");
const HANG: Duration = Duration::from_secs(180);
/// How long a paid checkout may take to be credited once the flows are done
/// (Stripe's webhook retries in the Sandbox span about 24 s).
const SETTLE: Duration = Duration::from_secs(60);

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The Sandbox binary, built beside this test's binary by `cargo test --no-run`.
fn sandbox_binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().and_then(Path::parent).unwrap();
    let bin = dir.join(format!("topup-sandbox{}", std::env::consts::EXE_SUFFIX));
    assert!(
        bin.exists(),
        "{} is missing: build it with `cargo build -p topup-sandbox`",
        bin.display()
    );
    bin
}

/// The Sandbox process, killed when dropped.
struct Server {
    child: Child,
    urls: Value,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn start(chaos: f64, seed: u64) -> Self {
        let (child, first) = topup_test_support::spawn_announcing(
            Command::new(sandbox_binary())
                .args(["--port", "0", "--seed", &seed.to_string()])
                .args(["--faults", &format!("chaos={chaos}")]),
        )
        .unwrap();
        let first = first.unwrap_or_default();
        let urls = serde_json::from_str(&first)
            .unwrap_or_else(|e| panic!("the Sandbox printed no URLs ({e}): {first}"));
        Self { child, urls }
    }

    fn url(&self, which: &str) -> &str {
        self.urls[which].as_str().unwrap()
    }

    async fn admin(&self, path: &str) -> Value {
        reqwest::get(format!("{}{path}", self.url("admin")))
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    async fn pay(&self, session: &str) -> reqwest::StatusCode {
        reqwest::Client::new()
            .post(format!("{}/checkout/{session}/pay", self.url("admin")))
            .json(&serde_json::json!({"card": "4242424242424242"}))
            .send()
            .await
            .unwrap()
            .status()
    }

    async fn clara_balance(&self) -> f64 {
        self.admin(&format!("/clara/users/{}", demo::USER_EMAIL))
            .await["credits"]
            .as_f64()
            .unwrap()
    }

    async fn dispersed_purchases(&self) -> Vec<Value> {
        self.admin("/dispersed/purchases")
            .await
            .as_array()
            .unwrap()
            .clone()
    }

    async fn creation_requests(&self) -> usize {
        self.admin("/requests?method=POST&path=/v1/compute/ledger/credit-purchases")
            .await
            .as_array()
            .unwrap()
            .len()
    }
}

fn cli(config: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(CLI);
    c.arg("--config-dir").arg(config).args(args);
    c.env_remove("TOPUP_ACCOUNT");
    c.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

/// Runs `topup-cli` with `input` on stdin until it succeeds: set-up meets
/// the same chaos as the flows, and is not what is measured.
fn until_done(config: &Path, args: &[&str], input: &str) -> Value {
    let mut last = String::new();
    for _ in 0..20 {
        let mut child = cli(config, args).spawn().unwrap();
        {
            use std::io::Write;
            let mut stdin = child.stdin.take().unwrap();
            let _ = writeln!(stdin, "{input}");
        }
        let out = child.wait_with_output().unwrap();
        if out.status.success() {
            return serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
        }
        last = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    panic!("set-up kept failing: {args:?}: {last}");
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Lane {
    Clara,
    Dispersed,
}

/// How one flow ended, as seen from outside.
#[derive(Debug, Default)]
struct Flow {
    /// `landed`, or the error code / end state a script would read.
    outcome: String,
    pages_shown: usize,
    paid: Option<String>,
    crashed: bool,
    hung: bool,
    secs: f64,
    /// Dispersed: purchases the service created during the flow.
    purchases_created: usize,
    /// Dispersed: creation requests sent during the flow.
    creations_sent: usize,
}

/// A small seeded generator for the payment delays (no dependency for it).
struct Rng(u64);

impl Rng {
    fn millis(&mut self, lo: u64, hi: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        lo + self.0 % (hi - lo)
    }
}

async fn flow(server: &Server, config: &Path, lane: Lane, rng: &mut Rng) -> Flow {
    let amount = match lane {
        Lane::Clara => "5",
        Lane::Dispersed => "10",
    };
    let (purchases_before, sent_before) = if lane == Lane::Dispersed {
        (
            server.dispersed_purchases().await.len(),
            server.creation_requests().await,
        )
    } else {
        (0, 0)
    };
    let started = Instant::now();
    let mut child = cli(
        config,
        &["--json", "buy", amount, "--wait", "--no-browser", "--yes"],
    )
    .stdin(Stdio::null())
    .spawn()
    .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (link_tx, link_rx) = oneshot::channel::<String>();
    let reader = std::thread::spawn(move || {
        let mut link_tx = Some(link_tx);
        let mut pages = 0;
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(url) = line.strip_prefix("Open this page to pay: ") {
                pages += 1;
                if let Some(tx) = link_tx.take() {
                    let _ = tx.send(url.to_owned());
                }
            }
        }
        pages
    });
    let mut result = Flow::default();
    let waiting = tokio::task::spawn_blocking(move || {
        let deadline = Instant::now() + HANG;
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                let mut stdout = String::new();
                if let Some(mut out) = child.stdout.take() {
                    use std::io::Read;
                    let _ = out.read_to_string(&mut stdout);
                }
                return Some((status, stdout));
            }
            if Instant::now() >= deadline {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    });
    if let Ok(url) = link_rx.await {
        tokio::time::sleep(Duration::from_millis(rng.millis(500, 3_000))).await;
        let session = url.rsplit('/').next().unwrap().to_owned();
        match server.pay(&session).await.as_u16() {
            200 => result.paid = Some(session),
            // A purchase picked up again after an earlier flow paid it.
            409 => {}
            other => panic!("paying {url}: HTTP {other}"),
        }
    }
    let ended = waiting.await.unwrap();
    result.secs = started.elapsed().as_secs_f64();
    result.pages_shown = reader.join().unwrap();
    match ended {
        None => {
            result.hung = true;
            result.outcome = "hang".into();
        }
        Some((status, stdout)) => {
            let answer = stdout
                .lines()
                .last()
                .and_then(|l| serde_json::from_str::<Value>(l).ok());
            match (status.code(), answer) {
                (Some(code), Some(answer)) if code != 101 => {
                    result.outcome = match answer["error"]["code"].as_str() {
                        Some(error) => error.to_owned(),
                        None => answer["outcome"].as_str().unwrap_or("?").to_owned(),
                    };
                }
                _ => {
                    result.crashed = true;
                    result.outcome = format!("crash ({status})");
                }
            }
        }
    }
    if lane == Lane::Dispersed {
        result.purchases_created = server.dispersed_purchases().await.len() - purchases_before;
        result.creations_sent = server.creation_requests().await - sent_before;
    }
    result
}

/// Adds and signs in one account of `lane` in `config`.
async fn set_up(server: &Server, config: &Path, lane: Lane) {
    let origin = server.url("clara").trim_end_matches("/api/v1").to_owned();
    match lane {
        Lane::Clara => {
            let clara = server.url("clara").to_owned();
            until_done(
                config,
                &[
                    "--json",
                    "add",
                    "custom",
                    "--base-url",
                    &clara,
                    "--checkout-origin",
                    &origin,
                ],
                "",
            );
            let token = server
                .admin(&format!("/clara/users/{}/api_key", demo::USER_EMAIL))
                .await;
            until_done(
                config,
                &["--json", "login", "--token-stdin"],
                token["token"].as_str().unwrap(),
            );
        }
        Lane::Dispersed => {
            let dispersed = server.url("dispersed").to_owned();
            until_done(
                config,
                &[
                    "--json",
                    "add",
                    "dispersed",
                    "--base-url",
                    &dispersed,
                    "--checkout-origin",
                    &origin,
                ],
                "",
            );
            until_done(
                config,
                &["--json", "login", "--key-stdin"],
                &format!(
                    "{}\n{}",
                    demo::DISPERSED_PUBLIC_KEY,
                    demo::DISPERSED_SECRET_KEY
                ),
            );
        }
    }
}

async fn lane(server: &Server, lane: Lane, flows: usize, seed: u64) -> Vec<Flow> {
    let config = tempfile::tempdir().unwrap();
    set_up(server, config.path(), lane).await;
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut done = Vec::with_capacity(flows);
    for _ in 0..flows {
        done.push(flow(server, config.path(), lane, &mut rng).await);
    }
    done
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the Secret Service: run `make e2e` (20 flows) or `make soak` (200)"]
async fn purchase_flows_under_chaos_lose_nothing_and_buy_nothing_twice() {
    // The Sandbox runs as its own process: this one's reqwest (rustls without
    // a provider of its own) needs the one Topup installs.
    topup_core::http::install_crypto_provider();
    let flows: usize = env_or("SOAK_FLOWS", 20);
    let chaos: f64 = env_or("SOAK_CHAOS", 0.3);
    let seed: u64 = env_or("SOAK_SEED", 1);
    let server = Server::start(chaos, seed);
    let balance_before = server.clara_balance().await;

    let (clara, dispersed) = tokio::join!(
        lane(&server, Lane::Clara, flows.div_ceil(2), seed),
        lane(&server, Lane::Dispersed, flows / 2, seed + 1),
    );

    // Every paid checkout is credited, once.
    let clara_paid: Vec<&String> = clara.iter().filter_map(|f| f.paid.as_ref()).collect();
    let dispersed_paid: Vec<&String> = dispersed.iter().filter_map(|f| f.paid.as_ref()).collect();
    let deadline = Instant::now() + SETTLE;
    let (settled, completed) = loop {
        let settled: Vec<String> = server
            .admin("/clara/settlements")
            .await
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["session_id"].as_str().unwrap().to_owned())
            .collect();
        let completed: Vec<String> = server
            .dispersed_purchases()
            .await
            .iter()
            .filter(|p| p["status"] == "COMPLETED")
            .map(|p| p["checkout_session_id"].as_str().unwrap().to_owned())
            .collect();
        let all_in = clara_paid.iter().all(|s| settled.contains(s))
            && dispersed_paid.iter().all(|s| completed.contains(s));
        if all_in || Instant::now() >= deadline {
            break (settled, completed);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let lost = clara_paid.iter().filter(|s| !settled.contains(s)).count()
        + dispersed_paid
            .iter()
            .filter(|s| !completed.contains(s))
            .count();
    let credited_twice = settled.len() - {
        let mut unique = settled.clone();
        unique.sort();
        unique.dedup();
        unique.len()
    };
    // The balance moved by exactly the credits of the settled payments.
    let balance_after = server.clara_balance().await;
    let expected = balance_before + 500.0 * settled.len() as f64;
    let balance_off = (balance_after - expected).abs() > 1e-6;

    let all: Vec<&Flow> = clara.iter().chain(dispersed.iter()).collect();
    let duplicates = all.iter().filter(|f| f.pages_shown > 1).count()
        + credited_twice
        + usize::from(balance_off);
    let crashes = all.iter().filter(|f| f.crashed).count();
    let hangs = all.iter().filter(|f| f.hung).count();
    let landed = all.iter().filter(|f| f.outcome == "landed").count();
    let errors = |flows: &[Flow]| {
        let mut by_code: BTreeMap<String, usize> = BTreeMap::new();
        for f in flows.iter().filter(|f| f.outcome != "landed") {
            *by_code.entry(f.outcome.clone()).or_default() += 1;
        }
        by_code
    };
    let (clara_errors, dispersed_errors) = (errors(&clara), errors(&dispersed));
    // Dispersed creations whose answer was lost: created (left unpaid) or
    // not (sent again safely), told apart by the Sandbox's own records.
    let lost_answers: usize = dispersed
        .iter()
        .map(|f| {
            f.purchases_created
                .saturating_sub(usize::from(f.pages_shown > 0))
        })
        .sum();
    let refused_creations: usize = dispersed
        .iter()
        .map(|f| f.creations_sent.saturating_sub(f.purchases_created))
        .sum();
    let unresolved = dispersed
        .iter()
        .filter(|f| f.outcome == "purchase_unconfirmed")
        .count();
    let mut secs: Vec<f64> = all.iter().map(|f| f.secs).collect();
    secs.sort_by(f64::total_cmp);
    let text = |by_code: &BTreeMap<String, usize>| {
        if by_code.is_empty() {
            return "none".to_owned();
        }
        by_code
            .iter()
            .map(|(code, n)| format!("{code} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    println!(
        "soak: {} flows (chaos {chaos}, seed {seed}): {landed} landed; errors: Clara {}; Dispersed {}; \
         duplicates {duplicates}, lost {lost}, crashes {crashes}, hangs {hangs}; \
         Dispersed creations refused and sent again {refused_creations}, created with the answer lost {lost_answers}, \
         unresolved {unresolved}; median {:.1} s, p95 {:.1} s",
        all.len(),
        text(&clara_errors),
        text(&dispersed_errors),
        percentile(&secs, 0.5),
        percentile(&secs, 0.95),
    );
    assert_eq!(
        (duplicates, lost, crashes, hangs),
        (0, 0, 0, 0),
        "duplicates, lost credits, crashes, hangs: {all:#?}"
    );
    assert!(
        !clara_errors.contains_key("failed") && !dispersed_errors.contains_key("failed"),
        "a script would read `failed` instead of the cause: {all:#?}"
    );
}
