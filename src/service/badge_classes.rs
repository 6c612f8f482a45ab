//! Badge classes, as the admin defines them.

use super::{Insigne, ServiceError};
use crate::domain::ecap::{find_competency, AwardRule, CompetencyRef};
use crate::domain::validation::Checker;
use crate::domain::{BadgeClass, BadgeClassDraft, BadgeClassId, Invalid};
use crate::service::inputs::BadgeClassInput;

impl Insigne {
    pub async fn create_badge_class(
        &self,
        input: &BadgeClassInput,
    ) -> Result<BadgeClass, ServiceError> {
        let draft = self.checked_badge_class(input).await?;
        let class = BadgeClass::new(BadgeClassId::random(), draft, self.clock.now());
        self.store.save_badge_class(&class).await?;
        Ok(class)
    }

    pub async fn update_badge_class(
        &self,
        id: BadgeClassId,
        input: &BadgeClassInput,
    ) -> Result<BadgeClass, ServiceError> {
        let mut class = self.badge_class(id).await?;
        let draft = self.checked_badge_class(input).await?;
        class.apply(draft, self.clock.now());
        self.store.save_badge_class(&class).await?;
        Ok(class)
    }

    pub async fn badge_class(&self, id: BadgeClassId) -> Result<BadgeClass, ServiceError> {
        self.store
            .get_badge_class(id)
            .await?
            .ok_or_else(|| ServiceError::not_found("badge class", id))
    }

    pub async fn badge_classes(&self) -> Result<Vec<BadgeClass>, ServiceError> {
        Ok(self.store.list_badge_classes().await?)
    }

    /// The shape checks of the draft, then: does its issuer exist?
    async fn checked_badge_class(
        &self,
        input: &BadgeClassInput,
    ) -> Result<BadgeClassDraft, ServiceError> {
        let draft = BadgeClassDraft::from_input(input)?;
        if self.store.get_issuer(draft.issuer).await?.is_none() {
            return Err(
                Invalid::one("issuer", format!("no issuer with id {}", draft.issuer)).into(),
            );
        }
        Ok(draft)
    }
}

/// An award rule as a form gives it, checked against the stored catalogue by
/// `save_badge_class_with_rule`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleChoice {
    /// The badge's code in the catalogue (how stackable rules and imports name it).
    pub code: String,
    /// `parcours`, `all_modules`, `at_least`, `all_competencies`, `all_badges`, or
    /// `sessions_attended` to keep the participation rule the catalogue gave the badge.
    pub kind: String,
    pub parcours: Option<String>,
    pub modules: Vec<String>,
    pub count: Option<u32>,
    /// `FRAMEWORK:CODE`.
    pub competencies: Vec<String>,
    pub badges: Vec<String>,
}

impl Insigne {
    /// The catalogue code and rule of a badge class, when it has them.
    pub async fn badge_class_rule(
        &self,
        id: BadgeClassId,
    ) -> Result<(Option<String>, Option<AwardRule>), ServiceError> {
        Ok(self.store.badge_class_rule(id).await?)
    }

    /// Creates (`id` none) or updates a badge class with an award rule (`None`: awarded by
    /// hand only). A rule is checked against the stored catalogue (modules, parcours,
    /// competencies and badges it names exist; no badge needs itself); once saved, every
    /// learner with completions is evaluated again. Returns the class and how many learners
    /// were marked.
    pub async fn save_badge_class_with_rule(
        &self,
        id: Option<BadgeClassId>,
        input: &BadgeClassInput,
        rule: Option<&RuleChoice>,
    ) -> Result<(BadgeClass, usize), ServiceError> {
        let draft = self.checked_badge_class(input);
        let checked = match rule {
            Some(choice) => self.checked_rule(id, choice).await.map(Some),
            None => Ok(None),
        };
        // Both checked before answering, so that the form shows every error at once.
        let (draft, checked) = match (draft.await, checked) {
            (Ok(d), Ok(r)) => (d, r),
            (Err(ServiceError::Invalid(mut a)), Err(ServiceError::Invalid(b))) => {
                a.0.extend(b.0);
                return Err(a.into());
            }
            (Err(e), _) | (_, Err(e)) => return Err(e),
        };
        let now = self.clock.now();
        let class = match id {
            Some(id) => {
                let mut class = self.badge_class(id).await?;
                class.apply(draft, now);
                class
            }
            None => BadgeClass::new(BadgeClassId::random(), draft, now),
        };
        let marked = self
            .store
            .save_ruled_badge_class(
                &class,
                checked.as_ref().map(|(code, rule)| (code.as_str(), rule)),
                now,
            )
            .await?;
        Ok((class, marked))
    }

