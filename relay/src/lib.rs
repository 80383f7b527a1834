//! The smime-wasm send endpoint.
//!
//! ```text
//!  browser (keys stay here)        relay (this crate; never sees a key)
//!  sign / encrypt ── RFC 822 ──►  POST /api/v1/transmissions
//!                                  auth → size → S/MIME? → key material? → senders/recipients
//!                                  → Maildir + SQLite row → transport (outbox | smtp | sparkpost)
//!                                  → failed? kept in the retry queue (background task, backoff)
//!  SparkPost inbound ── JSON ──►  POST /api/v1/relay-webhook
//!                                  token → open each message → valid signature, From in the
//!                                  certificate? → certificates table (GET /api/v1/certificates)
//! ```
//!
//! See `relay/README.md` for the configuration, the endpoints and the security rules.

pub mod auth;
pub mod config;
pub mod error;
pub mod policy;
pub mod queue;
pub mod server;
pub mod store;
pub mod transport;
pub mod webhook;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

pub use config::Config;

/// The relay could not start or stopped with an error.
#[derive(Debug)]
pub struct RunError(pub String);

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RunError {}

/// Builds the shared state: opens the data directory, builds the transport.
pub fn state(config: Config) -> Result<Arc<server::AppState>, RunError> {
    let store =
        store::Store::open(&config.storage.data_dir).map_err(|e| RunError(e.to_string()))?;
    let transport = transport::Transport::from_config(&config.transport)
        .map_err(|e| RunError(e.to_string()))?;
    let auth = auth::Auth::new(&config);
    let webhook_trust = match &config.webhook.trust_file {
        None => None,
        Some(path) => {
            let pem = std::fs::read(path)
                .map_err(|e| RunError(format!("webhook.trust_file {}: {e}", path.display())))?;
            let anchors = smime_wasm::Certificate::all_from_bytes(&pem)
                .map_err(|e| RunError(format!("webhook.trust_file {}: {e}", path.display())))?;
            Some(anchors)
        }
    };
    Ok(Arc::new(server::AppState {
        config,
        store,
        transport,
        auth,
        webhook_trust,
    }))
}

/// Serves on `listener` until `shutdown` resolves, then stops accepting, lets in-flight requests
/// finish (at most `server.shutdown_grace_secs`) and lets the queue task finish the delivery it
/// is in.
pub async fn run(
    state: Arc<server::AppState>,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), RunError> {
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let queue = tokio::spawn(queue::run(state.clone(), stop_rx.clone()));
    let grace = Duration::from_secs(state.config.server.shutdown_grace_secs);
    let mut stop_rx2 = stop_rx.clone();
    let app = server::router(state.clone());
    let serve = axum::serve(listener, app).with_graceful_shutdown(async move {
        shutdown.await;
        tracing::info!("shutting down: finishing in-flight requests");
        let _ = stop_tx.send(true);
    });
    let serve = async move { serve.await.map_err(|e| RunError(e.to_string())) };
    let deadline = async move {
        let _ = stop_rx2.wait_for(|s| *s).await;
        tokio::time::sleep(grace).await;
    };
    let result = tokio::select! {
        r = serve => r,
        () = deadline => {
            tracing::warn!("grace period over: dropping the requests still running");
            Ok(())
        }
    };
    if tokio::time::timeout(grace, queue).await.is_err() {
        tracing::warn!("the queue task did not stop in time");
    }
    tracing::info!("stopped");
    result
}
