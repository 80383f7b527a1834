//! Storage: every accepted message is a file in the Maildir `<data_dir>/mail/` (written to
//! `tmp/`, synced, renamed into `new/`) plus a row in the SQLite table `messages`; harvested
//! certificates live in the table `certificates`.
//!
//! Message states: `stored` (outbox transport: kept, nothing else to do), `sending` (a delivery
//! attempt is running), `queued` (waiting for a retry at `next_attempt_at`), `sent`, `failed`
//! (refused permanently by the transport; kept for inspection).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use sha2::{Digest, Sha256};

const SCHEMA: &str = "
PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;
CREATE TABLE IF NOT EXISTS messages (
  id              TEXT PRIMARY KEY,
  created_at      INTEGER NOT NULL,
  transport       TEXT NOT NULL,
  state           TEXT NOT NULL,
  sender          TEXT NOT NULL,
  recipients      TEXT NOT NULL,
  size            INTEGER NOT NULL,
  sha256          TEXT NOT NULL,
  path            TEXT NOT NULL,
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER,
  last_error      TEXT,
  sent_at         INTEGER
);
CREATE INDEX IF NOT EXISTS messages_due ON messages (state, next_attempt_at);
CREATE TABLE IF NOT EXISTS certificates (
  email        TEXT NOT NULL,
  sha256       TEXT NOT NULL,
  pem          TEXT NOT NULL,
  capabilities TEXT NOT NULL DEFAULT '[]',
  first_seen   INTEGER NOT NULL,
  last_seen    INTEGER NOT NULL,
  PRIMARY KEY (email, sha256)
);
";

/// Columns added to `certificates` by the inbound webhook; added to older databases at start.
const CERTIFICATE_COLUMNS: &[(&str, &str)] = &[
    ("chain", "TEXT NOT NULL DEFAULT '[]'"),
    ("encryption_pem", "TEXT"),
    ("trusted", "INTEGER"),
    ("signing_time", "INTEGER"),
    ("newest", "INTEGER NOT NULL DEFAULT 0"),
];

/// A storage failure (I/O or SQLite); its text never contains message contents.
#[derive(Debug)]
pub struct StoreError(pub String);

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "storage: {}", self.0)
    }
}

impl std::error::Error for StoreError {}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        Self(e.to_string())
    }
}

impl From<std::io::Error> for StoreError {
    fn from(e: std::io::Error) -> Self {
        Self(e.to_string())
    }
}

/// A recipient as stored and handed to the transports.
#[derive(Clone, Debug, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct Recipient {
    /// The address (lower case).
    pub email: String,
    /// Display name, when the caller gave one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// A message row.
#[derive(Clone, Debug)]
pub struct MessageRow {
    /// Random id (32 hex digits), also answered to the caller.
    pub id: String,
    /// Envelope sender.
    pub sender: String,
    /// Envelope recipients.
    pub recipients: Vec<Recipient>,
    /// File under the data directory.
    pub path: PathBuf,
    /// Delivery attempts so far.
    pub attempts: u32,
}

/// A harvested certificate.
#[derive(Clone, Debug, Serialize)]
pub struct CertificateRow {
    /// The address the certificate was harvested for.
    pub email: String,
    /// The certificate, PEM.
    pub pem: String,
    /// The sender's S/MIME capabilities (JSON, as harvested).
    pub capabilities: serde_json::Value,
    /// SHA-256 of the DER certificate, hex.
    pub sha256: String,
    /// The certification path as far as it was found, leaf first, PEM each.
    pub chain: Vec<String>,
    /// The certificate to encrypt to (SMIMEEncryptionKeyPreference, or the signing certificate
    /// when it allows encryption), PEM; `null` when the sender offered none.
    pub encryption_pem: Option<String>,
    /// Whether the signer chained to the webhook's trust anchors; `null`: not evaluated (no
    /// `webhook.trust_file`, or stored through the API).
    pub trusted: Option<bool>,
    /// The signingTime of the newest message it signed (Unix seconds), when it had one.
    pub signing_time: Option<i64>,
    /// Unix seconds: first harvested.
    pub first_seen: i64,
    /// Unix seconds: last harvested.
    pub last_seen: i64,
    /// The newest of the address's certificates: the one to encrypt to (the first row).
    pub current: bool,
}

