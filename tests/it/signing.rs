//! Signed packages (issue 20, finding 6): a package rewritten together with every manifest
//! must fail `archive verify --key`, a package without tag manifests must fail at all, and an
//! untouched signed package passes here, with the Library of Congress `bagit` and with
//! OpenSSL, which know nothing of this program.

use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::Digest;

use crate::harness::Env;

const C: &str = "B4.1 科普大篷车";

/// An archive with a small collection, ready to export.
fn archive_with_collection() -> Env {
    let env = Env::new();
    env.write(
        "海东市/互助县/B4.1科普大篷车/活动总结.txt",
        "2019年6月12日，科普大篷车进校园。",
    );
    env.write(
        "海东市/乐都区/B4.1科普大篷车/签到表.csv",
        "姓名,单位\n张三,乐都一中\n",
    );
    assert_eq!(env.index().0, 0);
    assert_eq!(env.run(&["collection", "create", C]).code, 0);
    let r = env.run(&["collection", "add", C, "--query", ""]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    env
}

fn export(env: &Env, name: &str) -> PathBuf {
    let out = env.archive.parent().unwrap().join(name);
    let r = env.run(&[
        "--lang",
        "en",
        "export",
        "--collection",
        C,
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    out
}

fn verify(env: &Env, bag: &Path, key: Option<&str>) -> crate::harness::Run {
    let mut args = vec!["--lang", "en", "verify", bag.to_str().unwrap()];
    if let Some(k) = key {
        args.extend(["--key", k]);
    }
    env.run(&args)
}

fn hex_digest(alg: &str, bytes: &[u8]) -> String {
    match alg {
        "sha256" => hex::encode(sha2::Sha256::digest(bytes)),
        _ => hex::encode(sha2::Sha512::digest(bytes)),
    }
}

/// Recompute every entry of the bag's manifests, then of its tag manifests, as a forger would.
fn rewrite_manifests(bag: &Path) {
    for prefix in ["manifest-", "tagmanifest-"] {
        for alg in ["sha256", "sha512"] {
            let name = format!("{prefix}{alg}.txt");
            let text = std::fs::read_to_string(bag.join(&name)).unwrap();
            let fixed: String = text
                .lines()
                .map(|l| {
                    let (_, path) = l.split_once("  ").unwrap();
                    let bytes = std::fs::read(bag.join(path)).unwrap();
                    format!("{}  {path}\n", hex_digest(alg, &bytes))
                })
                .collect();
            std::fs::write(bag.join(&name), fixed).unwrap();
        }
    }
}

fn loc_bagit_valid(dir: &Path) -> Option<bool> {
    let probe = Command::new("python3")
        .args(["-c", "import bagit"])
        .output()
        .ok()?;
    if !probe.status.success() {
        eprintln!("note: the Python `bagit` package is not installed; skipping the independent validation");
        return None;
    }
    let out = Command::new("python3")
        .args(["-c", "import sys, bagit; bagit.Bag(sys.argv[1]).validate()"])
        .arg(dir)
        .output()
        .unwrap();
    Some(out.status.success())
}

fn fingerprint(env: &Env) -> String {
    let r = env.run(&["key", "show", "--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    r.json()["fingerprint"].as_str().unwrap().to_string()
}

#[test]
fn a_signed_package_is_authenticated_and_a_rewritten_one_is_not() {
    let env = archive_with_collection();
    let r = env.run(&["--lang", "zh", "key", "init"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("指纹"), "{}", r.stdout);
    assert!(
        env.run(&["key", "init"]).code != 0,
        "a second init never replaces the published key"
    );
    let fp = fingerprint(&env);
    let shown = env.run(&["key", "show", "--json"]).json();
    let pem = shown["public_key_pem"].as_str().unwrap().to_string();

    let bag = export(&env, "signed");
    for f in ["signature.ed25519", "signer.json", "README.txt"] {
        assert!(bag.join(f).is_file(), "{f}");
    }
    let manifest = std::fs::read_to_string(bag.join("tagmanifest-sha512.txt")).unwrap();
    assert!(manifest.contains("  signer.json"), "who signed is covered");
    assert!(!manifest.contains("signature.ed25519"));
    let readme = std::fs::read_to_string(bag.join("README.txt")).unwrap();
    assert!(
        readme.contains(&fp) && readme.contains("openssl pkeyutl"),
        "{readme}"
    );
    let page = std::fs::read_to_string(bag.join("index.html")).unwrap();
    assert!(
        page.contains(&fp),
        "the page names the fingerprint to check"
    );
    let private =
        std::fs::read_to_string(env.archive.join("keys/package-signing.ed25519")).unwrap();
    let secret = private.lines().last().unwrap();
    for f in walkdir::WalkDir::new(&bag)
        .into_iter()
        .filter_map(|e| e.ok())
    {
        if f.file_type().is_file() {
            let bytes = std::fs::read(f.path()).unwrap();
            assert!(
                !String::from_utf8_lossy(&bytes).contains(secret),
                "{:?}",
                f.path()
            );
        }
    }

    let r = verify(&env, &bag, None);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(
        r.stdout.contains(&fp) && r.stdout.contains("not authenticated"),
        "{}",
        r.stdout
    );
    let r = verify(&env, &bag, Some(&fp));
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(r.stdout.contains("authenticated: signed"), "{}", r.stdout);
    let pem_file = env.archive.parent().unwrap().join("office.pem");
    std::fs::write(&pem_file, &pem).unwrap();
    assert_eq!(verify(&env, &bag, Some(pem_file.to_str().unwrap())).code, 0);
    if let Some(ok) = loc_bagit_valid(&bag) {
        assert!(ok, "a signed package is still a plain valid bag");
    }
    let openssl = Command::new("openssl")
        .args(["pkeyutl", "-verify", "-pubin", "-inkey"])
        .arg(&pem_file)
        .args(["-rawin", "-in"])
        .arg(bag.join("tagmanifest-sha512.txt"))
        .arg("-sigfile")
        .arg(bag.join("signature.ed25519"))
        .output();
    match openssl {
        Ok(o) => assert!(
            o.status.success(),
            "OpenSSL checks the signature as README.txt says: {}",
            String::from_utf8_lossy(&o.stderr)
        ),
        Err(_) => {
            eprintln!("note: openssl is not installed; skipping the independent signature check")
        }
    }

    // Another office's key: a wrong --key fails.
    let stranger = tempfile::tempdir().unwrap();
    let other = archive::export::sign::OfficeKey::init(stranger.path()).unwrap();
    let other_fp = other.public().fingerprint();
    let r = verify(&env, &bag, Some(&other_fp));
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(r.stdout.contains(&fp), "{}", r.stdout);

    // Finding 6 as reported: a payload file rewritten with every manifest and tag manifest.
    let target = walkdir::WalkDir::new(bag.join("data"))
        .into_iter()
        .filter_map(|e| e.ok())
        .find(|e| e.path().extension().is_some_and(|x| x == "txt"))
        .unwrap()
        .into_path();
    // Same size, so Payload-Oxum still holds: a date moved by a year.
    let forged = std::fs::read_to_string(&target)
        .unwrap()
        .replace("2019", "2018");
    std::fs::write(&target, forged).unwrap();
    rewrite_manifests(&bag);
    if let Some(ok) = loc_bagit_valid(&bag) {
        assert!(
            ok,
            "integrity tools cannot see such a rewrite: that is the finding"
        );
    }
    let r = verify(&env, &bag, Some(&fp));
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(
        r.stdout.contains("signature does not match"),
        "{}",
        r.stdout
    );
    assert_eq!(
        verify(&env, &bag, None).code,
        2,
        "the signature no longer matches even unchecked"
    );

    // The forger re-signs with a key of their own: consistent, but not the office's.
    let info = archive::export::sign::SignerInfo::new(&other, "青海省科协", chrono::Local::now());
    std::fs::write(bag.join("signer.json"), info.to_json()).unwrap();
    rewrite_manifests(&bag);
    let tm = std::fs::read(bag.join("tagmanifest-sha512.txt")).unwrap();
    std::fs::write(
        bag.join("signature.ed25519"),
        archive::export::sign::sign_manifest(&other, &tm),
    )
    .unwrap();
    let r = verify(&env, &bag, None);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(
        r.stdout.contains(&other_fp) && r.stdout.contains("not authenticated"),
        "without --key the report names the forger's key and says it proves nothing: {}",
        r.stdout
    );
    let r = verify(&env, &bag, Some(&fp));
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(
        r.stdout.contains("not signed by that office"),
        "{}",
        r.stdout
    );

    // Removing the signature does not help either.
    std::fs::remove_file(bag.join("signature.ed25519")).unwrap();
    assert_eq!(verify(&env, &bag, Some(&fp)).code, 2);
}

#[test]
fn without_a_key_exports_are_unsigned_and_say_how_to_sign() {
    let env = archive_with_collection();
    let out = env.archive.parent().unwrap().join("unsigned");
    let r = env.run(&[
        "export",
        "--collection",
        C,
        "--out",
        out.to_str().unwrap(),
        "--sign",
    ]);
    assert_eq!(r.code, 1, "--sign insists on a key: {}", r.stderr);
    assert!(
        r.stderr.contains("archive key init") && !out.exists(),
        "{}",
        r.stderr
    );
    let r = env.run(&[
        "--lang",
        "en",
        "export",
        "--collection",
        C,
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("archive key init"), "{}", r.stderr);
    assert!(!out.join("signature.ed25519").exists());
    let readme = std::fs::read_to_string(out.join("README.txt")).unwrap();
    assert!(
        readme.contains("未签名") && readme.contains("not signed"),
        "{readme}"
    );

    let r = verify(&env, &out, None);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(
        r.stdout.contains("not signed") && r.stdout.contains("not authenticated"),
        "{}",
        r.stdout
    );
    let some_key = "0".repeat(32);
    let r = verify(&env, &out, Some(&some_key));
    assert_eq!(
        r.code, 2,
        "asked for a signature, there is none: {}",
        r.stdout
    );
    let r = verify(&env, &out, Some("no-such-key"));
    assert_eq!(
        r.code, 1,
        "an unusable --key is an error, not a verdict: {}",
        r.stderr
    );

    // Finding 6, second half: deleting both tag manifests used to pass with notes only.
    std::fs::remove_file(out.join("tagmanifest-sha256.txt")).unwrap();
    std::fs::remove_file(out.join("tagmanifest-sha512.txt")).unwrap();
    let r = verify(&env, &out, None);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(r.stdout.contains("no tag manifest"), "{}", r.stdout);
}

#[test]
fn a_signed_zip_verifies_with_the_key() {
    let env = archive_with_collection();
    assert_eq!(env.run(&["key", "init"]).code, 0);
    let fp = fingerprint(&env);
    let zip = env.archive.parent().unwrap().join("pkg.zip");
    let r = env.run(&[
        "export",
        "--collection",
        C,
        "--out",
        zip.to_str().unwrap(),
        "--zip",
        "--json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["signed_by"].as_str(), Some(fp.as_str()));
    let log = env.run(&["audit", "--json"]).json_lines();
    assert_eq!(
        log.last().unwrap()["details"]["signed_by"].as_str(),
        Some(fp.as_str())
    );
    let r = verify(&env, &zip, Some(&fp));
    assert_eq!(r.code, 0, "{}", r.stdout);
}
