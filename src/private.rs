//! Local files that hold data or secrets (backups, support bundles): private to the user
//! (files 0600, the folders skyflo creates 0700), always created new (never truncating what
//! exists, never following a symlink planted at the name), written under a temporary name that
//! is unique per run and moved into place only when complete.

use std::fs::{DirBuilder, File, OpenOptions};
use std::io;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

/// Refuses an existing `path` (a file or a symlink) unless `overwrite` (`--force`).
pub fn refuse_existing(path: &Path, overwrite: bool) -> Result<(), String> {
    if overwrite || std::fs::symlink_metadata(path).is_err() {
        return Ok(());
    }
    Err(format!(
        "{} exists; pass --force to replace it, or choose another --output-file",
        path.display()
    ))
}

/// Creates `dir` and its missing parents, each new one 0700 (existing ones keep their mode).
pub fn create_dir(dir: &Path) -> io::Result<()> {
    DirBuilder::new().recursive(true).mode(0o700).create(dir)
}

/// Creates `path` as a new 0600 file: an existing file or symlink at the name is an error.
pub fn create_new(path: &Path) -> io::Result<File> {
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
}

/// `FILE.<pid>.partial` beside `path`: two runs never share one, and retention can tell a
/// leftover of a process that is gone ([`is_stale_partial`]).
pub fn partial_name(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".{}.partial", std::process::id()));
    path.with_file_name(name)
}

/// A partial file that is removed when this is dropped before [`Partial::finish`]: on every
/// failure, and when the future writing it is dropped (a signal ends the operation).
pub struct Partial {
    path: PathBuf,
    placed: bool,
}

impl Partial {
    /// Creates the private partial file for `path` ([`partial_name`]).
    pub fn create(path: &Path) -> io::Result<(Partial, File)> {
        let partial = partial_name(path);
        let file = create_new(&partial)?;
        Ok((
            Partial {
                path: partial,
                placed: false,
            },
            file,
        ))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Moves the complete file to `path` ([`finish`]); on error the partial is removed.
    pub fn finish(mut self, path: &Path, overwrite: bool) -> io::Result<()> {
        finish(&self.path, path, overwrite)?;
        self.placed = true;
        Ok(())
    }
}

impl Drop for Partial {
    fn drop(&mut self) {
        if !self.placed {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// A `….<pid>.partial` of a process on this machine that no longer runs.
pub fn is_stale_partial(path: &Path) -> bool {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let Some(rest) = name.strip_suffix(".partial") else {
        return false;
    };
    let Some(pid) = rest.rsplit('.').next().and_then(|p| p.parse::<u32>().ok()) else {
        return false;
    };
    pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists()
}

/// Moves a complete `partial` to `path`. Without `overwrite` an existing `path` is an error
/// (a hard link never replaces a name), and the partial stays for the caller to remove.
pub fn finish(partial: &Path, path: &Path, overwrite: bool) -> io::Result<()> {
    if overwrite {
        return std::fs::rename(partial, path);
    }
    std::fs::hard_link(partial, path)?;
    std::fs::remove_file(partial)
}

/// Writes `bytes` to `path` through a private partial file, as [`finish`] places it.
pub fn write(path: &Path, bytes: &[u8], overwrite: bool) -> io::Result<()> {
    use std::io::Write;
    let (partial, mut f) = Partial::create(path)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    partial.finish(path, overwrite)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn files_are_private_new_and_never_follow_a_symlink() {
        let dir = std::env::temp_dir().join(format!("skyflo-private-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        create_dir(&dir.join("a/b")).unwrap();
        assert_eq!(mode(&dir.join("a")), 0o700);
        assert_eq!(mode(&dir.join("a/b")), 0o700);
        let file = dir.join("a/b/x.dump");
        write(&file, b"data", false).unwrap();
        assert_eq!(mode(&file), 0o600);
        assert!(
            write(&file, b"other", false).is_err(),
            "no silent overwrite"
        );
        assert_eq!(std::fs::read(&file).unwrap(), b"data");
        write(&file, b"other", true).unwrap();
        assert_eq!(std::fs::read(&file).unwrap(), b"other");
        let target = dir.join("target");
        std::fs::write(&target, b"keep").unwrap();
        let link = dir.join("link");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        assert!(create_new(&link).is_err(), "a planted symlink is refused");
        assert_eq!(std::fs::read(&target).unwrap(), b"keep");
        let leftovers: Vec<_> = std::fs::read_dir(dir.join("a/b"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(leftovers.len(), 1, "no partial left: {leftovers:?}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn partials_are_unique_per_process_and_stale_once_it_is_gone() {
        let p = partial_name(Path::new("/b/x.dump"));
        assert_eq!(
            p,
            PathBuf::from(format!("/b/x.dump.{}.partial", std::process::id()))
        );
        assert!(!is_stale_partial(&p), "ours is not stale");
        // Linux pids stay below 2^22.
        assert!(is_stale_partial(Path::new("/b/x.dump.99999999.partial")));
        assert!(!is_stale_partial(Path::new("/b/x.dump")));
    }
}
