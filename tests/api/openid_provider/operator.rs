//! The operator's `badge clients add|list|remove`, and the RS256 keys in the key set.

use jsonwebtoken::jwk::AlgorithmParameters;
use serde_json::Value;

use super::*;
use crate::{cli::badge, helpers::TEST_SECRET};
use badge::server::badge::{signing_keys, KeyAlgorithm};

#[tokio::test]
async fn clients_are_added_listed_and_removed_and_the_secret_is_shown_once() {
    let app = op_app().await;

    let (ok, added, stderr) = badge(
        &app.db_url,
        &["clients", "add", "Grafana", "--redirect-uri", REDIRECT_URI],
    );
    assert!(ok, "{stderr}");
    let value = |name: &str| {
        added
            .lines()
            .find_map(|line| line.strip_prefix(&format!("{name}: ")))
            .unwrap_or_else(|| panic!("{name} in {added}"))
            .to_owned()
    };
    let (id, secret) = (value("client_id"), value("client_secret"));
    let (ok, listed, _) = badge(&app.db_url, &["clients", "list"]);
    assert!(ok);
    assert!(listed.contains(&id) && listed.contains("Grafana") && listed.contains(REDIRECT_URI));
    assert!(!listed.contains(&secret), "the secret is shown once");
    let stored: (Option<String>,) =
        sqlx::query_as("SELECT secret_hash FROM oauth_clients WHERE client_id = $1")
            .bind(&id)
            .fetch_one(&app.db().await)
            .await
            .unwrap();
    assert_ne!(stored.0.as_deref(), Some(secret.as_str()), "stored hashed");

    // The secret works until the client is removed; then its tokens are refused.
    let client = TestClient {
        id: id.clone(),
        secret: Some(secret),
    };
    app.signed_up_user().await;
    let code = code_for(&app, &client, &[]).await;
    let tokens: Value = exchange(&app, &client, &code, &[])
        .await
        .json()
        .await
        .unwrap();
    let (ok, _, stderr) = badge(&app.db_url, &["clients", "remove", &id]);
    assert!(ok, "{stderr}");
    let refused = reqwest::Client::new()
        .get(app.url("/oauth2/userinfo"))
        .bearer_auth(tokens["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    let (ok, _, stderr) = badge(&app.db_url, &["clients", "remove", &id]);
    assert!(!ok && stderr.contains(&id), "{stderr}");
}

#[tokio::test]
async fn a_public_client_has_no_secret_and_bad_registrations_are_one_line() {
    let app = op_app().await;

    let (ok, added, _) = badge(
        &app.db_url,
        &[
            "clients",
            "add",
            "Phone",
            "--public",
            "--redirect-uri",
            "http://localhost:8000/cb",
        ],
    );
    assert!(ok);
    assert!(added.contains("client_id: ") && !added.contains("client_secret"));
    // A vault authenticates to introspection: it has a secret, shown once too.
    let (ok, vault, _) = badge(
        &app.db_url,
        &["clients", "add", "Vault", "--introspection-only"],
    );
    assert!(ok && vault.contains("client_secret: "), "{vault}");
    for args in [
        vec!["clients", "add", "No URI"],
        vec![
            "clients",
            "add",
            "Plain http",
            "--redirect-uri",
            "http://app.example/cb",
        ],
        vec![
            "clients",
            "add",
            "Fragment",
            "--redirect-uri",
            "https://app.example/cb#x",
        ],
        vec![
            "clients",
            "add",
            "Vault",
            "--introspection-only",
            "--redirect-uri",
            "https://a.example/cb",
        ],
    ] {
        let (ok, _, stderr) = badge(&app.db_url, &args);
        assert!(!ok, "{args:?}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    }
    let (ok, _, stderr) = badge(
        &app.db_url,
        &["clients", "add", "Vault", "--introspection-only"],
    );
    assert!(ok, "{stderr}");
}

#[tokio::test]
async fn the_jwks_publishes_rsa_keys_in_both_modes_and_never_a_symmetric_key() {
    for mode in ["HS256", "EdDSA"] {
        let app = spawn_app_with(|vars| {
            vars.insert("JWT_ALGORITHM", mode.into());
        })
        .await;

        let set: jsonwebtoken::jwk::JwkSet = app
            .get("/.well-known/jwks.json")
            .await
            .json()
            .await
            .unwrap();

        let rsa: Vec<_> = set
            .keys
            .iter()
            .filter(|k| matches!(k.algorithm, AlgorithmParameters::RSA(_)))
            .collect();
        assert_eq!(rsa.len(), 1, "{mode}");
        let okp = set
            .keys
            .iter()
            .filter(|k| matches!(k.algorithm, AlgorithmParameters::OctetKeyPair(_)))
            .count();
        assert_eq!(okp, usize::from(mode == "EdDSA"), "{mode}");
        assert!(!set
            .keys
            .iter()
            .any(|k| matches!(k.algorithm, AlgorithmParameters::OctetKey(_))));
    }
}

#[tokio::test]
async fn rotating_the_rsa_key_keeps_earlier_id_tokens_verifiable() {
    let app = op_app().await;
    let client = confidential(&app).await;
    app.signed_up_user().await;
    let code = code_for(&app, &client, &[]).await;
    let tokens: Value = exchange(&app, &client, &code, &[])
        .await
        .json()
        .await
        .unwrap();
    let before = tokens["id_token"].as_str().unwrap().to_owned();

    signing_keys::rotate(
        &app.db().await,
        TEST_SECRET.as_bytes(),
        &[KeyAlgorithm::Rs256],
    )
    .await
    .unwrap();
    // The instance re-reads the keys at least every 30 s; an unknown kid makes it read at once.
    let code = code_for(&app, &client, &[]).await;
    let after: Value = exchange(&app, &client, &code, &[])
        .await
        .json()
        .await
        .unwrap();

    verified(&app, &before, &client.id).await;
    verified(&app, after["id_token"].as_str().unwrap(), &client.id).await;
}
