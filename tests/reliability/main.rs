//! Faults and concurrency with real processes: parallel writers, crashes mid-write, integrity.

mod revocation;
mod serve_store;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn satui(db: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_satui"));
    cmd.arg("--db").arg(db).env_remove("SATUI_TOKEN").env_remove("SATUI_DB");
    cmd
}

fn count_accounts(db: &Path) -> i64 {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row("SELECT count(*) FROM service_accounts", [], |r| r.get(0)).unwrap()
}

fn integrity(db: &Path) -> String {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap()
}

#[test]
fn two_processes_creating_200_accounts_each_at_once_end_with_400_and_no_lock_error() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("race.db");
    assert!(satui(&db).args(["org", "list"]).output().unwrap().status.success());
    let writers: Vec<_> = ["a", "b"]
        .into_iter()
        .map(|prefix| {
            let db = db.clone();
            std::thread::spawn(move || {
                let mut failures = Vec::new();
                for i in 0..200 {
                    let out = satui(&db).args(["sa", "create", &format!("{prefix}-{i:03}")]).output().unwrap();
                    if !out.status.success() {
                        failures.push(String::from_utf8_lossy(&out.stderr).to_string());
                    }
                }
                failures
            })
        })
        .collect();
    let failures: Vec<String> = writers.into_iter().flat_map(|w| w.join().unwrap()).collect();
    assert!(failures.is_empty(), "writers failed: {failures:?}");
    assert_eq!(count_accounts(&db), 400);
    let audit = satui(&db).args(["audit", "--json", "--limit", "1000", "--filter", "sa.create"]).output().unwrap();
    let events: serde_json::Value = serde_json::from_slice(&audit.stdout).unwrap();
    assert_eq!(events.as_array().unwrap().len(), 400, "one audit event per account, none lost");
    assert_eq!(integrity(&db), "ok");
}

#[test]
fn a_reader_verifies_tokens_while_a_writer_creates_accounts() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("rw.db");
    satui(&db).args(["sa", "create", "reader"]).output().unwrap();
    let token = satui(&db).args(["token", "create", "--sa", "reader", "--name", "r"]).output().unwrap();
    let token = String::from_utf8(token.stdout).unwrap();
    let writer = {
        let db = db.clone();
        std::thread::spawn(move || {
            (0..60).all(|i| satui(&db).args(["sa", "create", &format!("w-{i}")]).output().unwrap().status.success())
        })
    };
    for _ in 0..60 {
        let out = satui(&db).args(["token", "verify"]).env("SATUI_TOKEN", token.trim()).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    assert!(writer.join().unwrap());
    assert_eq!(count_accounts(&db), 61);
}

