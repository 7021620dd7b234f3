//! The four faces documents are set in, compiled into the binary from `assets/fonts/` (OFL):
//! Noto Sans for Latin script, digits and punctuation, Noto Naskh Arabic for Arabic script.

use std::sync::OnceLock;

/// One of the shipped faces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Face {
    /// Noto Sans Regular.
    Latin,
    /// Noto Sans Bold.
    LatinBold,
    /// Noto Naskh Arabic Regular.
    Arabic,
    /// Noto Naskh Arabic Bold.
    ArabicBold,
}

/// Regular or bold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Weight {
    /// Regular.
    #[default]
    Regular,
    /// Bold.
    Bold,
}

static LATIN: &[u8] = include_bytes!("../../assets/fonts/NotoSans-Regular.ttf");
static LATIN_BOLD: &[u8] = include_bytes!("../../assets/fonts/NotoSans-Bold.ttf");
static ARABIC: &[u8] = include_bytes!("../../assets/fonts/NotoNaskhArabic-Regular.ttf");
static ARABIC_BOLD: &[u8] = include_bytes!("../../assets/fonts/NotoNaskhArabic-Bold.ttf");

impl Face {
    /// Every face, in resource order.
    pub const ALL: [Face; 4] = [Face::Latin, Face::LatinBold, Face::Arabic, Face::ArabicBold];

    /// The font file.
    pub fn bytes(self) -> &'static [u8] {
        match self {
            Face::Latin => LATIN,
            Face::LatinBold => LATIN_BOLD,
            Face::Arabic => ARABIC,
            Face::ArabicBold => ARABIC_BOLD,
        }
    }

    /// The face of a script at a weight.
    pub fn of(arabic: bool, weight: Weight) -> Face {
        match (arabic, weight) {
            (false, Weight::Regular) => Face::Latin,
            (false, Weight::Bold) => Face::LatinBold,
            (true, Weight::Regular) => Face::Arabic,
            (true, Weight::Bold) => Face::ArabicBold,
        }
    }

    /// Whether this is an Arabic face.
    pub fn is_arabic(self) -> bool {
        matches!(self, Face::Arabic | Face::ArabicBold)
    }

    /// The parsed face, for shaping and coverage (parsed once).
    pub fn shaper(self) -> &'static rustybuzz::Face<'static> {
        static FACES: OnceLock<Vec<rustybuzz::Face<'static>>> = OnceLock::new();
        // The files are compiled in and parsed by a test: a failure here is a broken build.
        #[allow(clippy::expect_used)]
        let faces = FACES.get_or_init(|| {
            Face::ALL
                .iter()
                .map(|f| rustybuzz::Face::from_slice(f.bytes(), 0).expect("police compilée dans le programme"))
                .collect()
        });
        &faces[self as usize]
    }

    /// Whether the face has a glyph for `c`.
    pub fn covers(self, c: char) -> bool {
        self.shaper().glyph_index(c).is_some()
    }
}

/// True for characters of the Arabic script blocks.
pub fn is_arabic_script(c: char) -> bool {
    matches!(c as u32, 0x0600..=0x06FF | 0x0750..=0x077F | 0x08A0..=0x08FF | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_faces_parse_and_cover_their_scripts() {
        for face in Face::ALL {
            assert!(rustybuzz::Face::from_slice(face.bytes(), 0).is_some(), "{face:?}");
        }
        assert!(Face::Arabic.covers('م') && Face::ArabicBold.covers('ة'));
        assert!(Face::Latin.covers('é') && Face::LatinBold.covers('—'));
        assert!(!Face::Arabic.covers('é'), "Naskh has no Latin letters: the Latin face takes them");
    }
}
