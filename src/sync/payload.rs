//! The payload inside the encryption: zstd-compressed NDJSON, one JSON object per line — a
//! manifest that repeats the header, the records, an acknowledgement (replies), an end line that
//! counts what came before it. Decompression stops at a cap: a bomb is refused, not unpacked.

use std::io::{BufRead as _, Read as _, Write as _};

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use uuid::Uuid;

use super::envelope::{Header, Kind};

/// The payload format written here.
pub const FORMAT: &str = "daftar-sync/1";
/// The most a payload may decompress to.
pub const MAX_PLAIN: u64 = 2 << 30;
/// The longest line accepted (one record).
pub const MAX_LINE: usize = 1 << 20;

/// The first line: the header again, inside the encryption.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// [`FORMAT`].
    pub format: String,
    /// Changes or reply.
    pub kind: Kind,
    /// Sender's code.
    pub sender: String,
    /// Recipient's code.
    pub recipient: String,
    /// Sequence number.
    pub sequence: u64,
    /// Range of change numbers: (from, to].
    pub from_change: i64,
    /// See `from_change`.
    pub to_change: i64,
    /// Sender's schema version.
    pub schema: i64,
    /// The head of the sender's audit chain when it wrote the bundle: (seq, hash hex).
    pub audit_head: (i64, String),
}

impl Manifest {
    /// Whether the manifest repeats `header`.
    pub fn repeats(&self, header: &Header) -> bool {
        self.kind == header.kind
            && self.sender == header.sender
            && self.recipient == header.recipient
            && self.sequence == header.sequence
            && self.from_change == header.from_change
            && self.to_change == header.to_change
            && self.schema == header.schema
    }
}

/// A business row as it travels: its bookkeeping and its content.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WireRecord {
    /// Table name (`applicants`, …).
    pub table: String,
    /// Row id.
    pub id: Uuid,
    /// The site that owns it.
    pub owner: String,
    /// Its version.
    pub version: i64,
    /// Created at (RFC 3339).
    pub created_at: String,
    /// Last written at.
    pub updated_at: String,
    /// Tombstone date.
    pub deleted_at: Option<String>,
    /// Tombstone reason.
    pub delete_reason: Option<String>,
    /// The row's content, as the domain serialises it.
    pub data: Box<RawValue>,
}

/// What a parent's reply acknowledges: every change of the child up to `watermark` is applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ack {
    /// The highest change number of the child the parent holds.
    pub watermark: i64,
    /// The highest sequence number of the child's bundles the parent has read (a restored
    /// child numbers its next bundle above it).
    #[serde(default)]
    pub last_sequence: u64,
}

/// A site's public identity as it travels: in a reply, the parent's keyring (the sites it
/// knows, so certificates verify anywhere in the tree); in changes sent up, the sites of the
/// sender's subtree (so the level above accepts their rows).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnownSite {
    /// Site code.
    pub code: String,
    /// Site name.
    pub name: String,
    /// Level code.
    pub level: String,
    /// The site that supervises it.
    pub supervisor: Option<String>,
    /// Its keys.
    pub keys: crate::identity::PublicKeys,
    /// When and why its key was revoked, if it was.
    pub revoked: Option<(String, String)>,
    /// Its last previous signing key, when it rotated (certificates signed before still verify).
    #[serde(default)]
    pub retired_ed25519: Option<String>,
    /// All its previous signing keys, oldest first (a site may rotate more than once).
    #[serde(default)]
    pub retired: Vec<String>,
    /// The statements of its key rotations, oldest first, each signed by the keys it replaced
    /// and the keys it brought: how the level above checks new keys.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rotations: Vec<super::envelope::Rotation>,
    /// Its revocation, signed by the site that revoked it (`revoked` repeats its date and reason
    /// for older readers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revocation: Option<super::keyring::SiteRevocation>,
    /// Its latest enrollment, signed by the site that enrolled it (a site enrolled again after a
    /// lost key gets new keys only through it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enrollment: Option<super::keyring::SiteEnrollment>,
}

