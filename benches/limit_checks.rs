//! `limit-checks`: what one attempt-limit check costs in each store, measured in-process.
//! `make bench` runs it for memory, PostgreSQL and Redis; the server's own checks are these.
//! Usage: limit-checks memory|postgres|redis [DATABASE_URL|REDIS_URL] [checks]
//! Prints JSON: the store, the checks made, the latency p50/p99/mean in µs (one check at a time,
//! each on a new key, as an attacker's rotating addresses make them) and this process's CPU per
//! check in µs (a database's or Redis's own CPU is not in it).

use std::time::Instant;

use badge::server::{
    db,
    limits::{self, Counters, StoreChoice, PER_IP},
};

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let mut args = std::env::args().skip(1);
    let store = args.next().unwrap_or_else(|| "memory".into());
    let url = args.next().unwrap_or_default();
    let checks: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(20_000);
    let counters = match open(&store, &url).await {
        Ok(counters) => counters,
        Err(error) => {
            eprintln!("limit-checks: {error:#}");
            std::process::exit(1);
        }
    };
    let run = std::process::id();
    let mut latencies = Vec::with_capacity(checks);
    let cpu_before = cpu_micros();
    for n in 0..checks {
        // New keys (within the quota: each is counted), as rotating addresses make them.
        let key = format!("bench-{run}-{n}");
        let started = Instant::now();
        if counters
            .acquire(&PER_IP, &key, limits::now())
            .await
            .is_err()
        {
            eprintln!("limit-checks: a first check on a new key was refused");
            std::process::exit(1);
        }
        latencies.push(started.elapsed().as_secs_f64() * 1e6);
    }
    let cpu = (cpu_micros() - cpu_before) / checks as f64;
    latencies.sort_by(f64::total_cmp);
    let at = |q: f64| latencies[((latencies.len() - 1) as f64 * q) as usize];
    let mean = latencies.iter().sum::<f64>() / latencies.len() as f64;
    counters.sweep(limits::now() + 3_600_000_000).await;
    println!(
        "{{\"store\": \"{store}\", \"checks\": {checks}, \"p50_us\": {:.1}, \"p99_us\": {:.1}, \
         \"mean_us\": {mean:.1}, \"cpu_us\": {cpu:.1}}}",
        at(0.5),
        at(0.99)
    );
}

async fn open(store: &str, url: &str) -> anyhow::Result<Counters> {
    Counters::open(match store {
        "memory" => StoreChoice::Memory,
        "postgres" => StoreChoice::Postgres(db::connect(url, Some(2)).await?),
        "redis" => StoreChoice::Redis(url),
        other => anyhow::bail!("unknown store {other:?} (memory, postgres or redis)"),
    })
    .await
}

/// This process's user + system CPU time so far, in µs.
fn cpu_micros() -> f64 {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::uninit();
    // SAFETY: getrusage fills the struct it is given; RUSAGE_SELF is always valid.
    let usage = unsafe {
        libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr());
        usage.assume_init()
    };
    let micros = |t: libc::timeval| t.tv_sec as f64 * 1e6 + t.tv_usec as f64;
    micros(usage.ru_utime) + micros(usage.ru_stime)
}
