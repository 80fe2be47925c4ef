//! Users and roles, kept in the archive's `config.toml` as `[[users]] name, role, password_hash`.
//!
//! The file, not the catalog, holds them so that an administrator can read, back up and edit
//! who has access with a text editor; only argon2id hashes (PHC strings) are ever stored. The
//! file is edited with `toml_edit`, so comments and other sections a person wrote survive a
//! `user add`, and replaced atomically with owner-only permissions.

use std::path::{Path, PathBuf};

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::Argon2;
use serde::{Deserialize, Serialize};

use super::audit::{self, NewEntry};
use super::{reason_text, write_tx, Actor, CurateError, CurateResult, Role};
use crate::catalog::Catalog;
// The entry is the configuration's; the old path `curate::users::UserEntry` still works.
pub use crate::config::UserEntry;

/// Shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 8;

/// What may be shown about a user (never the hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserInfo {
    pub name: String,
    pub role: Role,
}

/// Hash a password for storage: argon2id with the crate's recommended parameters and a random salt.
pub fn hash_password(password: &str) -> CurateResult<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| CurateError::Invalid(format!("could not hash the password: {e}")))
}

/// The signed-in actor when `name` and `password` match a configured user, else `None`.
///
/// An unknown name costs the same argon2 work as a wrong password, so response times do not
/// tell an attacker which user names exist.
pub fn verify_password(users: &[UserEntry], name: &str, password: &str) -> Option<Actor> {
    // A real hash of a random password, made once, for the unknown-name path.
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let dummy = DUMMY.get_or_init(|| {
        let random = format!(
            "{:?}{:?}",
            std::time::SystemTime::now(),
            std::thread::current().id()
        );
        hash_password(&random).unwrap_or_default()
    });
    match users.iter().find(|u| u.name == name) {
        Some(u) => Argon2::default()
            .verify_password(password.as_bytes(), u.password_hash.as_str())
            .is_ok()
            .then(|| Actor::new(u.name.clone(), u.role)),
        None => {
            let _ = Argon2::default().verify_password(password.as_bytes(), dummy.as_str());
            None
        }
    }
}

/// The users of an archive, as read from its `config.toml`.
pub fn list(archive_dir: &Path) -> CurateResult<Vec<UserInfo>> {
    let file = ConfigFile::read(archive_dir)?;
    Ok(file
        .users()?
        .into_iter()
        .map(|u| UserInfo {
            name: u.name,
            role: u.role,
        })
        .collect())
}

/// Every configured user with its hash (for the web part's sign-in; same as `Config::users`).
pub fn load(archive_dir: &Path) -> CurateResult<Vec<UserEntry>> {
    ConfigFile::read(archive_dir)?.users()
}

fn check_name(name: &str) -> CurateResult<()> {
    let ok = !name.is_empty()
        && name.chars().count() <= 64
        && name.trim() == name
        && !name.chars().any(|c| c == ':' || c == '/' || unprintable(c));
    if ok {
        Ok(())
    } else {
        Err(CurateError::Invalid(format!(
            "{name:?} is not a usable user name: 1 to 64 characters, no leading or trailing blanks, no ':' or '/', no control or invisible formatting characters (such as U+202E, which shows text reversed)"
        )))
    }
}

/// Control characters, and format characters (Cf: bidi overrides such as U+202E, zero-width
/// spaces and joiners), let one name look like another in the users page, the audit log and
/// a terminal; a name is printable text only.
fn unprintable(c: char) -> bool {
    use unicode_general_category::{get_general_category, GeneralCategory as G};
    matches!(
        get_general_category(c),
        G::Control | G::Format | G::LineSeparator | G::ParagraphSeparator
    )
}

/// Blanks around a password do not count towards its length (eight spaces are no password),
/// and the user's own name is the first guess anyone makes.
fn check_password(name: &str, password: &str) -> CurateResult<()> {
    let core = password.trim();
    if core.is_empty() {
        return Err(CurateError::Invalid(format!(
            "the password is only blanks: use at least {MIN_PASSWORD_CHARS} characters other than spaces"
        )));
    }
    if core.chars().count() < MIN_PASSWORD_CHARS {
        return Err(CurateError::Invalid(format!(
            "the password is too short: use at least {MIN_PASSWORD_CHARS} characters, not counting blanks at either end"
        )));
    }
    if core.to_lowercase() == name.trim().to_lowercase() {
        return Err(CurateError::Invalid(
            "the password is the user name: choose one that is not the name".to_string(),
        ));
    }
    Ok(())
}

