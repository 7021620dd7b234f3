//! Names: folding for search, and the "close name" test behind the duplicate check.
//!
//! *Folding* removes what a clerk does not type reliably: case, Latin accents, Arabic short
//! vowels and shadda, tatweel, and the hamza/madda variants of alef (so `elodie` finds
//! `Élodie` and `محمد` finds `مُحَمَّد`).
//!
//! *Skeletons* reduce a name to its consonants in one alphabet shared by both scripts, since
//! Arabic writes no short vowels and French transcriptions vary (`Mohamed`, `Mohammed`,
//! `Mhamed`, `محمد` all give `mhmd`). Two names are close when their skeletons match, allowing
//! for the article (`El Idrissi`, `Lidrissi`, `الإدريسي`) and one slip in a long name.

use unicode_normalization::UnicodeNormalization as _;
use unicode_normalization::char::is_combining_mark;

/// Folds text for search and comparison: lower case, no accents, no Arabic diacritics or
/// tatweel, one form of alef, `ى`→`ي`, `ة`→`ه`. Anything but letters and digits becomes a space.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.nfd() {
        if is_combining_mark(c) || c == '\u{0640}' {
            continue;
        }
        let c = match c {
            'ٱ' | 'أ' | 'إ' | 'آ' => 'ا',
            'ى' => 'ي',
            'ة' => 'ه',
            'ß' => 's',
            c if c.is_alphanumeric() => c,
            _ => ' ',
        };
        out.extend(c.to_lowercase());
    }
    out
}

/// Folds Latin text (a status typed on the command line, a French label).
pub fn fold_latin(text: &str) -> String {
    text.nfd().filter(|c| !is_combining_mark(*c)).flat_map(char::to_lowercase).collect()
}

/// The words of `text` once folded, for search indexes and queries.
pub fn search_tokens(text: &str) -> impl Iterator<Item = String> {
    fold(text).split_whitespace().map(str::to_owned).collect::<Vec<_>>().into_iter()
}

/// Maps one folded Arabic letter to the shared consonant alphabet; `None` for letters read as
/// vowels in transcriptions (alef, waw, ya, ain, hamza, ta marbuta).
fn arabic_consonant(c: char) -> Option<char> {
    Some(match c {
        'ب' | 'پ' => 'b',
        'ت' | 'ث' | 'ط' => 't',
        'ج' => 'j',
        'ح' | 'ه' => 'h',
        'خ' => 'x',
        'د' | 'ذ' | 'ض' | 'ظ' => 'd',
        'ر' => 'r',
        'ز' => 'z',
        'س' | 'ص' => 's',
        'ش' => 'S',
        'غ' | 'ڭ' | 'گ' => 'g',
        'ف' | 'ڤ' => 'f',
        'ق' | 'ك' => 'k',
        'ل' => 'l',
        'م' => 'm',
        'ن' => 'n',
        _ => return None,
    })
}

/// Appends the consonant skeleton of one folded Latin word.
fn latin_skeleton(word: &str, out: &mut Vec<char>) {
    let chars: Vec<char> = word.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let next = chars.get(i + 1).copied();
        let (consonant, width) = match (chars[i], next) {
            ('k', Some('h')) => (Some('x'), 2),
            ('g', Some('h')) => (Some('g'), 2),
            ('c' | 's', Some('h')) => (Some('S'), 2),
            ('t', Some('h')) => (Some('t'), 2),
            ('d', Some('h')) => (Some('d'), 2),
            ('p', Some('h')) => (Some('f'), 2),
            ('d', Some('j')) => (Some('j'), 2),
            ('c', Some('e' | 'i' | 'y')) => (Some('s'), 1),
            ('b' | 'p', _) => (Some('b'), 1),
            ('t', _) => (Some('t'), 1),
            ('d', _) => (Some('d'), 1),
            ('j', _) => (Some('j'), 1),
            ('h', _) => (Some('h'), 1),
            ('r', _) => (Some('r'), 1),
            ('z', _) => (Some('z'), 1),
            ('s', _) => (Some('s'), 1),
            ('g', _) => (Some('g'), 1),
            ('f' | 'v', _) => (Some('f'), 1),
            ('k' | 'q' | 'c', _) => (Some('k'), 1),
            ('l', _) => (Some('l'), 1),
            ('m', _) => (Some('m'), 1),
            ('n', _) => (Some('n'), 1),
            ('x', _) => {
                out.extend(['k', 's']);
                (None, 1)
            }
            _ => (None, 1), // vowels, w, y, digits
        };
        out.extend(consonant);
        i += width;
    }
}

/// Latin renderings of the Arabic article, standing alone (`El Alaoui`, `Ech-Chafai`): they
/// stand for the `ل` of `ال`.
const LATIN_ARTICLES: [&str; 14] = ["el", "al", "l", "ech", "es", "et", "ed", "er", "ez", "en", "ad", "ar", "as", "az"];