#[test]
fn kill_9_in_the_middle_of_writes_loses_nothing_committed_and_keeps_the_file_intact() {
    const ACCOUNTS: i64 = 200_000;
    for round in 0..3 {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("crash.db");
        satui(&db).args(["org", "list"]).output().unwrap();
        // A writer committing batch after batch (10 000 rows each), killed without warning once
        // at least one batch is in and long before the last.
        let mut child = satui(&db)
            .args(["seed", "--orgs", "1", "--accounts", &ACCOUNTS.to_string(), "--tokens-per-account", "1"])
            .args(["--seed", &round.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let reader = rusqlite::Connection::open(&db).unwrap();
        let accounts =
            || -> i64 { reader.query_row("SELECT count(*) FROM service_accounts", [], |r| r.get(0)).unwrap_or(0) };
        let watch = Instant::now();
        while accounts() == 0 && watch.elapsed() < Duration::from_secs(60) {
            std::thread::sleep(Duration::from_millis(2));
        }
        // A moment more, so the kill lands inside a later batch, not just after the first.
        std::thread::sleep(Duration::from_millis(20 * round));
        child.kill().unwrap(); // SIGKILL on Unix
        child.wait().unwrap();
        drop(reader);
        let committed = count_accounts(&db);
        assert!(committed > 0, "round {round}: no batch committed before the kill; the test proved nothing");
        assert!(committed < ACCOUNTS, "round {round}: the seed finished before the kill; the test proved nothing");
        assert_eq!(integrity(&db), "ok", "round {round}");
        // Every account that made it has its token: batches commit whole or not at all.
        let conn = rusqlite::Connection::open(&db).unwrap();
        let orphans: i64 = conn
            .query_row(
                "SELECT count(*) FROM service_accounts a WHERE NOT EXISTS (SELECT 1 FROM tokens t WHERE t.sa_id = a.id)",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(orphans, 0, "round {round}: an account without its token means a half-written batch");
        // And the store still works for normal use.
        assert!(satui(&db).args(["sa", "create", "after-crash"]).status().unwrap().success());
    }
}

#[test]
fn a_full_disk_is_a_clear_error_and_writes_nothing() {
    use satui::service::{NewAccount, Service, StoreProblem};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("full.db");
    let mut service = Service::open(&db).unwrap();
    // SQLite's page cap on this connection stands in for a full disk: writes past it fail
    // with SQLITE_FULL exactly as they would on a full file system.
    let pages: i64 = service.connection_for_tests().query_row("PRAGMA page_count", [], |r| r.get(0)).unwrap();
    service.connection_for_tests().pragma_update(None, "max_page_count", pages + 2).unwrap();
    let long = "x".repeat(450);
    let mut created = 0;
    let error = loop {
        let new = NewAccount { name: format!("filler-{created:04}"), description: long.clone(), ..Default::default() };
        match service.create_account(1, &new) {
            Ok(_) => created += 1,
            Err(e) => break e,
        }
        assert!(created < 10_000, "the cap never hit");
    };
    assert_eq!(error.store_problem(), Some(StoreProblem::Disk), "{error:?}");
    assert_eq!(error.to_string(), "the disk is full: nothing was written");
    drop(service);
    assert_eq!(count_accounts(&db) as usize, created, "the failed create left nothing behind");
    assert_eq!(integrity(&db), "ok");
    let conn = rusqlite::Connection::open(&db).unwrap();
    let events: i64 =
        conn.query_row("SELECT count(*) FROM audit_events WHERE action = 'sa.create'", [], |r| r.get(0)).unwrap();
    assert_eq!(events as usize, created, "no audit event for the failed change");
}

#[test]
fn sql_metacharacters_in_names_and_filters_are_data() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sql.db");
    for name in ["x'); DROP TABLE service_accounts; --", "50% off_sale", "back\\slash", "\"quoted\""] {
        let out = satui(&db).args(["sa", "create", name]).output().unwrap();
        assert!(out.status.success(), "{name}: {}", String::from_utf8_lossy(&out.stderr));
    }
    assert_eq!(count_accounts(&db), 4);
    // LIKE wildcards in a filter match literally.
    let list = satui(&db).args(["sa", "list", "--json", "--filter", "%"]).output().unwrap();
    let rows: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 1, "only the name containing a literal %");
    let list = satui(&db).args(["sa", "list", "--json", "--filter", "_"]).output().unwrap();
    let rows: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    assert_eq!(
        rows.as_array().unwrap().len(),
        2,
        "only the two names containing a literal _ (a wildcard would match all 4)"
    );
}

#[test]
fn a_token_is_never_accepted_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("argv.db");
    let out = satui(&db).args(["token", "verify", "sat_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA000000"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "a positional token is a usage error, so it never lands in shell history");
}

#[test]
fn exports_taken_while_another_process_deletes_accounts_always_import() {
    use satui::service::{NewAccount, Service};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("snapshot.db");
    {
        let mut service = Service::open(&db).unwrap();
        for g in 0..4 {
            service.create_group(1, &format!("group-{g}"), "").unwrap();
        }
        for i in 0..1500 {
            let account = service
                .create_account(1, &NewAccount { name: format!("member-{i:04}"), ..Default::default() })
                .unwrap();
            service.change_membership(1, &format!("group-{}", i % 4), account.id, true).unwrap();
        }
    }
    // Another process keeps deleting members while exports run.
    let deleter = {
        let db = db.clone();
        std::thread::spawn(move || {
            let mut service = Service::open(&db).unwrap();
            for i in (0..1500).rev() {
                let account = service.find_account(1, &format!("member-{i:04}")).unwrap();
                service.delete_account(account.id).unwrap();
            }
        })
    };
    let mut exports = 0;
    while !deleter.is_finished() || exports < 3 {
        let out = satui(&db).args(["export"]).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let file = dir.path().join(format!("export-{exports}.json"));
        std::fs::write(&file, &out.stdout).unwrap();
        let fresh = dir.path().join(format!("fresh-{exports}.db"));
        let imported = satui(&fresh).args(["import"]).arg(&file).output().unwrap();
        assert!(
            imported.status.success(),
            "export {exports} did not import: {}",
            String::from_utf8_lossy(&imported.stderr)
        );
        exports += 1;
    }
    deleter.join().unwrap();
    assert!(exports >= 3);
}

#[test]
fn four_first_runs_at_once_all_succeed_on_one_whole_store() {
    for round in 0..8 {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join(format!("new-{round}/satui.db"));
        let runs: Vec<_> = (0..4)
            .map(|i| {
                let mut cmd = satui(&db);
                cmd.args(["sa", "create", &format!("first-{i}")]).stdout(Stdio::null()).stderr(Stdio::piped());
                cmd.spawn().unwrap()
            })
            .collect();
        for run in runs {
            let out = run.wait_with_output().unwrap();
            assert!(out.status.success(), "round {round}: {}", String::from_utf8_lossy(&out.stderr));
        }
        assert_eq!(count_accounts(&db), 4, "round {round}");
        assert_eq!(integrity(&db), "ok");
        let leftovers: Vec<_> = std::fs::read_dir(db.parent().unwrap())
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().to_string()))
            .filter(|n| n.ends_with(".creating"))
            .collect();
        assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
    }
}

