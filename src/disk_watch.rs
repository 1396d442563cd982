//! Noticing when another program changes the open file (a `git pull`, another editor), so the editor
//! can offer to reload it or keep its own version, and never overwrites it silently.
//!
//! [`DiskWatch`] remembers the version of the file the editor last read or wrote, and polls the file
//! at most every [`POLL_EVERY`]: a cheap metadata look (length, modification time, inode) first, and
//! only when that moved, a read and hash of the contents. A file that was touched but holds the same
//! bytes is not a change. No egui here; the editor drives it from its frame loop, woken by a thread
//! that compares [`Stamp`]s, so an idle window draws no frames just to look.

use std::collections::hash_map::DefaultHasher;
use std::hash::Hasher;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use crate::formats::json::MAX_FILE_BYTES;

/// How often the file is looked at.
pub const POLL_EVERY: Duration = Duration::from_secs(1);

/// The contents of the file at one moment, as far as telling versions apart needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    /// There is no file.
    Missing,
    /// The file holds `len` bytes hashing to `hash`.
    Content {
        /// Length in bytes.
        len: u64,
        /// Hash of the bytes (within this process only; never stored).
        hash: u64,
    },
}

/// Whether the file on disk is still the version the editor read or wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// No file is watched, or it holds what the editor last read or wrote (or a version the user
    /// already chose to keep their own over).
    InSync,
    /// Another program wrote a different version.
    Changed,
    /// The file was there and is gone (deleted, moved, or a branch switch removed it).
    Removed,
}

/// Cheap facts that change whenever a file is written: when they stay the same, the bytes are not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    len: u64,
    modified: Option<SystemTime>,
    inode: u64,
}

/// Watches one file for changes made by other programs.
#[derive(Debug, Clone)]
pub struct DiskWatch {
    path: Option<PathBuf>,
    interval: Duration,
    next_poll: Option<Instant>,
    /// The version the editor last read or wrote.
    ours: Version,
    /// The version last seen on disk, and the stamp it was seen with.
    disk: Version,
    stamp: Option<Stamp>,
    /// A disk version the user chose to keep their own over: neither reported nor a save conflict.
    overruled: Option<Version>,
    /// A disk version the user put off deciding about (cancelled a save over it): not reported as a
    /// change again, but saving over it still asks.
    postponed: Option<Version>,
}

impl Default for DiskWatch {
    fn default() -> Self {
        Self::new(POLL_EVERY)
    }
}

impl DiskWatch {
    /// Watches nothing yet; polls at most every `interval` once a file is tracked.
    pub fn new(interval: Duration) -> Self {
        Self {
            path: None,
            interval,
            next_poll: None,
            ours: Version::Missing,
            disk: Version::Missing,
            stamp: None,
            overruled: None,
            postponed: None,
        }
    }

    /// The watched file.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// How often the file is looked at.
    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// Changes how often the file is looked at.
    pub fn set_interval(&mut self, interval: Duration) {
        self.interval = interval;
        self.next_poll = None;
    }

    /// Starts watching `path` (or nothing) as the editor has just read or written it: what is on disk
    /// now is the editor's own version.
    pub fn track(&mut self, path: Option<&Path>) {
        self.path = path.map(Path::to_path_buf);
        self.stamp = None;
        self.overruled = None;
        self.postponed = None;
        self.disk = self.observe();
        self.ours = self.disk;
        self.next_poll = Some(Instant::now() + self.interval);
    }

    /// Looks at the file if the interval has passed since the last look, and says where things stand.
    pub fn poll(&mut self, now: Instant) -> Status {
        if self.path.is_some() && self.next_poll.is_none_or(|t| now >= t) {
            self.next_poll = Some(now + self.interval);
            self.disk = self.observe();
        }
        self.status()
    }

    /// Looks at the file now, whether or not a look is due, and says where things stand.
    pub fn look(&mut self, now: Instant) -> Status {
        self.next_poll = None;
        self.poll(now)
    }

    /// How long until the next look is due (zero if overdue); `None` when no file is watched.
    pub fn due_in(&self, now: Instant) -> Option<Duration> {
        self.path.as_ref()?;
        Some(self.next_poll.map_or(Duration::ZERO, |t| t.saturating_duration_since(now)))
    }

