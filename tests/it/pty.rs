//! End to end in a real pseudo-terminal: the satui binary, keys typed into the pty, the screen
//! read back through a vt100 emulator.

use std::io::{Read, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

const ROWS: u16 = 32;
const COLS: u16 = 120;

pub(crate) struct Session {
    parser: Arc<Mutex<vt100::Parser>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
    /// Kept as long as the session: dropping it hangs up the child (see `hang_up`).
    master: Option<Box<dyn portable_pty::MasterPty + Send>>,
}

impl Session {
    fn start(db: &Path) -> Session {
        Session::start_with(db, &[])
    }

    pub(crate) fn start_with(db: &Path, env: &[(&str, &str)]) -> Session {
        Session::start_args(&["--db".as_ref(), db.as_os_str()], db.parent().unwrap(), env)
    }

    /// `satui ARGS` in a pty, with its config directory in `config_dir` and no store inherited.
    pub(crate) fn start_args(args: &[&std::ffi::OsStr], config_dir: &Path, env: &[(&str, &str)]) -> Session {
        let pty = native_pty_system()
            .openpty(PtySize { rows: ROWS, cols: COLS, pixel_width: 0, pixel_height: 0 })
            .expect("open pty");
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_satui"));
        cmd.args(args);
        cmd.env_remove("SATUI_DB");
        cmd.env("TERM", "xterm-256color");
        cmd.env_remove("DISPLAY");
        cmd.env_remove("WAYLAND_DISPLAY");
        cmd.env("XDG_CONFIG_HOME", config_dir);
        for (key, value) in env {
            cmd.env(key, value);
        }
        let child = pty.slave.spawn_command(cmd).expect("spawn satui");
        drop(pty.slave);
        let mut reader = pty.master.try_clone_reader().expect("reader");
        let writer = pty.master.take_writer().expect("writer");
        let parser = Arc::new(Mutex::new(vt100::Parser::new(
            std::num::NonZeroU16::new(ROWS).unwrap(),
            std::num::NonZeroU16::new(COLS).unwrap(),
            0,
        )));
        let sink = parser.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().process(&buf[..n]);
            }
        });
        Session { parser, writer, child, master: Some(pty.master) }
    }

    fn screen(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    pub(crate) fn wait_for(&self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            assert!(Instant::now() < deadline, "timed out waiting for {text:?}; screen:\n{screen}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub(crate) fn send(&mut self, bytes: &str) {
        self.writer.write_all(bytes.as_bytes()).unwrap();
        self.writer.flush().unwrap();
        // One key per read, as a person types.
        std::thread::sleep(Duration::from_millis(30));
    }

    fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            self.send(&c.to_string());
        }
    }

    /// Closes the terminal under satui, as a closed ssh session or terminal window does: its
    /// next draw fails.
    fn hang_up(&mut self) {
        self.master.take();
        self.writer = Box::new(std::io::sink());
    }

    pub(crate) fn wait_exit(&mut self) -> bool {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.success();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        false
    }
}

fn find_token(screen: &str) -> Option<String> {
    let start = screen.find("sat_")?;
    let token: String = screen[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
    (token.len() == 42).then_some(token)
}

#[test]
fn create_account_and_token_in_a_real_terminal_then_verify_it_and_never_see_it_again() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pty.db");
    let mut ui = Session::start(&db);
    ui.wait_for("No service accounts yet");
    ui.send("n");
    ui.wait_for("New service account");
    ui.type_text("pty-bot");
    ui.send("\r");
    ui.wait_for("sa-1-pty-bot");
    ui.send("t");
    ui.wait_for("New token for pty-bot");
    ui.type_text("e2e");
    ui.send("\r");
    let screen = ui.wait_for("This is the only time it is shown");
    let token = find_token(&screen).expect("token on screen");
    // Closed without copying (no display here: `c` would go through the terminal, see below).
    ui.send("\r");
    ui.wait_for("Not copied. Close anyway?");
    ui.wait_for("y close");
    ui.send("y");
    ui.wait_for("will not be shown again");
    assert!(!ui.screen().contains(&token[4..]), "the token is off the screen");
    ui.send("q");
    assert!(ui.wait_exit(), "satui exits cleanly on q");

    let verify = assert_cmd::Command::cargo_bin("satui")
        .unwrap()
        .args(["--db", db.to_str().unwrap(), "token", "verify"])
        .env_remove("SATUI_TOKEN")
        .write_stdin(format!("{token}\n"))
        .output()
        .unwrap();
    assert!(verify.status.success(), "{}", String::from_utf8_lossy(&verify.stderr));
    assert!(String::from_utf8_lossy(&verify.stdout).contains("sa-1-pty-bot"));

    let mut again = Session::start(&db);
    let screen = again.wait_for("pty-bot");
    let screen = if screen.contains("e2e") { screen } else { again.wait_for("e2e") };
    assert!(screen.contains("sat_…"), "the hint is shown");
    assert!(!screen.contains(&token[4..]), "the token itself never is");
    again.send("\x03"); // Ctrl-C
    assert!(again.wait_exit());
}

