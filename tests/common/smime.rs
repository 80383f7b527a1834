//! Looks inside an S/MIME signed message: which form it has, the exact signed bytes, and the
//! fields of its CMS SignedData (RFC 5652), decoded with the `cms` crate's ASN.1 types only.

use super::mime::{self, Entity};
use cms::content_info::ContentInfo;
use cms::signed_data::SignedData;
use const_oid::ObjectIdentifier;
use der::Decode;
use der::asn1::OctetString;

/// id-signedData.
pub const ID_SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
/// id-data.
pub const ID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
/// id-signingTime.
pub const ID_SIGNING_TIME: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.5");
/// id-messageDigest.
pub const ID_MESSAGE_DIGEST: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");
/// id-RSASSA-PSS.
pub const ID_RSASSA_PSS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");

/// The two forms of RFC 8551 signed messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// multipart/signed with an application/pkcs7-signature part (section 3.5.3).
    Detached,
    /// application/pkcs7-mime; smime-type=signed-data (section 3.5.2).
    Opaque,
}

/// An S/MIME signed message taken apart.
#[derive(Debug, Clone)]
pub struct Signed<'a> {
    /// The top-level entity (its headers are the message's outer headers).
    pub top: Entity<'a>,
    /// Which form.
    pub form: Form,
    /// The signed content: the exact bytes of the first part (detached) or the eContent.
    pub content: Vec<u8>,
    /// The CMS ContentInfo, DER/BER.
    pub cms: Vec<u8>,
}

/// Takes a signed message apart; panics when it is neither form.
pub fn open_signed(msg: &[u8]) -> Signed<'_> {
    let top = mime::parse_entity(msg);
    let t = top.mime_type();
    let (form, content, cms) = match t.as_str() {
        "multipart/signed" => {
            let parts = top.parts();
            assert_eq!(
                parts.len(),
                2,
                "multipart/signed must have exactly 2 parts, has {}",
                parts.len()
            );
            let sig = mime::parse_entity(parts[1]);
            let st = sig.mime_type();
            assert!(
                st == "application/pkcs7-signature" || st == "application/x-pkcs7-signature",
                "second part of multipart/signed is {st}"
            );
            (Form::Detached, parts[0].to_vec(), sig.decoded_body())
        }
        "application/pkcs7-mime" | "application/x-pkcs7-mime" => {
            let der = top.decoded_body();
            let content = cms_summary(&der)
                .econtent
                .expect("opaque signed-data without eContent");
            (Form::Opaque, content, der)
        }
        other => panic!("not an S/MIME signed message: top-level Content-Type {other}"),
    };
    Signed {
        top,
        form,
        content,
        cms,
    }
}

/// What a SignerInfo says.
#[derive(Debug, Clone)]
pub struct SignerSummary {
    /// digestAlgorithm.
    pub digest_alg: ObjectIdentifier,
    /// signatureAlgorithm.
    pub signature_alg: ObjectIdentifier,
    /// RSASSA-PSS parameters: (hash OID, saltLength).
    pub pss: Option<(ObjectIdentifier, u8)>,
    /// The signingTime attribute, in Unix seconds.
    pub signing_time: Option<u64>,
    /// Whether a messageDigest attribute is present.
    pub has_message_digest: bool,
}

/// What a SignedData says.
#[derive(Debug, Clone)]
pub struct CmsSummary {
    /// SignedData.digestAlgorithms.
    pub digest_algs: Vec<ObjectIdentifier>,
    /// eContentType.
    pub econtent_type: ObjectIdentifier,
    /// eContent, when encapsulated.
    pub econtent: Option<Vec<u8>>,
    /// How many certificates the SignedData carries.
    pub cert_count: usize,
    /// The SignerInfos.
    pub signers: Vec<SignerSummary>,
}

/// Decodes a DER ContentInfo holding SignedData; panics with the decoder's error otherwise.
pub fn cms_summary(der: &[u8]) -> CmsSummary {
    let ci = ContentInfo::from_der(der)
        .unwrap_or_else(|e| panic!("ContentInfo does not decode as DER: {e}"));
    assert_eq!(
        ci.content_type, ID_SIGNED_DATA,
        "ContentInfo is not id-signedData"
    );
    let sd: SignedData = ci
        .content
        .decode_as()
        .unwrap_or_else(|e| panic!("SignedData does not decode: {e}"));
    let econtent = sd.encap_content_info.econtent.as_ref().map(|a| {
        a.decode_as::<OctetString>()
            .unwrap_or_else(|e| panic!("eContent is not an OCTET STRING: {e}"))
            .as_bytes()
            .to_vec()
    });
    let signers = sd
        .signer_infos
        .0
        .iter()
        .map(|si| {
            let attrs = si.signed_attrs.as_ref();
            let attr = |oid: ObjectIdentifier| attrs.and_then(|a| a.iter().find(|x| x.oid == oid));
            let signing_time = attr(ID_SIGNING_TIME).map(|a| {
                let v = a.values.iter().next().expect("signingTime without a value");
                v.decode_as::<x509_cert::time::Time>()
                    .unwrap_or_else(|e| panic!("signingTime is not a Time: {e}"))
                    .to_unix_duration()
                    .as_secs()
            });
            let pss = (si.signature_algorithm.oid == ID_RSASSA_PSS).then(|| {
                let params = si
                    .signature_algorithm
                    .parameters
                    .as_ref()
                    .expect("RSASSA-PSS without parameters");
                let der = der::Encode::to_der(params).expect("re-encode PSS parameters");
                let p = rsa::pkcs1::RsaPssParams::<der::Any>::from_der(&der)
                    .unwrap_or_else(|e| panic!("bad RSASSA-PSS-params: {e}"));
                (p.hash.oid, p.salt_len)
            });
            SignerSummary {
                digest_alg: si.digest_alg.oid,
                signature_alg: si.signature_algorithm.oid,
                pss,
                signing_time,
                has_message_digest: attr(ID_MESSAGE_DIGEST).is_some(),
            }
        })
        .collect();
    CmsSummary {
        digest_algs: sd.digest_algorithms.iter().map(|a| a.oid).collect(),
        econtent_type: sd.encap_content_info.econtent_type,
        econtent,
        cert_count: sd.certificates.as_ref().map_or(0, |c| c.0.len()),
        signers,
    }
}