    /// Where things stood at the last look.
    pub fn status(&self) -> Status {
        if Some(self.disk) == self.postponed {
            return Status::InSync;
        }
        self.status_ignoring_postponed()
    }

    fn status_ignoring_postponed(&self) -> Status {
        if self.path.is_none() || self.disk == self.ours || Some(self.disk) == self.overruled {
            Status::InSync
        } else if self.disk == Version::Missing {
            Status::Removed
        } else {
            Status::Changed
        }
    }

    /// The user keeps the editor's version over the one on disk now: it is no longer reported, and
    /// saving over it is no conflict. A later change on disk is reported again.
    pub fn keep_mine(&mut self) {
        self.overruled = Some(self.disk);
    }

    /// Looks at the file now: would saving to `path` overwrite a version the editor has not seen (or
    /// has seen and not been told to overrule)? A missing file or another path is never a conflict.
    pub fn save_conflict(&mut self, path: &Path) -> bool {
        if self.path.as_deref() != Some(path) {
            return false;
        }
        self.disk = self.observe();
        self.status_ignoring_postponed() == Status::Changed
    }

    /// The user put off deciding about the version on disk now: it is not reported as a change again
    /// (a later change is), but saving over it still is a conflict.
    pub fn postpone(&mut self) {
        self.postponed = Some(self.disk);
    }

    /// The version on disk now, reading the bytes only when the metadata moved since the last look.
    /// A file that cannot be looked at counts as the version last seen (nothing is reported for it).
    fn observe(&mut self) -> Version {
        let Some(path) = &self.path else { return Version::Missing };
        let meta = match std::fs::metadata(path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                self.stamp = None;
                return Version::Missing;
            }
            Err(_) => return self.disk,
        };
        let stamp = Stamp::of(&meta);
        if self.stamp == Some(stamp) {
            return self.disk;
        }
        match hash_file(path) {
            Ok(version) => {
                self.stamp = Some(stamp);
                version
            }
            Err(_) => self.disk,
        }
    }
}

impl Stamp {
    fn of(meta: &std::fs::Metadata) -> Self {
        Self { len: meta.len(), modified: meta.modified().ok(), inode: inode(meta) }
    }

    /// The stamp of the file at `path` now; `None` when it cannot be looked at (missing, say).
    /// Comparing two is how a watcher thread can tell, without reading the file, that it is worth a look.
    pub fn read(path: &Path) -> Option<Self> {
        std::fs::metadata(path).ok().map(|m| Self::of(&m))
    }
}

/// Reads and hashes a file (at most [`MAX_FILE_BYTES`] and one byte, which is enough to tell).
fn hash_file(path: &Path) -> std::io::Result<Version> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)?.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes)?;
    let mut hasher = DefaultHasher::new();
    hasher.write(&bytes);
    Ok(Version::Content { len: bytes.len() as u64, hash: hasher.finish() })
}

#[cfg(unix)]
fn inode(meta: &std::fs::Metadata) -> u64 {
    std::os::unix::fs::MetadataExt::ino(meta)
}

