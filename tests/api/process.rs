//! The real `badge` binary as a child process, for what only a process shows: signals, open-file
//! limits, restarts, its log output.

use std::{
    path::PathBuf,
    process::{Child, Command, ExitStatus, Stdio},
    time::{Duration, Instant},
};

use crate::helpers::TEST_SECRET;

pub struct Process {
    child: Child,
    pub address: String,
    pub port: u16,
    /// The working folder; `stderr.log` holds the process's log.
    pub cwd: tempfile::TempDir,
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

impl Process {
    /// Starts the binary on a free port with `database_url` and `vars`, and waits for `/healthz`.
    /// `shell_prefix` (e.g. `ulimit -Sn 256;`) runs in `sh` before the binary.
    pub async fn start(database_url: &str, vars: &[(&str, &str)], shell_prefix: &str) -> Self {
        let port = free_port();
        let cwd = tempfile::tempdir().expect("a working folder");
        let log = std::fs::File::create(cwd.path().join("stderr.log")).expect("a log file");
        let child = Command::new("sh")
            .arg("-c")
            .arg(format!("{shell_prefix} exec \"$0\""))
            .arg(env!("CARGO_BIN_EXE_badge"))
            .current_dir(cwd.path())
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("AUTH_SECRET", TEST_SECRET)
            .env("DATABASE_URL", database_url)
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
            .envs(vars.iter().copied())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("the binary starts");
        let address = format!("http://127.0.0.1:{port}");
        let mut process = Self {
            child,
            address,
            port,
            cwd,
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let healthy = reqwest::get(format!("{}/healthz", process.address))
                .await
                .is_ok_and(|r| r.status() == 200);
            if healthy {
                return process;
            }
            if let Ok(Some(status)) = process.child.try_wait() {
                panic!("the binary exited ({status}): {}", process.log());
            }
            assert!(
                Instant::now() < deadline,
                "never healthy: {}",
                process.log()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Everything the process has logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.log_path()).unwrap_or_default()
    }

    fn log_path(&self) -> PathBuf {
        self.cwd.path().join("stderr.log")
    }

    /// Sends SIGTERM, as an orchestrator does.
    pub fn terminate(&self) {
        let sent = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(sent.success());
    }

    /// Waits for the process to exit; `None` if it is still running after `limit`.
    pub async fn exited_within(&mut self, limit: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        None
    }

    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
