//! The command line in French. clap writes its own words in English — headings, usage lines,
//! « [default: …] », « Print help », its errors and tips — and has no translations: here the
//! placeholders get French names, the help that clap renders is translated phrase by phrase,
//! and its errors are written again in French from what they carry (the argument, the value,
//! the suggestions). Command and option names stay as they are.

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{ArgAction, ColorChoice, Command, CommandFactory, FromArgMatches};

use super::args::Cli;

/// The command line read from the process's arguments, or the process ended: help and version
/// printed (exit 0), or a French error with the way out (exit 2).
pub fn parse() -> Cli {
    match parse_from(std::env::args_os()) {
        Ok(cli) => cli,
        Err((text, code)) => {
            if code == 0 {
                print!("{text}");
            } else {
                eprint!("{text}");
            }
            std::process::exit(code);
        }
    }
}

/// The command line read from `args` (the program's name first), or the text to print and the
/// exit code: help and version (0), an error (2).
pub fn parse_from<I, T>(args: I) -> Result<Cli, (String, i32)>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let matches = command().try_get_matches_from(args).map_err(|error| match error.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => (translate(&error.to_string()), 0),
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => (translate(&error.to_string()), 2),
        _ => (explain(&error), 2),
    })?;
    Cli::from_arg_matches(&matches).map_err(|error| (explain(&error), 2))
}

/// The whole grammar with French placeholders and French help and version flags, uncoloured
/// (the translation reads plain text).
pub fn command() -> Command {
    french_placeholders(Cli::command())
        .color(ColorChoice::Never)
        .disable_version_flag(true)
        .arg(clap::Arg::new("version").short('V').long("version").action(ArgAction::Version).help("Affiche la version"))
}

/// Every command: its own French help flag, no `help` subcommand (`--help` everywhere), values
/// named in French.
fn french_placeholders(command: Command) -> Command {
    command
        .disable_help_flag(true)
        .disable_help_subcommand(true)
        .arg(clap::Arg::new("help").short('h').long("help").action(ArgAction::Help).help("Affiche l'aide"))
        .subcommand_value_name("COMMANDE")
        .mut_args(|arg| {
            let takes_values = arg.get_num_args().is_none_or(|n| n.takes_values())
                && matches!(arg.get_action(), ArgAction::Set | ArgAction::Append);
            // clap names a value after its field in the code (`out` → OUT) unless told.
            let named_by_code = arg
                .get_value_names()
                .is_none_or(|names| names.iter().all(|name| name.as_str() == arg.get_id().as_str().to_uppercase()));
            if takes_values && named_by_code {
                let name = placeholder(&arg);
                arg.value_name(name)
            } else {
                arg
            }
        })
        .mut_subcommands(french_placeholders)
}

/// The French placeholder of a value: a path is a file (or a folder, for `--to`), the rest is
/// named after what the option holds.
fn placeholder(arg: &clap::Arg) -> &'static str {
    let id = arg.get_id().as_str();
    if arg.get_value_hint() == clap::ValueHint::AnyPath {
        return if id == "to" { "DOSSIER" } else { "FICHIER" };
    }
    match id {
        "year" => "ANNÉE",
        "date" | "on" | "from" | "born" | "deposited" | "birth_date" | "created" | "amo_checked" => "JJ/MM/AAAA",
        "amount" | "requested" | "envelope" => "MONTANT",
        "reason" | "override_reason" | "overrun" => "MOTIF",
        "dossier" | "number" | "amo_number" | "odco" | "rc_number" | "receipt" => "NUMÉRO",
        "cin" | "promoter" => "CIN",
        "card" => "NUMÉRO_DE_CARTE",
        "format" => "FORMAT",
        "kind" => "TYPE",
        "status" => "STATUT",
        "by" => "VENTILATION",
        "office" | "site" => "CODE_DU_SITE",
        "code" | "programme" | "province" | "region" => "CODE",
        "page" => "PAGE",
        "applicants" | "jobs" | "jobs_family" | "seed" | "page_size" | "target" => "NOMBRE",
        "sites_silencieux" | "visite" | "remise" | "reponse" | "sauvegarde" => "JOURS",
        "session" | "reference" | "commission_ref" | "decision_ref" => "RÉFÉRENCE",
        "name" | "admin_name" | "card_holder" | "last_name" => "NOM",
        "first_name" => "PRÉNOM",
        "name_ar" | "card_holder_ar" | "last_name_ar" => "الاسم",
        "first_name_ar" => "الاسم_الشخصي",
        "login" | "user" | "admin" => "IDENTIFIANT",
        "first" | "second" | "id" | "line" => "ID",
        "who" => "ID_OU_CIN",
        "query" => "RECHERCHE",
        "used_for" => "USAGE",
        "documents" => "PIÈCE",
        "grants" => "SOURCE=MONTANT",
        "years" => "ANNÉES",
        "member" | "members" => "NOM_ET_QUALITÉ",
        "role" => "RÔLE",
        "phone" => "TÉLÉPHONE",
        "address" => "ADRESSE",
        "commune" => "COMMUNE",
        "place" => "LIEU",
        "project" => "PROJET",
        "sector" => "SECTEUR",
        "sex" => "SEXE",
        "relationship" => "LIEN",
        "level" => "NIVEAU",
        "source" => "SOURCE",
        "doc" => "PIÈCE",
        "fingerprint" => "EMPREINTE",
        "amo_regime" => "RÉGIME",
        "rc_court" => "TRIBUNAL",
        "ice" => "ICE",
        "table" => "TABLE",
        "verdict" => "VERDICT",
        "payload" => "TEXTE_DU_CODE",
        "ar" => "TEXTE_ARABE",
        "fr" | "note" | "observations" => "TEXTE",
        _ => "VALEUR",
    }
}

