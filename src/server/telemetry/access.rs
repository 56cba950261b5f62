//! The access log (target `badge::access`, one line per request), written straight into the
//! log's queue in the shape the formatter gives every other line, text or JSON. Through
//! `tracing`'s formatter the line cost more than the rest of a hello-world request inside Badge
//! (callgrind: about 11,900 instructions, each field through `Debug`, the date computed anew);
//! written here into a reused buffer it is a small fraction of that. `RUST_LOG` still decides
//! (`tracing::enabled!`), and the line joins the same queue as the others, so order is kept.

use std::{
    cell::RefCell,
    fmt::{self, Write as _},
    io::Write as _,
    sync::OnceLock,
    time::Duration,
};

use tracing_appender::non_blocking::NonBlocking;

use super::clock;

/// What the line says about one request; never a query string, cookie or token.
pub struct Request<'a> {
    pub method: &'a str,
    /// The route template (`/api/users/{id}`), not the path.
    pub route: &'a str,
    pub status: u16,
    pub latency: Duration,
    pub request_id: &'a str,
}

struct Sink {
    writer: NonBlocking,
    shape: Shape,
}

#[derive(Clone, Copy)]
pub(super) enum Shape {
    Text { ansi: bool },
    Json,
}

static SINK: OnceLock<Sink> = OnceLock::new();

