//! A private Redis server for a test (Debian's `redis-server`, which `.ci/bootstrap test`
//! installs when missing): its own port, nothing on disk, stopped when dropped. A test of its own
//! can stop it halfway without disturbing any other test.

use std::{
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

pub struct RedisServer {
    pub port: u16,
    server: Option<Child>,
}

impl RedisServer {
    pub fn start() -> Self {
        // A free port can be taken by another test between finding it and binding it: then
        // redis-server exits, and another port is tried.
        for _ in 0..5 {
            let port = crate::process::free_port();
            let mut server = Command::new("redis-server")
                .args(["--bind", "127.0.0.1", "--port", &port.to_string()])
                .args(["--save", "", "--appendonly", "no", "--logfile", ""])
                .stdout(Stdio::null())
                .spawn()
                .expect("redis-server starts (run `.ci/bootstrap test`, or apt-get install redis-server)");
            let deadline = Instant::now() + Duration::from_secs(10);
            loop {
                if let Ok(Some(_)) = server.try_wait() {
                    break; // it could not bind: try another port
                }
                if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                    return Self {
                        port,
                        server: Some(server),
                    };
                }
                assert!(Instant::now() < deadline, "redis-server never listened");
                std::thread::sleep(Duration::from_millis(10));
            }
        }
        panic!("redis-server could not bind a free port in five tries");
    }

    /// `REDIS_URL` for an app that should count here.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Stops the server: connections are refused from now on.
    pub fn stop(&mut self) {
        if let Some(mut server) = self.server.take() {
            let _ = server.kill();
            let _ = server.wait();
        }
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}
