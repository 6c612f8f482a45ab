//! The front door's content: the académie's issuers and its badge classes, grouped by the
//! parcours their rule draws on, in the order of the catalogue.

use std::collections::BTreeSet;

use super::{Insigne, ServiceError};
use crate::domain::ecap::{AwardRule, Parcours};
use crate::domain::{BadgeClass, Issuer};

/// Badge classes under one parcours (or none: badges by competency, stackable badges, and
/// those made through the API).
#[derive(Debug, Clone)]
pub struct BadgeGroup {
    pub parcours: Option<Parcours>,
    pub classes: Vec<BadgeClass>,
}

#[derive(Debug, Clone)]
pub struct Home {
    pub issuers: Vec<Issuer>,
    pub groups: Vec<BadgeGroup>,
}

impl Insigne {
    pub async fn home(&self) -> Result<Home, ServiceError> {
        let issuers = self.issuers().await?;
        let mut classes = self.badge_classes().await?;
        let catalogue = self.store.load_catalogue().await?;
        let parcours_of = |rule: &AwardRule| -> Option<String> {
            let modules = match rule {
                AwardRule::AllModules { modules } | AwardRule::AtLeast { modules, .. } => modules,
                _ => return None,
            };
            let set: BTreeSet<&str> = modules
                .iter()
                .filter_map(|m| catalogue.module(m))
                .map(|m| m.parcours.as_str())
                .collect();
            match set.into_iter().collect::<Vec<_>>().as_slice() {
                [one] => Some(one.to_string()),
                _ => None,
            }
        };
        let mut groups = Vec::new();
        for p in &catalogue.parcours {
            let ids: Vec<_> = catalogue
                .badges
                .iter()
                .filter(|b| parcours_of(&b.rule).as_deref() == Some(p.code.as_str()))
                .map(|b| b.id)
                .collect();
            let (in_group, rest): (Vec<_>, Vec<_>) =
                classes.into_iter().partition(|c| ids.contains(&c.id));
            classes = rest;
            if !in_group.is_empty() {
                // In the catalogue's order of badges.
                let mut in_group = in_group;
                in_group.sort_by_key(|c| ids.iter().position(|id| *id == c.id));
                groups.push(BadgeGroup {
                    parcours: Some(p.clone()),
                    classes: in_group,
                });
            }
        }
        if !classes.is_empty() {
            // The catalogue's in its order, then those made through the API by name.
            let order: Vec<_> = catalogue.badges.iter().map(|b| b.id).collect();
            classes.sort_by(|a, b| {
                let rank = |c: &BadgeClass| order.iter().position(|id| *id == c.id);
                match (rank(a), rank(b)) {
                    (Some(x), Some(y)) => x.cmp(&y),
                    (Some(_), None) => std::cmp::Ordering::Less,
                    (None, Some(_)) => std::cmp::Ordering::Greater,
                    (None, None) => a.name.cmp(&b.name),
                }
            });
            groups.push(BadgeGroup {
                parcours: None,
                classes,
            });
        }
        Ok(Home { issuers, groups })
    }
}