#[test]
fn a_first_run_killed_at_any_moment_never_poisons_the_path() {
    // Kill the first run after 0, 1, 2, ... ms: whatever it had done, the next run works.
    for delay_ms in 0..25u64 {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("killed.db");
        let mut child = satui(&db).args(["org", "list"]).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        let out = satui(&db).args(["sa", "create", "after"]).output().unwrap();
        assert!(out.status.success(), "after a kill at {delay_ms} ms: {}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(integrity(&db), "ok");
    }
}

#[test]
fn an_unwritable_directory_is_named_as_such() {
    // SAFETY: geteuid cannot fail.
    if unsafe { libc::geteuid() } != 0 || !Path::new("/usr/bin/setpriv").exists() {
        // Root ignores directory modes, so the test runs satui as `nobody` through setpriv, which
        // needs root (CI runs as root, with util-linux's setpriv).
        println!("skipped: needs root and /usr/bin/setpriv to run satui as another user (CI has both)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    std::fs::create_dir(&home).unwrap();
    let db = home.join("store.db");
    let as_nobody = |args: &[&str]| {
        Command::new("/usr/bin/setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups", env!("CARGO_BIN_EXE_satui"), "--db"])
            .arg(&db)
            .args(args)
            .env_remove("SATUI_DB")
            .output()
            .unwrap()
    };
    std::os::unix::fs::chown(&home, Some(65534), Some(65534)).unwrap();
    // The temp dir itself is root's and private; let nobody through.
    std::fs::set_permissions(dir.path(), std::os::unix::fs::PermissionsExt::from_mode(0o711)).unwrap();
    let created = as_nobody(&["sa", "create", "mine"]);
    assert!(created.status.success(), "{}", String::from_utf8_lossy(&created.stderr));
    std::fs::set_permissions(&home, std::os::unix::fs::PermissionsExt::from_mode(0o500)).unwrap();
    let refused = as_nobody(&["sa", "create", "more"]);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("the directory is not writable"), "{stderr}");
    assert!(!stderr.contains("read-only"), "{stderr}");
}

#[test]
fn verification_answers_at_once_while_another_process_deletes_a_big_org() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("busy.db");
    let seeded =
        satui(&db).args(["seed", "--orgs", "2", "--accounts", "8000", "--tokens-per-account", "5"]).output().unwrap();
    assert!(seeded.status.success(), "{}", String::from_utf8_lossy(&seeded.stderr));
    // Tokens in the first org, never used yet: their first verification wants to record the use.
    satui(&db).args(["sa", "create", "prober"]).output().unwrap();
    let tokens: Vec<String> = (0..6)
        .map(|i| {
            let out =
                satui(&db).args(["token", "create", "--sa", "prober", "--name", &format!("t{i}")]).output().unwrap();
            String::from_utf8(out.stdout).unwrap().trim().to_string()
        })
        .collect();
    let orgs: serde_json::Value =
        serde_json::from_slice(&satui(&db).args(["--json", "org", "list"]).output().unwrap().stdout).unwrap();
    let big = orgs.as_array().unwrap().iter().find(|o| o["id"] != 1).unwrap()["name"].as_str().unwrap().to_string();
    let mut delete = satui(&db).args(["org", "delete", &big, "--confirm", &big]).stdout(Stdio::null()).spawn().unwrap();
    // Readers see the org shrink batch by batch: the delete never holds the lock for the whole org.
    let reader = rusqlite::Connection::open(&db).unwrap();
    let big_count = || -> i64 {
        reader.query_row("SELECT count(*) FROM service_accounts WHERE org_id != 1", [], |r| r.get(0)).unwrap()
    };
    let mut partial = false;
    let watch = Instant::now();
    while watch.elapsed() < Duration::from_secs(20) {
        let n = big_count();
        partial |= n > 0 && n < 8000;
        if partial || delete.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(partial, "the org went in one transaction: other writers wait for all of it");
    let mut slowest = Duration::ZERO;
    for token in &tokens {
        let started = Instant::now();
        let out = satui(&db).args(["token", "verify"]).env("SATUI_TOKEN", token).output().unwrap();
        slowest = slowest.max(started.elapsed());
        assert!(out.status.success(), "verify failed during the delete: {}", String::from_utf8_lossy(&out.stderr));
    }
    assert!(delete.wait().unwrap().success(), "the delete itself failed");
    // Blocked, a verification would wait out the 10 s busy timeout; half of it is a bound a loaded
    // 2-core CI machine meets (a verification there takes a few hundred ms at worst).
    assert!(slowest < Duration::from_secs(5), "a verification waited {slowest:?} behind the delete");
    // The uses were recorded (now or at a later verification); the org is gone whole.
    assert_eq!(integrity(&db), "ok");
    let conn = rusqlite::Connection::open(&db).unwrap();
    let left: i64 =
        conn.query_row("SELECT count(*) FROM service_accounts WHERE org_id != 1", [], |r| r.get(0)).unwrap();
    assert_eq!(left, 0);
}

#[test]
fn two_rotations_of_one_token_at_once_never_both_claim_success() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("rotate.db");
    satui(&db).args(["sa", "create", "bot"]).output().unwrap();
    for round in 0..10 {
        let name = format!("deploy-{round}");
        satui(&db).args(["token", "create", "--sa", "bot", "--name", &name]).output().unwrap();
        let runs: Vec<_> = (0..2)
            .map(|_| {
                let mut cmd = satui(&db);
                cmd.args(["token", "rotate", "--sa", "bot", &name]).stdout(Stdio::piped()).stderr(Stdio::piped());
                cmd.spawn().unwrap()
            })
            .collect();
        let outs: Vec<_> = runs.into_iter().map(|r| r.wait_with_output().unwrap()).collect();
        let printed: Vec<String> = outs
            .iter()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .collect();
        // Every secret a successful rotation printed still works.
        for token in &printed {
            let verified = satui(&db).args(["token", "verify"]).env("SATUI_TOKEN", token).output().unwrap();
            assert!(verified.status.success(), "round {round}: a printed token is already dead: {verified:?}");
        }
        for failed in outs.iter().filter(|o| !o.status.success()) {
            let stderr = String::from_utf8_lossy(&failed.stderr);
            assert!(stderr.contains("rotated") || stderr.contains("revoked"), "round {round}: unclear: {stderr}");
        }
        assert!(!printed.is_empty(), "round {round}: neither rotation worked");
    }
}
