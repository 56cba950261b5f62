//! EdDSA badges: keys published as a JWKS, found by `kid`, pinned to their algorithm, sealed at
//! rest, rotated and revoked without two keys ever signing at once.

use std::sync::Arc;

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use jsonwebtoken::{jwk::JwkSet, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde_json::{json, Value};

use crate::helpers::{
    claims_for, spawn_app_on, spawn_app_with, unix_now, TestApp, TestDatabase, TEST_SECRET,
};
use badge::server::badge::{
    signing_keys::{self, store, KeyRingError},
    KeyAlgorithm,
};

/// The stored EdDSA keys (the RS256 ones of the OpenID Provider live beside them).
async fn eddsa_rows(db: &badge::server::db::Db) -> Vec<store::KeyRow> {
    store::all(db)
        .await
        .unwrap()
        .into_iter()
        .filter(|row| row.algorithm == "EdDSA")
        .collect()
}

fn okp_count(set: &JwkSet) -> usize {
    set.keys
        .iter()
        .filter(|k| {
            matches!(
                k.algorithm,
                jsonwebtoken::jwk::AlgorithmParameters::OctetKeyPair(_)
            )
        })
        .count()
}

/// `badge keys rotate` for the badges' keys only; the new EdDSA key's id.
async fn rotate_eddsa(db: &badge::server::db::Db) -> Result<String, KeyRingError> {
    let rotated = signing_keys::rotate(db, TEST_SECRET.as_bytes(), &[KeyAlgorithm::EdDsa]).await?;
    Ok(rotated.into_iter().map(|(_, kid)| kid).collect())
}

async fn eddsa_app() -> TestApp {
    spawn_app_with(|vars| {
        vars.insert("JWT_ALGORITHM", "EdDSA".into());
    })
    .await
}

async fn eddsa_instance(database: &Arc<TestDatabase>, vars: &[(&'static str, &str)]) -> TestApp {
    let vars: Vec<(&'static str, String)> = vars.iter().map(|(k, v)| (*k, v.to_string())).collect();
    spawn_app_on(database.clone(), move |all| {
        all.insert("JWT_ALGORITHM", "EdDSA".into());
        // One deployment: the same issuer everywhere (each instance keeps its own origin).
        all.insert("JWT_ISSUER", "http://badge.test".into());
        all.extend(vars);
    })
    .await
}

/// Signs up a fresh user on `app` and returns a badge for them.
async fn badge(app: &TestApp) -> String {
    app.signed_up_user().await;
    app.badge().await
}

async fn jwks(app: &TestApp) -> JwkSet {
    app.get("/.well-known/jwks.json")
        .await
        .json()
        .await
        .unwrap()
}

fn header_of(token: &str) -> jsonwebtoken::Header {
    jsonwebtoken::decode_header(token).unwrap()
}

#[tokio::test]
async fn an_eddsa_badge_names_its_key_and_verifies_with_the_published_jwk_alone() {
    let app = eddsa_app().await;

    let token = badge(&app).await;

    let header = header_of(&token);
    assert_eq!(header.alg, Algorithm::EdDSA);
    let kid = header.kid.expect("kid");
    let response = app.get("/.well-known/jwks.json").await;
    assert_eq!(response.headers()["cache-control"], "public, max-age=300");
    let set: Value = response.json().await.unwrap();
    let keys: Vec<&Value> = set["keys"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|k| k["kty"] == "OKP")
        .collect();
    assert_eq!(keys.len(), 1);
    let mut members: Vec<_> = keys[0].as_object().unwrap().keys().cloned().collect();
    members.sort();
    assert_eq!(
        members,
        ["alg", "crv", "kid", "kty", "use", "x"],
        "public members only"
    );
    assert_eq!(
        (&keys[0]["kty"], &keys[0]["crv"], &keys[0]["kid"]),
        (&json!("OKP"), &json!("Ed25519"), &json!(kid))
    );
    let jwk = jwks(&app).await.find(&kid).cloned().unwrap();
    let mut validation = Validation::new(Algorithm::EdDSA);
    validation.set_issuer(&[&app.address]);
    jsonwebtoken::decode::<Value>(&token, &DecodingKey::from_jwk(&jwk).unwrap(), &validation)
        .expect("verifies with the JWK");
    assert_eq!(app.hello_status(&token).await, 200);
    assert_eq!(
        app.get("/api/auth/jwks")
            .await
            .json::<Value>()
            .await
            .unwrap(),
        set
    );
}

#[tokio::test]
async fn badges_of_the_other_mode_are_refused_both_ways() {
    let eddsa = eddsa_app().await;
    let hs256 = crate::helpers::spawn_app().await;
    let hs256_badge = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims_for(&eddsa),
        &EncodingKey::from_secret(TEST_SECRET.as_bytes()),
    )
    .unwrap();

    assert_eq!(eddsa.hello_status(&hs256_badge).await, 401);
    assert_eq!(hs256.hello_status(&badge(&eddsa).await).await, 401);
}

#[tokio::test]
async fn the_public_key_used_as_an_hmac_secret_is_refused() {
    let app = eddsa_app().await;
    let kid = header_of(&badge(&app).await).kid.unwrap();
    let x = match &jwks(&app).await.find(&kid).unwrap().algorithm {
        jsonwebtoken::jwk::AlgorithmParameters::OctetKeyPair(okp) => okp.x.clone(),
        other => panic!("{other:?}"),
    };

    for secret in [URL_SAFE_NO_PAD.decode(&x).unwrap(), x.into_bytes()] {
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(kid.clone());
        let forged = jsonwebtoken::encode(
            &header,
            &claims_for(&app),
            &EncodingKey::from_secret(&secret),
        )
        .unwrap();

        assert_eq!(app.hello_status(&forged).await, 401);
    }
}

#[tokio::test]
async fn an_unknown_kid_and_a_foreign_key_under_our_kid_are_refused() {
    let app = eddsa_app().await;
    let kid = header_of(&badge(&app).await).kid.unwrap();
    let foreign = ed25519_dalek::SigningKey::from_bytes(&[42; 32]);
    let der = ed25519_dalek::pkcs8::EncodePrivateKey::to_pkcs8_der(&foreign).unwrap();
    let sign_as = |kid: &str| {
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(kid.to_owned());
        jsonwebtoken::encode(
            &header,
            &claims_for(&app),
            &EncodingKey::from_ed_der(der.as_bytes()),
        )
        .unwrap()
    };

    assert_eq!(app.hello_status(&sign_as("not-one-of-ours")).await, 401);
    assert_eq!(app.hello_status(&sign_as(&kid)).await, 401);
}

#[tokio::test]
async fn a_database_dump_holds_no_private_key_in_the_clear() {
    let app = eddsa_app().await;
    badge(&app).await;

    let rows = eddsa_rows(&app.db().await).await;

    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    let public = URL_SAFE_NO_PAD.decode(&row.public_key).unwrap();
    assert!(row.sealed_private_key.starts_with("v1."));
    // No 32 bytes anywhere in the row are a seed whose public key is the published one.
    for value in [
        &row.kid,
        &row.public_key,
        &row.sealed_private_key,
        &row.algorithm,
    ] {
        let bytes = URL_SAFE_NO_PAD
            .decode(value.trim_start_matches("v1."))
            .unwrap_or_else(|_| value.as_bytes().to_vec());
        for window in bytes.windows(32) {
            let seed: [u8; 32] = window.try_into().unwrap();
            let derived = ed25519_dalek::SigningKey::from_bytes(&seed).verifying_key();
            assert_ne!(derived.to_bytes().as_slice(), public.as_slice());
        }
    }
}

/// Every pair of keys signs in disjoint time spans, and exactly one signs now.
async fn assert_one_signing_key(database: &TestDatabase) -> Vec<store::KeyRow> {
    sqlx::any::install_default_drivers();
    let db = sqlx::AnyPool::connect(database.url()).await.unwrap();
    let rows = eddsa_rows(&db).await;
    let now = unix_now();
    let span = |r: &store::KeyRow| (r.activates_at, r.retires_at.unwrap_or(i64::MAX));
    for (i, a) in rows.iter().enumerate() {
        for b in &rows[i + 1..] {
            let ((a0, a1), (b0, b1)) = (span(a), span(b));
            assert!(a1 <= b0 || b1 <= a0, "overlapping signers: {a:?} {b:?}");
        }
    }
    let signing = rows
        .iter()
        .filter(|r| r.activates_at <= now && r.retires_at.is_none_or(|t| t > now))
        .count();
    assert_eq!(signing, 1, "{rows:#?}");
    rows
}

#[tokio::test]
async fn instances_starting_at_once_on_an_empty_database_share_one_key() {
    let database = TestDatabase::create().await;

    let starts = (0..4).map(|_| {
        let database = database.clone();
        tokio::spawn(async move { eddsa_instance(&database, &[]).await })
    });
    let mut apps = Vec::new();
    for start in starts {
        apps.push(start.await.unwrap());
    }

    let rows = assert_one_signing_key(&database).await;
    assert_eq!(rows.len(), 1, "no key was made twice");
    for app in &apps {
        assert_eq!(
            header_of(&badge(app).await).kid.as_deref(),
            Some(rows[0].kid.as_str())
        );
    }
}

#[tokio::test]
async fn rotations_racing_each_other_and_the_scheduler_leave_one_signing_key() {
    let database = TestDatabase::create().await;
    let app = eddsa_instance(&database, &[("JWT_KEY_ROTATION", "1s")]).await;
    let db = app.db().await;

    let racers = (0..6).map(|i| {
        let (db, database) = (db.clone(), database.clone());
        tokio::spawn(async move {
            if i % 2 == 0 {
                rotate_eddsa(&db).await.map(|_| ())
            } else {
                // A starting instance runs the scheduler's life cycle.
                eddsa_instance(&database, &[("JWT_KEY_ROTATION", "1s")]).await;
                Ok(())
            }
        })
    });
    for racer in racers {
        // A rotation that lost every retry says so; what matters is the state after.
        let _ = racer.await.unwrap();
    }

    assert_one_signing_key(&database).await;
}

#[tokio::test]
async fn with_a_short_rotation_the_next_key_is_published_long_before_it_signs() {
    let app = spawn_app_with(|vars| {
        vars.insert("JWT_ALGORITHM", "EdDSA".into());
        vars.insert("JWT_KEY_ROTATION", "1s".into());
    })
    .await;
    let signing = header_of(&badge(&app).await).kid.unwrap();

    let mut published = jwks(&app).await;
    for _ in 0..50 {
        if okp_count(&published) == 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        published = jwks(&app).await;
    }

    assert_eq!(okp_count(&published), 2, "the next key is published");
    assert_eq!(
        header_of(&badge(&app).await).kid.unwrap(),
        signing,
        "but does not sign yet"
    );
    let rows = eddsa_rows(&app.db().await).await;
    let (current, next) = (&rows[0], &rows[1]);
    assert!(next.activates_at - next.created_at >= 600, "{next:?}");
    assert_eq!(current.retires_at, Some(next.activates_at));
}

#[tokio::test]
async fn a_retired_key_stays_published_for_the_badge_ttl_and_the_cache_lifetime_then_goes() {
    let database = TestDatabase::create().await;
    let first = eddsa_instance(&database, &[]).await;
    let db = first.db().await;
    rotate_eddsa(&db).await.unwrap();
    let rows = eddsa_rows(&db).await;
    let retired = rows[0].kid.clone();
    // Retired 1,000 s ago: JWT_TTL (900 s) + max-age (300 s) not yet over.
    let now = rows[1].activates_at;
    sqlx::query("UPDATE signing_keys SET retires_at = $1 WHERE kid = $2")
        .bind(now - 1000)
        .bind(&retired)
        .execute(&db)
        .await
        .unwrap();
    let kept = eddsa_instance(&database, &[]).await;
    assert!(jwks(&kept).await.find(&retired).is_some());

    sqlx::query("UPDATE signing_keys SET retires_at = $1 WHERE kid = $2")
        .bind(now - 1201)
        .bind(&retired)
        .execute(&db)
        .await
        .unwrap();
    let later = eddsa_instance(&database, &[]).await;

    assert!(jwks(&later).await.find(&retired).is_none());
}

#[tokio::test]
async fn a_revoked_key_is_gone_and_its_badges_refused_while_a_new_key_signs() {
    let database = TestDatabase::create().await;
    let first = eddsa_instance(&database, &[]).await;
    let old_badge = badge(&first).await;
    let old_kid = header_of(&old_badge).kid.unwrap();

    signing_keys::revoke(&first.db().await, TEST_SECRET.as_bytes(), &old_kid)
        .await
        .unwrap();
    let after = eddsa_instance(&database, &[]).await;

    assert!(jwks(&after).await.find(&old_kid).is_none());
    assert_eq!(after.hello_status(&old_badge).await, 401);
    let new_badge = badge(&after).await;
    assert_ne!(header_of(&new_badge).kid.unwrap(), old_kid);
    assert_eq!(after.hello_status(&new_badge).await, 200);
}

#[tokio::test]
async fn an_instance_verifies_a_badge_from_a_key_it_has_not_read_yet() {
    let database = TestDatabase::create().await;
    let (a, b) = (
        eddsa_instance(&database, &[]).await,
        eddsa_instance(&database, &[]).await,
    );
    rotate_eddsa(&a.db().await).await.unwrap();
    // A third instance starts after the rotation and signs with the new key at once.
    let c = eddsa_instance(&database, &[]).await;
    let new_badge = badge(&c).await;

    // A and B still hold the old set: the unknown kid makes them read it again.
    assert_eq!(a.hello_status(&new_badge).await, 200);
    assert_eq!(b.hello_status(&new_badge).await, 200);
}

#[tokio::test]
async fn a_new_secret_with_the_old_one_as_previous_keeps_the_stored_keys_readable() {
    let database = TestDatabase::create().await;
    let old = "the-old-secret-that-is-long-enough-for-eddsa";
    let new = "the-new-secret-that-is-long-enough-for-eddsa";
    let before = eddsa_instance(&database, &[("AUTH_SECRET", old)]).await;
    let old_badge = badge(&before).await;

    let after = eddsa_instance(
        &database,
        &[("AUTH_SECRET", new), ("AUTH_SECRET_PREVIOUS", old)],
    )
    .await;

    assert_eq!(after.hello_status(&old_badge).await, 200);
    let new_badge = badge(&after).await;
    assert_eq!(
        header_of(&new_badge).kid,
        header_of(&old_badge).kid,
        "the same key still signs"
    );
    // Sealed again under the new secret: the old one is no longer needed.
    let later = eddsa_instance(&database, &[("AUTH_SECRET", new)]).await;
    assert_eq!(later.hello_status(&badge(&later).await).await, 200);
}

#[tokio::test]
async fn a_stored_key_sealed_under_an_unknown_secret_stops_start_up_saying_what_to_do() {
    let database = TestDatabase::create().await;
    eddsa_instance(&database, &[]).await;
    let mut vars = std::collections::HashMap::from([
        (
            "AUTH_SECRET",
            "a-completely-different-secret-of-enough-length".to_owned(),
        ),
        ("DATABASE_URL", database.url().to_owned()),
        ("JWT_ALGORITHM", "EdDSA".to_owned()),
        ("LEPTOS_SITE_ADDR", "127.0.0.1:0".to_owned()),
    ]);
    vars.insert("SITE_URL", "http://badge.test".to_owned());
    let config = badge::server::config::Config::from_lookup(|k| vars.get(k).cloned()).unwrap();

    let error = match badge::server::startup::Application::build(config).await {
        Ok(_) => panic!("started with an unreadable key"),
        Err(e) => format!("{e:#}"),
    };

    assert!(error.contains("AUTH_SECRET_PREVIOUS"), "{error}");
}

#[tokio::test]
async fn after_a_rotation_every_instance_signs_with_the_new_key_within_the_refresh_interval() {
    let database = TestDatabase::create().await;
    let instances = [
        eddsa_instance(&database, &[]).await,
        eddsa_instance(&database, &[]).await,
    ];
    for app in &instances {
        badge(app).await;
    }
    let bound = signing_keys::REFRESH_INTERVAL + std::time::Duration::from_secs(5);

    let new_kid = rotate_eddsa(&instances[0].db().await).await.unwrap();
    let rotated_at = std::time::Instant::now();

    for app in &instances {
        loop {
            let answer: Value = app.get("/api/token").await.json().await.unwrap();
            let kid = header_of(answer["token"].as_str().unwrap()).kid.unwrap();
            if kid == new_kid {
                break;
            }
            assert!(
                rotated_at.elapsed() < bound,
                "{} still signs with {kid}",
                app.address
            );
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        }
    }
}

/// Plants a retired key straight into the table: `kid`, the public half of `planted`, and a
/// sealed private half that is not one.
async fn plant_key(app: &TestApp, kid: &str, planted: &ed25519_dalek::SigningKey) {
    let db = app.db().await;
    sqlx::query(
        "INSERT INTO signing_keys (kid, generation, algorithm, public_key, sealed_private_key, \
         created_at, activates_at, retires_at) \
         VALUES ($1, (SELECT MAX(generation) + 1 FROM signing_keys), 'EdDSA', $2, $3, $4, $4, $5)",
    )
    .bind(kid)
    .bind(URL_SAFE_NO_PAD.encode(planted.verifying_key().to_bytes()))
    .bind(format!("v1.{}", URL_SAFE_NO_PAD.encode([9u8; 72])))
    .bind(unix_now() - 60)
    .bind(unix_now() - 1)
    .execute(&db)
    .await
    .unwrap();
}

#[tokio::test]
async fn a_key_planted_in_the_database_verifies_nothing() {
    use sha2::Digest;
    let app = eddsa_app().await;
    badge(&app).await;
    let with_any_kid = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
    let with_its_thumbprint = ed25519_dalek::SigningKey::from_bytes(&[8; 32]);
    let x = URL_SAFE_NO_PAD.encode(with_its_thumbprint.verifying_key().to_bytes());
    let thumbprint = URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(format!(
        r#"{{"crv":"Ed25519","kty":"OKP","x":"{x}"}}"#
    )));
    plant_key(&app, "planted", &with_any_kid).await;
    plant_key(&app, &thumbprint, &with_its_thumbprint).await;
    let sign_with = |key: &ed25519_dalek::SigningKey, kid: &str| {
        let der = ed25519_dalek::pkcs8::EncodePrivateKey::to_pkcs8_der(key).unwrap();
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(kid.to_owned());
        jsonwebtoken::encode(
            &header,
            &claims_for(&app),
            &EncodingKey::from_ed_der(der.as_bytes()),
        )
        .unwrap()
    };

    let any_kid = app.hello_status(&sign_with(&with_any_kid, "planted")).await;
    let thumbprint_kid = app
        .hello_status(&sign_with(&with_its_thumbprint, &thumbprint))
        .await;

    assert_eq!(any_kid, 401, "a kid that is not the key's thumbprint");
    assert_eq!(
        thumbprint_kid, 401,
        "a key whose private half does not open"
    );
    let published: Vec<String> = jwks(&app)
        .await
        .keys
        .iter()
        .filter_map(|k| k.common.key_id.clone())
        .collect();
    assert!(
        !published.contains(&thumbprint) && !published.iter().any(|k| k == "planted"),
        "{published:?}"
    );
}

#[tokio::test]
async fn an_eddsa_badge_with_padded_base64url_segments_is_401() {
    use base64::engine::general_purpose::URL_SAFE;
    let app = eddsa_app().await;
    let token = badge(&app).await;
    let parts: Vec<&str> = token.split('.').collect();
    let padded = |segment: &str| URL_SAFE.encode(URL_SAFE_NO_PAD.decode(segment).unwrap());
    // The signature (64 bytes) always needs padding; pad it, and pad any other segment that does.
    let mut padded_badges = Vec::new();
    for index in 0..3 {
        if padded(parts[index]) != parts[index] {
            let mut with_padding: Vec<String> = parts.iter().map(|p| p.to_string()).collect();
            with_padding[index] = padded(parts[index]);
            padded_badges.push((index, with_padding.join(".")));
        }
    }

    assert_eq!(app.hello_status(&token).await, 200);
    assert!(padded_badges.iter().any(|(index, _)| *index == 2));
    for (index, with_padding) in padded_badges {
        assert_eq!(
            app.hello_status(&with_padding).await,
            401,
            "segment {index} padded"
        );
    }
}
