//! Writing output files without losing data: every command that writes files goes through
//! [`Outputs`].
//!
//! - An output may not be one of the command's inputs (the same file after following symbolic
//!   links, or the same inode through a hard link), nor named twice.
//! - Every output is written to a temporary file beside it (`.NAME.tmp-PID-N`, same
//!   directory, so the rename stays on one file system) and renamed over the target only when
//!   the whole command has succeeded ([`Outputs::commit`]); until then the old file is
//!   untouched. A command that fails, or a write that fails (full disk, quota), leaves the
//!   targets as they were and removes its temporary files.
//! - The files are opened when the command starts, so a path that cannot be written (a missing
//!   directory) fails before any work is done.
//! - Replacing an existing file keeps its permissions; a symbolic link is followed and the file
//!   it points to is replaced (the link stays).
//! - An output that exists and is not a regular file (`/dev/stdout`, a pipe) cannot be
//!   replaced: it is written from the temporary file (in the system's temporary directory)
//!   when the command commits, before any file is renamed.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// A file's identity: its canonical path and, on Unix, its device and inode.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Identity {
    canonical: PathBuf,
    inode: Option<(u64, u64)>,
}

impl Identity {
    /// The identity of `path`, which may not exist yet (then its directory is canonicalised).
    fn of(path: &Path) -> Option<Identity> {
        if let Ok(canonical) = std::fs::canonicalize(path) {
            return Some(Identity {
                inode: inode(&canonical),
                canonical,
            });
        }
        let name = path.file_name()?;
        let parent = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        Some(Identity {
            canonical: std::fs::canonicalize(parent).ok()?.join(name),
            inode: None,
        })
    }

    fn same(&self, other: &Identity) -> bool {
        self.canonical == other.canonical || (self.inode.is_some() && self.inode == other.inode)
    }
}

