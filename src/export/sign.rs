//! Signed packages (issue 20, finding 6): manifests prove that a package is whole, not who
//! made it, since whoever rewrites a file can rewrite every manifest too. The office keeps one
//! Ed25519 key per archive (`ARCHIVE/keys/`, the private half readable by its owner only and
//! never put in a package) and publishes the public key's fingerprint; each export signs its
//! tag manifest, which fixes every other file's digest, so checking the signature against the
//! published key proves both origin and content.
//!
//! The package carries `signer.json` (algorithm, public key, fingerprint, signer, time, which
//! file is signed) as an ordinary tag file listed in the tag manifests, so it is covered by the
//! signature, and `signature.ed25519`: the 64 raw bytes of the signature over the signed tag
//! manifest's bytes, the one file no manifest can list. Raw bytes over a plain file let an
//! inspector check it without this program (`openssl pkeyutl -verify -rawin`, see
//! docs/export.md).

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use base64::Engine;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::Digest;

use super::verify::{Problem, ProblemKind};
use crate::i18n::{Lang, Msg};
use crate::Error;

/// Folder of the archive that holds the office's key.
pub const KEY_DIR: &str = "keys";
const PRIVATE_FILE: &str = "package-signing.ed25519";
const PUBLIC_FILE: &str = "package-signing.pub";
/// The detached signature in a package.
pub const SIGNATURE_FILE: &str = "signature.ed25519";
/// Who signed, with which key, when, and which file; covered by the signature.
pub const SIGNER_FILE: &str = "signer.json";
/// The DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410): the PEM form is this plus
/// the 32 key bytes.
const SPKI_PREFIX: [u8; 12] = [
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
];

/// A text in both languages, Chinese first: library errors do not know the reader's language.
fn both(m: Msg, args: &[(&str, &dyn fmt::Display)]) -> String {
    format!("{} / {}", Lang::Zh.fill(m, args), Lang::En.fill(m, args))
}

/// The archive's private signing key.
pub struct OfficeKey {
    key: SigningKey,
}

impl fmt::Debug for OfficeKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the secret, not even in a debug log.
        write!(f, "OfficeKey({})", self.public().fingerprint())
    }
}

impl Clone for OfficeKey {
    fn clone(&self) -> OfficeKey {
        OfficeKey {
            key: SigningKey::from_bytes(&self.key.to_bytes()),
        }
    }
}

pub fn private_key_path(archive_dir: &Path) -> PathBuf {
    archive_dir.join(KEY_DIR).join(PRIVATE_FILE)
}

pub fn public_key_path(archive_dir: &Path) -> PathBuf {
    archive_dir.join(KEY_DIR).join(PUBLIC_FILE)
}

impl OfficeKey {
    /// Create the archive's key. Refuses when one exists: packages signed with it, and the
    /// fingerprint the office published, would no longer check.
    pub fn init(archive_dir: &Path) -> crate::Result<OfficeKey> {
        let private = private_key_path(archive_dir);
        if private.exists() {
            return Err(Error::Other(both(
                Msg::KeyExists,
                &[("path", &private.display())],
            )));
        }
        let dir = archive_dir.join(KEY_DIR);
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        crate::platform::owner_only_dir(&dir).map_err(|e| Error::io(&dir, e))?;
        let mut secret = [0u8; 32];
        getrandom::fill(&mut secret).map_err(|e| {
            Error::Other(format!(
                "操作系统的随机数源不可用（{e}），无法生成密钥 / the operating system's random generator failed ({e}); no key was made"
            ))
        })?;
        let key = OfficeKey {
            key: SigningKey::from_bytes(&secret),
        };
        secret.fill(0);
        let mut f = crate::platform::open_owner_only(
            std::fs::OpenOptions::new().write(true).create_new(true),
            &private,
        )
        .map_err(|e| Error::io(&private, e))?;
        let text = format!(
            "# archive Ed25519 package-signing key: private, never copy it out of this folder\n{}\n",
            hex::encode(key.key.to_bytes())
        );
        std::io::Write::write_all(&mut f, text.as_bytes())
            .and_then(|_| f.sync_all())
            .map_err(|e| Error::io(&private, e))?;
        let public = public_key_path(archive_dir);
        std::fs::write(&public, key.public().pem()).map_err(|e| Error::io(&public, e))?;
        Ok(key)
    }

