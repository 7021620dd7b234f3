//! Files on a USB stick: written so that a torn copy is detectable and never replaces anything.

use std::io::{Read as _, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest as _, Sha256};

use super::refuse;
use crate::app::{AppError, io_error};

/// Writes `bytes` as `dir/name` the way a USB stick needs (see [`write_stream_to_stick`]).
pub fn write_to_stick(dir: &Path, name: &str, bytes: &[u8], journal: Option<&Path>) -> Result<PathBuf, AppError> {
    write_stream_to_stick(dir, name, journal, |out| out.write_all(bytes).map_err(|e| io_error(&e)), &mut |_, _| {})
}

/// A writer that counts and hashes what passes through it.
struct Hashing<W> {
    inner: W,
    hash: Sha256,
    len: u64,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        self.len += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// The size of the pieces files are read and written in: memory stays bounded whatever the size.
pub const CHUNK: usize = 1 << 20;

/// Writes what `produce` writes as `dir/name` the way a USB stick needs: never over an existing
/// file, through `name.partial`, flushed, renamed, flushed, then read back piece by piece and
/// compared (`read_back(done, total)` follows it). The `.partial` is noted first in `journal`
/// (next to the database), so that the next start removes it if a kill leaves it
/// (`crate::app::leftovers`); an error removes it at once. Memory stays bounded by [`CHUNK`].
pub fn write_stream_to_stick(
    dir: &Path,
    name: &str,
    journal: Option<&Path>,
    produce: impl FnOnce(&mut dyn Write) -> Result<(), AppError>,
    read_back: &mut dyn FnMut(u64, u64),
) -> Result<PathBuf, AppError> {
    let failed = |e: std::io::Error| {
        AppError::Rule(format!("Écriture impossible dans {} : {}.", printable(dir), crate::app::io_message(&e)))
    };
    std::fs::create_dir_all(dir).map_err(failed)?;
    let path = dir.join(name);
    if path.exists() {
        return Err(AppError::Rule(format!("{} existe déjà sur la clé : rien n'a été remplacé.", path.display())));
    }
    let partial = dir.join(format!("{name}.partial"));
    // Claimed while it is written (a start of the program beside this one leaves it alone), and
    // noted, so that the next start removes it if a kill leaves it.
    let claim = crate::app::leftovers::Claim::new(&partial).map_err(failed)?;
    if let Some(journal) = journal {
        crate::app::leftovers::note(journal, &partial).map_err(|e| io_error(&e))?;
    }
    let forget = || {
        let _ = std::fs::remove_file(&partial);
        if let Some(journal) = journal {
            crate::app::leftovers::done(journal, &partial);
        }
    };
    let written = (|| -> Result<(u64, [u8; 32]), AppError> {
        let file = std::fs::OpenOptions::new().write(true).create_new(true).open(&partial).map_err(failed)?;
        let mut out = Hashing { inner: std::io::BufWriter::with_capacity(CHUNK, file), hash: Sha256::new(), len: 0 };
        produce(&mut out)?;
        out.flush().map_err(failed)?;
        crate::crash_points::reached();
        out.inner.get_ref().sync_all().map_err(failed)?;
        crate::crash_points::reached();
        Ok((out.len, out.hash.finalize().into()))
    })();
    let (len, hash) = match written {
        Ok(done) => done,
        Err(e) => {
            forget();
            return Err(e);
        }
    };
    std::fs::rename(&partial, &path).map_err(|e| {
        forget();
        failed(e)
    })?;
    if let Some(journal) = journal {
        crate::app::leftovers::done(journal, &partial);
    }
    drop(claim);
    crate::crash_points::reached();
    // The rename itself must reach the disk (not possible to open a directory on Windows).
    if let Ok(folder) = std::fs::File::open(dir) {
        let _ = folder.sync_all();
    }
    crate::crash_points::reached();
    let mut back = Sha256::new();
    let mut file = std::fs::File::open(&path).map_err(failed)?;
    let mut buffer = vec![0u8; CHUNK];
    let mut done = 0u64;
    loop {
        let n = file.read(&mut buffer).map_err(failed)?;
        if n == 0 {
            break;
        }
        back.update(&buffer[..n]);
        done += n as u64;
        read_back(done, len);
    }
    if done != len || <[u8; 32]>::from(back.finalize()) != hash {
        // Not left under its name: it would pass for a good copy.
        let _ = std::fs::remove_file(&path);
        return Err(AppError::Rule(format!(
            "La relecture de {} ne correspond pas à ce qui a été écrit : le fichier est retiré ; la clé USB (ou le disque) est défectueuse, utilisez-en une autre.",
            path.display()
        )));
    }
    Ok(path)
}

/// A path as it is printed: control and writing-direction characters shown as `\u{…}`, so that a
/// file name holding a line break cannot print a line of its own.
pub fn printable(path: &Path) -> String {
    escaped(&path.display().to_string())
}

/// Text read from a file, as it is printed (see [`printable`]).
pub(super) fn escaped(text: &str) -> String {
    text.chars()
        .map(|c| {
            if crate::domain::text::is_forbidden(c) || c == '\n' {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// An entry of a folder that is not read, and why.
pub(super) struct Skipped {
    /// The entry, printable.
    pub name: String,
    /// Why, in French.
    pub why: String,
}

/// The bundle files a path given to an import names: itself, or a folder's `.daftar` files in
/// name order. Entries that are not regular files — a pipe, a device, a link leaving the folder —
/// are skipped, with why.
pub(super) fn bundle_files(path: &Path) -> Result<(Vec<PathBuf>, Vec<Skipped>, bool), AppError> {
    let unreadable = |e: std::io::Error| {
        AppError::Rule(format!("Lecture de {} impossible : {}.", printable(path), crate::app::io_message(&e)))
    };
    if !path.is_dir() {
        return Ok((vec![path.to_path_buf()], vec![], false));
    }
    let folder = path.canonicalize().map_err(unreadable)?;
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    for entry in std::fs::read_dir(path).map_err(unreadable)?.flatten() {
        let file = entry.path();
        if file.extension().is_none_or(|e| e != "daftar") {
            continue;
        }
        let why = match std::fs::symlink_metadata(&file) {
            Err(e) => Some(format!("illisible ({e})")),
            Ok(meta) if meta.file_type().is_symlink() => match file.canonicalize() {
                Ok(target) if !target.starts_with(&folder) => Some("lien vers un fichier hors du dossier".to_owned()),
                Ok(target) if !target.is_file() => Some("lien vers autre chose qu'un fichier".to_owned()),
                Ok(_) => None,
                Err(_) => Some("lien brisé".to_owned()),
            },
            Ok(meta) if !meta.is_file() => Some("ce n'est pas un fichier ordinaire".to_owned()),
            Ok(_) => None,
        };
        match why {
            Some(why) => skipped.push(Skipped { name: printable(&file), why: format!("ignoré : {why}") }),
            None => files.push(file),
        }
    }
    files.sort();
    Ok((files, skipped, true))
}

/// Reads a bundle file: a regular file, refused unread when its size passes what a bundle can
/// be, read no further than that.
pub(super) fn read_bundle(path: &Path) -> Result<Vec<u8>, AppError> {
    let failed = |e: std::io::Error| AppError::Rule(format!("Lecture impossible : {}.", crate::app::io_message(&e)));
    let meta = std::fs::metadata(path).map_err(failed)?;
    if !meta.is_file() {
        return Err(AppError::Rule("Ce n'est pas un fichier ordinaire : rien n'a été lu.".into()));
    }
    let cap = crate::sync::envelope::MAX_FILE;
    if meta.len() > cap {
        return Err(refuse(format!(
            "Paquet refusé sans être lu : {} octets, plus qu'un paquet ne peut en compter ({cap}).",
            meta.len()
        )));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    std::fs::File::open(path).and_then(|f| f.take(cap + 1).read_to_end(&mut bytes)).map_err(failed)?;
    if bytes.len() as u64 > cap {
        return Err(refuse(format!("Paquet refusé : il grandit pendant sa lecture au-delà de {cap} octets.")));
    }
    Ok(bytes)
}
