//! The store file: private permissions on creation, and clear refusals that leave a foreign,
//! damaged or newer file exactly as it was.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::Arc;

use satui::clock::ManualClock;
use satui::service::Service;

use crate::common::{Fixture, T0, days};

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn open(path: &Path) -> satui::service::Result<Service> {
    Service::open_with_clock(path, Arc::new(ManualClock::new(T0)))
}

/// Opening `path` must fail naming the path, and leave every byte as it was.
fn assert_refused_untouched(path: &Path, expect_in_message: &str) -> String {
    let before = fs::read(path).ok();
    let err = open(path).err().unwrap_or_else(|| panic!("{} was opened", path.display()));
    let message = err.to_string();
    assert!(message.contains(&path.display().to_string()), "message does not name the path: {message}");
    assert!(message.contains(expect_in_message), "expected {expect_in_message:?} in: {message}");
    assert!(!message.contains('\n'), "message is not one line: {message:?}");
    assert_eq!(fs::read(path).ok(), before, "{} was modified", path.display());
    message
}

/// A real satui store at `path`, closed again (its WAL folded back into the file).
fn make_store(path: &Path) {
    let mut service = open(path).unwrap();
    let account =
        service.create_account(1, &satui::service::NewAccount { name: "ci-bot".into(), ..Default::default() });
    service.create_token(account.unwrap().id, &crate::common::new_token("deploy", days(30))).unwrap();
}

#[test]
fn given_a_missing_store_and_parent_dirs_when_opened_then_the_dirs_are_created_0700_and_the_file_0600() {
    let tmp = tempfile::tempdir().unwrap();
    let parent = tmp.path().join("data");
    let path = parent.join("satui").join("store.db");
    let service = open(&path).expect("a new store");
    assert_eq!(mode(&path), 0o600, "store file mode");
    assert_eq!(mode(&parent.join("satui")), 0o700, "new parent dir mode");
    assert_eq!(mode(&parent), 0o700, "new grandparent dir mode");
    assert_eq!(service.default_org().unwrap().name, "Main Org.");
    drop(service);
    assert_eq!(mode(&path), 0o600, "mode after close");
}

#[test]
fn given_an_existing_parent_dir_when_a_store_is_created_then_the_dirs_mode_is_left_alone() {
    let tmp = tempfile::tempdir().unwrap();
    fs::set_permissions(tmp.path(), fs::Permissions::from_mode(0o755)).unwrap();
    let path = tmp.path().join("x.db");
    open(&path).unwrap();
    assert_eq!(mode(tmp.path()), 0o755);
    assert_eq!(mode(&path), 0o600);
}

#[test]
fn given_a_store_with_data_when_reopened_then_the_data_is_still_there() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("x.db");
    make_store(&path);
    let service = open(&path).unwrap();
    let account = service.find_account(1, "ci-bot").unwrap();
    assert_eq!(service.tokens(account.id).unwrap().len(), 1);
}

#[test]
fn given_a_directory_path_when_opened_then_it_is_refused_naming_the_path() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("store.db");
    fs::create_dir(&dir).unwrap();
    let err = open(&dir).err().expect("a directory was opened");
    let message = err.to_string();
    assert!(message.contains(&dir.display().to_string()) && message.contains("directory"), "{message}");
    assert_eq!(fs::read_dir(&dir).unwrap().count(), 0, "something was written into the directory");
}

#[test]
fn given_an_empty_file_when_opened_then_it_is_refused_and_stays_empty() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("x.db");
    fs::write(&path, b"").unwrap();
    assert_refused_untouched(&path, "empty");
    assert_eq!(fs::metadata(&path).unwrap().len(), 0);
}

#[test]
fn given_a_file_of_random_bytes_when_opened_then_it_is_refused_and_unchanged() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("x.db");
    let bytes: Vec<u8> = (0..8192u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    fs::write(&path, &bytes).unwrap();
    assert_refused_untouched(&path, "not a satui database");
    assert_eq!(fs::read(&path).unwrap(), bytes);
}

#[test]
fn given_a_file_with_an_sqlite_header_and_garbage_after_it_when_opened_then_it_is_refused_and_unchanged() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("x.db");
    let mut bytes = b"SQLite format 3\0".to_vec();
    bytes.extend((0..4096u32).map(|i| (i.wrapping_mul(40_503) >> 7) as u8));
    fs::write(&path, &bytes).unwrap();
    assert_refused_untouched(&path, "x.db");
    assert_eq!(fs::read(&path).unwrap(), bytes);
}

#[test]
fn given_a_foreign_sqlite_database_when_opened_then_it_is_refused_and_unchanged() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("other.sqlite");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES ('x');",
        )
        .unwrap();
    }
    assert_refused_untouched(&path, "not a satui database");
    let conn = rusqlite::Connection::open(&path).unwrap();
    let tables: i64 =
        conn.query_row("SELECT count(*) FROM sqlite_master WHERE type = 'table'", [], |r| r.get(0)).unwrap();
    assert_eq!(tables, 1, "satui tables were added to a foreign database");
    assert!(!tmp.path().join("other.sqlite-wal").exists());
}

#[test]
fn given_a_store_from_a_newer_satui_when_opened_then_it_is_refused_naming_the_path_and_unchanged() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("x.db");
    make_store(&path);
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
    }
    let message = assert_refused_untouched(&path, "newer");
    assert!(message.contains("99"), "{message}");
    let conn = rusqlite::Connection::open(&path).unwrap();
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
    assert_eq!(version, 99);
}

