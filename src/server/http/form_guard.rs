//! Checks the form body of every `/api/auth/*` call before the server function parses it, so
//! malformed input is a 4xx in our own words, never a 500 with parser internals: a body over the
//! limit (chunked too) is 413; invalid UTF-8, a field given twice (`email=a&email=b`) or a
//! field name that is not plain (`email[]=x`) is 400.

use std::collections::HashSet;

use axum::{
    body::{to_bytes, Body},
    extract::Request,
    http::{header, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
    Json,
};

use percent_encoding::percent_decode;

use crate::error::AppError;

/// Largest request body accepted: forms are a few hundred bytes.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

pub async fn check_auth_form(request: Request, next: Next) -> Response {
    if request.method() != Method::POST || !request.uri().path().starts_with("/api/auth/") {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let bytes = match to_bytes(body, MAX_BODY_BYTES).await {
        Ok(bytes) => bytes,
        Err(_) => {
            tracing::info!(path = %parts.uri.path(), "refused: request body over the limit");
            return too_large();
        }
    };
    let is_form = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|v| v.starts_with("application/x-www-form-urlencoded"));
    if is_form {
        if let Err(problem) = check_form_fields(&bytes) {
            tracing::info!(path = %parts.uri.path(), problem, "refused: malformed form");
            return AppError::BadRequest.into_response();
        }
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// Why a form body is refused, if it is (public for the fuzz target).
pub fn check_form_fields(body: &[u8]) -> Result<(), &'static str> {
    let mut seen = HashSet::new();
    for pair in body.split(|&b| b == b'&').filter(|pair| !pair.is_empty()) {
        let (name, value) = match pair.iter().position(|&b| b == b'=') {
            Some(at) => (&pair[..at], &pair[at + 1..]),
            None => (pair, &[][..]),
        };
        // Field names are ours (`email`, `new_password`): plain, never encoded.
        if name.is_empty() || !name.iter().all(|b| b.is_ascii_lowercase() || *b == b'_') {
            return Err("a field name that is not plain");
        }
        if percent_decode(value).decode_utf8().is_err() {
            return Err("invalid UTF-8");
        }
        if !seen.insert(name) {
            return Err("a field given twice");
        }
    }
    Ok(())
}

fn too_large() -> Response {
    let body = serde_json::json!({
        "error": "payload_too_large",
        "message": "The request is too large.",
    });
    (StatusCode::PAYLOAD_TOO_LARGE, Json(body)).into_response()
}

#[cfg(test)]
mod tests {
    use super::check_form_fields;

    #[test]
    fn plain_forms_pass() {
        assert_eq!(
            check_form_fields(b"email=ada%40example.com&password=x+y"),
            Ok(())
        );
        assert_eq!(check_form_fields(b""), Ok(()));
    }

    #[test]
    fn malformed_forms_are_refused() {
        assert!(check_form_fields(b"email=a&email=b").is_err());
        assert!(check_form_fields(b"email%5B%5D=x").is_err());
        assert!(check_form_fields(b"email[]=x").is_err());
        assert!(check_form_fields(b"email=%FF%FE").is_err());
        assert!(check_form_fields(b"=x").is_err());
    }

    proptest::proptest! {
        #[test]
        fn any_form_body_is_judged_without_panicking(body in proptest::collection::vec(proptest::num::u8::ANY, 0..200)) {
            let _ = check_form_fields(&body);
        }

        #[test]
        fn plain_distinct_fields_always_pass(values in proptest::collection::vec("([a-zA-Z0-9.@_-]|%40|%2[0-9])*", 0..4)) {
            let names = ["email", "password", "next", "new_password"];
            let body: Vec<String> = names.iter().zip(&values).map(|(n, v)| format!("{n}={v}")).collect();
            proptest::prop_assert_eq!(check_form_fields(body.join("&").as_bytes()), Ok(()));
        }
    }
}
