//! `satui serve` and other SQLite clients on one store (issue 20): the server keeps its locks,
//! nothing it answered 2xx for is lost, a revocation by the CLI is refused within a second, writes
//! queued behind another process's lock answer what they did, lost races are 404 not 500, and a
//! moved store or a file size limit is an error, never a crash or a silent loss.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::{integrity, satui};

/// A `satui serve` process on 127.0.0.1 with a port of its own.
pub struct Serve {
    child: Child,
    base: String,
    agent: ureq::Agent,
}

impl Serve {
    pub fn start(db: &Path, extra: &[&str]) -> Serve {
        Serve::start_with(satui(db), extra)
    }

    fn start_with(mut cmd: Command, extra: &[&str]) -> Serve {
        let mut child = cmd
            .args(["serve", "--listen", "127.0.0.1:0", "--quiet"])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start satui serve");
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let first = lines.next().and_then(Result::ok).unwrap_or_default();
        let base = first
            .split("listening on ")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .unwrap_or_else(|| panic!("serve did not start: {first}"))
            .to_string();
        // Keep reading its stderr so it never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .build()
            .into();
        Serve { child, base, agent }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn call(&self, method: &str, path: &str, token: Option<&str>, body: Option<&str>) -> (u16, Value) {
        let mut request = ureq::http::Request::builder().method(method).uri(format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.header("Authorization", format!("Bearer {token}"));
        }
        let request = request.body(body.unwrap_or("").to_string()).unwrap();
        match self.agent.run(request) {
            Ok(mut response) => {
                let status = response.status().as_u16();
                let text = response.body_mut().read_to_string().unwrap_or_default();
                (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
            }
            Err(e) => (0, Value::String(e.to_string())),
        }
    }

    /// Calls until the answer's status is `expected`, for at most a second (the longest a change
    /// made elsewhere may go unseen: see `satui-server/src/watch.rs`); how long it took, or the
    /// last answer when it never came.
    pub fn status_within_a_second(
        &self,
        path: &str,
        token: Option<&str>,
        expected: u16,
    ) -> Result<Duration, (u16, Value)> {
        let started = std::time::Instant::now();
        loop {
            let answer = self.call("GET", path, token, None);
            if answer.0 == expected {
                return Ok(started.elapsed());
            }
            if started.elapsed() > Duration::from_secs(1) {
                return Err(answer);
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    pub fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A store with an Admin account and its token (made by the CLI).
pub fn store_with_admin() -> (tempfile::TempDir, PathBuf, String) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("serve.db");
    assert!(satui(&db).args(["sa", "create", "admin", "--role", "Admin"]).output().unwrap().status.success());
    let out = satui(&db).args(["token", "create", "--sa", "admin", "--name", "api", "--never"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let token = String::from_utf8(out.stdout).unwrap().trim().to_string();
    (dir, db, token)
}

/// What a plain SQLite client does: open, check, close. Being (it believes) the last user, it
/// checkpoints and removes the -wal and -shm files unless someone holds a lock on the store.
fn foreign_client_check(db: &Path) {
    let conn = rusqlite::Connection::open(db).unwrap();
    let ok: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(ok, "ok");
    drop(conn);
}

#[cfg(target_os = "linux")]
fn inode(path: &Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).unwrap().ino()
}

#[cfg(target_os = "linux")]
#[test]
fn serve_holds_its_locks_on_the_store_file_with_one_connection_or_many() {
    let (_dir, db, token) = store_with_admin();
    let ino = inode(&db);
    for connections in ["1", "4"] {
        let server = Serve::start(&db, &["--connections", connections]);
        assert_eq!(server.call("GET", "/api/serviceaccounts/search", Some(&token), None).0, 200);
        let locks = std::fs::read_to_string("/proc/locks").expect("/proc/locks on Linux");
        // "1: POSIX  ADVISORY  READ 1234 fd:01:5678 128 128": pid in field 4, dev:ino in field 5.
        let held = locks.lines().filter(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            fields.len() > 5
                && fields[4] == server.pid().to_string()
                && fields[5].rsplit(':').next() == Some(&ino.to_string())
        });
        assert!(held.count() > 0, "--connections {connections}: serve holds no lock on its store:\n{locks}");
    }
}

#[test]
fn serve_the_cli_and_plain_sqlite_clients_share_a_store_and_nothing_answered_is_lost() {
    let (_dir, db, token) = store_with_admin();
    let server = Serve::start(&db, &[]);
    let sqlite3 = which("sqlite3");
    let python =
        which("python3").filter(|p| Command::new(p).args(["-c", "import sqlite3"]).status().is_ok_and(|s| s.success()));
    if sqlite3.is_none() {
        println!("skipped part: no sqlite3 shell on this machine (the in-process SQLite client runs instead)");
    }
    if python.is_none() {
        println!("skipped part: no python3 with sqlite3 on this machine");
    }
    // At once: another client opens, checks and closes the store over and over.
    let stop = Arc::new(AtomicBool::new(false));
    let checker = {
        let (db, stop) = (db.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut rounds = 0;
            while !stop.load(Ordering::Relaxed) {
                foreign_client_check(&db);
                rounds += 1;
                std::thread::sleep(Duration::from_millis(5));
            }
            rounds
        })
    };
    let mut created = Vec::new();
    for i in 0..300 {
        let body = format!(r#"{{"name":"http-{i}"}}"#);
        let (status, answer) = server.call("POST", "/api/serviceaccounts", Some(&token), Some(&body));
        assert_eq!(status, 201, "{answer}");
        created.push((answer["id"].as_i64().unwrap(), format!("http-{i}")));
        // In turns: the CLI, the sqlite3 shell and a Python script between requests.
        if i % 50 == 0 {
            assert!(satui(&db).args(["sa", "create", &format!("cli-{i}")]).output().unwrap().status.success());
        }
        if i % 20 == 0
            && let Some(shell) = &sqlite3
        {
            let out = Command::new(shell).arg(&db).arg("PRAGMA integrity_check").output().unwrap();
            assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "ok");
        }
        if i % 100 == 0
            && let Some(python) = &python
        {
            let script = "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); print(c.execute('pragma integrity_check').fetchone()[0]); c.close()";
            let out = Command::new(python).args(["-c", script]).arg(&db).output().unwrap();
            assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "ok");
        }
    }
    stop.store(true, Ordering::Relaxed);
    assert!(checker.join().unwrap() > 10, "the other client ran alongside");

    // A revocation by the CLI after such a check is refused by the server within a second (its
    // verification cache notices the other process's commit).
    let out = satui(&db).args(["token", "create", "--sa", "admin", "--name", "doomed", "--never"]).output().unwrap();
    let doomed = String::from_utf8(out.stdout).unwrap().trim().to_string();
    assert_eq!(server.call("GET", "/api/satui/verify", Some(&doomed), None).0, 200);
    foreign_client_check(&db);
    assert!(satui(&db).args(["token", "revoke", "--sa", "admin", "doomed"]).output().unwrap().status.success());
    let seen = server.status_within_a_second("/api/satui/verify", Some(&doomed), 401);
    assert!(seen.is_ok(), "revoked means refused: {seen:?}");
    drop(server);

    let conn = rusqlite::Connection::open(&db).unwrap();
    for (id, name) in &created {
        let stored: Option<String> =
            conn.query_row("SELECT name FROM service_accounts WHERE id = ?1", [id], |r| r.get(0)).ok();
        assert_eq!(stored.as_deref(), Some(name.as_str()), "account {id} was answered 201 and must be in the file");
    }
    let cli: i64 =
        conn.query_row("SELECT count(*) FROM service_accounts WHERE name LIKE 'cli-%'", [], |r| r.get(0)).unwrap();
    assert_eq!(cli, 6, "every account the CLI created is there too");
    assert_eq!(integrity(&db), "ok");
}

#[test]
fn verification_answers_while_another_process_holds_the_write_lock_and_every_write_says_what_it_did() {
    let (_dir, db, token) = store_with_admin();
    let server = Serve::start(&db, &[]);
    assert_eq!(server.call("GET", "/api/satui/verify", Some(&token), None).0, 200);
    let blocker = rusqlite::Connection::open(&db).unwrap();
    blocker.execute_batch("BEGIN IMMEDIATE").unwrap();
    let held = Instant::now();
    let server = Arc::new(server);
    let writers: Vec<_> = (0..8)
        .map(|i| {
            let (server, token) = (server.clone(), token.clone());
            std::thread::spawn(move || {
                let name = format!("queued-{i}");
                let (status, body) =
                    server.call("POST", "/api/serviceaccounts", Some(&token), Some(&format!(r#"{{"name":"{name}"}}"#)));
                (name, status, body)
            })
        })
        .collect();
    let mut slowest = Duration::ZERO;
    while held.elapsed() < Duration::from_secs(12) {
        let asked = Instant::now();
        let (status, body) = server.call("GET", "/api/satui/verify", Some(&token), None);
        assert_eq!(status, 200, "{body}");
        slowest = slowest.max(asked.elapsed());
        std::thread::sleep(Duration::from_millis(200));
    }
    blocker.execute_batch("COMMIT").unwrap();
    drop(blocker);
    assert!(slowest < Duration::from_secs(1), "verification waited {slowest:?} behind the write lock");

    let conn = rusqlite::Connection::open(&db).unwrap();
    let mut answered = 0;
    for writer in writers {
        let (name, status, body) = writer.join().unwrap();
        let stored: i64 =
            conn.query_row("SELECT count(*) FROM service_accounts WHERE name = ?1", [&name], |r| r.get(0)).unwrap();
        match status {
            201 => {
                answered += 1;
                assert_eq!(stored, 1, "{name} was answered 201");
            }
            503 => {
                assert_eq!(stored, 0, "{name} was answered 503 but is in the store");
                assert!(body["message"].as_str().is_some_and(|m| m.contains("busy")), "{body}");
            }
            other => panic!("{name}: {other} {body}"),
        }
    }
    println!("{answered} of 8 queued writes committed after the lock was released");
}

#[test]
fn deletes_racing_token_creation_answer_404_never_500() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("race.db");
    let seeded =
        satui(&db).args(["seed", "--orgs", "1", "--accounts", "200", "--tokens-per-account", "0"]).output().unwrap();
    assert!(seeded.status.success(), "{}", String::from_utf8_lossy(&seeded.stderr));
    assert!(satui(&db).args(["sa", "create", "racer", "--role", "Admin"]).output().unwrap().status.success());
    let out = satui(&db).args(["token", "create", "--sa", "racer", "--name", "api", "--never"]).output().unwrap();
    let token = String::from_utf8(out.stdout).unwrap().trim().to_string();
    let ids: Vec<i64> = {
        let conn = rusqlite::Connection::open(&db).unwrap();
        let mut stmt = conn.prepare("SELECT id FROM service_accounts WHERE name <> 'racer' ORDER BY id").unwrap();
        stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
    };
    assert_eq!(ids.len(), 200);
    let server = Arc::new(Serve::start(&db, &[]));
    let run = |ids: Vec<i64>, delete: bool| {
        let (server, token) = (server.clone(), token.clone());
        std::thread::spawn(move || {
            ids.into_iter()
                .map(|id| {
                    if delete {
                        server.call("DELETE", &format!("/api/serviceaccounts/{id}"), Some(&token), None)
                    } else {
                        let body = r#"{"name":"raced","secondsToLive":3600}"#;
                        server.call("POST", &format!("/api/serviceaccounts/{id}/tokens"), Some(&token), Some(body))
                    }
                })
                .collect::<Vec<_>>()
        })
    };
    let halves: Vec<Vec<i64>> = ids.chunks(50).map(<[i64]>::to_vec).collect();
    let threads: Vec<_> = halves.iter().flat_map(|part| [run(part.clone(), true), run(part.clone(), false)]).collect();
    let answers: Vec<(u16, Value)> = threads.into_iter().flat_map(|t| t.join().unwrap()).collect();
    let server_errors: Vec<_> = answers.iter().filter(|(status, _)| *status >= 500 || *status == 0).collect();
    assert!(server_errors.is_empty(), "{} answers were 5xx: {:?}", server_errors.len(), &server_errors[..1]);
    for (status, body) in &answers {
        assert!(matches!(status, 200 | 404), "{status} {body}");
    }
    drop(server);
    let conn = rusqlite::Connection::open(&db).unwrap();
    let left: i64 =
        conn.query_row("SELECT count(*) FROM service_accounts WHERE name <> 'racer'", [], |r| r.get(0)).unwrap();
    assert_eq!(left, 0, "every delete ended deleted");
    let orphans: i64 = conn.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| r.get(0)).unwrap();
    assert_eq!(orphans, 0);
}

#[test]
fn a_store_moved_away_under_serve_fails_health_and_refuses_writes() {
    let (dir, db, token) = store_with_admin();
    let server = Serve::start(&db, &[]);
    let (status, body) = server.call("GET", "/api/health", None, None);
    assert_eq!((status, body["database"].as_str()), (200, Some("ok")));
    let moved = dir.path().join("moved.db");
    std::fs::rename(&db, &moved).unwrap();
    // Health comes from the background check (at least twice a second), never from a request.
    let failing = server.status_within_a_second("/api/health", None, 503);
    assert!(failing.is_ok(), "{failing:?}");
    let (status, body) = server.call("GET", "/api/health", None, None);
    assert_eq!((status, body["database"].as_str()), (503, Some("failing")), "{body}");
    let (status, body) = server.call("POST", "/api/serviceaccounts", Some(&token), Some(r#"{"name":"lost"}"#));
    assert_eq!(status, 503, "{body}");
    assert!(body["message"].as_str().is_some_and(|m| m.contains("deleted or replaced")), "{body}");
    drop(server);
    let conn = rusqlite::Connection::open(&moved).unwrap();
    let lost: i64 =
        conn.query_row("SELECT count(*) FROM service_accounts WHERE name = 'lost'", [], |r| r.get(0)).unwrap();
    assert_eq!(lost, 0);
}

#[cfg(unix)]
#[test]
fn a_file_size_limit_is_an_error_answer_and_serve_keeps_serving_reads() {
    use std::os::unix::process::CommandExt;
    let (_dir, db, token) = store_with_admin();
    // Room for the store as it is and a little of its write-ahead log.
    let limit = std::fs::metadata(&db).unwrap().len() + 256 * 1024;
    let mut cmd = satui(&db);
    // SAFETY: setrlimit is async-signal-safe; the closure touches nothing else.
    unsafe {
        cmd.pre_exec(move || {
            let rlimit = libc::rlimit { rlim_cur: limit, rlim_max: limit };
            if libc::setrlimit(libc::RLIMIT_FSIZE, &rlimit) == 0 {
                Ok(())
            } else {
                Err(std::io::Error::last_os_error())
            }
        });
    }
    let mut server = Serve::start_with(cmd, &[]);
    let description = "x".repeat(180);
    let mut refused = None;
    for i in 0..3000 {
        let body = format!(r#"{{"name":"fill-{i}-{description}"}}"#);
        let (status, answer) = server.call("POST", "/api/serviceaccounts", Some(&token), Some(&body));
        if status != 201 {
            refused = Some((status, answer));
            break;
        }
    }
    let (status, answer) = refused.expect("the file size limit was reached");
    assert!(server.alive(), "serve died at the file size limit");
    assert_eq!(status, 507, "{answer}");
    assert!(answer["message"].as_str().is_some_and(|m| m.contains("file size limit")), "{answer}");
    let (status, _) = server.call("GET", "/api/serviceaccounts/search?perpage=1", Some(&token), None);
    assert_eq!(status, 200, "reads go on");
    assert_eq!(server.call("GET", "/api/satui/verify", Some(&token), None).0, 200);
}

#[test]
fn endless_or_huge_files_given_as_input_are_refused_with_the_limit() {
    let (dir, db, _token) = store_with_admin();
    let started = Instant::now();
    let out = satui(&db)
        .args(["serve", "--listen", "127.0.0.1:0", "--tls-cert", "/dev/zero", "--tls-key", "/dev/zero"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("larger than 1 MiB"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = satui(&db).args(["plugin", "register", "/dev/zero"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("larger than 1 MiB"));
    assert!(started.elapsed() < Duration::from_secs(60), "nothing reads forever");
    // The store itself is never read as a plugin.json (closing it would drop the locks).
    let out = satui(&db).arg("plugin").arg("register").arg(&db).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("the satui store itself"));
    // A scan of the store's directory leaves the store's files alone, and says so.
    std::fs::write(dir.path().join("notes.txt"), "nothing here").unwrap();
    let out = satui(&db).arg("scan").arg(dir.path()).output().unwrap();
    let text = String::from_utf8_lossy(&out.stderr).to_string() + &String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("the satui store itself"), "{text}");
    assert_eq!(integrity(&db), "ok");
}

fn which(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?.to_str()?.split(':').map(|dir| Path::new(dir).join(program)).find(|p| p.is_file())
}
