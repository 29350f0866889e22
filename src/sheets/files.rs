//! Writing a file the user named (输出文件): exports, templates, reports, backups, the
//! dashboard's printable record.
//!
//! Three rules, for every such file:
//!
//! - An existing file is never overwritten unless the user asked for it (`--force`,
//!   [`Overwrite::Replace`]); without it the command refuses, naming the file.
//! - The file is never written through a symbolic link or half-written: the content goes to a
//!   new temporary file beside the target (same directory, so same file system), created
//!   exclusively, and is then renamed into place. A rename replaces a symlink itself, never the
//!   file it points to; without `--force`, a hard link takes the place of the rename, and it
//!   fails if anything (even a dangling symlink) has the name.
//! - A file with confidential content is created owner-only (0600, [`Access::Private`]);
//!   only what is meant for the public (the publicity list, an empty template) is created
//!   readable by others ([`Access::Public`], 0644 less the umask).

use std::fs::File;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use super::SheetError;

/// Whether an existing file may be replaced (`--force`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Overwrite {
    /// Refuse when anything has the name (the default).
    #[default]
    Refuse,
    /// Replace what has the name (a symlink is replaced, its target left alone).
    Replace,
}

impl Overwrite {
    /// [`Overwrite::Replace`] when `--force` was given.
    pub fn from_force(force: bool) -> Overwrite {
        if force {
            Overwrite::Replace
        } else {
            Overwrite::Refuse
        }
    }
}

/// Who may read the file written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Owner only (0600): backups, registry exports, draw records, results before
    /// publication, reports.
    Private,
    /// Readable by all (0644 less the umask): the publicity list, templates.
    Public,
}

impl Access {
    fn mode(self) -> u32 {
        match self {
            Access::Private => 0o600,
            Access::Public => 0o644,
        }
    }
}

/// Refuses a target that cannot be written as asked: an existing name without `--force`,
/// a directory in any case. Called before any work, so that nothing is done in vain; the
/// final placing checks again.
pub fn check_target(path: &Path, overwrite: Overwrite) -> Result<(), SheetError> {
    if path.as_os_str().is_empty() || path.file_name().is_none() {
        return Err(SheetError::Io(format!("“{}”不是文件名", path.display())));
    }
    match std::fs::symlink_metadata(path) {
        Err(_) => Ok(()),
        Ok(meta) if meta.is_dir() => Err(SheetError::io(
            path,
            std::io::ErrorKind::IsADirectory.into(),
        )),
        Ok(_) if overwrite == Overwrite::Refuse => Err(SheetError::Exists(path.to_path_buf())),
        Ok(_) => Ok(()),
    }
}

/// The directory a file is in (`.` for a bare file name).
fn dir_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// A new file written beside its target, not yet in place; removed when dropped unless
/// [`Staged::place`]d.
#[derive(Debug)]
pub struct Staged {
    tmp: PathBuf,
    target: PathBuf,
    overwrite: Overwrite,
    placed: bool,
}

