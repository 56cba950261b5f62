//! A real SMTP server for the mail tests: `end2end/compat/smtp_sink.py` (aiosmtpd) in the
//! tests' Python environment (`.ci/bootstrap test` installs it), writing each mail it accepts,
//! decoded, as a JSON file. Stopped when dropped.

use std::{
    io::{BufRead, BufReader},
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use serde_json::Value;
use tempfile::TempDir;

pub struct SmtpSink {
    pub port: u16,
    /// While stopped, the port is held bound but not listening: connections are refused, and
    /// no other process (an app binding port 0, say) can take it before `restart`.
    held: Option<socket2::Socket>,
    /// How long the server takes to accept each mail.
    delay: Duration,
    folder: TempDir,
    server: Option<Child>,
}

impl SmtpSink {
    /// Starts a sink on a free port.
    pub fn start() -> Self {
        Self::start_slow(Duration::ZERO)
    }

    /// Starts a sink that takes `delay` to accept each mail (a slow server).
    pub fn start_slow(delay: Duration) -> Self {
        let mut sink = Self {
            port: crate::process::free_port(),
            held: None,
            delay,
            folder: tempfile::tempdir().expect("a folder for received mails"),
            server: None,
        };
        sink.restart();
        sink
    }

    /// `SMTP_URL` for an app that should deliver here.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Stops the server (connections are refused until `restart`).
    pub fn stop(&mut self) {
        if let Some(mut server) = self.server.take() {
            let _ = server.kill();
            let _ = server.wait();
            self.held = Some(hold(self.port));
        }
    }

    /// (Re)starts the server on the same port, keeping the mails received so far.
    pub fn restart(&mut self) {
        self.stop();
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let python = root.join("target/test-venv/bin/python");
        assert!(
            python.is_file(),
            "{} is missing: run `.ci/bootstrap test` (it installs aiosmtpd)",
            python.display()
        );
        let mut server = Command::new(python)
            .arg(root.join("end2end/compat/smtp_sink.py"))
            .arg(self.port.to_string())
            .arg(self.folder.path())
            .arg(self.delay.as_secs_f64().to_string())
            .stdout(Stdio::piped())
            .spawn()
            .expect("the SMTP sink starts");
        let mut line = String::new();
        BufReader::new(server.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("the SMTP sink says it is ready");
        assert_eq!(line.trim(), "ready", "the SMTP sink did not start");
        self.server = Some(server);
        // Listening now: the placeholder (same port, SO_REUSEADDR, never listening) can go.
        self.held = None;
    }

    /// Every mail received so far, oldest first.
    pub fn mails(&self) -> Vec<Value> {
        let mut files: Vec<_> = std::fs::read_dir(self.folder.path())
            .expect("the sink's folder")
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
            .collect();
        files.sort();
        files
            .iter()
            .map(|path| {
                serde_json::from_slice(&std::fs::read(path).expect("a mail file")).expect("JSON")
            })
            .collect()
    }

    /// The mails to `to`, once at least `count` have arrived (fails after 30 s).
    pub async fn wait_for(&self, to: &str, count: usize) -> Vec<Value> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let mails: Vec<Value> = self
                .mails()
                .into_iter()
                .filter(|mail| {
                    mail["rcpt_tos"]
                        .as_array()
                        .is_some_and(|r| r.iter().any(|a| a == to))
                })
                .collect();
            if mails.len() >= count || Instant::now() > deadline {
                assert!(
                    mails.len() >= count,
                    "{} of {count} mails to {to} arrived",
                    mails.len()
                );
                return mails;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// A socket bound to 127.0.0.1:`port` with SO_REUSEADDR and never listening: connections to the
/// port are refused, other binds (port 0 included) pass it by, and the sink's own server (which
/// binds with SO_REUSEADDR too) can still take the port.
fn hold(port: u16) -> socket2::Socket {
    use socket2::{Domain, Socket, Type};
    let socket = Socket::new(Domain::IPV4, Type::STREAM, None).expect("a socket");
    socket.set_reuse_address(true).expect("SO_REUSEADDR");
    let address: std::net::SocketAddr = ([127, 0, 0, 1], port).into();
    socket
        .bind(&address.into())
        .expect("the stopped sink's port is still free");
    socket
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The link in a mail's text that starts with `prefix`.
pub fn link_in(mail: &Value, prefix: &str) -> String {
    let text = mail["text"].as_str().expect("a text part");
    let start = text
        .find(prefix)
        .unwrap_or_else(|| panic!("no {prefix} link in {text}"));
    text[start..]
        .split_whitespace()
        .next()
        .expect("a link")
        .to_owned()
}

/// The `token` parameter of a mailed link.
pub fn token_of(link: &str) -> String {
    link.split("token=")
        .nth(1)
        .expect("a token in the link")
        .to_owned()
}
