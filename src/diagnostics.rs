//! The diagnostic log: when the program stops on an internal error (a panic), what an office
//! sends to its delegation so that the maintainers find the line — the message, the version, the
//! build id and the raw return addresses — written to `daftar-diagnostic.log` in the data folder,
//! and the person told in French where it is. The installed program carries no debug
//! information: the addresses are read with its separate debug file, matched by the build id
//! (`addr2line -e daftar.debug ADDRESS`, see `docs/windows.md` and `.ci/package`).

use std::fmt::Write as _;
use std::io::{Read as _, Seek as _, SeekFrom, Write as _};
use std::path::{Path, PathBuf};

/// The log's name in the data folder.
pub const LOG_NAME: &str = "daftar-diagnostic.log";
/// Past this size the log starts again, the previous one kept as `….log.1`.
const LOG_LIMIT: u64 = 1 << 20;

/// From now on, a panic writes its report to the log in `data_dir` and says where, in French
/// (instead of the standard library's English message).
pub fn install_panic_hook(data_dir: &Path) {
    let log = data_dir.join(LOG_NAME);
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "(sans message)".to_owned());
        let place = info.location().map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column())).unwrap_or_default();
        let report = report(&message, &place, &return_addresses());
        match append(&log, &report) {
            Ok(()) => eprintln!(
                "Daftar s'est arrêté sur une erreur interne. Ce qui était enregistré est conservé.\n\
                 Le rapport est écrit dans {} : envoyez ce fichier à votre délégation.",
                log.display()
            ),
            Err(e) => eprintln!(
                "Daftar s'est arrêté sur une erreur interne ; le rapport n'a pas pu être écrit dans {} ({e}). \
                 Le voici, à transmettre à votre délégation :\n{report}",
                log.display()
            ),
        }
    }));
}

/// The report of one stop: when, which build, what and where, and the return addresses.
fn report(message: &str, place: &str, addresses: &[u64]) -> String {
    let thread = std::thread::current().name().unwrap_or("sans nom").to_owned();
    let mut text = format!(
        "=== {} — Daftar {} — build id {}\n\
         Arrêt sur une erreur interne, fil « {thread} » : {message}\n  à {place}\n\
         Adresses de retour (relatives au programme ; à lire avec son fichier de débogage) :\n ",
        chrono::Utc::now().format("%d/%m/%Y %H:%M:%S UTC"),
        crate::VERSION,
        build_id().unwrap_or_else(|| "inconnu".to_owned()),
    );
    for address in addresses {
        let _ = write!(text, " {address:#x}");
    }
    text.push('\n');
    text
}

/// Appends `report` to the log at `path` (its folder made if need be), starting a new log when
/// the current one is past its size.
fn append(path: &Path, report: &str) -> std::io::Result<()> {
    if let Some(folder) = path.parent() {
        std::fs::create_dir_all(folder)?;
    }
    if std::fs::metadata(path).is_ok_and(|m| m.len() > LOG_LIMIT) {
        std::fs::rename(path, path.with_extension("log.1"))?;
    }
    let mut file = std::fs::OpenOptions::new().create(true).append(true).open(path)?;
    file.write_all(report.as_bytes())?;
    file.sync_all()
}

/// The return addresses of the current stack, relative to where the program is loaded (the
/// addresses its debug file speaks of); absolute where that place is unknown.
fn return_addresses() -> Vec<u64> {
    let base = load_address().unwrap_or(0);
    let mut addresses = Vec::new();
    backtrace::trace(|frame| {
        let ip = frame.ip() as u64;
        if ip >= base {
            addresses.push(ip - base);
        }
        addresses.len() < 64
    });
    addresses
}

/// Where the running program's file is mapped from its start (Linux: `/proc/self/maps`).
fn load_address() -> Option<u64> {
    let exe = std::env::current_exe().ok()?;
    let maps = std::fs::read_to_string("/proc/self/maps").ok()?;
    maps.lines().find_map(|line| {
        let mut fields = line.split_whitespace();
        let range = fields.next()?;
        let offset = fields.nth(1)?;
        let path: PathBuf = fields.nth(2)?.into();
        (offset.trim_start_matches('0').is_empty() && path == exe)
            .then(|| u64::from_str_radix(range.split('-').next()?, 16).ok())
            .flatten()
    })
}