/// A certificate revoked, as the revocation register carries it down the tree (a certificate's
/// own row, with its revocation, travels up from the office that issued it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevokedCertificate {
    /// The certificate's number (`SITE-ATT-YEAR-NNNNN`).
    pub number: String,
    /// The site that issued it.
    pub site: String,
    /// When it was revoked.
    pub on: chrono::NaiveDate,
    /// Who revoked it (login).
    pub by: String,
    /// Why.
    pub reason: String,
}

/// One line of the payload.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Line {
    /// First line.
    Manifest(Manifest),
    /// A row.
    Record(WireRecord),
    /// A reply's acknowledgement.
    Ack(Ack),
    /// Sites' identities (keyring down, subtree up).
    Sites(Vec<KnownSite>),
    /// The certificates revoked in the tree (replies only).
    Revoked(Vec<RevokedCertificate>),
    /// Last line: how many lines came between the manifest and it.
    End {
        /// The count.
        lines: u64,
    },
}

/// A payload read back.
#[derive(Debug)]
pub struct Payload {
    /// The manifest.
    pub manifest: Manifest,
    /// The records.
    pub records: Vec<WireRecord>,
    /// The acknowledgement (replies).
    pub ack: Option<Ack>,
    /// The identities it carries.
    pub sites: Vec<KnownSite>,
    /// The certificates revoked in the tree (replies).
    pub revoked: Vec<RevokedCertificate>,
}

/// Why a payload is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PayloadError {
    /// Not zstd, or cut.
    #[error("le contenu déchiffré n'est pas lisible ({0})")]
    Unreadable(String),
    /// Beyond the cap once decompressed.
    #[error("le contenu décompressé dépasse la limite ({0} octets) : paquet refusé")]
    TooLarge(u64),
    /// A line that is not what it should be.
    #[error("ligne {line} du contenu : {message}")]
    BadLine {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
}

/// Compresses the lines of a payload that carries no revocation register (see [`encode_all`]).
pub fn encode(
    manifest: &Manifest,
    records: &[WireRecord],
    ack: Option<Ack>,
    sites: &[KnownSite],
) -> Result<Vec<u8>, std::io::Error> {
    encode_all(manifest, records, ack, sites, &[])
}

/// Compresses the lines of a payload.
pub fn encode_all(
    manifest: &Manifest,
    records: &[WireRecord],
    ack: Option<Ack>,
    sites: &[KnownSite],
    revoked: &[RevokedCertificate],
) -> Result<Vec<u8>, std::io::Error> {
    let mut encoder = zstd::stream::write::Encoder::new(Vec::new(), 3)?;
    let mut write = |line: &Line| -> Result<(), std::io::Error> {
        serde_json::to_writer(&mut encoder, line)?;
        encoder.write_all(b"\n")
    };
    write(&Line::Manifest(manifest.clone()))?;
    for record in records {
        write(&Line::Record(record.clone()))?;
    }
    if let Some(ack) = ack {
        write(&Line::Ack(ack))?;
    }
    if !sites.is_empty() {
        write(&Line::Sites(sites.to_vec()))?;
    }
    if !revoked.is_empty() {
        write(&Line::Revoked(revoked.to_vec()))?;
    }
    let lines =
        records.len() as u64 + u64::from(ack.is_some()) + u64::from(!sites.is_empty()) + u64::from(!revoked.is_empty());
    write(&Line::End { lines })?;
    encoder.finish()
}

/// Decompresses (at most [`MAX_PLAIN`] bytes) and reads the lines of a payload.
pub fn decode(compressed: &[u8]) -> Result<Payload, PayloadError> {
    decode_capped(compressed, MAX_PLAIN)
}

/// How many lines are read before they are parsed together, on two cores (at most; or
/// [`BATCH_BYTES`] of them).
const BATCH_LINES: usize = 4096;
/// How many bytes of lines are read before they are parsed together, at most.
const BATCH_BYTES: usize = 8 << 20;

