//! Amounts in words (« montant en toutes lettres » / « المبلغ بالحروف »), in French and in Arabic.
//!
//! The amount is an integer number of centimes (1 DH = 100 centimes). The supported range is
//! 0 to 999 999 999 999,99 DH; larger magnitudes (up to `i64::MAX`) still give a readable text
//! ("mille milliards", تريليون …) but are not meant for documents. A negative amount is written
//! with the prefix « moins » / « ناقص ». Zero is « zéro dirham » / « صفر درهم »; an amount below
//! one dirham names only the centimes (« cinquante centimes », no « zéro dirham et »).
//!
//! # French
//!
//! Traditional spelling, 1990 reform not applied, as on cheques: hyphens below one hundred only
//! (« vingt-deux », « quatre-vingt-onze »), « et » in 21, 31, 41, 51, 61 and 71 but not in 81 or
//! 91; « vingt » and « cent » take an s when they end the number or precede « millions » /
//! « milliards » (nouns), never before « mille » (« deux cent mille », « deux cents millions »);
//! « mille » is invariable and never « un mille »; « un million de dirhams » (« de » when the amount
//! ends on million or milliard). Centimes follow with « et ». Beyond 999 milliards the count of
//! milliards is itself written out (« mille milliards »), not « billion ».
//!
//! # Arabic
//!
//! Modern Standard Arabic, nominative case (as after « المبلغ: »), spelling مائة with alif and
//! ثلاثمائة … تسعمائة in one word, no diacritics (tanwin written as a bare alif: درهما), no « فقط »
//! nor « لا غير ». Groups go from the largest down, joined by و; inside a group the hundreds come
//! first, then the units before the tens (خمسة وعشرون). Reverse gender agreement for 3–10 with the
//! masculine درهم / ألف / مليون (ثلاثة دراهم، ثلاثة آلاف). The counted noun agrees with the last
//! part of the number:
//!
//! - 1: درهم واحد, 2: درهمان (the noun comes first and the number word 2 is not repeated);
//! - 3–10: plural دراهم; 11–99: accusative singular درهما; 100s and any amount ending on a scale
//!   word: genitive singular درهم (مائة درهم، ألف درهم، ثلاثة آلاف درهم);
//! - a scale word right before درهم is in construct state: عشرون ألف درهم (not ألفا), ألفا درهم,
//!   مائتا درهم, مليونا درهم; elsewhere ألفان / مائتان / أحد عشر ألفا;
//! - 1 or 2 after hundreds: مائة ودرهم واحد (101), مائة ودرهمان (102); for the scale words the
//!   hundreds keep their own scale noun so that the text cannot be misread (مائة ألف وألف for
//!   101 000, not مائة وألف which reads as 1 100);
//! - the plural of مليار is ملايير (Moroccan usage; مليارات elsewhere).
//!
//! Centimes: سنتيم واحد، سنتيمان، ثلاثة سنتيمات، أحد عشر سنتيما, joined with و
//! (ألف درهم وخمسون سنتيما).

/// Centimes in one dirham.
const CENTIMES_PER_DIRHAM: u64 = 100;

/// The amount in words in French, e.g. 125 000 centimes → « mille deux cent cinquante dirhams ».
///
/// A negative amount is prefixed with « moins ».
#[must_use]
pub fn french(centimes: i64) -> String {
    let text = french_magnitude(centimes.unsigned_abs());
    if centimes < 0 { format!("moins {text}") } else { text }
}

/// The amount in words in Arabic (Modern Standard Arabic as on Moroccan official documents),
/// e.g. 125 000 centimes → « ألف ومائتان وخمسون درهما ».
///
/// A negative amount is prefixed with « ناقص ».
#[must_use]
pub fn arabic(centimes: i64) -> String {
    let text = arabic_magnitude(centimes.unsigned_abs());
    if centimes < 0 { format!("ناقص {text}") } else { text }
}

// ---------------------------------------------------------------------------------------------
// French
// ---------------------------------------------------------------------------------------------