/// The running program's GNU build id, in hexadecimal (the name of its debug file).
pub fn build_id() -> Option<String> {
    elf_build_id(&std::env::current_exe().ok()?)
}

/// The GNU build id written by the linker in the ELF file at `path` (64 bits, little-endian):
/// the `NT_GNU_BUILD_ID` note of a `PT_NOTE` segment.
pub fn elf_build_id(path: &Path) -> Option<String> {
    const PT_NOTE: u32 = 4;
    const NT_GNU_BUILD_ID: u32 = 3;
    let mut file = std::fs::File::open(path).ok()?;
    let mut header = [0u8; 64];
    file.read_exact(&mut header).ok()?;
    if header[..4] != *b"\x7fELF" || header[4] != 2 || header[5] != 1 {
        return None;
    }
    let u16_at = |b: &[u8], at: usize| Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?));
    let u32_at = |b: &[u8], at: usize| Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?));
    let u64_at = |b: &[u8], at: usize| Some(u64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?));
    let (table, entry, count) = (u64_at(&header, 0x20)?, u16_at(&header, 0x36)?, u16_at(&header, 0x38)?);
    let mut headers = vec![0u8; usize::from(entry) * usize::from(count)];
    file.seek(SeekFrom::Start(table)).ok()?;
    file.read_exact(&mut headers).ok()?;
    for program in headers.chunks(usize::from(entry)) {
        if u32_at(program, 0)? != PT_NOTE {
            continue;
        }
        let (offset, size) = (u64_at(program, 8)?, u64_at(program, 32)?);
        let mut notes = vec![0u8; usize::try_from(size.min(1 << 16)).ok()?];
        file.seek(SeekFrom::Start(offset)).ok()?;
        file.read_exact(&mut notes).ok()?;
        let mut at = 0;
        while at + 12 <= notes.len() {
            let (name_size, desc_size, kind) =
                (u32_at(&notes, at)? as usize, u32_at(&notes, at + 4)? as usize, u32_at(&notes, at + 8)?);
            let name = at + 12;
            let desc = name + name_size.div_ceil(4) * 4;
            if kind == NT_GNU_BUILD_ID && notes.get(name..name + name_size)? == b"GNU\0" {
                return Some(hex::encode(notes.get(desc..desc + desc_size)?));
            }
            at = desc + desc_size.div_ceil(4) * 4;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_names_the_build_the_place_and_the_addresses() {
        let text = report("index hors limites", "src/app/mod.rs:10:5", &[0x1234, 0xabcd]);
        assert!(text.contains(crate::VERSION) && text.contains("src/app/mod.rs:10:5"), "{text}");
        assert!(text.contains("index hors limites") && text.contains("0x1234 0xabcd"), "{text}");
    }

    #[test]
    fn the_test_binary_has_a_build_id_and_a_place_in_memory() {
        // The linker of this machine writes a build id; another platform's may not.
        if cfg!(target_os = "linux") {
            let id = build_id().unwrap_or_default();
            assert!(id.len() >= 16 && id.chars().all(|c| c.is_ascii_hexdigit()), "build id « {id} »");
            assert!(load_address().is_some());
            assert!(!return_addresses().is_empty());
        }
    }

    #[test]
    fn the_log_starts_again_past_its_size() {
        let folder = std::env::temp_dir().join(format!("daftar-diag-{}", std::process::id()));
        let log = folder.join(LOG_NAME);
        let _ = std::fs::remove_dir_all(&folder);
        assert!(append(&log, &"x".repeat(LOG_LIMIT as usize + 1)).is_ok());
        assert!(append(&log, "second\n").is_ok());
        assert!(append(&log, "third\n").is_ok());
        assert_eq!(std::fs::read_to_string(&log).unwrap_or_default(), "second\nthird\n");
        assert!(log.with_extension("log.1").exists());
        let _ = std::fs::remove_dir_all(&folder);
    }
}