/// [`decode`] with an explicit cap.
pub fn decode_capped(compressed: &[u8], cap: u64) -> Result<Payload, PayloadError> {
    let decoder = zstd::stream::read::Decoder::new(compressed).map_err(|e| PayloadError::Unreadable(e.to_string()))?;
    let mut reader = std::io::BufReader::new(decoder.take(cap + 1));
    let mut reading = Reading::default();
    let mut total: u64 = 0;
    // The lines read and not yet parsed, one after the other, and where each one ends.
    let mut batch = Vec::new();
    let mut ends = Vec::new();
    loop {
        let read = (&mut reader)
            .take(MAX_LINE as u64 + 1)
            .read_until(b'\n', &mut batch)
            .map_err(|e| PayloadError::Unreadable(e.to_string()))?;
        total += read as u64;
        // A line that cannot be read stops the reading, once the lines before it are checked
        // (an error among them comes first).
        let problem = if total > cap {
            Some(PayloadError::TooLarge(cap))
        } else if read > MAX_LINE {
            Some(PayloadError::BadLine {
                line: reading.lines + ends.len() + 1,
                message: format!("plus de {MAX_LINE} octets"),
            })
        } else {
            None
        };
        if read > 0 && problem.is_none() {
            ends.push(batch.len());
        }
        if read == 0 || problem.is_some() || ends.len() == BATCH_LINES || batch.len() >= BATCH_BYTES {
            let lines: Vec<&[u8]> =
                ends.iter().scan(0, |start, &end| Some(&batch[std::mem::replace(start, end)..end])).collect();
            let parsed = crate::parallel::map(&lines, |line| serde_json::from_slice::<Line>(line));
            for line in parsed {
                reading.take(line)?;
            }
            batch.clear();
            ends.clear();
        }
        if let Some(problem) = problem {
            return Err(problem);
        }
        if read == 0 {
            return reading.finish();
        }
    }
}

/// The lines of a payload read so far, checked one after the other.
#[derive(Default)]
struct Reading {
    lines: usize,
    manifest: Option<Manifest>,
    records: Vec<WireRecord>,
    ack: Option<Ack>,
    sites: Option<Vec<KnownSite>>,
    revoked: Option<Vec<RevokedCertificate>>,
    ended: bool,
    /// The record ids read so far: a record appears once.
    ids: std::collections::HashSet<Uuid>,
}

impl Reading {
    /// Takes the next line, as parsed.
    fn take(&mut self, line: Result<Line, serde_json::Error>) -> Result<(), PayloadError> {
        self.lines += 1;
        let number = self.lines;
        let bad = |message: String| PayloadError::BadLine { line: number, message };
        if self.ended {
            return Err(bad("des données suivent la ligne de fin".into()));
        }
        match (line.map_err(|e| bad(e.to_string()))?, number) {
            (Line::Manifest(m), 1) => {
                if m.format != FORMAT {
                    return Err(bad(format!("format « {} » inconnu", m.format)));
                }
                self.manifest = Some(m);
            }
            (_, 1) => return Err(bad("la première ligne doit être le manifeste".into())),
            (Line::Manifest(_), _) => return Err(bad("second manifeste".into())),
            (Line::Record(r), _) => {
                if !self.ids.insert(r.id) {
                    return Err(bad(format!("l'enregistrement {} figure deux fois dans le paquet", r.id)));
                }
                self.records.push(r);
            }
            (Line::Ack(a), _) if self.ack.is_none() => self.ack = Some(a),
            (Line::Ack(_), _) => return Err(bad("second accusé de réception".into())),
            (Line::Sites(list), _) if self.sites.is_none() => {
                let mut codes = std::collections::HashSet::new();
                if let Some(twice) = list.iter().find(|s| !codes.insert(s.code.as_str())) {
                    return Err(bad(format!("le site {} figure deux fois dans la liste des sites", twice.code)));
                }
                self.sites = Some(list);
            }
            (Line::Sites(_), _) => return Err(bad("seconde liste de sites".into())),
            (Line::Revoked(list), _) if self.revoked.is_none() => {
                let mut numbers = std::collections::HashSet::new();
                if let Some(twice) = list.iter().find(|r| !numbers.insert((r.site.as_str(), r.number.as_str()))) {
                    return Err(bad(format!("l'attestation {} figure deux fois parmi les révocations", twice.number)));
                }
                self.revoked = Some(list);
            }
            (Line::Revoked(_), _) => return Err(bad("seconde liste de révocations".into())),
            (Line::End { lines }, _) => {
                let counted = self.records.len() as u64
                    + u64::from(self.ack.is_some())
                    + u64::from(self.sites.is_some())
                    + u64::from(self.revoked.is_some());
                if lines != counted {
                    return Err(bad(format!("la ligne de fin annonce {lines} lignes, {counted} lues")));
                }
                self.ended = true;
            }
        }
        Ok(())
    }

