//! The HTTP layer's promises: who it says it is, how much it reads, and that
//! secrets never print.

mod common;

use common::*;
use secrecy::ExposeSecret;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use topup_core::provider::Credentials;
use topup_core::{BaseUrl, ErrorCode};
use topup_sandbox::demo;

#[tokio::test]
async fn requests_say_they_come_from_topup() {
    let env = start().await;
    env.clara().version().await.unwrap();
    let log = env.admin_get("/requests?path=/api/v1/version").await;
    assert_eq!(
        log[0]["user_agent"],
        format!("Topup/{}", env!("CARGO_PKG_VERSION"))
    );
}

/// A server that answers every request with `body_len` bytes of JSON-ish filler.
async fn big_answer_server(body_len: usize, declare_length: bool) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = socket.read(&mut buf).await;
                let head = if declare_length {
                    format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {body_len}\r\n\r\n")
                } else {
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n"
                        .to_owned()
                };
                let _ = socket.write_all(head.as_bytes()).await;
                let chunk = vec![b' '; 64 * 1024];
                let mut sent = 0;
                while sent < body_len {
                    let n = chunk.len().min(body_len - sent);
                    if socket.write_all(&chunk[..n]).await.is_err() {
                        return;
                    }
                    sent += n;
                }
            });
        }
    });
    format!("http://{addr}/api/v1")
}

#[tokio::test]
async fn answers_above_the_cap_are_refused() {
    for declare in [true, false] {
        let base = big_answer_server(3 * 1024 * 1024, declare).await;
        let clara = topup_core::clara::ClaraClient::new(
            BaseUrl::parse(&base).unwrap(),
            http(),
            topup_core::clock::system(),
        );
        let err = clara.version().await.unwrap_err();
        assert_eq!(
            err.code(),
            ErrorCode::MalformedResponse,
            "declared length: {declare}"
        );
        assert!(err.to_string().contains("larger than 1024 KiB"), "{err}");
    }
}

#[tokio::test]
async fn secrets_never_print() {
    let env = start().await;
    let session = env.login(demo::USER_EMAIL).await;
    let token = session.token.expose_secret().to_owned();
    assert!(!format!("{session:?}").contains(&token));
    let keys = env.keys();
    assert!(!format!("{keys:?}").contains(demo::DISPERSED_SECRET_KEY));
    let creds = [
        Credentials::EmailPassword {
            email: demo::USER_EMAIL.into(),
            password: secret(demo::PASSWORD),
            code: Some("123456".into()),
        },
        Credentials::ApiKeyToken(secret(&token)),
        Credentials::GoogleIdToken(secret(&token)),
        Credentials::KeyPair(keys),
    ];
    for c in creds {
        let shown = format!("{c:?}");
        for secret in [
            demo::PASSWORD,
            "123456",
            token.as_str(),
            demo::DISPERSED_SECRET_KEY,
        ] {
            assert!(!shown.contains(secret), "{shown}");
        }
    }
    let provider_session = topup_core::provider::Session::Clara(session);
    assert!(!format!("{provider_session:?}").contains(&token));
}