/// A certificate to record (see [`Store::record_certificate`]).
#[derive(Clone, Debug, Default)]
pub struct NewCertificate {
    /// The address (stored in lower case).
    pub email: String,
    /// The signing certificate, PEM.
    pub pem: String,
    /// SHA-256 of its DER, hex.
    pub sha256: String,
    /// The chain, leaf first, PEM each.
    pub chain: Vec<String>,
    /// The encryption certificate, PEM.
    pub encryption_pem: Option<String>,
    /// The advertised capabilities (JSON).
    pub capabilities: serde_json::Value,
    /// Trusted by the configured anchors; `None`: not evaluated.
    pub trusted: Option<bool>,
    /// The message's signingTime.
    pub signing_time: Option<i64>,
    /// What orders an address's certificates ("newest wins"): the signingTime, at most now,
    /// or now when the message had none.
    pub newest: i64,
}

/// The data directory: SQLite database plus Maildir. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    dir: PathBuf,
    db: Arc<Mutex<Connection>>,
}

/// Unix seconds now.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256, hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// A fresh random id: 16 bytes from the OS, hex.
pub fn random_id() -> Result<String, StoreError> {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).map_err(|e| StoreError(format!("random: {e}")))?;
    Ok(hex(&b))
}

impl Store {
    /// Opens (creating when needed) the data directory.
    pub fn open(dir: &Path) -> Result<Self, StoreError> {
        for sub in ["mail/tmp", "mail/new", "mail/cur"] {
            std::fs::create_dir_all(dir.join(sub))?;
        }
        let conn = Connection::open(dir.join("relay.sqlite3"))?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.execute_batch(SCHEMA)?;
        let have: Vec<String> = conn
            .prepare("SELECT name FROM pragma_table_info('certificates')")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for (name, decl) in CERTIFICATE_COLUMNS {
            if !have.iter().any(|h| h == name) {
                conn.execute_batch(&format!(
                    "ALTER TABLE certificates ADD COLUMN {name} {decl}"
                ))?;
            }
        }
        // a crash during an attempt leaves `sending`: retry those (at-least-once delivery)
        conn.execute(
            "UPDATE messages SET state = 'queued', next_attempt_at = ?1 WHERE state = 'sending'",
            params![now()],
        )?;
        Ok(Self {
            dir: dir.to_path_buf(),
            db: Arc::new(Mutex::new(conn)),
        })
    }