    async fn checked_rule(
        &self,
        id: Option<BadgeClassId>,
        choice: &RuleChoice,
    ) -> Result<(String, AwardRule), ServiceError> {
        let stored = self.store.load_catalogue().await?;
        let mut c = Checker::new();
        let code = choice.code.trim().to_string();
        if code.is_empty() {
            c.add("code", "is required for a badge awarded by a rule");
        } else if code.len() > 50 || code.chars().any(char::is_whitespace) {
            c.add("code", "at most 50 characters, without spaces");
        } else if let Some(other) = self.store.badge_class_id_by_code(&code).await? {
            if Some(other) != id {
                c.add("code", format!("{code:?} is the code of another badge"));
            }
        }
        let known_module = |m: &String| stored.modules.iter().any(|x| &x.code == m);
        let modules = |c: &mut Checker| {
            if choice.modules.is_empty() {
                c.add("rule.modules", "choose at least one module");
            }
            for m in choice.modules.iter().filter(|m| !known_module(m)) {
                c.add("rule.modules", format!("no module {m:?} in the catalogue"));
            }
            choice.modules.clone()
        };
        let rule = match choice.kind.as_str() {
            "parcours" => {
                let p = choice.parcours.clone().unwrap_or_default();
                let list: Vec<String> = stored
                    .modules
                    .iter()
                    .filter(|m| m.parcours == p)
                    .map(|m| m.code.clone())
                    .collect();
                if list.is_empty() {
                    c.add("rule.parcours", format!("parcours {p:?} has no module"));
                }
                Some(AwardRule::AllModules { modules: list })
            }
            "all_modules" => Some(AwardRule::AllModules {
                modules: modules(&mut c),
            }),
            "at_least" => {
                let list = modules(&mut c);
                let count = choice.count.unwrap_or(0);
                if count == 0 || count as usize > list.len().max(1) {
                    c.add(
                        "rule.count",
                        format!("between 1 and the {} modules chosen", list.len()),
                    );
                }
                Some(AwardRule::AtLeast {
                    count,
                    modules: list,
                })
            }
            "all_competencies" => {
                if choice.competencies.is_empty() {
                    c.add("rule.competencies", "choose at least one competency");
                }
                let mut refs = Vec::new();
                for text in &choice.competencies {
                    let found = text.split_once(':').and_then(|(fw, code)| {
                        let r = CompetencyRef {
                            framework: fw.into(),
                            code: code.into(),
                        };
                        find_competency(&stored.frameworks, &r).map(|_| r)
                    });
                    match found {
                        Some(r) => refs.push(r),
                        None => c.add("rule.competencies", format!("no competency {text:?}")),
                    }
                }
                Some(AwardRule::AllCompetencies { competencies: refs })
            }
            "all_badges" => {
                if choice.badges.is_empty() {
                    c.add("rule.badges", "choose at least one badge");
                }
                for b in &choice.badges {
                    if *b == code {
                        c.add("rule.badges", "a badge cannot need itself");
                    } else if !stored.badges.iter().any(|x| &x.code == b) {
                        c.add("rule.badges", format!("no badge {b:?} awarded by a rule"));
                    } else if needs(&stored.badges, b, &code) {
                        c.add("rule.badges", format!("{b:?} already needs this badge"));
                    }
                }
                Some(AwardRule::AllBadges {
                    badges: choice.badges.clone(),
                })
            }
            // The participation rule a catalogue file gave this badge, kept as it is (the
            // form does not edit series and durations).
            "sessions_attended" => match id {
                Some(id) => match self.store.badge_class_rule(id).await? {
                    (_, Some(rule @ AwardRule::SessionsAttended { .. })) => Some(rule),
                    _ => {
                        c.add("rule", "this badge has no participation rule to keep");
                        None
                    }
                },
                None => {
                    c.add("rule", "a participation rule is set in the catalogue file");
                    None
                }
            },
            // The review rule a catalogue file gave this badge (badges on request), kept.
            "review" => match id {
                Some(id) => match self.store.badge_class_rule(id).await? {
                    (_, Some(rule @ AwardRule::Review { .. })) => Some(rule),
                    _ => {
                        c.add("rule", "this badge has no review rule to keep");
                        None
                    }
                },
                None => {
                    c.add("rule", "a review rule is set in the catalogue file");
                    None
                }
            },
            other => {
                c.add("rule", format!("unknown kind of rule {other:?}"));
                None
            }
        };
        c.finish()?;
        rule.map(|r| (code, r))
            .ok_or_else(|| Invalid::one("rule", "is required").into())
    }
}

/// Whether the ruled badge `from` needs `target`, directly or through other badges.
fn needs(badges: &[crate::storage::RuledBadge], from: &str, target: &str) -> bool {
    let mut seen = std::collections::BTreeSet::new();
    let mut todo = vec![from.to_string()];
    while let Some(code) = todo.pop() {
        if code == target {
            return true;
        }
        if !seen.insert(code.clone()) {
            continue;
        }
        if let Some(AwardRule::AllBadges { badges: list }) =
            badges.iter().find(|b| b.code == code).map(|b| &b.rule)
        {
            todo.extend(list.iter().cloned());
        }
    }
    false
}
