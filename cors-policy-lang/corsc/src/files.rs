//! Reading and writing files, stdout and stderr, and the failures that end
//! a command.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// A failure that ends the command: the message and the exit code.
pub(crate) struct Failure {
    pub(crate) message: String,
    pub(crate) code: u8,
}

impl Failure {
    /// Bad input that the user must fix (exit 1).
    pub(crate) fn invalid(message: String) -> Self {
        Failure { message, code: 1 }
    }

    /// A usage error or an I/O failure (exit 2).
    pub(crate) fn usage(message: String) -> Self {
        Failure { message, code: 2 }
    }

    /// Failing to `action` (read, write) `path` (exit 2).
    pub(crate) fn io(path: &Path, action: &str, error: &io::Error) -> Self {
        Self::usage(format!(
            "cannot {action} {}: {}",
            path.display(),
            io_reason(error)
        ))
    }
}

fn io_reason(error: &io::Error) -> String {
    match error.kind() {
        io::ErrorKind::NotFound => "no such file or directory".to_string(),
        io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        io::ErrorKind::IsADirectory => "is a directory".to_string(),
        _ => error.to_string(),
    }
}

/// Writes to stderr, ignoring failure: with stderr closed there is no one
/// to tell, and `eprintln!` would panic instead.
pub(crate) fn report(text: &str) {
    let _ = io::stderr().lock().write_all(text.as_bytes());
}

/// The most a policy file or table may hold: far above any real policy
/// (100,000 origins take about 3 MiB), so that `/dev/zero` or a runaway
/// file is refused instead of filling memory.
pub(crate) const MAX_INPUT_BYTES: u64 = 64 << 20;

/// The bytes of `path`, at most [`MAX_INPUT_BYTES`]; failing to read it
/// ends the command (exit 2).
pub(crate) fn read(path: &Path) -> Result<Vec<u8>, Failure> {
    use std::io::Read as _;
    let file = fs::File::open(path).map_err(|error| Failure::io(path, "read", &error))?;
    let mut bytes = Vec::new();
    file.take(MAX_INPUT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|error| Failure::io(path, "read", &error))?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(Failure::invalid(format!(
            "{}: larger than {} MiB; not a policy file",
            display_name(path),
            MAX_INPUT_BYTES >> 20
        )));
    }
    Ok(bytes)
}

/// `bytes` read from `path` as source text; not UTF-8 is bad input
/// (exit 1).
pub(crate) fn as_source<'a>(path: &Path, bytes: &'a [u8]) -> Result<&'a str, Failure> {
    std::str::from_utf8(bytes).map_err(|error| {
        Failure::invalid(format!(
            "{}: not valid UTF-8 (invalid byte at offset {})",
            path.display(),
            error.valid_up_to()
        ))
    })
}

/// How `path` is named in messages.
pub(crate) fn display_name(path: &Path) -> String {
    path.display().to_string()
}

/// Whether `a` and `b` name the same existing file.
pub(crate) fn same_file(a: &Path, b: &Path) -> bool {
    match (fs::canonicalize(a), fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Writes `bytes` to a new, uniquely named file beside `target`, flushes it
/// to disk and renames it over `target`: readers see the old table or the
/// new one, never a truncated one, even after a crash.
pub(crate) fn write_atomically(target: &Path, bytes: &[u8]) -> io::Result<()> {
    write_atomically_with(target, bytes, None)
}

/// Replaces the existing file `path` with `bytes` as [`write_atomically`]
/// does, keeping its permissions, and through a symlink rewrites the file
/// it points to (a rename would replace the link itself).
pub(crate) fn rewrite_in_place(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let target = fs::canonicalize(path)?;
    let permissions = fs::metadata(&target)?.permissions();
    write_atomically_with(&target, bytes, Some(permissions))
}

/// [`write_atomically`], giving the new file `permissions` when set.
fn write_atomically_with(
    target: &Path,
    bytes: &[u8],
    permissions: Option<fs::Permissions>,
) -> io::Result<()> {
    let directory = match target.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = target
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a file name"))?
        .to_string_lossy()
        .into_owned();
    let mut attempt = 0u32;
    let (temporary, mut file) = loop {
        let candidate = directory.join(format!(".{name}.{}.{attempt}.tmp", std::process::id()));
        // `create_new` never follows or reuses an existing file or symlink.
        match fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&candidate)
        {
            Ok(file) => break (candidate, file),
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists && attempt < 100 => {
                attempt += 1;
            }
            Err(error) => return Err(error),
        }
    };
    let written = permissions
        .map_or(Ok(()), |permissions| file.set_permissions(permissions))
        .and_then(|()| file.write_all(bytes))
        .and_then(|()| file.sync_all())
        .and_then(|()| fs::rename(&temporary, target));
    if let Err(error) = written {
        let _ = fs::remove_file(&temporary);
        return Err(error);
    }
    // Best effort: makes the rename itself durable where directories can be synced.
    if let Ok(dir) = fs::File::open(&directory) {
        let _ = dir.sync_all();
    }
    Ok(())
}

/// Standard input, at most [`MAX_INPUT_BYTES`]; failing to read it ends
/// the command (exit 2).
pub(crate) fn read_stdin() -> Result<Vec<u8>, Failure> {
    use std::io::Read as _;
    let mut bytes = Vec::new();
    io::stdin()
        .lock()
        .take(MAX_INPUT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|error| Failure::usage(format!("cannot read standard input: {error}")))?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(Failure::invalid(format!(
            "standard input: larger than {} MiB; not a policy file",
            MAX_INPUT_BYTES >> 20
        )));
    }
    Ok(bytes)
}

/// Writes `bytes` to stdout. A closed pipe (`corsc ... | head`) is not a
/// failure: the reader has what it wanted.
pub(crate) fn write_stdout(bytes: &[u8]) -> Result<(), Failure> {
    let mut stdout = io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Err(error) if error.kind() != io::ErrorKind::BrokenPipe => {
            Err(Failure::usage(format!("cannot write output: {error}")))
        }
        _ => Ok(()),
    }
}