    /// The data directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn with_db<T>(
        &self,
        f: impl FnOnce(&Connection) -> rusqlite::Result<T>,
    ) -> Result<T, StoreError> {
        let guard = self
            .db
            .lock()
            .map_err(|_| StoreError("database lock poisoned".into()))?;
        Ok(f(&guard)?)
    }

    /// Writes the message into the Maildir (`tmp/` → fsync → `new/`) and inserts its row in
    /// `state`. On a failed insert the file is removed again. Blocking: call from
    /// `spawn_blocking`.
    pub fn put(
        &self,
        id: &str,
        transport: &str,
        state: &str,
        sender: &str,
        recipients: &[Recipient],
        message: &[u8],
    ) -> Result<PathBuf, StoreError> {
        let created = now();
        let name = format!("{created}.R{id}.relay");
        let tmp = self.dir.join("mail/tmp").join(&name);
        let rel = PathBuf::from("mail/new").join(&name);
        {
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&tmp)?;
            f.write_all(message)?;
            f.sync_all()?;
        }
        std::fs::rename(&tmp, self.dir.join(&rel))?;
        let recipients_json =
            serde_json::to_string(recipients).map_err(|e| StoreError(e.to_string()))?;
        let inserted = self.with_db(|db| {
            db.execute(
                "INSERT INTO messages (id, created_at, transport, state, sender, recipients, size, sha256, path)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    id,
                    created,
                    transport,
                    state,
                    sender,
                    recipients_json,
                    message.len() as i64,
                    sha256_hex(message),
                    rel.to_string_lossy()
                ],
            )
        });
        if let Err(e) = inserted {
            let _ = std::fs::remove_file(self.dir.join(&rel));
            return Err(e);
        }
        Ok(rel)
    }

    /// Reads a stored message back.
    pub fn read(&self, rel: &Path) -> Result<Vec<u8>, StoreError> {
        Ok(std::fs::read(self.dir.join(rel))?)
    }

    /// Marks a message sent.
    pub fn mark_sent(&self, id: &str, attempts: u32) -> Result<(), StoreError> {
        self.with_db(|db| {
            db.execute(
                "UPDATE messages SET state = 'sent', sent_at = ?2, attempts = ?3, last_error = NULL,
                 next_attempt_at = NULL WHERE id = ?1",
                params![id, now(), attempts],
            )
        })?;
        Ok(())
    }

    /// Records a failed attempt: `queued` again at `next_attempt_at`, or `failed` for good.
    pub fn mark_failed(
        &self,
        id: &str,
        attempts: u32,
        next_attempt_at: Option<i64>,
        error: &str,
    ) -> Result<(), StoreError> {
        let state = if next_attempt_at.is_some() {
            "queued"
        } else {
            "failed"
        };
        self.with_db(|db| {
            db.execute(
                "UPDATE messages SET state = ?2, attempts = ?3, next_attempt_at = ?4, last_error = ?5
                 WHERE id = ?1",
                params![id, state, attempts, next_attempt_at, error],
            )
        })?;
        Ok(())
    }

    /// Claims up to `limit` queued messages that are due (sets them `sending`).
    pub fn claim_due(&self, limit: usize) -> Result<Vec<MessageRow>, StoreError> {
        self.with_db(|db| {
            let tx = db.unchecked_transaction()?;
            let rows = {
                let mut stmt = tx.prepare(
                    "SELECT id, sender, recipients, path, attempts FROM messages
                     WHERE state = 'queued' AND next_attempt_at <= ?1
                     ORDER BY next_attempt_at LIMIT ?2",
                )?;
                stmt.query_map(params![now(), limit as i64], |r| {
                    let recipients: String = r.get(2)?;
                    let path: String = r.get(3)?;
                    Ok(MessageRow {
                        id: r.get(0)?,
                        sender: r.get(1)?,
                        recipients: serde_json::from_str(&recipients).unwrap_or_default(),
                        path: PathBuf::from(path),
                        attempts: r.get(4)?,
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?
            };
            for row in &rows {
                tx.execute(
                    "UPDATE messages SET state = 'sending' WHERE id = ?1",
                    params![row.id],
                )?;
            }
            tx.commit()?;
            Ok(rows)
        })
    }

    /// The state of message `id`, if it exists.
    pub fn state(&self, id: &str) -> Result<Option<String>, StoreError> {
        self.with_db(|db| {
            db.query_row(
                "SELECT state FROM messages WHERE id = ?1",
                params![id],
                |r| r.get(0),
            )
            .optional()
        })
    }

    /// Number of messages per state.
    pub fn counts(&self) -> Result<Vec<(String, i64)>, StoreError> {
        self.with_db(|db| {
            let mut stmt =
                db.prepare("SELECT state, COUNT(*) FROM messages GROUP BY state ORDER BY state")?;
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect()
        })
    }

    /// The harvested certificates for `email` (case-insensitive), newest first: the first
    /// (`current`) is the one to encrypt to, the others are history.
    pub fn certificates(&self, email: &str) -> Result<Vec<CertificateRow>, StoreError> {
        self.with_db(|db| {
            let mut stmt = db.prepare(
                "SELECT email, pem, capabilities, sha256, first_seen, last_seen, chain,
                        encryption_pem, trusted, signing_time
                 FROM certificates WHERE email = ?1 COLLATE NOCASE
                 ORDER BY newest DESC, last_seen DESC, first_seen DESC",
            )?;
            let rows = stmt.query_map(params![email], |r| {
                let caps: String = r.get(2)?;
                let chain: String = r.get(6)?;
                Ok(CertificateRow {
                    email: r.get(0)?,
                    pem: r.get(1)?,
                    capabilities: serde_json::from_str(&caps).unwrap_or(serde_json::Value::Null),
                    sha256: r.get(3)?,
                    first_seen: r.get(4)?,
                    last_seen: r.get(5)?,
                    chain: serde_json::from_str(&chain).unwrap_or_default(),
                    encryption_pem: r.get(7)?,
                    trusted: r.get(8)?,
                    signing_time: r.get(9)?,
                    current: false,
                })
            })?;
            let mut rows = rows.collect::<rusqlite::Result<Vec<_>>>()?;
            if let Some(first) = rows.first_mut() {
                first.current = true;
            }
            Ok(rows)
        })
    }

    /// Records a certificate without the webhook's details (chain, encryption certificate,
    /// trust): newest as of now.
    pub fn put_certificate(
        &self,
        email: &str,
        pem: &str,
        der_sha256: &str,
        capabilities: &serde_json::Value,
    ) -> Result<(), StoreError> {
        self.record_certificate(&NewCertificate {
            email: email.into(),
            pem: pem.into(),
            sha256: der_sha256.into(),
            capabilities: capabilities.clone(),
            newest: now(),
            ..Default::default()
        })
    }

    /// Records a harvested certificate. A certificate already known for the address keeps its
    /// row (`first_seen` stays, `last_seen` moves); its details (chain, encryption certificate,
    /// capabilities, trust, signingTime) are replaced when this message is at least as new as
    /// the newest one seen. Other certificates of the address stay as history.
    pub fn record_certificate(&self, c: &NewCertificate) -> Result<(), StoreError> {
        let t = now();
        let chain = serde_json::to_string(&c.chain).map_err(|e| StoreError(e.to_string()))?;
        self.with_db(|db| {
            db.execute(
                "INSERT INTO certificates (email, sha256, pem, capabilities, first_seen, last_seen,
                   chain, encryption_pem, trusted, signing_time, newest)
                 VALUES (lower(?1), ?2, ?3, ?4, ?5, ?5, ?6, ?7, ?8, ?9, ?10)
                 ON CONFLICT (email, sha256) DO UPDATE SET
                   last_seen = excluded.last_seen,
                   capabilities = CASE WHEN excluded.newest >= newest
                     THEN excluded.capabilities ELSE capabilities END,
                   chain = CASE WHEN excluded.newest >= newest
                     THEN excluded.chain ELSE chain END,
                   encryption_pem = CASE WHEN excluded.newest >= newest
                     THEN excluded.encryption_pem ELSE encryption_pem END,
                   trusted = CASE WHEN excluded.newest >= newest
                     THEN excluded.trusted ELSE trusted END,
                   signing_time = CASE WHEN excluded.newest >= newest
                     THEN excluded.signing_time ELSE signing_time END,
                   newest = max(newest, excluded.newest)",
                params![
                    c.email,
                    c.sha256,
                    c.pem,
                    c.capabilities.to_string(),
                    t,
                    chain,
                    c.encryption_pem,
                    c.trusted,
                    c.signing_time,
                    c.newest
                ],
            )
        })?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_certificates_table_gains_the_new_columns() {
        let mut b = [0u8; 8];
        getrandom::fill(&mut b).expect("random");
        let dir = std::env::temp_dir().join(format!("relay-store-migrate-{}", hex(&b)));
        std::fs::create_dir_all(&dir).expect("dir");
        {
            let conn = Connection::open(dir.join("relay.sqlite3")).expect("db");
            conn.execute_batch(
                "CREATE TABLE certificates (email TEXT NOT NULL, sha256 TEXT NOT NULL,
                   pem TEXT NOT NULL, capabilities TEXT NOT NULL DEFAULT '[]',
                   first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL,
                   PRIMARY KEY (email, sha256));
                 INSERT INTO certificates VALUES ('a@b.example', '01', 'old', '[]', 1, 1);",
            )
            .expect("old schema");
        }
        let store = Store::open(&dir).expect("open migrates");
        store
            .record_certificate(&NewCertificate {
                email: "A@b.example".into(),
                pem: "new".into(),
                sha256: "02".into(),
                chain: vec!["new".into(), "ca".into()],
                capabilities: serde_json::json!(["aes256-gcm"]),
                newest: 5,
                ..Default::default()
            })
            .expect("record");
        let rows = store.certificates("a@B.example").expect("rows");
        assert_eq!(rows.len(), 2);
        assert_eq!((rows[0].pem.as_str(), rows[0].current), ("new", true));
        assert_eq!(rows[0].chain, ["new", "ca"]);
        assert_eq!((rows[1].pem.as_str(), rows[1].current), ("old", false));
        assert!(rows[1].chain.is_empty() && rows[1].trusted.is_none());
        drop(store);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
