//! Long work shows progress on a terminal only: piped, stderr holds the result lines and no
//! bar, spinner or escape sequence.

use crate::common::{Fixture, cli_ok, days, satui};

fn assert_plain(what: &str, stderr: &[u8]) {
    let text = String::from_utf8_lossy(stderr);
    assert!(!text.contains('\x1b') && !text.contains('\r'), "{what}: terminal control in piped stderr: {text:?}");
    for word in ["seeding ", "purging", "importing", "scanning:"] {
        assert!(!text.contains(word), "{what}: progress in piped stderr: {text:?}");
    }
}

#[test]
fn seed_purge_import_and_scan_draw_no_progress_when_piped() {
    let mut fx = Fixture::new();
    let bot = fx.account("bot").id;
    let token = fx.token(bot, "old", days(1)).token.id;
    fx.service.revoke_token(token).unwrap();
    let Fixture { dir, path: db, .. } = fx;

    let out = satui(&db).args(["token", "purge", "--before", "2099-01-01"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "a future date is refused");
    assert_plain("purge", &out.stderr);
    let out = satui(&db).args(["token", "purge", "--before", "2000-01-02", "--dry-run"]).output().unwrap();
    assert!(out.status.success());
    assert_plain("purge", &out.stderr);

    let fresh = dir.path().join("seeded.db");
    let out = satui(&fresh).args(["seed", "--accounts", "50", "--tokens-per-account", "2"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_plain("seed", &out.stderr);

    let export = cli_ok(&db, &["export"]);
    let file = dir.path().join("export.json");
    std::fs::write(&file, export).unwrap();
    let out = satui(&dir.path().join("imported.db")).arg("import").arg(&file).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_plain("import", &out.stderr);

    std::fs::write(dir.path().join("notes.txt"), "nothing here").unwrap();
    let out = satui(&db).arg("scan").arg(dir.path().join("notes.txt")).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_plain("scan", &out.stderr);
}
