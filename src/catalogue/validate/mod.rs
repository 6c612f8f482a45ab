//! Checks a catalogue as a whole, section by section: every reference resolves, codes are
//! unique, stackable badges have no cycle. Errors name the entry and the field
//! (`module[E1-M2].parcours`), all of them at once.

mod badges;
mod frameworks;
mod grids;
mod issuer;
mod parcours;
mod series;

use std::path::Path;

use super::raw::RawCatalogue;
use super::Catalogue;
use crate::domain::validation::Checker;
use crate::domain::Invalid;

pub(super) fn validate(raw: RawCatalogue, base_dir: Option<&Path>) -> Result<Catalogue, Invalid> {
    let mut c = Checker::new();
    let issuer = issuer::issuer(&mut c, &raw.issuer);
    let frameworks = frameworks::frameworks(&mut c, raw.framework);
    let competencies = frameworks::Competencies::new(&frameworks);
    let parcours = parcours::parcours(&mut c, raw.parcours);
    let modules = parcours::modules(&mut c, raw.module, &parcours, &competencies);
    let series = series::series(&mut c, raw.series);
    let grids = grids::grids(&mut c, raw.grid);
    let badges = badges::badges(
        &mut c,
        raw.badge,
        &modules,
        &series,
        &grids,
        &competencies,
        base_dir,
    );
    c.finish()?;
    Ok(Catalogue {
        issuer,
        frameworks,
        parcours,
        modules,
        series,
        grids,
        badges,
    })
}