/// Zero to sixteen, the numbers with their own name.
const FR_UNITS: [&str; 17] = [
    "zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix", "onze", "douze", "treize",
    "quatorze", "quinze", "seize",
];

/// The tens by their digit; 70 and 90 are built on « soixante » and « quatre-vingt ».
const FR_TENS: [&str; 10] =
    ["", "dix", "vingt", "trente", "quarante", "cinquante", "soixante", "soixante", "quatre-vingt", "quatre-vingt"];

/// A non-negative amount in centimes, in French.
fn french_magnitude(centimes: u64) -> String {
    let dirhams = centimes / CENTIMES_PER_DIRHAM;
    let cents = centimes % CENTIMES_PER_DIRHAM;
    let dirham_part = match dirhams {
        0 => "zéro dirham".to_owned(),
        1 => "un dirham".to_owned(),
        n if ends_on_million_noun(n) => format!("{} de dirhams", french_number(n)),
        n => format!("{} dirhams", french_number(n)),
    };
    let cent_part = match cents {
        0 => None,
        1 => Some("un centime".to_owned()),
        n => Some(format!("{} centimes", french_number(n))),
    };
    match (dirhams, cent_part) {
        (_, None) => dirham_part,
        (0, Some(cents_text)) => cents_text,
        (_, Some(cents_text)) => format!("{dirham_part} et {cents_text}"),
    }
}

/// Whether the number, written out, ends on « million(s) » or « milliard(s) », which then take
/// « de » before the noun they count.
fn ends_on_million_noun(n: u64) -> bool {
    n >= 1_000_000 && n.is_multiple_of(1_000_000)
}

/// A number in French, as it stands before a noun or at the end (« quatre-vingts », « deux cents »).
fn french_number(n: u64) -> String {
    french_number_with(n, true)
}

/// A number in French; `plural_ending` tells whether a final « vingt » / « cent » takes its s
/// (false only before « mille »).
fn french_number_with(n: u64, plural_ending: bool) -> String {
    if n == 0 {
        return FR_UNITS[0].to_owned();
    }
    let milliards = n / 1_000_000_000;
    let millions = group(n / 1_000_000);
    let thousands = group(n / 1_000);
    let units = group(n);
    let mut parts = Vec::new();
    if milliards > 0 {
        let de = if ends_on_million_noun(milliards) { " de" } else { "" };
        let noun = if milliards == 1 { "milliard" } else { "milliards" };
        parts.push(format!("{}{de} {noun}", french_number_with(milliards, true)));
    }
    if millions > 0 {
        let noun = if millions == 1 { "million" } else { "millions" };
        parts.push(format!("{} {noun}", french_below_1000(millions, true)));
    }
    match thousands {
        0 => {}
        1 => parts.push("mille".to_owned()),
        t => parts.push(format!("{} mille", french_below_1000(t, false))),
    }
    if units > 0 {
        parts.push(french_below_1000(units, plural_ending));
    }
    parts.join(" ")
}

/// The last three digits of `n` (a group of the number).
fn group(n: u64) -> usize {
    // The remainder is below 1000, so the conversion is lossless.
    (n % 1000) as usize
}

/// 1 to 999 in French.
fn french_below_1000(n: usize, plural_ending: bool) -> String {
    let (hundreds, rest) = (n / 100, n % 100);
    let hundreds_text = match hundreds {
        0 => None,
        1 => Some("cent".to_owned()),
        h => {
            let cent = if rest == 0 && plural_ending { "cents" } else { "cent" };
            Some(format!("{} {cent}", FR_UNITS[h]))
        }
    };
    match (hundreds_text, rest) {
        (Some(text), 0) => text,
        (Some(text), r) => format!("{text} {}", french_below_100(r, plural_ending)),
        (None, r) => french_below_100(r, plural_ending),
    }
}

