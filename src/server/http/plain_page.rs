//! A small server-made page for answers that are not the app's pages (a refused request, an
//! authorization request Badge will not act on): a heading, the message in `role="alert"`, a
//! link back. The message may quote what a client sent, so it is escaped.

use axum::{
    http::StatusCode,
    response::{Html, IntoResponse, Response},
};

pub fn plain_page(status: StatusCode, title: &str, message: &str) -> Response {
    let title = html_escape::encode_text(title);
    let message = html_escape::encode_text(message);
    let page = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <link rel=\"stylesheet\" href=\"/pkg/badge.css\">\
         <title>{title} · Badge</title></head>\
         <body><main class=\"content\"><section class=\"card\"><h1>{title}</h1>\
         <p role=\"alert\">{message}</p>\
         <p><a href=\"/\">Back to the start</a></p></section></main></body></html>"
    );
    (status, Html(page)).into_response()
}