/// Add a user. Admins only.
pub fn add(
    archive_dir: &Path,
    who: &Actor,
    name: &str,
    role: Role,
    password: &str,
) -> CurateResult<UserInfo> {
    who.require(Role::Admin, "add users")?;
    check_name(name)?;
    check_password(name, password)?;
    let mut file = ConfigFile::read(archive_dir)?;
    let mut users = file.users()?;
    if users.iter().any(|u| u.name == name) {
        return Err(CurateError::Conflict(format!(
            "user {name} already exists; use `archive user passwd {name}` to change the password or `user remove` first"
        )));
    }
    users.push(UserEntry {
        name: name.to_string(),
        role,
        password_hash: hash_password(password)?,
    });
    file.set_users(&users);
    file.commit_with_audit(
        archive_dir,
        who,
        NewEntry::new("user.add", name).details(serde_json::json!({"name": name, "role": role})),
    )?;
    Ok(UserInfo {
        name: name.to_string(),
        role,
    })
}

/// Remove a user. Admins only; the last admin cannot be removed while other users remain,
/// or nobody could manage them from the page.
pub fn remove(
    archive_dir: &Path,
    who: &Actor,
    name: &str,
    reason: Option<&str>,
) -> CurateResult<()> {
    who.require(Role::Admin, "remove users")?;
    let mut file = ConfigFile::read(archive_dir)?;
    let mut users = file.users()?;
    let Some(pos) = users.iter().position(|u| u.name == name) else {
        return Err(CurateError::NotFound(format!(
            "no user {name}; `archive user list` shows who exists"
        )));
    };
    let removed = users.remove(pos);
    if removed.role == Role::Admin
        && !users.is_empty()
        && !users.iter().any(|u| u.role == Role::Admin)
    {
        return Err(CurateError::Conflict(format!(
            "{name} is the last admin: make another user admin first (`archive user role NAME admin`)"
        )));
    }
    file.set_users(&users);
    file.commit_with_audit(
        archive_dir,
        who,
        NewEntry::new("user.remove", name)
            .details(serde_json::json!({"name": name, "role": removed.role}))
            .reason(reason_text(reason)?),
    )
}

/// Change a password: admins for anyone, every user for themselves.
pub fn set_password(
    archive_dir: &Path,
    who: &Actor,
    name: &str,
    password: &str,
) -> CurateResult<()> {
    if who.name != name {
        who.require(Role::Admin, "change another user's password")?;
    }
    check_password(name, password)?;
    let mut file = ConfigFile::read(archive_dir)?;
    let mut users = file.users()?;
    let Some(u) = users.iter_mut().find(|u| u.name == name) else {
        return Err(CurateError::NotFound(format!(
            "no user {name}; `archive user list` shows who exists"
        )));
    };
    u.password_hash = hash_password(password)?;
    file.set_users(&users);
    file.commit_with_audit(
        archive_dir,
        who,
        NewEntry::new("user.passwd", name).details(serde_json::json!({"name": name})),
    )
}

/// Change a user's role. Admins only; the last admin keeps the role.
pub fn set_role(
    archive_dir: &Path,
    who: &Actor,
    name: &str,
    role: Role,
    reason: Option<&str>,
) -> CurateResult<()> {
    who.require(Role::Admin, "change roles")?;
    let mut file = ConfigFile::read(archive_dir)?;
    let mut users = file.users()?;
    let Some(u) = users.iter_mut().find(|u| u.name == name) else {
        return Err(CurateError::NotFound(format!(
            "no user {name}; `archive user list` shows who exists"
        )));
    };
    let old = u.role;
    u.role = role;
    if old == Role::Admin && !users.iter().any(|u| u.role == Role::Admin) {
        return Err(CurateError::Conflict(format!(
            "{name} is the last admin: make another user admin first"
        )));
    }
    file.set_users(&users);
    file.commit_with_audit(
        archive_dir,
        who,
        NewEntry::new("user.role", name)
            .details(serde_json::json!({"name": name, "from": old, "to": role}))
            .reason(reason_text(reason)?),
    )
}

/// `config.toml` as an editable document.
struct ConfigFile {
    path: PathBuf,
    doc: toml_edit::DocumentMut,
}