#[cfg(unix)]
fn inode(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt as _;
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

#[cfg(not(unix))]
fn inode(_: &Path) -> Option<(u64, u64)> {
    None
}

/// One output being written: a buffered temporary file beside its target.
pub struct OutputFile {
    /// The path as the user gave it (for messages).
    shown: String,
    /// Where the result goes (symbolic links resolved).
    target: PathBuf,
    /// The temporary file.
    temp: PathBuf,
    writer: Option<BufWriter<File>>,
    /// The target is a device or a pipe: copy into it instead of renaming over it.
    stream: bool,
    /// The first write error, reported by [`Outputs::commit`].
    error: Option<String>,
}

impl OutputFile {
    fn fail(&mut self, e: &std::io::Error) {
        if self.error.is_none() {
            self.error = Some(format!("{}: {e}", self.shown));
        }
    }

    /// Append text; a failure is remembered and reported when the command commits.
    pub fn write_str(&mut self, text: &str) {
        self.write_bytes(text.as_bytes());
    }

    /// Append bytes (as [`write_str`](OutputFile::write_str) does text).
    pub fn write_bytes(&mut self, bytes: &[u8]) {
        if self.error.is_some() {
            return;
        }
        if let Some(w) = &mut self.writer {
            if let Err(e) = w.write_all(bytes) {
                self.fail(&e);
            }
        }
    }

    /// Flush and sync the temporary file: it then holds everything written.
    fn finish(&mut self) -> Result<(), String> {
        if let Some(e) = &self.error {
            return Err(e.clone());
        }
        let Some(writer) = self.writer.take() else {
            return Ok(());
        };
        let file = writer.into_inner().map_err(|e| format!("{}: {}", self.shown, e.error()))?;
        file.sync_all().map_err(|e| format!("{}: {e}", self.shown))?;
        Ok(())
    }
}

impl Drop for OutputFile {
    fn drop(&mut self) {
        // Still here: not committed (committed files are renamed away first).
        let _ = std::fs::remove_file(&self.temp);
    }
}

/// The outputs of one command (see the module docs).
pub struct Outputs {
    inputs: Vec<(String, Identity)>,
    files: Vec<OutputFile>,
}

impl Outputs {
    /// Outputs of a command that reads `inputs` (`-` for standard input is skipped).
    pub fn new<'a>(inputs: impl IntoIterator<Item = &'a Path>) -> Outputs {
        let inputs = inputs
            .into_iter()
            .filter(|p| p.as_os_str() != "-")
            .filter_map(|p| Identity::of(p).map(|id| (p.display().to_string(), id)))
            .collect();
        Outputs { inputs, files: Vec::new() }
    }

    /// Open an output: refuse an input or a path named twice, and create its temporary file.
    /// Returns its index for [`Outputs::file`].
    pub fn create(&mut self, path: &Path) -> Result<usize, String> {
        let shown = path.display().to_string();
        if path.as_os_str().is_empty() || path.file_name().is_none() {
            return Err(format!("{shown:?} is not a file name"));
        }
        if path.is_dir() {
            return Err(format!("{shown}: is a directory, not a file"));
        }
        let id = Identity::of(path).ok_or_else(|| {
            let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
            format!("{shown}: cannot write here: the directory {} does not exist", dir.display())
        })?;
        // Writing into a device or a pipe destroys no file: only files are checked.
        let stream = std::fs::metadata(&id.canonical).is_ok_and(|m| !m.is_file());
        if !stream {
            if let Some((input, _)) = self.inputs.iter().find(|(_, i)| i.same(&id)) {
                return Err(format!(
                    "{shown}: this output is the input {input}; writing it would destroy the input, choose another file"
                ));
            }
            for f in &self.files {
                if Identity::of(&f.target).is_some_and(|other| other.same(&id)) {
                    return Err(format!(
                        "{shown}: named as two outputs ({} too); choose one file per output",
                        f.shown
                    ));
                }
            }
        }
        // A device keeps the name it was given (`/dev/stdout` resolves to a per-process path).
        let target = if stream { path.to_path_buf() } else { id.canonical.clone() };
        let dir = match stream {
            true => std::env::temp_dir(),
            false => target.parent().unwrap_or(Path::new(".")).to_path_buf(),
        };
        let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let (temp, file) = create_temp(&dir, &name).map_err(|e| format!("{shown}: cannot write here: {e}"))?;
        if let (false, Ok(meta)) = (stream, std::fs::metadata(&target)) {
            let _ = std::fs::set_permissions(&temp, meta.permissions());
        }
        self.files.push(OutputFile {
            shown,
            target,
            temp,
            writer: Some(BufWriter::new(file)),
            stream,
            error: None,
        });
        Ok(self.files.len() - 1)
    }

    /// Open an output when a path is given.
    pub fn create_if(&mut self, path: Option<&Path>) -> Result<Option<usize>, String> {
        path.map(|p| self.create(p)).transpose()
    }

    /// The output opened as `index`.
    pub fn file(&mut self, index: usize) -> &mut OutputFile {
        &mut self.files[index]
    }

    /// Write `text` to the output `index`, if one was opened.
    pub fn write_if(&mut self, index: Option<usize>, make: impl FnOnce() -> String) {
        if let Some(i) = index {
            let text = make();
            self.files[i].write_str(&text);
        }
    }

    /// The command succeeded: finish every file, then rename each over its target. If any
    /// file could not be written completely, no target is replaced.
    pub fn commit(mut self) -> Result<(), String> {
        for f in &mut self.files {
            f.finish()?;
        }
        for f in self.files.iter().filter(|f| f.stream) {
            let copy = || -> std::io::Result<()> {
                let mut from = File::open(&f.temp)?;
                let mut to = std::fs::OpenOptions::new().write(true).open(&f.target)?;
                std::io::copy(&mut from, &mut to)?;
                to.flush()
            };
            copy().map_err(|e| format!("{}: {e}", f.shown))?;
        }
        for f in self.files.iter().filter(|f| !f.stream) {
            std::fs::rename(&f.temp, &f.target).map_err(|e| format!("{}: {e}", f.shown))?;
        }
        Ok(())
    }
}

/// Write `text` as the one output `path` of a command that read `inputs`: refused when it is
/// one of them, written through a temporary file.
pub fn write_output<'a>(inputs: impl IntoIterator<Item = &'a Path>, path: &Path, text: &str) -> Result<(), String> {
    let mut outputs = Outputs::new(inputs);
    let i = outputs.create(path)?;
    outputs.file(i).write_str(text);
    outputs.commit()
}

/// Replace `path` with `text` through a temporary file (for `fmt` in place, whose output is
/// its input by design).
pub fn replace_file(path: &Path, text: &str) -> Result<(), String> {
    let mut outputs = Outputs::new([]);
    let i = outputs.create(path)?;
    outputs.file(i).write_str(text);
    outputs.commit()
}

/// Create a new temporary file in `dir` for `name`, never one that exists.
fn create_temp(dir: &Path, name: &str) -> std::io::Result<(PathBuf, File)> {
    use std::sync::atomic::{AtomicU32, Ordering};
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    loop {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let temp = dir.join(format!(".{name}.tmp-{}-{n}", std::process::id()));
        match std::fs::OpenOptions::new().write(true).create_new(true).open(&temp) {
            Ok(f) => return Ok((temp, f)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && n < 1_000_000 => continue,
            Err(e) => return Err(e),
        }
    }
}
