//! `argon2-rate`: how many argon2id hashes (Badge's parameters) one thread computes per second.
//! `make bench` pins it to the server's CPU and compares sign-in throughput against it.
//! Usage: argon2-rate [seconds]

use std::time::{Duration, Instant};

use argon2::Block;

fn main() {
    let seconds: f64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(3.0);
    let argon2 = badge::server::accounts::passwords::argon2();
    // Memory allocated once, as the server's hashing threads do.
    let mut memory = vec![Block::default(); argon2.params().block_count()];
    let mut out = [0u8; 32];
    let deadline = Instant::now() + Duration::from_secs_f64(seconds);
    let started = Instant::now();
    let mut hashes = 0u64;
    while Instant::now() < deadline {
        if let Err(e) = argon2.hash_password_into_with_memory(
            b"correct horse battery staple",
            b"sixteen byte salt",
            &mut out,
            &mut memory,
        ) {
            eprintln!("argon2-rate: {e}");
            std::process::exit(1);
        }
        hashes += 1;
    }
    let rate = hashes as f64 / started.elapsed().as_secs_f64();
    println!("{{\"hashes\": {hashes}, \"hashes_per_sec\": {rate:.2}}}");
}
