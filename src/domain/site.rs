//! Installations (sites): their level in the tree, their place and their parent.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::codes::SiteCode;

/// Where an installation stands in the tree
/// `bureau → délégation provinciale → délégation régionale → administration centrale`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Level {
    /// A local office (*bureau local*).
    Bureau,
    /// A provincial delegation.
    DelegationProvinciale,
    /// A regional delegation.
    DelegationRegionale,
    /// The central administration.
    Centrale,
}

impl Level {
    /// Every level, bottom up.
    pub const ALL: [Level; 4] =
        [Level::Bureau, Level::DelegationProvinciale, Level::DelegationRegionale, Level::Centrale];

    /// The name used on the command line and in files.
    pub fn code(self) -> &'static str {
        match self {
            Level::Bureau => "bureau",
            Level::DelegationProvinciale => "delegation-provinciale",
            Level::DelegationRegionale => "delegation-regionale",
            Level::Centrale => "centrale",
        }
    }

    /// Parses [`Level::code`].
    pub fn parse(raw: &str) -> Result<Level, String> {
        Level::ALL.into_iter().find(|l| l.code() == raw.trim()).ok_or_else(|| {
            format!("« {raw} » n'est pas un niveau : bureau, delegation-provinciale, delegation-regionale ou centrale.")
        })
    }

    /// The French name shown to users.
    pub fn label_fr(self) -> &'static str {
        match self {
            Level::Bureau => "Bureau local",
            Level::DelegationProvinciale => "Délégation provinciale",
            Level::DelegationRegionale => "Délégation régionale",
            Level::Centrale => "Administration centrale",
        }
    }

    /// The Arabic name (glossary: المكتب المحلي، النيابة الإقليمية، النيابة الجهوية).
    pub fn label_ar(self) -> &'static str {
        match self {
            Level::Bureau => "المكتب المحلي",
            Level::DelegationProvinciale => "النيابة الإقليمية",
            Level::DelegationRegionale => "النيابة الجهوية",
            Level::Centrale => "الإدارة المركزية",
        }
    }

    /// What the site's place is given as: a province, a region, or nothing (the centre).
    pub fn place_kind(self) -> PlaceKind {
        match self {
            Level::Bureau | Level::DelegationProvinciale => PlaceKind::Province,
            Level::DelegationRegionale => PlaceKind::Region,
            Level::Centrale => PlaceKind::None,
        }
    }

    /// True for the delegations and the centre: levels that supervise others.
    pub fn supervises(self) -> bool {
        self != Level::Bureau
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label_fr())
    }
}

/// The kind of place a level is attached to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlaceKind {
    /// A prefecture or province (three-digit HCP code).
    Province,
    /// A region (two-digit code).
    Region,
    /// No place: the central administration.
    None,
}

/// This installation: who it is in the tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Site {
    /// The site's code, owner of every row it creates.
    pub code: SiteCode,
    /// Its name, as printed on documents (e.g. « Bureau local de Tiznit »).
    pub name: String,
    /// Its level.
    pub level: Level,
    /// Its province code, for an office or a provincial delegation.
    pub province_code: Option<String>,
    /// Its region code (derived from the province where there is one).
    pub region_code: Option<String>,
    /// The site it reports to, once pinned by enrollment; `None` for a standalone site.
    pub parent: Option<SiteCode>,
}

impl Site {
    /// True when this site's own commission decides on dossiers: any delegation, and an office
    /// with no parent (a standalone office). An office under a delegation waits for its
    /// delegation's decisions.
    pub fn decides(&self) -> bool {
        self.level.supervises() || self.parent.is_none()
    }

    /// True when the site registers applicants, projects and dossiers itself (an office).
    pub fn registers(&self) -> bool {
        self.level == Level::Bureau
    }

    /// True when this site defines its own programmes and envelopes rather than receiving them.
    pub fn defines_programmes(&self) -> bool {
        self.level.supervises() || self.parent.is_none()
    }
}