    /// The archive's key, `None` when it has none yet. A key others can read is refused (as
    /// ssh does): whoever copied it could sign packages in the office's name.
    pub fn load(archive_dir: &Path) -> crate::Result<Option<OfficeKey>> {
        let private = private_key_path(archive_dir);
        let text = match std::fs::read_to_string(&private) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::io(&private, e)),
        };
        let meta = std::fs::metadata(&private).map_err(|e| Error::io(&private, e))?;
        if crate::platform::readable_by_others(&private, &meta) {
            // The remedy differs: chmod on Unix, icacls (or the Security tab) on Windows.
            let msg = if cfg!(windows) {
                Msg::KeyPermissionsWindows
            } else {
                Msg::KeyPermissions
            };
            return Err(Error::Other(both(msg, &[("path", &private.display())])));
        }
        let line = text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with('#'))
            .unwrap_or_default();
        let bytes: [u8; 32] = hex::decode(line)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| {
                Error::Other(both(Msg::KeyUnreadable, &[("path", &private.display())]))
            })?;
        Ok(Some(OfficeKey {
            key: SigningKey::from_bytes(&bytes),
        }))
    }

    pub fn public(&self) -> PublicKey {
        PublicKey(self.key.verifying_key())
    }

    fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.key.sign(message).to_bytes()
    }
}

/// An Ed25519 public key as the office publishes it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PublicKey(VerifyingKey);

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({})", self.fingerprint())
    }
}

impl PublicKey {
    pub fn hex(&self) -> String {
        hex::encode(self.0.to_bytes())
    }

    pub fn base64(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(self.0.to_bytes())
    }

    /// The first 128 bits of the key's SHA-256, in groups of four hex digits: short enough to
    /// read out on the phone, long enough that nobody can make a key to match it.
    pub fn fingerprint(&self) -> String {
        fingerprint_of(&self.0.to_bytes())
    }

    /// The PEM SubjectPublicKeyInfo that OpenSSL and most libraries read.
    pub fn pem(&self) -> String {
        let mut der = SPKI_PREFIX.to_vec();
        der.extend_from_slice(&self.0.to_bytes());
        format!(
            "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
            base64::engine::general_purpose::STANDARD.encode(der)
        )
    }

    fn from_bytes(b: &[u8]) -> Option<PublicKey> {
        let b: [u8; 32] = b.try_into().ok()?;
        VerifyingKey::from_bytes(&b).ok().map(PublicKey)
    }
}

fn fingerprint_of(key: &[u8]) -> String {
    let h = hex::encode(&sha2::Sha256::digest(key)[..16]);
    h.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(":")
}

/// Hex digits only, lower case: a fingerprint as typed (with or without `:`, `-`, blanks).
fn normalize_fingerprint(s: &str) -> String {
    s.chars()
        .filter(|c| !matches!(c, ':' | '-' | ' '))
        .collect::<String>()
        .to_ascii_lowercase()
}

/// What an inspector trusts, as given after `verify --key`: the published public key, or its
/// fingerprint (then the key in `signer.json` must have that fingerprint).
#[derive(Debug, Clone)]
pub enum Trusted {
    Key(PublicKey),
    Fingerprint(String),
}

impl Trusted {
    /// A public key (64 hex digits, base64, PEM), a fingerprint (32 hex digits, any grouping),
    /// or a file holding one of them (as `archive key show` and `keys/*.pub` write them).
    pub fn parse(arg: &str) -> crate::Result<Trusted> {
        if let Some(t) = Trusted::parse_text(arg) {
            return Ok(t);
        }
        let path = Path::new(arg);
        if path.is_file() {
            let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
            if let Some(t) = Trusted::parse_text(&text) {
                return Ok(t);
            }
            if let Some(t) = text.lines().find_map(Trusted::parse_text) {
                return Ok(t);
            }
        }
        Err(Error::Other(both(Msg::KeyBadArgument, &[("value", &arg)])))
    }