#[cfg(not(unix))]
fn inode(_meta: &std::fs::Metadata) -> u64 {
    0
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn watched(text: &str) -> (tempfile::TempDir, PathBuf, DiskWatch) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("model.json");
        std::fs::write(&path, text).unwrap();
        let mut w = DiskWatch::new(Duration::ZERO);
        w.track(Some(&path));
        (dir, path, w)
    }

    #[test]
    fn a_postponed_version_is_not_reported_again_but_still_guards_saves() {
        let (_dir, path, mut w) = watched("one");
        std::fs::write(&path, "two, longer").unwrap();
        assert!(w.save_conflict(&path));
        w.postpone();
        assert_eq!(w.poll(Instant::now()), Status::InSync, "not asked about again");
        assert!(w.save_conflict(&path), "saving over it still asks");
        std::fs::write(&path, "three, longer still").unwrap();
        assert_eq!(w.poll(Instant::now()), Status::Changed, "a newer version is news");
    }

    #[test]
    fn a_file_nobody_touched_is_in_sync() {
        let (_dir, path, mut w) = watched("one");
        assert_eq!(w.poll(Instant::now()), Status::InSync);
        assert!(!w.save_conflict(&path));
    }

    #[test]
    fn another_programs_write_is_a_change_and_a_save_conflict() {
        let (_dir, path, mut w) = watched("one");
        std::fs::write(&path, "two, longer").unwrap();
        assert_eq!(w.poll(Instant::now()), Status::Changed);
        assert!(w.save_conflict(&path));
        assert!(!w.save_conflict(&path.with_file_name("other.json")), "another file is another question");
    }

    #[test]
    fn an_atomic_replace_of_the_same_length_is_a_change() {
        let (dir, path, mut w) = watched("one");
        let tmp = dir.path().join("tmp");
        std::fs::write(&tmp, "two").unwrap();
        std::fs::rename(&tmp, &path).unwrap();
        assert_eq!(w.poll(Instant::now()), Status::Changed);
    }

    #[test]
    fn touching_without_changing_the_bytes_is_no_change() {
        let (_dir, path, mut w) = watched("one");
        let f = std::fs::File::options().write(true).open(&path).unwrap();
        f.set_modified(SystemTime::now() + Duration::from_secs(5)).unwrap();
        assert_eq!(w.poll(Instant::now()), Status::InSync);
    }

    #[test]
    fn the_editors_own_save_is_its_version() {
        let (_dir, path, mut w) = watched("one");
        std::fs::write(&path, "mine, saved").unwrap();
        w.track(Some(&path));
        assert_eq!(w.poll(Instant::now()), Status::InSync);
        assert!(!w.save_conflict(&path));
    }

    #[test]
    fn writing_back_what_the_editor_had_is_in_sync_again() {
        let (_dir, path, mut w) = watched("one");
        std::fs::write(&path, "two").unwrap();
        assert_eq!(w.poll(Instant::now()), Status::Changed);
        std::fs::write(&path, "one").unwrap();
        assert_eq!(w.poll(Instant::now()), Status::InSync);
    }

    #[test]
    fn keeping_mine_silences_that_version_only() {
        let (_dir, path, mut w) = watched("one");
        std::fs::write(&path, "two").unwrap();
        assert_eq!(w.poll(Instant::now()), Status::Changed);
        w.keep_mine();
        assert_eq!(w.poll(Instant::now()), Status::InSync);
        assert!(!w.save_conflict(&path), "the user chose to overwrite that version");
        std::fs::write(&path, "three!").unwrap();
        assert_eq!(w.poll(Instant::now()), Status::Changed, "a newer version is asked about again");
        assert!(w.save_conflict(&path));
    }

    #[test]
    fn a_removed_file_is_reported_but_saving_it_again_is_no_conflict() {
        let (_dir, path, mut w) = watched("one");
        std::fs::remove_file(&path).unwrap();
        assert_eq!(w.poll(Instant::now()), Status::Removed);
        assert!(!w.save_conflict(&path));
    }

    #[test]
    fn a_file_created_where_there_was_none_is_a_change() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new.json");
        let mut w = DiskWatch::new(Duration::ZERO);
        w.track(Some(&path));
        assert_eq!(w.poll(Instant::now()), Status::InSync);
        std::fs::write(&path, "someone else's").unwrap();
        assert_eq!(w.poll(Instant::now()), Status::Changed);
    }

    #[test]
    fn polls_wait_for_the_interval() {
        let (_dir, path, _) = watched("one");
        let mut w = DiskWatch::new(Duration::from_hours(1));
        w.track(Some(&path));
        std::fs::write(&path, "two").unwrap();
        let now = Instant::now();
        assert_eq!(w.poll(now), Status::InSync, "not looked at yet");
        assert!(w.due_in(now).unwrap() > Duration::from_mins(50));
        assert_eq!(w.poll(now + Duration::from_hours(2)), Status::Changed);
        assert_eq!(DiskWatch::default().due_in(now), None, "nothing watched, nothing to wake up for");
    }

    #[test]
    fn nothing_watched_is_always_in_sync() {
        let mut w = DiskWatch::new(Duration::ZERO);
        w.track(None);
        assert_eq!(w.poll(Instant::now()), Status::InSync);
        assert!(!w.save_conflict(Path::new("x.json")));
    }
}
