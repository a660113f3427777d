//! Locks that let two officers (or two windows) share one cases folder: the operating system's
//! file locks (`flock` on Unix, `LockFileEx` on Windows, honoured over SMB), so a process that
//! dies releases its lock and no stale lock is ever left behind.
//!
//! - The cases root's ledger is locked for each allocate-and-save (see [`crate::ledger`]).
//! - The output folder is locked for a whole build: a second build into it waits.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The lock file of an output folder, and the note saying who holds it.
pub const OUTPUT_LOCK: &str = ".anjuan-build.lock";
pub const OUTPUT_HOLDER: &str = ".anjuan-build.holder";
/// Files of the output folder that belong to the locking, not to the build's outputs.
pub const OUTPUT_FILES: [&str; 2] = [OUTPUT_LOCK, OUTPUT_HOLDER];

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("无法打开锁文件 {}：{}", .0.display(), crate::text::io_error(.1))]
    Open(PathBuf, std::io::Error),
    #[error("无法锁定 {}：{}", .0.display(), crate::text::io_error(.1))]
    Lock(PathBuf, std::io::Error),
    #[error(
        "输出目录 {} 正由另一个 anjuan 生成任务使用（{holder}）。请等它结束后再运行，或去掉 --no-wait 排队等待",
        .dir.display()
    )]
    Busy { dir: PathBuf, holder: String },
}

/// An exclusive lock, released when dropped (or by the OS when the process ends).
#[derive(Debug)]
pub struct FileLock {
    file: File,
}

impl Drop for FileLock {
    fn drop(&mut self) {
        let _ = self.file.unlock();
    }
}

fn open_lock_file(path: &Path) -> Result<File, LockError> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(|e| LockError::Open(path.to_path_buf(), e))
}

/// Takes the lock at once if it is free; None when another process holds it.
fn try_lock(path: &Path) -> Result<Option<FileLock>, LockError> {
    let file = open_lock_file(path)?;
    match file.try_lock() {
        Ok(()) => Ok(Some(FileLock { file })),
        Err(TryLockError::WouldBlock) => Ok(None),
        Err(TryLockError::Error(e)) => Err(LockError::Lock(path.to_path_buf(), e)),
    }
}

fn lock_blocking(path: &Path) -> Result<FileLock, LockError> {
    let file = open_lock_file(path)?;
    file.lock()
        .map_err(|e| LockError::Lock(path.to_path_buf(), e))?;
    Ok(FileLock { file })
}

/// Locks `path`, waiting as long as another process holds it; `on_wait` is called once, before
/// waiting, so the user learns why nothing happens.
pub fn lock_waiting(path: &Path, on_wait: impl FnOnce()) -> Result<FileLock, LockError> {
    if let Some(lock) = try_lock(path)? {
        return Ok(lock);
    }
    on_wait();
    lock_blocking(path)
}

/// Who holds an output folder: written beside its lock by the holder, read by whoever waits.
fn holder_note() -> String {
    let host = hostname();
    let since = chrono::Local::now().format("%Y-%m-%d %H:%M:%S");
    format!("进程 {}，主机 {host}，自 {since} 起", std::process::id())
}

fn hostname() -> String {
    ["HOSTNAME", "COMPUTERNAME"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
        .or_else(|| {
            std::fs::read_to_string("/etc/hostname")
                .ok()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
        })
        .unwrap_or_else(|| "未知".to_string())
}

/// What the holder wrote about itself, or a plain phrase when it cannot be read.
pub fn holder_of(dir: &Path) -> String {
    std::fs::read_to_string(dir.join(OUTPUT_HOLDER))
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "另一个进程".to_string())
}

/// An output folder held by this build; the note about the holder goes with it, so a finished
/// build leaves only the empty lock file (whose time never changes).
#[derive(Debug)]
pub struct OutputLock {
    dir: PathBuf,
    // Dropped after the note is removed (fields drop after `drop` runs).
    _lock: FileLock,
}

impl Drop for OutputLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(self.dir.join(OUTPUT_HOLDER));
    }
}

/// Locks an output folder for a whole build. With `wait`, a second build waits for the first,
/// after `on_wait(holder)` tells the user who holds it; without, it fails at once.
pub fn lock_output(
    dir: &Path,
    wait: bool,
    on_wait: impl FnOnce(&str),
) -> Result<OutputLock, LockError> {
    std::fs::create_dir_all(dir).map_err(|e| LockError::Open(dir.to_path_buf(), e))?;
    let path = dir.join(OUTPUT_LOCK);
    let lock = match try_lock(&path)? {
        Some(lock) => lock,
        None if !wait => {
            return Err(LockError::Busy {
                dir: dir.to_path_buf(),
                holder: holder_of(dir),
            });
        }
        None => {
            on_wait(&holder_of(dir));
            lock_blocking(&path)?
        }
    };
    // The note is only information for a waiting user: failing to write it stops nothing.
    let _ = write_holder(dir);
    Ok(OutputLock {
        dir: dir.to_path_buf(),
        _lock: lock,
    })
}

fn write_holder(dir: &Path) -> std::io::Result<()> {
    let mut f = File::create(dir.join(OUTPUT_HOLDER))?;
    f.write_all(holder_note().as_bytes())?;
    f.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_is_refused_until_the_first_lets_go() {
        let dir = std::env::temp_dir().join(format!("anjuan-lock-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let first = lock_output(&dir, false, |_| {}).unwrap();
        match lock_output(&dir, false, |_| {}) {
            Err(LockError::Busy { holder, .. }) => {
                assert!(holder.contains(&std::process::id().to_string()), "{holder}")
            }
            other => panic!("expected Busy, got {other:?}"),
        }
        drop(first);
        assert!(
            !dir.join(OUTPUT_HOLDER).exists(),
            "the note goes with the lock"
        );
        assert!(lock_output(&dir, false, |_| {}).is_ok());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