/// clap's English phrases in rendered help and usage, and their French.
const PHRASES: &[(&str, &str)] = &[
    ("Usage: ", "Utilisation : "),
    ("Commands:\n", "Commandes :\n"),
    ("Arguments:\n", "Arguments :\n"),
    ("Options:\n", "Options :\n"),
    ("[OPTIONS]", "[options]"),
    ("Possible values:", "Valeurs possibles :"),
    ("[possible values: ", "[valeurs possibles : "),
    ("[default: ", "[par défaut : "),
    ("[env: ", "[variable : "),
    ("[aliases: ", "[autres noms : "),
    ("[alias: ", "[autre nom : "),
    ("(see more with '--help')", "(plus de détails avec --help)"),
    ("(see a summary with '-h')", "(l'essentiel avec -h)"),
];

/// `text` (help or usage rendered by clap) with clap's words in French.
pub fn translate(text: &str) -> String {
    PHRASES.iter().fold(text.to_owned(), |text, (english, french)| text.replace(english, french))
}

/// A parse error in French: what is wrong, the suggestion if clap has one, the usage line and
/// where to read more.
fn explain(error: &clap::Error) -> String {
    let get = |kind: ContextKind| error.get(kind).map(context_text).unwrap_or_default();
    let argument = get(ContextKind::InvalidArg);
    let value = get(ContextKind::InvalidValue);
    let what = match error.kind() {
        ErrorKind::InvalidSubcommand => format!("la commande « {} » n'existe pas", get(ContextKind::InvalidSubcommand)),
        ErrorKind::UnknownArgument => format!("l'option « {argument} » n'existe pas ici"),
        ErrorKind::InvalidValue if value.is_empty() => format!("« {argument} » attend une valeur"),
        ErrorKind::InvalidValue => format!("la valeur « {value} » n'est pas possible pour « {argument} »"),
        ErrorKind::ValueValidation => {
            let why = std::error::Error::source(error).map(|e| french_reason(&e.to_string())).unwrap_or_default();
            format!("la valeur « {value} » ne convient pas pour « {argument} »{why}")
        }
        ErrorKind::MissingRequiredArgument => format!("il manque {argument}"),
        ErrorKind::MissingSubcommand => "il manque la commande".to_owned(),
        ErrorKind::ArgumentConflict => {
            let prior = get(ContextKind::PriorArg);
            if prior.is_empty() {
                format!("« {argument} » ne se donne pas ici")
            } else {
                format!("« {argument} » ne va pas avec « {prior} »")
            }
        }
        ErrorKind::NoEquals => format!("« {argument} » s'écrit avec un signe = avant sa valeur"),
        ErrorKind::TooManyValues => format!("trop de valeurs pour « {argument} » (« {value} » en plus)"),
        ErrorKind::TooFewValues | ErrorKind::WrongNumberOfValues => {
            format!("« {argument} » n'a pas le bon nombre de valeurs")
        }
        _ => "la ligne de commande n'est pas comprise".to_owned(),
    };
    let mut text = format!("Erreur : {what}.\n");
    let valid = get(ContextKind::ValidValue);
    if !valid.is_empty() {
        text.push_str(&format!("  Valeurs possibles : {valid}\n"));
    }
    for suggestion in [ContextKind::SuggestedSubcommand, ContextKind::SuggestedArg, ContextKind::SuggestedValue] {
        let suggested = get(suggestion);
        if !suggested.is_empty() {
            text.push_str(&format!("  Vouliez-vous dire « {suggested} » ?\n"));
        }
    }
    if let Some(ContextValue::StyledStr(usage)) = error.get(ContextKind::Usage) {
        text.push_str(&format!("\n{}\n", translate(&usage.to_string())));
    }
    text.push_str("\nPour en savoir plus : ajoutez --help à la commande.\n");
    text
}

