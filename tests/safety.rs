//! Nothing lost: saves survive being killed at any moment, and autosaved work survives a crash.
//!
//! The child processes are this test binary itself, re-run on an ignored entry-point test with an
//! environment variable saying what to do, so they use exactly the library code the app uses.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use threatboard::formats::json;
use threatboard::model::{Document, synth};
use threatboard::recovery::RecoveryStore;

const ROLE: &str = "THREATBOARD_TEST_CHILD";
const TARGET: &str = "THREATBOARD_TEST_TARGET";

fn versions() -> (Document, Document) {
    // Large enough that a write takes a while, so kills land in the middle of one.
    let old = synth::document(1_000, 1);
    let mut new = synth::document(1_000, 2);
    new.title = "new".into();
    (old, new)
}

fn spawn(role: &str, target: &Path) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child_entry_point", "--ignored", "--nocapture", "--test-threads=1"])
        .env(ROLE, role)
        .env(TARGET, target)
        .env(threatboard::recovery::DIR_ENV, target)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// Blocks until the child says it is about to start saving (test harness output comes first).
fn wait_until_ready(child: &mut Child) {
    use std::io::BufRead;
    let out = child.stdout.take().unwrap();
    let mut lines = std::io::BufReader::new(out).lines();
    loop {
        match lines.next() {
            // The harness may print the test's name on the same line first.
            Some(Ok(line)) if line.trim_end().ends_with("ready") => break,
            Some(Ok(_)) => {}
            _ => panic!("the child exited before it was ready"),
        }
    }
    // Keep reading in the background so the child never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
}

/// What the children do; does nothing unless started by one of the tests below.
#[test]
#[ignore = "entry point of the child processes of the kill tests"]
fn child_entry_point() {
    let Ok(role) = std::env::var(ROLE) else { return };
    let target = PathBuf::from(std::env::var(TARGET).unwrap());
    let (old, new) = versions();
    match role.as_str() {
        "save-loop" => {
            // From here on the file holds `new` and its backup `old`; every kill after this lands
            // during or between saves, each of which makes the replaced version the backup.
            json::save_file_with_backup(&target, &new).unwrap();
            println!("ready");
            std::io::Write::flush(&mut std::io::stdout()).unwrap();
            loop {
                json::save_file_with_backup(&target, &old).unwrap();
                json::save_file_with_backup(&target, &new).unwrap();
            }
        }
        "autosave-then-hang" => {
            RecoveryStore::new(&target).autosave(Some(Path::new("/models/agent.json")), &new).unwrap();
            loop {
                std::thread::sleep(Duration::from_secs(1));
            }
        }
        "autosave-then-exit-cleanly" => {
            let store = RecoveryStore::new(&target);
            store.autosave(None, &new).unwrap();
            store.discard(None);
        }
        other => panic!("unknown child role {other}"),
    }
}

#[test]
fn killing_a_save_at_random_moments_never_leaves_a_broken_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.json");
    let (old, new) = versions();
    json::save_file(&path, &old).unwrap();
    json::save_file_with_backup(&path, &new).unwrap();
    let mut rng = synth::Rng::new(2026);
    let (mut saw_old, mut saw_new) = (0, 0);
    for round in 0..200 {
        let mut child = spawn("save-loop", &path);
        wait_until_ready(&mut child);
        // The kill lands anywhere from the first write of `old` to several saves into the loop.
        std::thread::sleep(Duration::from_micros(rng.below(100_000) as u64));
        child.kill().unwrap();
        child.wait().unwrap();
        let loaded = json::load_file(&path).unwrap_or_else(|e| panic!("round {round}: {e}"));
        if loaded == old {
            saw_old += 1;
        } else if loaded == new {
            saw_new += 1;
        } else {
            panic!("round {round}: the file is neither version");
        }
        // The backup is always there and whole too: the version replaced last, or the one before.
        let backup = json::load_file(&json::backup_path(&path)).unwrap_or_else(|e| panic!("round {round}: {e}"));
        assert!(backup == old || backup == new, "round {round}: the backup is neither version");
    }
    assert!(saw_old > 0 && saw_new > 0, "kills should land at different points ({saw_old} old, {saw_new} new)");
}