#[test]
fn given_a_read_only_store_file_when_opened_then_it_is_refused_naming_the_path_and_unchanged() {
    // The check reads the permission bits, so it holds even for root, who could write anyway.
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("x.db");
    make_store(&path);
    fs::set_permissions(&path, fs::Permissions::from_mode(0o444)).unwrap();
    assert_refused_untouched(&path, "read-only");
    assert_eq!(mode(&path), 0o444);
}

#[test]
fn given_two_services_on_one_file_when_one_writes_then_the_other_sees_the_change_and_its_data_version_moves() {
    let mut writer = Fixture::new();
    let reader = open(&writer.path).unwrap();
    let version = reader.data_version().unwrap();
    let account = writer.account("ci-bot");
    assert_ne!(reader.data_version().unwrap(), version);
    assert_eq!(reader.find_account(1, "ci-bot").unwrap().id, account.id);
}

#[test]
fn a_store_others_can_write_to_or_in_a_directory_others_can_write_to_is_refused_with_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("open.db");
    make_store(&path);
    fs::set_permissions(&path, fs::Permissions::from_mode(0o666)).unwrap();
    let message = assert_refused_untouched(&path, "chmod 600");
    assert!(message.contains("others can write to it (mode 666)"), "{message}");
    fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
    for mode in [0o777, 0o1777, 0o770] {
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(mode)).unwrap();
        let err = open(&path).err().expect("opened in an open directory").to_string();
        assert!(err.contains("others can write to this directory") && err.contains("chmod 700"), "{mode:o}: {err}");
    }
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o700)).unwrap();
    open(&path).expect("a private store in a private directory opens");
    // No new store is created in such a directory either.
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o777)).unwrap();
    assert!(open(&dir.path().join("new.db")).is_err());
    assert!(!dir.path().join("new.db").exists());
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o700)).unwrap();
}

/// Root can give files away: a store (or its WAL) that belongs to another user is refused.
#[test]
fn a_store_owned_by_another_user_is_refused() {
    // SAFETY: geteuid cannot fail.
    if unsafe { libc::geteuid() } != 0 {
        // CI runs as root, where this test runs; a developer's non-root run cannot chown.
        println!("skipped: only root can make a file belong to someone else (CI runs it as root)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("theirs.db");
    make_store(&path);
    std::os::unix::fs::chown(&path, Some(65534), Some(65534)).unwrap();
    let message = assert_refused_untouched(&path, "owned by uid 65534, not by you");
    assert!(message.contains("chown"), "{message}");
    std::os::unix::fs::chown(&path, Some(0), Some(0)).unwrap();
    let wal = dir.path().join("theirs.db-wal");
    fs::write(&wal, b"").unwrap();
    fs::set_permissions(&wal, fs::Permissions::from_mode(0o600)).unwrap();
    std::os::unix::fs::chown(&wal, Some(65534), Some(65534)).unwrap();
    let err = open(&path).err().expect("a foreign WAL was trusted").to_string();
    assert!(err.contains("theirs.db-wal") && err.contains("owned by uid 65534"), "{err}");
}

#[test]
fn a_dangling_symlink_says_so_and_nothing_is_created() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("link.db");
    let target = dir.path().join("gone/target.db");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let err = open(&link).err().expect("opened a dangling link").to_string();
    assert!(err.contains("a symbolic link to") && err.contains("which does not exist"), "{err}");
    assert!(!target.exists() && !dir.path().join("gone").exists());
}

#[test]
fn a_damaged_store_names_its_path_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("damaged.db");
    {
        let mut service = open(&path).unwrap();
        for i in 0..300 {
            let new = satui::service::NewAccount { name: format!("account-{i}"), ..Default::default() };
            service.create_account(1, &new).unwrap();
        }
    }
    // Scribble over every page but the first (the header stays valid).
    let mut bytes = fs::read(&path).unwrap();
    for b in bytes.iter_mut().skip(4096) {
        *b = 0x5a;
    }
    fs::write(&path, &bytes).unwrap();
    let stderr = crate::common::cli_fails(&path, &["sa", "list"], 1);
    assert!(stderr.contains(&path.display().to_string()), "{stderr}");
}

#[test]
fn commands_that_fail_before_writing_create_no_store() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sub/never.db");
    let missing = dir.path().join("missing.json");
    crate::common::cli_fails(&db, &["import", missing.to_str().unwrap()], 1);
    let out = crate::common::satui(&db).args(["token", "verify"]).env("SATUI_TOKEN", "sat_x").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let verify =
        crate::common::satui(&db).args(["token", "verify"]).write_stdin(format!("{}\n", "x")).output().unwrap();
    assert_eq!(verify.status.code(), Some(1));
    let audit = crate::common::satui(&db).args(["audit"]).output().unwrap();
    assert!(String::from_utf8_lossy(&audit.stderr).contains("no store here"), "{audit:?}");
    assert!(!db.exists() && !dir.path().join("sub").exists(), "a store or its directory was created");
}

#[test]
fn an_offset_past_the_end_is_an_empty_page() {
    let fx = Fixture::new();
    let out = crate::common::cli_json(&fx.path, &["sa", "list", "--offset", "18446744073709551615"]);
    assert_eq!(out, serde_json::json!([]));
}