/// The words of one piece of an error's context.
fn context_text(value: &ContextValue) -> String {
    match value {
        ContextValue::String(s) => s.clone(),
        ContextValue::Strings(list) => list.join(", "),
        ContextValue::StyledStr(s) => s.to_string(),
        ContextValue::StyledStrs(list) => list.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "),
        ContextValue::Number(n) => n.to_string(),
        ContextValue::Bool(b) => b.to_string(),
        _ => String::new(),
    }
}

/// Why a value was refused, when the standard library said it in English.
fn french_reason(reason: &str) -> String {
    let french = match reason {
        "invalid digit found in string" => "un nombre entier est attendu",
        "cannot parse integer from empty string" => "la valeur est vide",
        "number too large to fit in target type" => "le nombre est trop grand",
        "number too small to fit in target type" => "le nombre est trop petit",
        "invalid float literal" => "un nombre est attendu",
        other => return format!(" : {other}"),
    };
    format!(" : {french}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every command's path, from the root, as a user types it.
    fn paths(command: &Command, prefix: &[String], out: &mut Vec<Vec<String>>) {
        out.push(prefix.to_vec());
        for sub in command.get_subcommands() {
            let mut path = prefix.to_vec();
            path.push(sub.get_name().to_owned());
            paths(sub, &path, out);
        }
    }

    #[test]
    fn every_help_is_french() {
        const ENGLISH: &[&str] = &[
            "Usage",
            "Options:",
            "Commands",
            "Arguments:",
            "Print",
            "error:",
            "tip:",
            "default",
            "Possible values",
            "possible values",
            "[OPTIONS]",
            "<COMMAND>",
            "[COMMAND]",
            "subcommand",
            "<OUT>",
            "<FROM_FILE>",
        ];
        let mut all = Vec::new();
        paths(&command(), &[], &mut all);
        assert!(all.len() > 60, "only {} commands found", all.len());
        for path in all {
            let mut args = vec!["daftar".to_owned()];
            args.extend(path.iter().cloned());
            args.push("--help".to_owned());
            let (help, code) = parse_from(&args).err().unwrap_or_default();
            assert_eq!(code, 0, "daftar {} --help", path.join(" "));
            assert!(help.contains("Utilisation : daftar"), "daftar {} --help:\n{help}", path.join(" "));
            for english in ENGLISH {
                assert!(!help.contains(english), "« {english} » in daftar {} --help:\n{help}", path.join(" "));
            }
        }
    }

    #[test]
    fn errors_are_french_and_say_what_to_do() {
        let cases: &[(&[&str], &str)] = &[
            (&["daftar", "verify"], "la commande « verify » n'existe pas"),
            (&["daftar", "certificate", "issue", "--nope"], "l'option « --nope » n'existe pas ici"),
            (&["daftar", "report", "bilan", "--year", "deux"], "« --year <ANNÉE> »"),
            (&["daftar", "certificate"], "Utilisation : daftar certificate"),
        ];
        for (args, expected) in cases {
            let (text, code) = parse_from(*args).err().unwrap_or_default();
            assert_eq!(code, 2, "{args:?}");
            assert!(text.contains(expected), "{args:?}:\n{text}");
            for english in ["error:", "tip:", "Usage", "For more information", "[OPTIONS]"] {
                assert!(!text.contains(english), "« {english} » in {args:?}:\n{text}");
            }
        }
        let (version, code) = parse_from(["daftar", "--version"]).err().unwrap_or_default();
        assert_eq!(code, 0);
        assert!(version.starts_with("daftar "), "{version}");
    }
}