    fn parse_text(text: &str) -> Option<Trusted> {
        let text = text.trim();
        if let Some(body) = text
            .strip_prefix("-----BEGIN PUBLIC KEY-----")
            .and_then(|b| b.split("-----END PUBLIC KEY-----").next())
        {
            let b64: String = body.split_whitespace().collect();
            let der = base64::engine::general_purpose::STANDARD.decode(b64).ok()?;
            let key = der.strip_prefix(&SPKI_PREFIX[..])?;
            return PublicKey::from_bytes(key).map(Trusted::Key);
        }
        let compact = normalize_fingerprint(text);
        if compact.len() == 64 && compact.bytes().all(|b| b.is_ascii_hexdigit()) {
            return PublicKey::from_bytes(&hex::decode(&compact).ok()?).map(Trusted::Key);
        }
        if compact.len() == 32 && compact.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Some(Trusted::Fingerprint(compact));
        }
        let b64 = base64::engine::general_purpose::STANDARD
            .decode(text)
            .ok()?;
        PublicKey::from_bytes(&b64).map(Trusted::Key)
    }

    fn shown(&self) -> String {
        match self {
            Trusted::Key(k) => k.fingerprint(),
            Trusted::Fingerprint(f) => f.clone(),
        }
    }

    fn accepts(&self, key: &PublicKey) -> bool {
        match self {
            Trusted::Key(k) => k == key,
            Trusted::Fingerprint(f) => normalize_fingerprint(&key.fingerprint()) == *f,
        }
    }
}

/// `signer.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SignerInfo {
    pub algorithm: String,
    /// The tag manifest whose bytes are signed.
    pub signed_file: String,
    pub public_key: String,
    pub fingerprint: String,
    /// `Source-Organization` of the archive that signed.
    pub signer: String,
    /// RFC 3339, the signer's clock.
    pub signed_at: String,
    pub software: String,
}

/// The tag manifest a package's signature covers: the SHA-512 one (SHA-512 is what Ed25519
/// itself is built on).
pub const SIGNED_FILE: &str = "tagmanifest-sha512.txt";

impl SignerInfo {
    pub fn new(key: &OfficeKey, signer: &str, at: chrono::DateTime<chrono::Local>) -> SignerInfo {
        let public = key.public();
        SignerInfo {
            algorithm: "Ed25519".into(),
            signed_file: SIGNED_FILE.into(),
            public_key: public.hex(),
            fingerprint: public.fingerprint(),
            signer: signer.to_string(),
            signed_at: at.to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
            software: format!("archive {}", env!("CARGO_PKG_VERSION")),
        }
    }

    pub fn to_json(&self) -> Vec<u8> {
        let mut v = serde_json::to_vec_pretty(self).unwrap_or_default();
        v.push(b'\n');
        v
    }
}

/// The signature file's bytes for a signed tag manifest's bytes.
pub fn sign_manifest(key: &OfficeKey, tag_manifest: &[u8]) -> Vec<u8> {
    key.sign(tag_manifest).to_vec()
}

/// What a package says about its origin, as `archive verify` reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SignatureState {
    /// No signature: the package proves integrity only.
    Unsigned,
    /// A signature that matches the package and the key in `signer.json`, not checked against
    /// a published key: anyone could have made that key.
    Signed,
    /// Checked against the key or fingerprint the inspector gave: origin and content proven.
    Authenticated,
    /// A signature that does not match (tampered, or signed by another key than the one given).
    Invalid,
}

#[derive(Debug, Clone, Serialize)]
pub struct SignatureReport {
    pub state: SignatureState,
    pub fingerprint: Option<String>,
    pub signer: Option<String>,
    pub signed_at: Option<String>,
    /// One sentence for the reader: who signed and what that proves.
    pub summary: String,
}

fn bag_problem(path: &str, detail: String) -> Problem {
    Problem {
        kind: ProblemKind::Bag,
        path: path.into(),
        detail,
    }
}