/// 0 to 99 in French.
fn french_below_100(n: usize, plural_ending: bool) -> String {
    if n < FR_UNITS.len() {
        return FR_UNITS[n].to_owned();
    }
    if n < 20 {
        return format!("dix-{}", FR_UNITS[n - 10]);
    }
    let (tens, unit) = (n / 10, n % 10);
    let base = FR_TENS[tens];
    match (tens, unit) {
        (7, 1) => format!("{base} et onze"),
        (7 | 9, _) => format!("{base}-{}", french_below_100(10 + unit, plural_ending)),
        (8, 0) if plural_ending => "quatre-vingts".to_owned(),
        (_, 0) => base.to_owned(),
        (8, _) => format!("{base}-{}", FR_UNITS[unit]),
        (_, 1) => format!("{base} et un"),
        _ => format!("{base}-{}", FR_UNITS[unit]),
    }
}

// ---------------------------------------------------------------------------------------------
// Arabic
// ---------------------------------------------------------------------------------------------

/// The forms of a counted noun (the currency or a scale word) that Arabic numbers select.
struct Counted {
    /// Exactly one: « درهم واحد », or the bare scale word « ألف ».
    one: &'static str,
    /// Exactly two, standing alone or followed by و: « درهمان », « ألفان ».
    two: &'static str,
    /// Exactly two in construct state, right before another noun: « ألفا درهم ».
    two_construct: &'static str,
    /// After 3–10: « دراهم », « آلاف ».
    plural: &'static str,
    /// After 11–99, accusative singular: « درهما », « ألفا ».
    accusative: &'static str,
    /// After the hundreds, or after 11–99 in construct state: « درهم », « ألف ».
    genitive: &'static str,
    /// Whether this is a scale word (ألف, مليون …) rather than a currency.
    scale: bool,
}

/// The dirham, masculine.
const DIRHAM: Counted = Counted {
    one: "درهم واحد",
    two: "درهمان",
    two_construct: "درهمان",
    plural: "دراهم",
    accusative: "درهما",
    genitive: "درهم",
    scale: false,
};

/// The centime, masculine.
const CENTIME: Counted = Counted {
    one: "سنتيم واحد",
    two: "سنتيمان",
    two_construct: "سنتيمان",
    plural: "سنتيمات",
    accusative: "سنتيما",
    genitive: "سنتيم",
    scale: false,
};

/// Scale words, from 10^3 up; the index is the group number minus one.
const AR_SCALES: [Counted; 5] = [
    Counted {
        one: "ألف",
        two: "ألفان",
        two_construct: "ألفا",
        plural: "آلاف",
        accusative: "ألفا",
        genitive: "ألف",
        scale: true,
    },
    Counted {
        one: "مليون",
        two: "مليونان",
        two_construct: "مليونا",
        plural: "ملايين",
        accusative: "مليونا",
        genitive: "مليون",
        scale: true,
    },
    Counted {
        one: "مليار",
        two: "ملياران",
        two_construct: "مليارا",
        plural: "ملايير",
        accusative: "مليارا",
        genitive: "مليار",
        scale: true,
    },
    Counted {
        one: "تريليون",
        two: "تريليونان",
        two_construct: "تريليونا",
        plural: "تريليونات",
        accusative: "تريليونا",
        genitive: "تريليون",
        scale: true,
    },
    Counted {
        one: "كوادريليون",
        two: "كوادريليونان",
        two_construct: "كوادريليونا",
        plural: "كوادريليونات",
        accusative: "كوادريليونا",
        genitive: "كوادريليون",
        scale: true,
    },
];

/// 0 to 10, masculine forms for 1–2 and (reverse agreement with a masculine noun) 3–10.
const AR_UNITS: [&str; 11] = ["صفر", "واحد", "اثنان", "ثلاثة", "أربعة", "خمسة", "ستة", "سبعة", "ثمانية", "تسعة", "عشرة"];

/// The tens by their digit, nominative.
const AR_TENS: [&str; 10] = ["", "عشرة", "عشرون", "ثلاثون", "أربعون", "خمسون", "ستون", "سبعون", "ثمانون", "تسعون"];

/// The hundreds by their digit, nominative; 200 in construct state is « مائتا ».
const AR_HUNDREDS: [&str; 10] =
    ["", "مائة", "مائتان", "ثلاثمائة", "أربعمائة", "خمسمائة", "ستمائة", "سبعمائة", "ثمانمائة", "تسعمائة"];

