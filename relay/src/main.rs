//! `relay [--config relay.toml]`: the smime-wasm send endpoint (see relay/README.md).

use std::io::IsTerminal as _;
use std::path::PathBuf;

use tracing_subscriber::EnvFilter;

fn usage() -> ! {
    eprintln!(
        "usage: relay [--config FILE]   (RELAY_CONFIG also names the file; RELAY_* override it)"
    );
    std::process::exit(2)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let mut path: Option<PathBuf> = std::env::var_os("RELAY_CONFIG").map(PathBuf::from);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--config" | "-c" => {
                path = Some(args.next().map(PathBuf::from).unwrap_or_else(|| usage()))
            }
            _ => usage(),
        }
    }
    let config = match relay::Config::load(path.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("relay: {e}");
            std::process::exit(1);
        }
    };
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(&config.log.filter))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    if config.log.json {
        tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .json()
            .init();
    } else {
        tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .with_ansi(std::io::stderr().is_terminal())
            .init();
    }
    let listener = match tokio::net::TcpListener::bind(config.server.listen).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("relay: cannot listen on {}: {e}", config.server.listen);
            std::process::exit(1);
        }
    };
    let addr = listener.local_addr().unwrap_or(config.server.listen);
    let transport = config.transport.kind;
    let static_dir = config.server.static_dir.clone();
    let state = match relay::state(config) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("relay: {e}");
            std::process::exit(1);
        }
    };
    tracing::info!(%addr, ?transport, static_dir = ?static_dir, "relay listening");
    // logs go to stderr; one plain line on stdout, for scripts and tests that read the port
    println!("relay listening at http://{addr}/");
    if let Err(e) = relay::run(state, listener, shutdown_signal()).await {
        eprintln!("relay: {e}");
        std::process::exit(1);
    }
}