#[test]
fn a_bad_database_file_is_one_clear_line_and_the_terminal_is_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("junk.db");
    std::fs::write(&db, b"this is not sqlite at all, just some bytes......").unwrap();
    let mut ui = Session::start(&db);
    assert!(!ui.wait_exit(), "exits with failure");
    // The reader thread may still be draining the pty after the exit.
    let screen = ui.wait_for("not a satui database");
    assert!(screen.contains("junk.db"));
    let parser = ui.parser.lock().unwrap();
    assert!(!parser.screen().alternate_screen(), "the UI never took over the terminal");
}

#[test]
fn a_panic_restores_the_terminal_before_the_message() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("panic.db");
    let mut ui = Session::start_with(&db, &[("SATUI_DEBUG_PANIC", "1")]);
    assert!(!ui.wait_exit(), "a panic is a failure exit");
    ui.wait_for("forced panic");
    let parser = ui.parser.lock().unwrap();
    let screen = parser.screen();
    assert!(!screen.alternate_screen(), "left the alternate screen");
    assert!(!screen.hide_cursor(), "cursor visible again");
    assert!(screen.contents().contains("forced panic"), "{}", screen.contents());
}

/// On a terminal, long work draws a progress bar (and clears it before the summary).
#[test]
fn seed_shows_a_progress_bar_on_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("seed.db");
    let args: [&std::ffi::OsStr; 6] = [
        "--db".as_ref(),
        db.as_os_str(),
        "seed".as_ref(),
        "--accounts".as_ref(),
        "4000".as_ref(),
        "--tokens-per-account=2".as_ref(),
    ];
    let session = Session::start_args(&args, dir.path(), &[]);
    let screen = session.wait_for("seeding");
    assert!(screen.contains('%'), "{screen}");
    let screen = session.wait_for("seeded 1 org");
    assert!(!screen.contains("seeding"), "the bar is cleared before the summary:\n{screen}");
}

/// Opens the demo's first account's token form, makes a token and copies it (to the test
/// clipboard), then closes the reveal.
fn copy_a_token(ui: &mut Session) {
    ui.wait_for("No service accounts yet");
    ui.send("n");
    ui.wait_for("New service account");
    ui.type_text("clip-bot");
    ui.send("\r");
    ui.wait_for("sa-1-clip-bot");
    ui.send("t");
    ui.wait_for("New token for clip-bot");
    ui.type_text("copied");
    ui.send("\r");
    ui.wait_for("This is the only time it is shown");
    ui.send("c");
    ui.wait_for("copied to the test clipboard");
}

#[test]
fn a_copied_token_leaves_the_clipboard_however_the_ui_ends() {
    // Quit with q, Ctrl-C twice... and a terminal that goes away (the draw fails): each way out
    // clears the clipboard that still holds our token.
    for way_out in ["q", "hang-up"] {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("clip.db");
        let record = dir.path().join("clipboard.log");
        let mut ui = Session::start_with(&db, &[("SATUI_TEST_CLIPBOARD", record.to_str().unwrap())]);
        copy_a_token(&mut ui);
        ui.send("\r");
        ui.wait_for("will not be shown again");
        match way_out {
            "q" => ui.send("q"),
            _ => ui.hang_up(),
        }
        ui.wait_exit();
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut lines = String::new();
        while Instant::now() < deadline {
            lines = std::fs::read_to_string(&record).unwrap_or_default();
            if lines.contains("cleared") {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        assert_eq!(lines, "copied\ncleared\n", "{way_out}: the clipboard was not cleared on the way out");
    }
}

/// Issue 24, friction 13: with no display (SSH, a console) `c` falls back to the terminal's own
/// clipboard (OSC 52) by itself, and the reveal says where the token went.
#[test]
fn without_a_display_c_copies_through_the_terminal_and_the_reveal_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("osc.db");
    let mut ui = Session::start(&db);
    ui.wait_for("No service accounts yet");
    ui.send("n");
    ui.wait_for("New service account");
    ui.type_text("ssh-bot");
    ui.send("\r");
    ui.wait_for("sa-1-ssh-bot");
    ui.send("t");
    ui.wait_for("New token for ssh-bot");
    ui.type_text("remote");
    ui.send("\r");
    ui.wait_for("This is the only time it is shown");
    ui.send("c");
    ui.wait_for("Sent to the terminal's clipboard (OSC 52).");
    // Counted as copied: Enter closes without asking.
    ui.send("\r");
    ui.wait_for("will not be shown again");
    ui.send("q");
    ui.wait_exit();
}