/// The consonant skeleton of a name (one field: given names or family name), in either script.
pub fn skeleton(name: &str) -> String {
    let mut out: Vec<char> = Vec::new();
    // Ta marbuta ends feminine names (فاطمة, Fatima) and is not transcribed: read it as a vowel.
    for word in fold(&name.replace('ة', "ا")).split_whitespace() {
        if word.chars().any(|c| arabic_consonant(c).is_some() || matches!(c, 'ا' | 'و' | 'ي' | 'ع' | 'ء' | 'ه')) {
            out.extend(word.chars().filter_map(arabic_consonant));
        } else if LATIN_ARTICLES.contains(&word) {
            out.push('l');
        } else {
            latin_skeleton(word, &mut out);
        }
    }
    out.dedup();
    out.into_iter().collect()
}

/// Levenshtein distance, for short skeletons.
fn edit_distance(a: &[char], b: &[char]) -> usize {
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            current.push((previous[j] + cost).min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

/// True when two skeletons may be the same name: equal, equal once a leading article `l` is
/// dropped, or (both at least four consonants) one slip apart.
pub fn skeletons_close(a: &str, b: &str) -> bool {
    if a == b || without_article(a) == without_article(b) {
        return true;
    }
    let (na, nb) = (a.chars().count(), b.chars().count());
    if na.min(nb) < 4 || na.abs_diff(nb) > 1 {
        return false;
    }
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    edit_distance(&a, &b) <= 1
}

/// A skeleton without its leading article `l` (itself when that would leave nothing).
fn without_article(s: &str) -> &str {
    s.strip_prefix('l').filter(|rest| !rest.is_empty()).unwrap_or(s)
}

/// A person's names in both scripts, as the duplicate check compares them.
#[derive(Debug, Clone, Default)]
pub struct PersonNames<'a> {
    /// Given names, Latin script.
    pub first: &'a str,
    /// Family name, Latin script.
    pub last: &'a str,
    /// Given names, Arabic script.
    pub first_ar: &'a str,
    /// Family name, Arabic script.
    pub last_ar: &'a str,
}

impl PersonNames<'_> {
    fn written_forms(&self) -> Vec<(String, String)> {
        [(self.first, self.last), (self.first_ar, self.last_ar)]
            .into_iter()
            .filter(|(f, l)| !f.trim().is_empty() && !l.trim().is_empty())
            .map(|(f, l)| (skeleton(f), skeleton(l)))
            .collect()
    }
}

/// The skeletons of a person's written names, computed once to compare with many others.
#[derive(Debug, Clone)]
pub struct NameForms(Vec<(String, String)>);

impl NameForms {
    /// The forms of `names`.
    pub fn of(names: &PersonNames<'_>) -> NameForms {
        NameForms(names.written_forms())
    }

    /// Keys such that two people whose names are close (see [`names_close`]) share at least one:
    /// each skeleton, without its article, and with any one letter left out (for skeletons long
    /// enough to be compared one slip apart). Comparing only the people who share a key finds
    /// the same pairs as comparing everyone, without comparing everyone.
    pub fn keys(&self) -> Vec<String> {
        let mut keys = Vec::new();
        for skeleton in self.0.iter().flat_map(|(first, last)| [first, last]) {
            keys.push(skeleton.clone());
            keys.push(without_article(skeleton).to_owned());
            let letters: Vec<char> = skeleton.chars().collect();
            if letters.len() >= 4 {
                for i in 0..letters.len() {
                    keys.push(letters.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, c)| c).collect());
                }
            }
        }
        keys.sort_unstable();
        keys.dedup();
        keys
    }

    /// See [`names_close`].
    pub fn close(&self, other: &NameForms) -> bool {
        self.0.iter().any(|(fa, la)| {
            other.0.iter().any(|(fb, lb)| {
                (skeletons_close(fa, fb) && skeletons_close(la, lb))
                    || (skeletons_close(fa, lb) && skeletons_close(la, fb))
            })
        })
    }
}