impl Staged {
    /// Creates a new hidden file beside `target` (created exclusively, with `access`'s
    /// mode), writes it with `write` and syncs it. Refuses at once what
    /// [`check_target`] refuses.
    pub fn write(
        target: &Path,
        overwrite: Overwrite,
        access: Access,
        write: impl FnOnce(&mut File) -> std::io::Result<()>,
    ) -> Result<Staged, SheetError> {
        check_target(target, overwrite)?;
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let dir = dir_of(target);
        let mut last = None;
        for _ in 0..8 {
            let tmp = dir.join(format!(
                ".{name}.{}-{:012x}.tmp",
                std::process::id(),
                rand::random::<u64>() >> 16
            ));
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(access.mode())
                .open(&tmp)
            {
                Ok(mut file) => {
                    let staged = Staged {
                        tmp,
                        target: target.to_path_buf(),
                        overwrite,
                        placed: false,
                    };
                    write(&mut file)
                        .and_then(|()| file.flush())
                        .and_then(|()| file.sync_all())
                        .map_err(|e| SheetError::io(target, e))?;
                    return Ok(staged);
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = Some(e),
                Err(e) => return Err(SheetError::io(target, e)),
            }
        }
        let e = last.unwrap_or_else(|| std::io::ErrorKind::AlreadyExists.into());
        Err(SheetError::io(target, e))
    }

    /// [`Staged::write`] of bytes.
    pub fn bytes(
        target: &Path,
        overwrite: Overwrite,
        access: Access,
        bytes: &[u8],
    ) -> Result<Staged, SheetError> {
        Staged::write(target, overwrite, access, |f| f.write_all(bytes))
    }

    /// The temporary file.
    pub fn path(&self) -> &Path {
        &self.tmp
    }

    /// Puts the file in place: renamed over the target with `--force`, else linked to the
    /// target's name, which fails if anything has it by now. On failure the temporary file
    /// is removed.
    pub fn place(mut self) -> Result<(), SheetError> {
        self.put()
    }

    /// [`Staged::place`], keeping the temporary file on failure (when what it holds has been
    /// recorded already): the error comes with its path.
    pub fn place_or_keep(mut self) -> Result<(), (SheetError, PathBuf)> {
        self.put().map_err(|e| {
            self.placed = true;
            (e, self.tmp.clone())
        })
    }

    fn put(&mut self) -> Result<(), SheetError> {
        let target = self.target.clone();
        match self.overwrite {
            Overwrite::Replace => {
                std::fs::rename(&self.tmp, &target).map_err(|e| SheetError::io(&target, e))?;
            }
            Overwrite::Refuse => match std::fs::hard_link(&self.tmp, &target) {
                Ok(()) => {
                    let _ = std::fs::remove_file(&self.tmp);
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    return Err(SheetError::Exists(target));
                }
                // A file system without hard links: rename, having checked just before
                // (the window between the two is all that is left of the race).
                Err(_) if std::fs::symlink_metadata(&target).is_err() => {
                    std::fs::rename(&self.tmp, &target).map_err(|e| SheetError::io(&target, e))?;
                }
                Err(_) => return Err(SheetError::Exists(target)),
            },
        }
        self.placed = true;
        Ok(())
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.placed {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// Writes `bytes` to `path` by the rules of this module.
pub fn write_file(
    path: &Path,
    bytes: &[u8],
    overwrite: Overwrite,
    access: Access,
) -> Result<(), SheetError> {
    Staged::bytes(path, overwrite, access, bytes)?.place()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    fn leftovers(dir: &Path) -> Vec<String> {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".tmp"))
            .collect()
    }

    #[test]
    fn an_existing_file_is_kept_without_force_and_replaced_with_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.csv");
        write_file(&path, b"one", Overwrite::Refuse, Access::Private).unwrap();
        assert_eq!(mode(&path), 0o600);
        let err = write_file(&path, b"two", Overwrite::Refuse, Access::Private).unwrap_err();
        assert!(matches!(&err, SheetError::Exists(p) if p == &path), "{err}");
        assert!(err.to_string().contains("--force"), "{err}");
        assert_eq!(std::fs::read(&path).unwrap(), b"one");
        write_file(&path, b"two", Overwrite::Replace, Access::Private).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        assert!(leftovers(dir.path()).is_empty());
    }

    #[test]
    fn a_symlink_is_replaced_never_followed() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim.db");
        std::fs::write(&victim, b"precious").unwrap();
        let trap = dir.path().join("trap.csv");
        std::os::unix::fs::symlink(&victim, &trap).unwrap();
        let err = write_file(&trap, b"x", Overwrite::Refuse, Access::Public).unwrap_err();
        assert!(matches!(err, SheetError::Exists(_)), "{err}");
        write_file(&trap, b"x", Overwrite::Replace, Access::Public).unwrap();
        assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
        assert!(!std::fs::symlink_metadata(&trap).unwrap().is_symlink());
        assert_eq!(std::fs::read(&trap).unwrap(), b"x");
        // A dangling link is a name taken too.
        let dangling = dir.path().join("dangling.csv");
        std::os::unix::fs::symlink(dir.path().join("nowhere"), &dangling).unwrap();
        assert!(write_file(&dangling, b"x", Overwrite::Refuse, Access::Public).is_err());
        assert!(!dir.path().join("nowhere").exists());
    }

    #[test]
    fn a_staged_file_dropped_leaves_nothing_and_a_directory_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.md");
        let staged = Staged::bytes(&path, Overwrite::Refuse, Access::Private, b"x").unwrap();
        assert!(staged.path().exists());
        drop(staged);
        assert!(!path.exists());
        assert!(leftovers(dir.path()).is_empty());
        let err = write_file(dir.path(), b"x", Overwrite::Replace, Access::Private).unwrap_err();
        assert!(matches!(err, SheetError::Io(_)), "{err}");
    }
}
