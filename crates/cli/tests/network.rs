//! Company networks: the built `topup-cli` against a Sandbox reached over
//! HTTPS through a stand-in whose certificate comes from a private CA, with
//! the system's trust store (`update-ca-certificates`) and a local CONNECT
//! proxy. Run by `scripts/network-check.sh` inside a desktop session (the
//! sign-in goes to the real Secret Service); it needs root, because it adds
//! the CA to the system store, and it removes it again however it ends.

mod support;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use serde_json::Value;
use support::json_of;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use topup_sandbox::{demo, Config, Sandbox};

const BIN: &str = env!("CARGO_BIN_EXE_topup-cli");
const STORE_DIR: &str = "/usr/local/share/ca-certificates";

/// A private CA and a certificate it issued for `localhost`.
struct Pki {
    ca_pem: String,
    leaf_der: Vec<u8>,
    leaf_key_der: Vec<u8>,
}

fn private_pki() -> Pki {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.distinguished_name
        .push(DnType::CommonName, "Topup test CA (network-check)");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca, ca_key);
    let leaf_key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(vec!["localhost".to_owned()])
        .unwrap()
        .signed_by(&leaf_key, &issuer)
        .unwrap();
    Pki {
        ca_pem: ca_cert.pem(),
        leaf_der: leaf.der().to_vec(),
        leaf_key_der: leaf_key.serialize_der(),
    }
}

/// The private CA in the system's trust store while this lives.
struct TrustedCa {
    path: PathBuf,
}

impl TrustedCa {
    fn add(pem: &str) -> Self {
        let path = Path::new(STORE_DIR).join("topup-network-check.crt");
        std::fs::create_dir_all(STORE_DIR).unwrap();
        std::fs::write(&path, pem).unwrap();
        update_ca_certificates();
        Self { path }
    }
}

impl Drop for TrustedCa {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
        update_ca_certificates();
    }
}

fn update_ca_certificates() {
    let out = Command::new("update-ca-certificates")
        .arg("--fresh")
        .output()
        .expect("update-ca-certificates runs (package ca-certificates)");
    assert!(out.status.success(), "{out:?}");
}

/// Terminates TLS with the private CA's certificate and hands the bytes to
/// the Sandbox: the service, as a company's private server would be.
async fn https_stand_in(pki: &Pki, sandbox: SocketAddr) -> SocketAddr {
    let cert = rustls::pki_types::CertificateDer::from(pki.leaf_der.clone());
    let key = rustls::pki_types::PrivateKeyDer::try_from(pki.leaf_key_der.clone()).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![cert], key)
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                // A refused handshake is what the first step expects.
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                if let Ok(mut upstream) = TcpStream::connect(sandbox).await {
                    let _ = tokio::io::copy_bidirectional(&mut tls, &mut upstream).await;
                }
            });
        }
    });
    addr
}

/// A forward proxy that only does CONNECT, as company proxies do for HTTPS;
/// every tunnel it opens is written to its log.
async fn connect_proxy() -> (SocketAddr, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let log = Arc::new(Mutex::new(Vec::new()));
    let seen = log.clone();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let seen = seen.clone();
            tokio::spawn(async move {
                let mut client = BufReader::new(client);
                let mut request_line = String::new();
                if client.read_line(&mut request_line).await.is_err() {
                    return;
                }
                loop {
                    let mut header = String::new();
                    match client.read_line(&mut header).await {
                        Ok(0) | Err(_) => return,
                        Ok(_) if header == "\r\n" => break,
                        Ok(_) => {}
                    }
                }
                let mut parts = request_line.split_whitespace();
                let (Some("CONNECT"), Some(target)) = (parts.next(), parts.next()) else {
                    let _ = client
                        .get_mut()
                        .write_all(b"HTTP/1.1 405 Method Not Allowed\r\n\r\n")
                        .await;
                    return;
                };
                seen.lock().unwrap().push(format!("CONNECT {target}"));
                let Ok(mut upstream) = TcpStream::connect(target).await else {
                    let _ = client
                        .get_mut()
                        .write_all(b"HTTP/1.1 502 Bad Gateway\r\n\r\n")
                        .await;
                    return;
                };
                let mut client = client.into_inner();
                if client
                    .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                    .await
                    .is_ok()
                {
                    let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
                }
            });
        }
    });
    (addr, log)
}