/// True when two people's names may be the same person's: some written form of one (Latin or
/// Arabic) is close to some written form of the other, given names against given names and
/// family names against family names (or crossed, for names typed the wrong way round).
pub fn names_close(a: &PersonNames<'_>, b: &PersonNames<'_>) -> bool {
    NameForms::of(a).close(&NameForms::of(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_removes_accents_and_arabic_diacritics() {
        assert_eq!(fold("Élodie"), "elodie");
        assert_eq!(fold("مُحَمَّد"), "محمد");
        assert_eq!(fold("أَحمد"), fold("احمد"));
        assert_eq!(fold("إبراهيم"), "ابراهيم");
        assert_eq!(fold("فاطمة"), "فاطمه");
        assert_eq!(fold("مصطـــفى"), "مصطفي");
        assert_eq!(fold("El-Alaoui L'Oriental"), "el alaoui l oriental");
        assert_eq!(search_tokens("  Aït  Melloul ").collect::<Vec<_>>(), ["ait", "melloul"]);
    }

    #[test]
    fn skeletons_join_spellings_and_scripts() {
        for name in ["Mohamed", "Mohammed", "Mohamad", "Mhamed", "محمد", "مُحَمَّد"] {
            assert_eq!(skeleton(name), "mhmd", "{name}");
        }
        assert_eq!(skeleton("Youssef"), skeleton("يوسف"));
        assert_eq!(skeleton("Benani"), skeleton("Bennani"));
        assert_eq!(skeleton("Bennani"), skeleton("بناني"));
        assert_eq!(skeleton("Khadija"), skeleton("خديجة"));
        assert!(skeletons_close(&skeleton("Fatima Zahra"), &skeleton("فاطمة الزهراء")));
    }

    fn close(a: &str, b: &str) -> bool {
        skeletons_close(&skeleton(a), &skeleton(b))
    }

    #[test]
    fn close_names_are_found() {
        let pairs = [
            ("Mohamed", "Mohammed"),
            ("Mohamed", "Mhamed"),
            ("Mohamad", "محمد"),
            ("El Idrissi", "Idrissi"),
            ("El Idrissi", "Lidrissi"),
            ("Idrissi", "الإدريسي"),
            ("Benani", "Bennani"),
            ("أحمد", "احمد"),
            ("أَحمد", "Ahmed"),
            ("El Alaoui", "العلوي"),
            ("Alaoui", "العلوي"),
            ("Abdelaziz", "عبد العزيز"),
            ("Abderrahmane", "عبد الرحمن"),
            ("Ech-Chafai", "الشافعي"),
        ];
        for (a, b) in pairs {
            assert!(close(a, b), "{a} / {b}: {} vs {}", skeleton(a), skeleton(b));
        }
    }

    #[test]
    fn unrelated_names_are_not() {
        let pairs = [
            ("Mohamed", "Ahmed"),
            ("Bennani", "Tazi"),
            ("Youssef", "Yassine"),
            ("Fatima", "Khadija"),
            ("El Alaoui", "Benjelloun"),
            ("Idrissi", "Berrada"),
            ("محمد", "أحمد"),
            ("Rachid", "Said"),
        ];
        for (a, b) in pairs {
            assert!(!close(a, b), "{a} / {b}: {} vs {}", skeleton(a), skeleton(b));
        }
    }

    #[test]
    fn people_compare_across_scripts_and_field_order() {
        let latin = PersonNames { first: "Youssef", last: "El Alaoui", ..PersonNames::default() };
        let arabic = PersonNames { first_ar: "يوسف", last_ar: "العلوي", ..PersonNames::default() };
        assert!(names_close(&latin, &arabic));
        let swapped = PersonNames { first: "El Alaoui", last: "Youssef", ..PersonNames::default() };
        assert!(names_close(&latin, &swapped));
        let other = PersonNames { first: "Youssef", last: "Bennani", first_ar: "يوسف", last_ar: "بناني" };
        assert!(!names_close(&latin, &other));
        let nothing = PersonNames::default();
        assert!(!names_close(&latin, &nothing));
    }

    #[test]
    fn people_whose_names_are_close_share_a_key() {
        let names = [
            ("Youssef", "El Alaoui", "", ""),
            ("Youssouf", "Alaoui", "", ""),
            ("", "", "يوسف", "العلوي"),
            ("El Alaoui", "Youssef", "", ""),
            ("Mohamed", "Bennani", "", ""),
            ("Mhamed", "Benani", "", ""),
            ("Mohammed", "Bennanni", "محمد", "بناني"),
            ("Fatima", "Zahraoui", "", ""),
            ("Fatma", "Zahraoui", "فاطمة", "الزهراوي"),
            ("Abdelkader", "Ouali", "", ""),
            ("Abdelkrim", "Ouali", "", ""),
            ("Said", "Naciri", "", ""),
            ("Saïd", "Nasiri", "", ""),
            ("Rachid", "Tazi", "", ""),
        ];
        let forms: Vec<NameForms> = names
            .iter()
            .map(|(first, last, first_ar, last_ar)| NameForms::of(&PersonNames { first, last, first_ar, last_ar }))
            .collect();
        let mut close_pairs = 0;
        for (i, a) in forms.iter().enumerate() {
            for b in &forms[i + 1..] {
                if a.close(b) {
                    close_pairs += 1;
                    let (ka, kb) = (a.keys(), b.keys());
                    assert!(ka.iter().any(|k| kb.contains(k)), "{a:?} / {b:?}");
                }
            }
        }
        assert!(close_pairs >= 8, "the list holds close pairs of every kind ({close_pairs})");
    }
}