/// A non-negative amount in centimes, in Arabic.
fn arabic_magnitude(centimes: u64) -> String {
    let dirhams = centimes / CENTIMES_PER_DIRHAM;
    let cents = group(centimes % CENTIMES_PER_DIRHAM);
    let dirham_part =
        if dirhams == 0 { format!("{} {}", AR_UNITS[0], DIRHAM.genitive) } else { arabic_dirhams(dirhams) };
    match (dirhams, cents) {
        (_, 0) => dirham_part,
        (0, c) => arabic_counted(c, &CENTIME, false),
        (_, c) => format!("{dirham_part} و{}", arabic_counted(c, &CENTIME, false)),
    }
}

/// A positive number of dirhams in Arabic, with the noun درهم in the right form.
fn arabic_dirhams(dirhams: u64) -> String {
    let mut groups = Vec::new();
    let mut rest = dirhams;
    while rest > 0 {
        groups.push(group(rest));
        rest /= 1000;
    }
    let lowest_nonzero = groups.iter().position(|&g| g > 0).unwrap_or(0);
    let mut parts = Vec::new();
    for (index, &value) in groups.iter().enumerate().rev() {
        if value == 0 {
            continue;
        }
        let text = match index.checked_sub(1) {
            None => arabic_counted(value, &DIRHAM, false),
            Some(scale) => {
                // An i64 amount has at most 17 digits of dirhams, within the table; the fallback
                // only keeps the code free of panics.
                let noun = AR_SCALES.get(scale).unwrap_or(&AR_SCALES[AR_SCALES.len() - 1]);
                arabic_counted(value, noun, index == lowest_nonzero)
            }
        };
        parts.push(text);
    }
    let mut text = parts.join(" و");
    if lowest_nonzero > 0 {
        // The amount ends on a scale word in construct state: « ألف درهم », « عشرون ألف درهم ».
        text.push(' ');
        text.push_str(DIRHAM.genitive);
    }
    text
}

/// A group 1–999 counting `noun`, with the noun in the form the number requires. `construct`
/// means that another noun (درهم) follows directly, which puts the counted noun in construct state.
fn arabic_counted(n: usize, noun: &Counted, construct: bool) -> String {
    let (hundreds, rest) = (n / 100, n % 100);
    let hundreds_with_noun = || {
        let hundreds_word = if hundreds == 2 { "مائتا" } else { AR_HUNDREDS[hundreds] };
        format!("{hundreds_word} {}", noun.genitive)
    };
    let hundreds_and = if hundreds == 0 { String::new() } else { format!("{} و", AR_HUNDREDS[hundreds]) };
    match rest {
        0 => hundreds_with_noun(),
        1 | 2 => {
            let counted = match (rest, construct) {
                (1, _) => noun.one,
                (_, true) => noun.two_construct,
                (_, false) => noun.two,
            };
            match (hundreds, noun.scale) {
                (0, _) => counted.to_owned(),
                // « مائة ألف وألف », never « مائة وألف » (which reads as 1 100).
                (_, true) => format!("{} و{counted}", hundreds_with_noun()),
                (_, false) => format!("{hundreds_and}{counted}"),
            }
        }
        3..=10 => format!("{hundreds_and}{} {}", AR_UNITS[rest], noun.plural),
        _ => {
            let form = if construct { noun.genitive } else { noun.accusative };
            format!("{hundreds_and}{} {form}", arabic_below_100(rest))
        }
    }
}