/// Check the signature of a bag whose top-level tag files are in `texts` (bytes by name),
/// given which names each tag manifest lists. Problems go to `problems` (a bad signature, and
/// with `trusted` a missing or foreign one); the report says what the signature proves.
pub fn check(
    texts: &BTreeMap<String, Vec<u8>>,
    tag_listed: &BTreeMap<String, Vec<String>>,
    trusted: Option<&Trusted>,
    lang: Lang,
    problems: &mut Vec<Problem>,
) -> SignatureReport {
    let mut report = SignatureReport {
        state: SignatureState::Invalid,
        fingerprint: None,
        signer: None,
        signed_at: None,
        summary: String::new(),
    };
    let sig = texts.get(SIGNATURE_FILE);
    let info = texts.get(SIGNER_FILE);
    if sig.is_none() && info.is_none() {
        report.state = SignatureState::Unsigned;
        report.summary = lang.t(Msg::SigUnsigned).to_string();
        if trusted.is_some() {
            problems.push(bag_problem(SIGNATURE_FILE, lang.t(Msg::SigMissing).into()));
        }
        return report;
    }
    let mut fail = |file: &str, detail: String, report: &mut SignatureReport| {
        report.summary = detail.clone();
        problems.push(bag_problem(file, detail));
    };
    let Some(sig) = sig else {
        fail(SIGNATURE_FILE, lang.t(Msg::SigMissing).into(), &mut report);
        return report;
    };
    let info: SignerInfo = match info.map(|b| serde_json::from_slice(b)) {
        Some(Ok(i)) => i,
        Some(Err(e)) => {
            let d = lang.fill(Msg::SigSignerUnreadable, &[("detail", &e)]);
            fail(SIGNER_FILE, d, &mut report);
            return report;
        }
        None => {
            let d = lang.fill(Msg::SigSignerUnreadable, &[("detail", &"—")]);
            fail(SIGNER_FILE, d, &mut report);
            return report;
        }
    };
    report.signer = Some(info.signer.clone());
    report.signed_at = Some(info.signed_at.clone());
    let key = hex::decode(&info.public_key)
        .ok()
        .and_then(|b| PublicKey::from_bytes(&b));
    let (Some(key), true) = (key, info.algorithm == "Ed25519") else {
        let d = lang.fill(
            Msg::SigSignerUnreadable,
            &[(
                "detail",
                &format!("{} / {}", info.algorithm, info.public_key),
            )],
        );
        fail(SIGNER_FILE, d, &mut report);
        return report;
    };
    let fingerprint = key.fingerprint();
    report.fingerprint = Some(fingerprint.clone());
    let signed_file = info.signed_file.as_str();
    let Some(signed) = texts
        .get(signed_file)
        .filter(|_| signed_file.starts_with("tagmanifest-") && !signed_file.contains('/'))
    else {
        let d = lang.fill(Msg::SigSignedFileBad, &[("file", &signed_file)]);
        fail(SIGNER_FILE, d, &mut report);
        return report;
    };
    let good = Signature::from_slice(sig)
        .ok()
        .is_some_and(|s| key.0.verify_strict(signed, &s).is_ok());
    if !good {
        let d = lang.fill(Msg::SigBad, &[("file", &signed_file)]);
        fail(SIGNATURE_FILE, d, &mut report);
        return report;
    }
    // The signature covers only what the signed tag manifest lists: signer.json and every
    // payload manifest must be among them, or they could be swapped freely.
    let listed = tag_listed.get(signed_file).cloned().unwrap_or_default();
    let must_cover = texts
        .keys()
        .filter(|n| n.starts_with("manifest-") || n.as_str() == SIGNER_FILE);
    let mut covered = true;
    for name in must_cover {
        if !listed.contains(name) {
            let d = lang.fill(
                Msg::SigNotCovering,
                &[("file", name), ("signed", &signed_file)],
            );
            fail(name, d, &mut report);
            covered = false;
        }
    }
    if !covered {
        return report;
    }
    let args: [(&str, &dyn fmt::Display); 3] = [
        ("fingerprint", &fingerprint),
        ("signer", &info.signer),
        ("time", &info.signed_at),
    ];
    match trusted {
        None => {
            report.state = SignatureState::Signed;
            report.summary = lang.fill(Msg::SigUnchecked, &args);
        }
        Some(t) if t.accepts(&key) => {
            report.state = SignatureState::Authenticated;
            report.summary = lang.fill(Msg::SigAuthenticated, &args);
        }
        Some(t) => {
            let d = lang.fill(
                Msg::SigWrongKey,
                &[("fingerprint", &fingerprint), ("expected", &t.shown())],
            );
            fail(SIGNATURE_FILE, d, &mut report);
        }
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bag(key: &OfficeKey) -> (BTreeMap<String, Vec<u8>>, BTreeMap<String, Vec<String>>) {
        let info = SignerInfo::new(key, "青海省科协", chrono::Local::now());
        let manifest = b"abc  manifest-sha256.txt\ndef  signer.json\n".to_vec();
        let mut texts = BTreeMap::new();
        texts.insert("manifest-sha256.txt".into(), b"x  data/a".to_vec());
        texts.insert(SIGNER_FILE.into(), info.to_json());
        texts.insert(SIGNATURE_FILE.into(), sign_manifest(key, &manifest));
        texts.insert(SIGNED_FILE.into(), manifest);
        let listed = BTreeMap::from([(
            SIGNED_FILE.to_string(),
            vec!["manifest-sha256.txt".to_string(), SIGNER_FILE.to_string()],
        )]);
        (texts, listed)
    }

    #[test]
    fn a_key_is_made_once_private_and_signs_what_its_fingerprint_checks() {
        let dir = tempfile::tempdir().unwrap();
        assert!(OfficeKey::load(dir.path()).unwrap().is_none());
        let key = OfficeKey::init(dir.path()).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(private_key_path(dir.path()))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let again = OfficeKey::init(dir.path()).unwrap_err().to_string();
        assert!(again.contains("已存在"), "{again}");
        let loaded = OfficeKey::load(dir.path()).unwrap().unwrap();
        assert_eq!(loaded.public(), key.public());
        assert!(!format!("{key:?}").contains(&hex::encode(key.key.to_bytes())));

        // Every published form of the key is understood by `verify --key`.
        let public = key.public();
        let pub_file = public_key_path(dir.path());
        for arg in [
            public.hex(),
            public.base64(),
            public.pem(),
            pub_file.display().to_string(),
        ] {
            match Trusted::parse(&arg).unwrap() {
                Trusted::Key(k) => assert_eq!(k, public, "{arg}"),
                other => panic!("{arg}: {other:?}"),
            }
        }
        let fp = Trusted::parse(&public.fingerprint().to_uppercase()).unwrap();
        assert!(fp.accepts(&public));
        assert!(Trusted::parse("not a key").is_err());
        assert_eq!(public.fingerprint().len(), 32 + 7);
    }

    #[test]
    fn a_key_others_can_read_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        OfficeKey::init(dir.path()).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let p = private_key_path(dir.path());
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
            let e = OfficeKey::load(dir.path()).unwrap_err().to_string();
            assert!(e.contains("chmod 600"), "{e}");
        }
    }

    #[test]
    fn signatures_are_checked_against_the_content_and_the_trusted_key() {
        let dir = tempfile::tempdir().unwrap();
        let key = OfficeKey::init(dir.path()).unwrap();
        let other = OfficeKey::init(&dir.path().join("other")).unwrap();
        let (texts, listed) = bag(&key);
        let run = |texts: &BTreeMap<String, Vec<u8>>, t: Option<&Trusted>| {
            let mut problems = Vec::new();
            let r = check(texts, &listed, t, Lang::En, &mut problems);
            (r.state, problems.len())
        };
        assert_eq!(run(&texts, None), (SignatureState::Signed, 0));
        let mine = Trusted::Key(key.public());
        assert_eq!(run(&texts, Some(&mine)), (SignatureState::Authenticated, 0));
        let by_fp = Trusted::parse(&key.public().fingerprint()).unwrap();
        assert_eq!(
            run(&texts, Some(&by_fp)),
            (SignatureState::Authenticated, 0)
        );
        let theirs = Trusted::Key(other.public());
        assert_eq!(run(&texts, Some(&theirs)), (SignatureState::Invalid, 1));

        // A rewritten tag manifest no longer matches its signature.
        let mut tampered = texts.clone();
        tampered.get_mut(SIGNED_FILE).unwrap()[0] ^= 1;
        assert_eq!(run(&tampered, None), (SignatureState::Invalid, 1));
        // Re-signed with another key: consistent, but not the office's.
        let (forged, _) = bag(&other);
        assert_eq!(run(&forged, None), (SignatureState::Signed, 0));
        assert_eq!(run(&forged, Some(&mine)), (SignatureState::Invalid, 1));

        let mut unsigned = texts.clone();
        unsigned.remove(SIGNATURE_FILE);
        unsigned.remove(SIGNER_FILE);
        assert_eq!(run(&unsigned, None), (SignatureState::Unsigned, 0));
        assert_eq!(run(&unsigned, Some(&mine)), (SignatureState::Unsigned, 1));
        let mut half = texts.clone();
        half.remove(SIGNATURE_FILE);
        assert_eq!(run(&half, None), (SignatureState::Invalid, 1));

        // A signed tag manifest that leaves signer.json out would let anyone rename the signer.
        let partial = BTreeMap::from([(
            SIGNED_FILE.to_string(),
            vec!["manifest-sha256.txt".to_string()],
        )]);
        let mut problems = Vec::new();
        let r = check(&texts, &partial, Some(&mine), Lang::En, &mut problems);
        assert_eq!(r.state, SignatureState::Invalid);
        assert_eq!(problems[0].path, SIGNER_FILE);
    }
}
