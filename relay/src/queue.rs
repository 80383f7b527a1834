//! The retry queue: a background task that delivers the `queued` messages whose time has come,
//! one at a time, with exponential backoff (`retry_initial_secs` doubled after each failed
//! attempt, at most `retry_max_secs`). A permanent refusal ends the retries (`failed`).

use std::sync::Arc;
use std::time::Duration;

use crate::server::AppState;
use crate::store::now;

/// Delay after `attempts` failed attempts.
pub fn backoff(attempts: u32, initial: u64, max: u64) -> u64 {
    let exp = attempts.saturating_sub(1).min(30);
    initial.saturating_mul(1u64 << exp).min(max).max(1)
}

/// Runs until `stop` turns true (or its sender is dropped). A delivery in progress is finished
/// first.
pub async fn run(state: Arc<AppState>, mut stop: tokio::sync::watch::Receiver<bool>) {
    let poll = Duration::from_millis(state.config.queue.poll_millis.max(10));
    loop {
        if *stop.borrow() {
            break;
        }
        let store = state.store.clone();
        let due = match tokio::task::spawn_blocking(move || store.claim_due(16)).await {
            Ok(Ok(rows)) => rows,
            Ok(Err(e)) => {
                tracing::error!(error = %e, "queue: reading due messages failed");
                Vec::new()
            }
            Err(_) => Vec::new(),
        };
        let busy = !due.is_empty();
        for row in due {
            let attempts = row.attempts + 1;
            let store = state.store.clone();
            let path = row.path.clone();
            let message = match tokio::task::spawn_blocking(move || store.read(&path)).await {
                Ok(Ok(m)) => m,
                _ => {
                    tracing::error!(id = %row.id, "queue: the message file is unreadable");
                    let store = state.store.clone();
                    let id = row.id.clone();
                    let _ = tokio::task::spawn_blocking(move || {
                        store.mark_failed(&id, attempts, None, "message file unreadable")
                    })
                    .await;
                    continue;
                }
            };
            let result = state
                .transport
                .deliver(&row.sender, &row.recipients, &message)
                .await;
            let store = state.store.clone();
            let id = row.id.clone();
            let q = &state.config.queue;
            let (initial, max) = (q.retry_initial_secs, q.retry_max_secs);
            match result {
                Ok(()) => {
                    tracing::info!(id = %row.id, attempts, "queue: delivered");
                    let _ =
                        tokio::task::spawn_blocking(move || store.mark_sent(&id, attempts)).await;
                }
                Err(e) => {
                    let next =
                        (!e.permanent).then(|| now() + backoff(attempts, initial, max) as i64);
                    tracing::warn!(id = %row.id, attempts, permanent = e.permanent, error = %e.detail, "queue: delivery failed");
                    let _ = tokio::task::spawn_blocking(move || {
                        store.mark_failed(&id, attempts, next, &e.detail)
                    })
                    .await;
                }
            }
        }
        if busy {
            continue;
        }
        tokio::select! {
            () = tokio::time::sleep(poll) => {}
            changed = stop.changed() => if changed.is_err() { break },
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn backoff_doubles_up_to_max() {
        assert_eq!(super::backoff(1, 30, 3600), 30);
        assert_eq!(super::backoff(2, 30, 3600), 60);
        assert_eq!(super::backoff(10, 30, 3600), 3600);
        assert_eq!(super::backoff(200, 30, 3600), 3600);
    }
}