/// 1 to 99 in Arabic, masculine counted noun, nominative.
fn arabic_below_100(n: usize) -> String {
    let (tens, unit) = (n / 10, n % 10);
    match (tens, unit) {
        (0, _) => AR_UNITS[unit].to_owned(),
        (1, 0) => AR_UNITS[10].to_owned(),
        (1, 1) => "أحد عشر".to_owned(),
        (1, 2) => "اثنا عشر".to_owned(),
        (1, _) => format!("{} عشر", AR_UNITS[unit]),
        (_, 0) => AR_TENS[tens].to_owned(),
        _ => format!("{} و{}", AR_UNITS[unit], AR_TENS[tens]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Dirhams (and centimes) as centimes.
    fn dh(dirhams: i64, cents: i64) -> i64 {
        dirhams * 100 + cents
    }

    fn check(cases: &[(i64, &str)], convert: fn(i64) -> String) {
        for &(amount, expected) in cases {
            assert_eq!(convert(amount), expected, "amount in centimes: {amount}");
        }
    }

    #[test]
    fn french_small_numbers() {
        check(
            &[
                (dh(0, 0), "zéro dirham"),
                (dh(1, 0), "un dirham"),
                (dh(2, 0), "deux dirhams"),
                (dh(3, 0), "trois dirhams"),
                (dh(10, 0), "dix dirhams"),
                (dh(11, 0), "onze dirhams"),
                (dh(12, 0), "douze dirhams"),
                (dh(16, 0), "seize dirhams"),
                (dh(17, 0), "dix-sept dirhams"),
                (dh(19, 0), "dix-neuf dirhams"),
                (dh(20, 0), "vingt dirhams"),
                (dh(21, 0), "vingt et un dirhams"),
                (dh(22, 0), "vingt-deux dirhams"),
                (dh(31, 0), "trente et un dirhams"),
                (dh(61, 0), "soixante et un dirhams"),
                (dh(70, 0), "soixante-dix dirhams"),
                (dh(71, 0), "soixante et onze dirhams"),
                (dh(72, 0), "soixante-douze dirhams"),
                (dh(77, 0), "soixante-dix-sept dirhams"),
                (dh(80, 0), "quatre-vingts dirhams"),
                (dh(81, 0), "quatre-vingt-un dirhams"),
                (dh(90, 0), "quatre-vingt-dix dirhams"),
                (dh(91, 0), "quatre-vingt-onze dirhams"),
                (dh(99, 0), "quatre-vingt-dix-neuf dirhams"),
            ],
            french,
        );
    }

    #[test]
    fn french_hundreds_and_thousands() {
        check(
            &[
                (dh(100, 0), "cent dirhams"),
                (dh(101, 0), "cent un dirhams"),
                (dh(180, 0), "cent quatre-vingts dirhams"),
                (dh(200, 0), "deux cents dirhams"),
                (dh(201, 0), "deux cent un dirhams"),
                (dh(280, 0), "deux cent quatre-vingts dirhams"),
                (dh(1_000, 0), "mille dirhams"),
                (dh(1_001, 0), "mille un dirhams"),
                (dh(1_250, 0), "mille deux cent cinquante dirhams"),
                (dh(2_000, 0), "deux mille dirhams"),
                (dh(21_000, 0), "vingt et un mille dirhams"),
                (dh(80_000, 0), "quatre-vingt mille dirhams"),
                (dh(200_000, 0), "deux cent mille dirhams"),
                (dh(280_080, 0), "deux cent quatre-vingt mille quatre-vingts dirhams"),
            ],
            french,
        );
    }

    #[test]
    fn french_millions_and_milliards() {
        check(
            &[
                (dh(1_000_000, 0), "un million de dirhams"),
                (dh(2_000_000, 0), "deux millions de dirhams"),
                (dh(1_200_000, 0), "un million deux cent mille dirhams"),
                (dh(80_000_000, 0), "quatre-vingts millions de dirhams"),
                (dh(200_000_000, 0), "deux cents millions de dirhams"),
                (dh(1_000_000_000, 0), "un milliard de dirhams"),
                (dh(2_003_000_000, 0), "deux milliards trois millions de dirhams"),
                (dh(80_000_000_001, 0), "quatre-vingts milliards un dirhams"),
                (
                    dh(43_073_578, 0),
                    "quarante-trois millions soixante-treize mille cinq cent soixante-dix-huit dirhams",
                ),
                (dh(7_854_330, 0), "sept millions huit cent cinquante-quatre mille trois cent trente dirhams"),
                (
                    99_999_999_999_999,
                    "neuf cent quatre-vingt-dix-neuf milliards neuf cent quatre-vingt-dix-neuf millions \
                     neuf cent quatre-vingt-dix-neuf mille neuf cent quatre-vingt-dix-neuf dirhams \
                     et quatre-vingt-dix-neuf centimes",
                ),
                (dh(1_000_000_000_000, 0), "mille milliards de dirhams"),
            ],
            french,
        );
    }

    #[test]
    fn french_centimes_and_sign() {
        check(
            &[
                (1, "un centime"),
                (50, "cinquante centimes"),
                (80, "quatre-vingts centimes"),
                (dh(1_250, 50), "mille deux cent cinquante dirhams et cinquante centimes"),
                (dh(2, 2), "deux dirhams et deux centimes"),
                (dh(1, 1), "un dirham et un centime"),
                (dh(1_000_000, 50), "un million de dirhams et cinquante centimes"),
                (-dh(1_250, 0), "moins mille deux cent cinquante dirhams"),
                (-50, "moins cinquante centimes"),
            ],
            french,
        );
    }

    #[test]
    fn arabic_small_numbers() {
        check(
            &[
                (dh(0, 0), "صفر درهم"),
                (dh(1, 0), "درهم واحد"),
                (dh(2, 0), "درهمان"),
                (dh(3, 0), "ثلاثة دراهم"),
                (dh(8, 0), "ثمانية دراهم"),
                (dh(10, 0), "عشرة دراهم"),
                (dh(11, 0), "أحد عشر درهما"),
                (dh(12, 0), "اثنا عشر درهما"),
                (dh(13, 0), "ثلاثة عشر درهما"),
                (dh(19, 0), "تسعة عشر درهما"),
                (dh(20, 0), "عشرون درهما"),
                (dh(21, 0), "واحد وعشرون درهما"),
                (dh(22, 0), "اثنان وعشرون درهما"),
                (dh(70, 0), "سبعون درهما"),
                (dh(71, 0), "واحد وسبعون درهما"),
                (dh(80, 0), "ثمانون درهما"),
                (dh(81, 0), "واحد وثمانون درهما"),
                (dh(90, 0), "تسعون درهما"),
                (dh(91, 0), "واحد وتسعون درهما"),
                (dh(99, 0), "تسعة وتسعون درهما"),
            ],
            arabic,
        );
    }

    #[test]
    fn arabic_hundreds_and_thousands() {
        check(
            &[
                (dh(100, 0), "مائة درهم"),
                (dh(101, 0), "مائة ودرهم واحد"),
                (dh(102, 0), "مائة ودرهمان"),
                (dh(103, 0), "مائة وثلاثة دراهم"),
                (dh(180, 0), "مائة وثمانون درهما"),
                (dh(200, 0), "مائتا درهم"),
                (dh(280, 0), "مائتان وثمانون درهما"),
                (dh(300, 0), "ثلاثمائة درهم"),
                (dh(800, 0), "ثمانمائة درهم"),
                (dh(1_000, 0), "ألف درهم"),
                (dh(1_001, 0), "ألف ودرهم واحد"),
                (dh(1_003, 0), "ألف وثلاثة دراهم"),
                (dh(1_250, 0), "ألف ومائتان وخمسون درهما"),
                (dh(2_000, 0), "ألفا درهم"),
                (dh(2_500, 0), "ألفان وخمسمائة درهم"),
                (dh(3_000, 0), "ثلاثة آلاف درهم"),
                (dh(10_000, 0), "عشرة آلاف درهم"),
                (dh(11_000, 0), "أحد عشر ألف درهم"),
                (dh(11_100, 0), "أحد عشر ألفا ومائة درهم"),
                (dh(80_000, 0), "ثمانون ألف درهم"),
                (dh(99_999, 0), "تسعة وتسعون ألفا وتسعمائة وتسعة وتسعون درهما"),
                (dh(100_000, 0), "مائة ألف درهم"),
                (dh(101_000, 0), "مائة ألف وألف درهم"),
                (dh(102_005, 0), "مائة ألف وألفان وخمسة دراهم"),
                (dh(150_000, 0), "مائة وخمسون ألف درهم"),
                (dh(200_000, 0), "مائتا ألف درهم"),
                (dh(202_000, 0), "مائتا ألف وألفا درهم"),
                (dh(203_000, 0), "مائتان وثلاثة آلاف درهم"),
            ],
            arabic,
        );
    }

    #[test]
    fn arabic_millions_and_milliards() {
        check(
            &[
                (dh(1_000_000, 0), "مليون درهم"),
                (dh(2_000_000, 0), "مليونا درهم"),
                (dh(2_000_001, 0), "مليونان ودرهم واحد"),
                (dh(3_000_000, 0), "ثلاثة ملايين درهم"),
                (dh(1_001_000, 0), "مليون وألف درهم"),
                (dh(80_000_000, 0), "ثمانون مليون درهم"),
                (dh(200_000_000, 0), "مائتا مليون درهم"),
                (dh(1_000_000_000, 0), "مليار درهم"),
                (dh(5_000_000_000, 0), "خمسة ملايير درهم"),
                (dh(43_073_578, 0), "ثلاثة وأربعون مليونا وثلاثة وسبعون ألفا وخمسمائة وثمانية وسبعون درهما"),
                (dh(7_854_330, 0), "سبعة ملايين وثمانمائة وأربعة وخمسون ألفا وثلاثمائة وثلاثون درهما"),
                (
                    99_999_999_999_999,
                    "تسعمائة وتسعة وتسعون مليارا وتسعمائة وتسعة وتسعون مليونا وتسعمائة وتسعة وتسعون ألفا \
                     وتسعمائة وتسعة وتسعون درهما وتسعة وتسعون سنتيما",
                ),
            ],
            arabic,
        );
    }

    #[test]
    fn arabic_centimes_and_sign() {
        check(
            &[
                (1, "سنتيم واحد"),
                (2, "سنتيمان"),
                (5, "خمسة سنتيمات"),
                (50, "خمسون سنتيما"),
                (dh(1_000, 50), "ألف درهم وخمسون سنتيما"),
                (dh(1_250, 50), "ألف ومائتان وخمسون درهما وخمسون سنتيما"),
                (dh(2, 2), "درهمان وسنتيمان"),
                (dh(1, 11), "درهم واحد وأحد عشر سنتيما"),
                (-dh(1_000, 0), "ناقص ألف درهم"),
            ],
            arabic,
        );
    }

    #[test]
    fn extreme_amounts_do_not_panic() {
        for amount in [i64::MAX, i64::MIN, i64::MIN + 1, 1_000_000_000_000_000] {
            assert!(!french(amount).is_empty());
            assert!(!arabic(amount).is_empty());
        }
        assert!(french(i64::MIN).starts_with("moins "));
        assert!(arabic(i64::MIN).starts_with("ناقص "));
    }

    #[test]
    fn texts_are_well_formed_over_a_range() {
        let amounts = (0..=300_000).chain((0..=2_000).map(|k| k * 7_919_993_331));
        for amount in amounts {
            for text in [french(amount), arabic(amount)] {
                assert!(!text.contains("  "), "double space for {amount}: {text}");
                assert_eq!(text.trim(), text, "stray space for {amount}: {text}");
                assert!(!text.ends_with(" و"), "dangling و for {amount}: {text}");
                assert!(!text.contains("صفر") || amount == 0, "zero inside {amount}: {text}");
            }
            let fr = french(amount);
            let words: Vec<&str> = std::iter::once("").chain(fr.split(' ')).collect();
            let one_thousand = words.windows(3).any(|w| {
                w[1] == "un"
                    && w[2] == "mille"
                    && matches!(w[0], "" | "moins" | "million" | "millions" | "milliard" | "milliards")
            });
            assert!(!one_thousand, "« un mille » for {amount}: {fr}");
            assert!(!fr.contains("zéro") || amount == 0, "zero inside {amount}: {fr}");
            assert!(!fr.contains("cents mille") && !fr.contains("vingts mille"), "plural before mille: {fr}");
        }
    }
}
