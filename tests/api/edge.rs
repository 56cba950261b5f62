//! The HTTP edge under abuse, over raw TCP where a client library would hide it: timeouts, the
//! connection cap, open-file exhaustion, and shutdown (DESIGN "Operations"; review findings 1-3).

use std::{
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

use crate::{
    helpers::{spawn_app_with, TestDatabase},
    process::Process,
};

async fn connect(address: &str) -> TcpStream {
    TcpStream::connect(address.trim_start_matches("http://"))
        .await
        .expect("connects")
}

/// Reads until the server closes the connection (or `limit` passes); returns what came and
/// how long it took.
async fn read_until_closed(stream: &mut TcpStream, limit: Duration) -> (Option<String>, Duration) {
    let started = Instant::now();
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        match tokio::time::timeout_at((started + limit).into(), stream.read(&mut buffer)).await {
            Ok(Ok(0)) | Ok(Err(_)) => {
                return (
                    Some(String::from_utf8_lossy(&received).into_owned()),
                    started.elapsed(),
                )
            }
            Ok(Ok(n)) => received.extend_from_slice(&buffer[..n]),
            Err(_) => return (None, started.elapsed()),
        }
    }
}

#[tokio::test]
async fn a_connection_that_sends_nothing_is_closed_after_the_header_timeout() {
    let app = spawn_app_with(|_| {}).await;
    let mut idle = connect(&app.address).await;

    let (closed, after) = read_until_closed(&mut idle, Duration::from_secs(20)).await;

    assert!(closed.is_some(), "still open after 20 s");
    assert!(
        after >= Duration::from_secs(9),
        "closed too early: {after:?}"
    );
}

#[tokio::test]
async fn half_sent_headers_are_cut_off_within_the_header_timeout() {
    let app = spawn_app_with(|_| {}).await;
    let mut slow = connect(&app.address).await;
    slow.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();

    let (closed, after) = read_until_closed(&mut slow, Duration::from_secs(20)).await;

    assert!(closed.is_some(), "still open after 20 s");
    assert!(after <= Duration::from_secs(12), "{after:?}");
}

#[tokio::test]
async fn a_body_sent_byte_by_byte_is_cut_at_the_request_timeout() {
    let app = spawn_app_with(|vars| {
        vars.insert("REQUEST_TIMEOUT", "2s".into());
    })
    .await;
    let (mut reader, mut writer) = connect(&app.address).await.into_split();
    let head = format!(
        "POST /api/auth/sign-in HTTP/1.1\r\nHost: x\r\nOrigin: {}\r\nAccept: application/json\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\n",
        app.address
    );
    writer.write_all(head.as_bytes()).await.unwrap();
    let started = Instant::now();
    let trickle = async {
        for _ in 0..60 {
            if writer.write_all(b"e").await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    };
    let answer = async {
        let mut buffer = [0u8; 1024];
        let n = reader.read(&mut buffer).await.unwrap_or(0);
        String::from_utf8_lossy(&buffer[..n]).into_owned()
    };
    let answer = tokio::select! {
        answer = answer => answer,
        () = trickle => String::new(),
    };

    assert!(answer.starts_with("HTTP/1.1 408"), "{answer:?}");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn connections_beyond_max_connections_are_closed_at_once() {
    let app = spawn_app_with(|vars| {
        vars.insert("MAX_CONNECTIONS", "3".into());
    })
    .await;
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(connect(&app.address).await);
    }
    // Connections are accepted in order: the three above hold every slot.
    let mut fourth = connect(&app.address).await;

    let (closed, after) = read_until_closed(&mut fourth, Duration::from_secs(5)).await;

    assert_eq!(closed.as_deref(), Some(""), "closed without an answer");
    assert!(after < Duration::from_secs(2));
    drop(held);
    let deadline = Instant::now() + Duration::from_secs(5);
    while app.get("/healthz").await.status() != 200 {
        assert!(Instant::now() < deadline, "no slot freed");
    }
}

#[tokio::test]
async fn a_thousand_idle_connections_with_a_low_open_files_limit_leave_room_for_a_request() {
    // This test process needs its own descriptors for the thousand connections.
    badge::server::serve::raise_open_files_limit();
    let database = TestDatabase::create().await;
    let app = Process::start(database.url(), &[], "ulimit -Sn 256 &&").await;
    let address = format!("127.0.0.1:{}", app.port);
    let mut idle = Vec::new();
    for _ in 0..1000 {
        if let Ok(stream) = TcpStream::connect(&address).await {
            idle.push(stream);
        }
    }

    let fresh = reqwest::Client::new()
        .get(format!("{}/healthz", app.address))
        .timeout(Duration::from_secs(10))
        .send()
        .await;

    assert!(
        fresh.as_ref().is_ok_and(|r| r.status() == 200),
        "{fresh:?}; log: {}",
        app.log()
    );
    assert!(!app.log().contains("Too many open files"), "{}", app.log());
    drop(idle);
}

#[tokio::test]
async fn sigterm_with_a_stalled_client_exits_within_the_shutdown_timeout() {
    let database = TestDatabase::create().await;
    let mut app = Process::start(database.url(), &[("SHUTDOWN_TIMEOUT", "2s")], "").await;
    let mut stalled = connect(&app.address).await;
    stalled
        .write_all(b"POST /api/auth/sign-in HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\nem")
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;

    app.terminate();

    let exit = app.exited_within(Duration::from_secs(6)).await;
    assert!(
        exit.is_some(),
        "still running 6 s after SIGTERM: {}",
        app.log()
    );
}

/// One keep-alive client: sends `GET /healthz` again and again on one connection until the
/// server says `Connection: close` (or closes). Counts requests answered, and requests written
/// but never answered.
async fn keep_alive_client(address: String, answered: Arc<AtomicUsize>, lost: Arc<AtomicUsize>) {
    let mut stream = TcpStream::connect(&address).await.expect("connects");
    let request = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
    loop {
        if stream.write_all(request).await.is_err() {
            return; // not sent: the server had already closed the connection
        }
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            match stream.read(&mut byte).await {
                Ok(1) => head.push(byte[0]),
                _ => {
                    lost.fetch_add(1, Ordering::Relaxed);
                    return;
                }
            }
        }
        let head = String::from_utf8_lossy(&head).to_ascii_lowercase();
        let length: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0);
        let mut body = vec![0u8; length];
        if stream.read_exact(&mut body).await.is_err() {
            lost.fetch_add(1, Ordering::Relaxed);
            return;
        }
        answered.fetch_add(1, Ordering::Relaxed);
        if head.contains("connection: close") {
            return;
        }
    }
}

#[tokio::test]
async fn sigterm_under_keep_alive_load_leaves_no_request_unanswered() {
    let database = TestDatabase::create().await;
    let mut app = Process::start(database.url(), &[], "").await;
    let (answered, lost) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let clients: Vec<_> = (0..32)
        .map(|_| {
            tokio::spawn(keep_alive_client(
                format!("127.0.0.1:{}", app.port),
                answered.clone(),
                lost.clone(),
            ))
        })
        .collect();
    while answered.load(Ordering::Relaxed) < 200 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    app.terminate();
    for client in clients {
        client.await.unwrap();
    }

    assert_eq!(
        lost.load(Ordering::Relaxed),
        0,
        "requests sent and never answered"
    );
    assert!(app.exited_within(Duration::from_secs(10)).await.is_some());
}