thread_local! {
    static LINE: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Sends access lines to `writer` (the server's log queue) from now on. Without it (tests'
/// logging) they go through `tracing` like any other line.
pub(super) fn install(writer: NonBlocking, shape: Shape) {
    let _ = SINK.set(Sink { writer, shape });
}

/// Logs `request` if `RUST_LOG` lets `badge::access` through at `info`.
pub fn log(request: &Request) {
    if !tracing::enabled!(target: "badge::access", tracing::Level::INFO) {
        return;
    }
    let Some(sink) = SINK.get() else {
        tracing::info!(
            target: "badge::access",
            method = request.method,
            route = request.route,
            status = request.status,
            latency_ms = f64::from(micros(request.latency)) / 1000.0,
            request_id = request.request_id,
            "request"
        );
        return;
    };
    LINE.with_borrow_mut(|line| {
        line.clear();
        let written = match sink.shape {
            Shape::Text { ansi } => text(line, request, ansi),
            Shape::Json => json(line, request),
        };
        if written.is_ok() {
            // Lossless: waits if the queue is full. An error means the log thread is gone
            // (shutting down); nothing else could be done with the line.
            let _ = sink.writer.clone().write_all(line.as_bytes());
        }
    });
}

/// `2026-12-07T17:09:44.366949Z  INFO badge::access: request method=GET route=/api/hello-world
/// status=200 latency_ms=0.198 request_id="…"`, as `tracing-subscriber`'s full format, in its
/// colours on a terminal. Pieces are pushed, not `write!`n: formatting machinery per piece was
/// most of the line's cost.
fn text(line: &mut String, r: &Request, ansi: bool) -> fmt::Result {
    if ansi {
        line.push_str("\x1b[2m");
    }
    clock::write_now(line)?;
    line.push_str(if ansi {
        "\x1b[0m \x1b[32m INFO\x1b[0m \x1b[2mbadge::access\x1b[0m\x1b[2m:\x1b[0m request"
    } else {
        "  INFO badge::access: request"
    });
    let name = |line: &mut String, name: &str| {
        line.push(' ');
        if ansi {
            line.push_str("\x1b[3m");
            line.push_str(name);
            line.push_str("\x1b[0m\x1b[2m=\x1b[0m");
        } else {
            line.push_str(name);
            line.push('=');
        }
    };
    name(line, "method");
    line.push_str(r.method);
    name(line, "route");
    line.push_str(r.route);
    name(line, "status");
    push_number(line, u32::from(r.status));
    name(line, "latency_ms");
    write_millis(line, r.latency);
    name(line, "request_id");
    if r.request_id
        .bytes()
        .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\')
    {
        line.push('"');
        line.push_str(r.request_id);
        line.push('"');
    } else {
        write!(line, "{:?}", r.request_id)?;
    }
    line.push('\n');
    Ok(())
}

/// One JSON object, as `LOG_FORMAT=json` writes every line (`flatten_event`).
fn json(line: &mut String, r: &Request) -> fmt::Result {
    line.push_str("{\"timestamp\":\"");
    clock::write_now(line)?;
    line.push_str("\",\"level\":\"INFO\",\"message\":\"request\",\"method\":");
    json_string(line, r.method)?;
    line.push_str(",\"route\":");
    json_string(line, r.route)?;
    line.push_str(",\"status\":");
    push_number(line, u32::from(r.status));
    line.push_str(",\"latency_ms\":");
    write_millis(line, r.latency);
    line.push_str(",\"request_id\":");
    json_string(line, r.request_id)?;
    line.push_str(",\"target\":\"badge::access\"}\n");
    Ok(())
}

fn json_string(line: &mut String, value: &str) -> fmt::Result {
    line.push('"');
    for c in value.chars() {
        match c {
            '"' => line.push_str("\\\""),
            '\\' => line.push_str("\\\\"),
            c if c.is_control() => write!(line, "\\u{:04x}", u32::from(c))?,
            c => line.push(c),
        }
    }
    line.push('"');
    Ok(())
}

fn micros(latency: Duration) -> u32 {
    u32::try_from(latency.as_micros()).unwrap_or(u32::MAX)
}

/// Milliseconds to the microsecond, as a float prints them: `0.198`, `27.125`, `1.0`.
fn write_millis(line: &mut String, latency: Duration) {
    let micros = micros(latency);
    push_number(line, micros / 1000);
    line.push('.');
    let fraction = micros % 1000;
    let digits = [fraction / 100, fraction / 10 % 10, fraction % 10];
    let shown = digits
        .iter()
        .rposition(|&d| d != 0)
        .map_or(1, |last| last + 1);
    for digit in &digits[..shown] {
        line.push(char::from(b'0' + digit_byte(*digit)));
    }
}

/// `n` in decimal.
pub(super) fn push_number(line: &mut String, mut n: u32) {
    let mut digits = [0u8; 10];
    let mut start = digits.len();
    loop {
        start -= 1;
        digits[start] = b'0' + digit_byte(n % 10);
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &digit in &digits[start..] {
        line.push(char::from(digit));
    }
}

fn digit_byte(digit: u32) -> u8 {
    u8::try_from(digit % 10).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn millis(micros: u64) -> String {
        let mut line = String::new();
        write_millis(&mut line, Duration::from_micros(micros));
        line
    }

    #[test]
    fn latency_reads_as_the_float_it_stands_for_to_the_microsecond() {
        for micros in [0, 1, 20, 100, 198, 1000, 1001, 27_125, 4_294_967_295] {
            let expected = format!("{:?}", micros as f64 / 1000.0);
            assert_eq!(millis(micros), expected, "{micros} µs");
        }
    }

    #[test]
    fn a_text_line_has_the_formatter_s_shape() {
        let mut line = String::new();
        let request = Request {
            method: "GET",
            route: "/api/hello-world",
            status: 200,
            latency: Duration::from_micros(198),
            request_id: "32def554-8bc0-4a13-8498-65bc8e60ad2c",
        };
        text(&mut line, &request, false).unwrap();
        let (time, rest) = line.split_once(' ').unwrap();
        assert!(time.ends_with('Z') && time.len() == 27, "{time}");
        assert_eq!(
            rest,
            " INFO badge::access: request method=GET route=/api/hello-world status=200 \
             latency_ms=0.198 request_id=\"32def554-8bc0-4a13-8498-65bc8e60ad2c\"\n"
        );
    }

    #[test]
    fn a_json_line_is_one_object_with_the_formatter_s_fields() {
        let mut line = String::new();
        let request = Request {
            method: "POST",
            route: "/api/auth/sign-in",
            status: 401,
            latency: Duration::from_micros(27_125),
            request_id: "id \"with\" quotes",
        };
        json(&mut line, &request).unwrap();
        let value: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(value["level"], "INFO");
        assert_eq!(value["target"], "badge::access");
        assert_eq!(value["message"], "request");
        assert_eq!(value["method"], "POST");
        assert_eq!(value["route"], "/api/auth/sign-in");
        assert_eq!(value["status"], 401);
        assert_eq!(value["latency_ms"], 27.125);
        assert_eq!(value["request_id"], "id \"with\" quotes");
        assert!(line.ends_with("}\n"));
    }
}
