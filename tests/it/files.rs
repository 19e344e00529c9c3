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
