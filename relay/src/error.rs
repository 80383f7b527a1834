//! Errors answered to the browser in SparkPost's shape:
//! `{"errors": [{"message", "code", "description"}]}`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// Why a request was refused or failed. Each kind has a fixed HTTP status and code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// No or wrong credentials (401, code 1300).
    Unauthorized,
    /// Credentials fine, request from a foreign origin (403, code 1301).
    Forbidden,
    /// The request body is not the JSON this endpoint takes (400, code 1300... see `code`).
    BadRequest,
    /// The message is larger than `server.max_message_bytes` (413).
    TooLarge,
    /// The message is not S/MIME signed or encrypted (422).
    NotSmime,
    /// The message carries private key material (422).
    PrivateKey,
    /// The From address or the envelope sender is not in an allowed domain (422).
    SenderNotAllowed,
    /// A recipient is not allowed (422).
    RecipientNotAllowed,
    /// The transport failed; the message is kept in the retry queue (502).
    TransportFailed,
    /// Storage failed; nothing was accepted (500).
    Internal,
    /// Wrong method or unknown path (404/405).
    NotFound,
}

/// One SparkPost-style error.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// What went wrong.
    pub kind: ErrorKind,
    /// Human-readable detail (never message contents or secrets).
    pub description: String,
    /// Set when the message was kept (transport failure): its id.
    pub id: Option<String>,
}

impl ApiError {
    /// An error of `kind` with a description.
    pub fn new(kind: ErrorKind, description: impl Into<String>) -> Self {
        Self {
            kind,
            description: description.into(),
            id: None,
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self.kind {
            ErrorKind::Unauthorized => StatusCode::UNAUTHORIZED,
            ErrorKind::Forbidden => StatusCode::FORBIDDEN,
            ErrorKind::BadRequest => StatusCode::BAD_REQUEST,
            ErrorKind::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorKind::NotSmime
            | ErrorKind::PrivateKey
            | ErrorKind::SenderNotAllowed
            | ErrorKind::RecipientNotAllowed => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorKind::TransportFailed => StatusCode::BAD_GATEWAY,
            ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            ErrorKind::NotFound => StatusCode::NOT_FOUND,
        }
    }

    /// The `message` field: a short fixed text.
    pub fn message(&self) -> &'static str {
        match self.kind {
            ErrorKind::Unauthorized => "Unauthorized.",
            ErrorKind::Forbidden => "Forbidden.",
            ErrorKind::BadRequest => "invalid data format/type",
            ErrorKind::TooLarge => "message too large",
            ErrorKind::NotSmime => "message is not S/MIME signed or encrypted",
            ErrorKind::PrivateKey => "message carries private key material",
            ErrorKind::SenderNotAllowed => "sender not allowed",
            ErrorKind::RecipientNotAllowed => "recipient not allowed",
            ErrorKind::TransportFailed => "transport failed, message queued for retry",
            ErrorKind::Internal => "internal error",
            ErrorKind::NotFound => "not found",
        }
    }

    /// The `code` field (a string, as SparkPost sends it). SparkPost's own codes where one fits
    /// (1300 invalid data, 1902 delivery, 5002 too large); 7xxx for the relay's own refusals.
    pub fn code(&self) -> &'static str {
        match self.kind {
            ErrorKind::Unauthorized => "1001",
            ErrorKind::Forbidden => "1003",
            ErrorKind::BadRequest => "1300",
            ErrorKind::TooLarge => "5002",
            ErrorKind::NotSmime => "7001",
            ErrorKind::PrivateKey => "7002",
            ErrorKind::SenderNotAllowed => "7003",
            ErrorKind::RecipientNotAllowed => "7004",
            ErrorKind::TransportFailed => "1902",
            ErrorKind::Internal => "1500",
            ErrorKind::NotFound => "1600",
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.message(), self.description)
    }
}

impl std::error::Error for ApiError {}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = json!({
            "errors": [{
                "message": self.message(),
                "code": self.code(),
                "description": self.description,
            }]
        });
        if let Some(id) = &self.id {
            body["results"] = json!({ "id": id, "queued": true });
        }
        let mut resp = (self.status(), axum::Json(body)).into_response();
        if self.kind == ErrorKind::Unauthorized {
            resp.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer"),
            );
        }
        resp
    }
}