    /// The payload, once every line is read.
    fn finish(self) -> Result<Payload, PayloadError> {
        let manifest = self.manifest.ok_or_else(|| PayloadError::Unreadable("contenu vide".into()))?;
        if !self.ended {
            return Err(PayloadError::Unreadable("la ligne de fin manque : contenu tronqué".into()));
        }
        Ok(Payload {
            manifest,
            records: self.records,
            ack: self.ack,
            sites: self.sites.unwrap_or_default(),
            revoked: self.revoked.unwrap_or_default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest() -> Manifest {
        Manifest {
            format: FORMAT.into(),
            kind: Kind::Changes,
            sender: "BL-TIZNIT".into(),
            recipient: "DP-TIZNIT".into(),
            sequence: 1,
            from_change: 0,
            to_change: 2,
            schema: 4,
            audit_head: (2, "00".into()),
        }
    }

    fn record(n: u8) -> WireRecord {
        WireRecord {
            table: "visits".into(),
            id: Uuid::from_bytes([n; 16]),
            owner: "BL-TIZNIT".into(),
            version: 1,
            created_at: "2026-11-29T09:00:00Z".into(),
            updated_at: "2026-11-29T09:00:00Z".into(),
            deleted_at: None,
            delete_reason: None,
            data: RawValue::from_string("{\"a\":1}".into()).unwrap_or_else(|e| panic!("{e}")),
        }
    }

    #[test]
    fn payloads_read_back_and_refuse_bombs_and_cuts() {
        let bytes = encode(&manifest(), &[record(1), record(2)], None, &[]).unwrap_or_default();
        let payload = decode(&bytes).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(payload.manifest, manifest());
        assert_eq!(payload.records.len(), 2);
        assert!(decode(&bytes[..bytes.len() - 3]).is_err(), "a cut stream is refused");
        // A bomb: megabytes of spaces compress to almost nothing.
        let mut bomb = zstd::stream::write::Encoder::new(Vec::new(), 19).unwrap_or_else(|e| panic!("{e}"));
        bomb.write_all(&vec![b' '; 8 << 20]).unwrap_or_default();
        let bomb = bomb.finish().unwrap_or_default();
        assert!(bomb.len() < 10_000);
        assert!(matches!(decode_capped(&bomb, 1 << 20), Err(PayloadError::TooLarge(_) | PayloadError::BadLine { .. })));
        assert!(decode(b"pas du zstd").is_err());
    }

    #[test]
    fn the_end_line_counts_what_came_before_it() {
        let mut plain = Vec::new();
        for line in [Line::Manifest(manifest()), Line::Record(record(1)), Line::End { lines: 2 }] {
            plain.extend(serde_json::to_vec(&line).unwrap_or_default());
            plain.push(b'\n');
        }
        let compressed = zstd::stream::encode_all(plain.as_slice(), 3).unwrap_or_default();
        let err = decode(&compressed).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("annonce 2 lignes, 1 lues"), "{err}");
    }

    #[test]
    fn a_record_or_a_site_twice_refuses_the_payload() {
        let bytes = encode(&manifest(), &[record(1), record(2), record(1)], None, &[]).unwrap_or_default();
        let err = decode(&bytes).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("ligne 4") && err.contains("deux fois"), "{err}");
        let site = KnownSite {
            code: "BL-MIRLEFT".into(),
            name: "Bureau local de Mirleft".into(),
            level: "bureau".into(),
            supervisor: Some("DP-TIZNIT".into()),
            keys: crate::identity::PublicKeys { ed25519: "00".into(), age_recipient: "age1".into() },
            revoked: None,
            retired_ed25519: None,
            retired: vec![],
            rotations: vec![],
            revocation: None,
            enrollment: None,
        };
        let bytes = encode(&manifest(), &[], None, &[site.clone(), site]).unwrap_or_default();
        let err = decode(&bytes).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("BL-MIRLEFT figure deux fois"), "{err}");
    }
}