/// `topup-cli` with this config directory and no proxy unless one is given.
fn command(config: &Path, args: &[&str], env: &[(&str, String)]) -> Command {
    let mut c = Command::new(BIN);
    c.arg("--config-dir").arg(config).args(args);
    for var in [
        "TOPUP_ACCOUNT",
        "HTTPS_PROXY",
        "https_proxy",
        "HTTP_PROXY",
        "http_proxy",
        "ALL_PROXY",
        "all_proxy",
        "NO_PROXY",
        "no_proxy",
    ] {
        c.env_remove(var);
    }
    c.envs(env.iter().map(|(k, v)| (*k, v)));
    c
}

fn cli(config: &Path, args: &[&str], env: &[(&str, String)]) -> Output {
    command(config, args, env)
        .stdin(Stdio::null())
        .output()
        .expect("topup-cli runs")
}

fn login_with_token(config: &Path, token: &str) -> Output {
    use std::io::Write;
    let mut child = command(config, &["--json", "login", "--token-stdin"], &[])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{token}").unwrap();
    child.wait_with_output().unwrap()
}

fn refused_as_untrusted(out: &Output) {
    assert!(!out.status.success(), "{out:?}");
    let error = &json_of(out)["error"];
    assert_eq!(
        error["code"],
        "untrusted_certificate",
        "{error}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let message = error["message"].as_str().unwrap();
    assert!(
        message.contains("certificate of localhost") && message.contains("certificate store"),
        "the message names the host and what to do: {message}"
    );
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs root (adds a CA to the system store) and the Secret Service: run `make network-check`"]
async fn a_private_ca_is_trusted_once_in_the_system_store_and_proxies_are_taken_from_the_environment(
) {
    let sandbox = Sandbox::start(Config::default()).await.unwrap();
    let urls = sandbox.urls();
    let sandbox_addr: SocketAddr = urls.base.trim_start_matches("http://").parse().unwrap();
    let pki = private_pki();
    let stand_in = https_stand_in(&pki, sandbox_addr).await;
    let clara_path = urls.clara.strip_prefix(&urls.base).unwrap();
    let base_url = format!("https://localhost:{}{clara_path}", stand_in.port());
    let config = tempfile::tempdir().unwrap();
    let config = config.path();

    let added = cli(
        config,
        &[
            "--json",
            "add",
            "custom",
            "--base-url",
            &base_url,
            "--public-key",
            demo::CLARA_PUBLIC_KEY,
        ],
        &[],
    );
    assert!(added.status.success(), "{added:?}");
    let token: Value = reqwest::get(format!(
        "{}/clara/users/{}/api_key",
        urls.admin,
        demo::USER_EMAIL
    ))
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let token = token["token"].as_str().unwrap();

    // Before the CA is in the system store: its own code, nothing sent.
    refused_as_untrusted(&login_with_token(config, token));

    let ca = TrustedCa::add(&pki.ca_pem);
    let login = login_with_token(config, token);
    assert!(
        login.status.success(),
        "trusted once in the store: {login:?}"
    );

    let (proxy, tunnels) = connect_proxy().await;
    let through = format!("http://{proxy}");
    let balance = cli(
        config,
        &["--json", "balance"],
        &[("HTTPS_PROXY", through.clone())],
    );
    assert!(balance.status.success(), "{balance:?}");
    let credits = json_of(&balance)["balance"].clone();
    assert!(credits.is_string(), "{balance:?}");
    assert_eq!(
        *tunnels.lock().unwrap(),
        [format!("CONNECT localhost:{}", stand_in.port())],
        "the request went through the proxy"
    );

    let direct = cli(
        config,
        &["--json", "balance"],
        &[
            ("HTTPS_PROXY", through),
            ("NO_PROXY", "localhost".to_owned()),
        ],
    );
    assert!(direct.status.success(), "{direct:?}");
    assert_eq!(json_of(&direct)["balance"], credits);
    assert_eq!(
        tunnels.lock().unwrap().len(),
        1,
        "NO_PROXY keeps the request off the proxy"
    );

    // Taken out of the store again: refused again.
    drop(ca);
    refused_as_untrusted(&cli(config, &["--json", "balance"], &[]));
    sandbox.shutdown().await;
}