#[test]
fn work_autosaved_before_a_crash_is_offered_back() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = spawn("autosave-then-hang", dir.path());
    let store = RecoveryStore::new(dir.path());
    // The file is written whole under another name and renamed: once it has its own name, it is there
    // whole, however slowly the machine runs the child.
    let autosaved = store.file_for(Some(Path::new("/models/agent.json")));
    let deadline = Instant::now() + Duration::from_mins(1);
    while !autosaved.exists() {
        assert!(Instant::now() < deadline, "the child never autosaved");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(store.pending().0.is_empty(), "the session is still running");
    child.kill().unwrap();
    child.wait().unwrap();
    let (found, broken) = store.pending();
    assert!(broken.is_empty(), "{broken:?}");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].document, versions().1);
    assert_eq!(found[0].source.as_deref(), Some(Path::new("/models/agent.json")));
    store.remove(&found[0]);
    assert!(store.pending().0.is_empty());
}

#[test]
fn a_clean_exit_leaves_nothing_to_recover() {
    let dir = tempfile::tempdir().unwrap();
    let status = spawn("autosave-then-exit-cleanly", dir.path()).wait().unwrap();
    assert!(status.success());
    assert!(RecoveryStore::new(dir.path()).pending().0.is_empty());
}

#[test]
fn saving_over_a_file_keeps_the_version_it_replaces_as_a_backup() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.json");
    let backup = json::backup_path(&path);
    assert_eq!(backup, dir.path().join("model.json.bak"));
    let docs: Vec<Document> = (1..=3).map(|seed| synth::document(10, seed)).collect();
    assert!(!json::save_file_with_backup(&path, &docs[0]).unwrap(), "a new file has nothing to back up");
    assert!(!backup.exists());
    assert!(json::save_file_with_backup(&path, &docs[1]).unwrap());
    assert_eq!(json::load_file(&backup).unwrap(), docs[0]);
    assert_eq!(json::load_file(&path).unwrap(), docs[1]);
    // Saving the same bytes again keeps the backup of the version before them.
    assert!(!json::save_file_with_backup(&path, &docs[1]).unwrap());
    assert_eq!(json::load_file(&backup).unwrap(), docs[0]);
    assert!(json::save_file_with_backup(&path, &docs[2]).unwrap());
    assert_eq!(json::load_file(&backup).unwrap(), docs[1]);
    assert_eq!(json::load_file(&path).unwrap(), docs[2]);
    let mut names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    names.sort();
    assert_eq!(names, ["model.json", "model.json.bak"], "no temporary files are left behind");
}

#[cfg(unix)]
#[test]
fn the_backup_is_the_replaced_file_itself_and_the_new_file_is_separate() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.json");
    json::save_file(&path, &synth::document(5, 1)).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    let before = std::fs::metadata(&path).unwrap().ino();
    json::save_file_with_backup(&path, &synth::document(5, 2)).unwrap();
    let backup = std::fs::metadata(json::backup_path(&path)).unwrap();
    assert_eq!(backup.ino(), before, "the replaced file became the backup");
    assert_eq!(backup.permissions().mode() & 0o777, 0o600, "a private file's backup stays private");
    let now = std::fs::metadata(&path).unwrap();
    assert_ne!(now.ino(), before);
    assert_eq!(now.permissions().mode() & 0o777, 0o600);
}

#[test]
fn a_save_removes_temporary_files_left_by_killed_saves_but_not_young_ones() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.json");
    let make = |name: &str, age: std::time::Duration| {
        let p = dir.path().join(name);
        let f = std::fs::File::create(&p).unwrap();
        f.set_modified(std::time::SystemTime::now() - age).unwrap();
        p
    };
    let hour = std::time::Duration::from_hours(1);
    let stale = make(".threatboard-k1LLed.tmp", hour);
    let stale_backup = make(".threatboard-x7.bak.tmp", hour);
    let young = make(".threatboard-saving.tmp", std::time::Duration::from_secs(5));
    let other = make("notes.tmp", hour);
    json::save_file(&path, &synth::document(5, 1)).unwrap();
    assert!(!stale.exists() && !stale_backup.exists(), "left over from killed saves: removed");
    assert!(young.exists(), "a save in progress elsewhere is left alone");
    assert!(other.exists(), "files that are not ours are left alone");
    assert_eq!(json::load_file(&path).unwrap(), synth::document(5, 1));
}