impl ConfigFile {
    fn read(archive_dir: &Path) -> CurateResult<ConfigFile> {
        let path = archive_dir.join("config.toml");
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(crate::Error::io(&path, e).into()),
        };
        let doc = text.parse::<toml_edit::DocumentMut>().map_err(|e| {
            CurateError::Invalid(format!(
                "{}: not valid TOML ({e}); fix the file before changing users",
                path.display()
            ))
        })?;
        Ok(ConfigFile { path, doc })
    }

    fn users(&self) -> CurateResult<Vec<UserEntry>> {
        #[derive(Deserialize)]
        struct Only {
            #[serde(default)]
            users: Vec<UserEntry>,
        }
        let only: Only = toml::from_str(&self.doc.to_string()).map_err(|e| self.invalid(e))?;
        let mut seen = std::collections::HashSet::new();
        for u in &only.users {
            if !seen.insert(u.name.as_str()) {
                return Err(CurateError::Invalid(format!(
                    "{}: user {} is listed twice; keep one entry",
                    self.path.display(),
                    u.name
                )));
            }
        }
        Ok(only.users)
    }

    fn invalid(&self, e: impl std::fmt::Display) -> CurateError {
        CurateError::Invalid(format!(
            "{}: the [[users]] entries are not name/role/password_hash ({e}); fix them by hand or remove them",
            self.path.display()
        ))
    }

    fn set_users(&mut self, users: &[UserEntry]) {
        if users.is_empty() {
            self.doc.remove("users");
            return;
        }
        let mut aot = toml_edit::ArrayOfTables::new();
        for u in users {
            let mut t = toml_edit::Table::new();
            t.insert("name", toml_edit::value(u.name.as_str()));
            t.insert("role", toml_edit::value(u.role.as_str()));
            t.insert("password_hash", toml_edit::value(u.password_hash.as_str()));
            aot.push(t);
        }
        self.doc
            .insert("users", toml_edit::Item::ArrayOfTables(aot));
    }

    /// Record the change in the audit log and replace the file: the log entry commits only
    /// when the file was written, so neither exists without the other.
    fn commit_with_audit(
        &self,
        archive_dir: &Path,
        who: &Actor,
        entry: NewEntry,
    ) -> CurateResult<()> {
        let catalog = Catalog::open(archive_dir)?;
        super::ensure_tables(catalog.conn())?;
        let tx = write_tx(catalog.conn())?;
        audit::append(&tx, who, entry)?;
        self.write()?;
        tx.commit()?;
        Ok(())
    }

    fn write(&self) -> CurateResult<()> {
        crate::platform::replace_owner_only(&self.path, self.doc.to_string().as_bytes())
            .map_err(|e| CurateError::from(crate::Error::io(&self.path, e)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn admin() -> Actor {
        Actor::new("root", Role::Admin)
    }

    #[test]
    fn add_verify_and_keep_the_rest_of_the_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("config.toml"),
            "# the office's settings\n[period]\nstart = 2016-01-01\n",
        )
        .unwrap();
        add(dir.path(), &admin(), "卓玛", Role::Curator, "correct horse").unwrap();
        let text = std::fs::read_to_string(dir.path().join("config.toml")).unwrap();
        assert!(
            text.contains("# the office's settings") && text.contains("[period]"),
            "{text}"
        );
        assert!(
            text.contains("$argon2id$") && !text.contains("correct horse"),
            "{text}"
        );
        let users = load(dir.path()).unwrap();
        assert_eq!(
            verify_password(&users, "卓玛", "correct horse"),
            Some(Actor::new("卓玛", Role::Curator))
        );
        assert_eq!(verify_password(&users, "卓玛", "wrong horse!"), None);
        assert_eq!(verify_password(&users, "nobody", "correct horse"), None);
        // The file still loads as the archive's configuration.
        let cfg = crate::config::Config::load(dir.path(), None).unwrap();
        assert_eq!(cfg.users.len(), 1);
    }

    #[test]
    fn roles_gate_user_management() {
        let dir = tempfile::tempdir().unwrap();
        let curator = Actor::new("c", Role::Curator);
        let e = add(dir.path(), &curator, "x", Role::Viewer, "password1").unwrap_err();
        assert!(matches!(e, CurateError::Forbidden { .. }), "{e}");
        add(dir.path(), &admin(), "v", Role::Viewer, "password1").unwrap();
        assert!(matches!(
            remove(dir.path(), &curator, "v", None),
            Err(CurateError::Forbidden { .. })
        ));
        // Anyone may change their own password, nobody else's.
        let v = Actor::new("v", Role::Viewer);
        set_password(dir.path(), &v, "v", "password2").unwrap();
        assert!(matches!(
            set_password(dir.path(), &curator, "v", "password3"),
            Err(CurateError::Forbidden { .. })
        ));
        assert!(verify_password(&load(dir.path()).unwrap(), "v", "password2").is_some());
        assert!(matches!(
            add(dir.path(), &admin(), "v", Role::Viewer, "password1"),
            Err(CurateError::Conflict(_))
        ));
        assert!(matches!(
            add(dir.path(), &admin(), "w", Role::Viewer, "short"),
            Err(CurateError::Invalid(_))
        ));
    }

    #[test]
    fn names_are_printable_text_only() {
        let dir = tempfile::tempdir().unwrap();
        for bad in [
            "ad\u{202e}nimda",
            "a\u{200b}b",
            "a\x1b[31m",
            "a\u{85}b",
            "a\tb",
        ] {
            let e = add(dir.path(), &admin(), bad, Role::Admin, "password1").unwrap_err();
            let msg = e.to_string();
            assert!(matches!(e, CurateError::Invalid(_)), "{bad:?}: {msg}");
            assert!(
                msg.contains("invisible formatting characters") && msg.contains("U+202E"),
                "{msg}"
            );
        }
        assert!(list(dir.path()).unwrap().is_empty());
        add(
            dir.path(),
            &admin(),
            "卓玛 Zhuoma",
            Role::Viewer,
            "password1",
        )
        .unwrap();
    }

    #[test]
    fn passwords_of_blanks_or_the_name_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let refused = |name: &str, password: &str, why: &str| {
            let e = add(dir.path(), &admin(), name, Role::Admin, password).unwrap_err();
            assert!(matches!(e, CurateError::Invalid(_)), "{password:?}: {e}");
            assert!(e.to_string().contains(why), "{password:?}: {e}");
        };
        refused("ada", "        ", "only blanks");
        refused("ada", "\t \u{3000}  \n    ", "only blanks");
        refused("ada", "   short    ", "too short");
        refused("Zhuoma12", "zhuoma12", "the user name");
        refused("zhuoma12", "  ZHUOMA12 ", "the user name");
        assert!(list(dir.path()).unwrap().is_empty());
        add(dir.path(), &admin(), "ada", Role::Admin, " spaced words ").unwrap();
        let ada = Actor::new("ada", Role::Admin);
        let e = set_password(dir.path(), &ada, "ada", "         ").unwrap_err();
        assert!(e.to_string().contains("only blanks"), "{e}");
        let e = set_password(dir.path(), &ada, "ada", "ADA").unwrap_err();
        assert!(e.to_string().contains("too short"), "{e}");
        assert!(verify_password(&load(dir.path()).unwrap(), "ada", " spaced words ").is_some());
    }

    #[test]
    fn last_admin_stays_and_changes_are_audited() {
        let dir = tempfile::tempdir().unwrap();
        add(dir.path(), &admin(), "a", Role::Admin, "password1").unwrap();
        add(dir.path(), &admin(), "b", Role::Viewer, "password1").unwrap();
        assert!(matches!(
            remove(dir.path(), &admin(), "a", None),
            Err(CurateError::Conflict(_))
        ));
        assert!(matches!(
            set_role(dir.path(), &admin(), "a", Role::Curator, None),
            Err(CurateError::Conflict(_))
        ));
        set_role(
            dir.path(),
            &admin(),
            "b",
            Role::Admin,
            Some("new head of office"),
        )
        .unwrap();
        remove(dir.path(), &admin(), "a", Some("left the office")).unwrap();
        assert_eq!(
            list(dir.path()).unwrap(),
            [UserInfo {
                name: "b".into(),
                role: Role::Admin
            }]
        );
        let cat = Catalog::open(dir.path()).unwrap();
        let actions: Vec<String> = audit::entries(cat.conn(), &Default::default())
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect();
        assert_eq!(
            actions,
            ["user.add", "user.add", "user.role", "user.remove"]
        );
        assert!(audit::verify(cat.conn()).unwrap().intact());
    }
}
