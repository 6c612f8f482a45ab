//! The words of the messages, from `locales/` like every page.

use crate::domain::{Award, BadgeClass, Issuer};
use crate::formats::{linkedin, PublicUrls};
use crate::i18n::Lang;
use crate::storage::{MessageKind, NewMessage};

fn lines(out: &mut String, more: &[String]) {
    for line in more {
        out.push_str(line);
        out.push('\n');
    }
}

fn ending(out: &mut String, t: Lang, issuer: &Issuer) {
    out.push_str("\n-- \n");
    lines(
        out,
        &[
            t.t_with("email-signature", &[("issuer", &issuer.name)]),
            t.t("email-why"),
        ],
    );
}

/// A message about `award` to its recipient, its subject naming the badge.
fn to_recipient(
    kind: MessageKind,
    award: &Award,
    class: &BadgeClass,
    t: Lang,
    body: String,
) -> NewMessage {
    let subject = match kind {
        MessageKind::Revoked => "email-revoked-subject",
        _ => "email-awarded-subject",
    };
    NewMessage {
        id: crate::domain::ids::random_uuid(),
        kind,
        recipient: award.recipient.email.to_string(),
        lang: t.code().to_string(),
        subject: t.t_with(subject, &[("badge", &class.name)]),
        body,
    }
}

/// The announcement of `award` as the outbox keeps it: who, what, which language; its text is
/// written when it is sent (`awarded_message`).
pub fn awarded_envelope(award: &Award, class: &BadgeClass, t: Lang) -> NewMessage {
    to_recipient(MessageKind::Awarded, award, class, t, String::new())
}

/// The message announcing `award`: the badge, its issuer, the competencies, the badge page and
/// the LinkedIn link.
pub fn awarded_message(
    urls: &PublicUrls,
    award: &Award,
    class: &BadgeClass,
    issuer: &Issuer,
    t: Lang,
) -> NewMessage {
    let page = urls.badge_page(award.id);
    let mut body = String::new();
    lines(
        &mut body,
        &[
            t.t_with("email-greeting", &[("name", &award.recipient.name)]),
            String::new(),
            t.t_with(
                "email-awarded-intro",
                &[("issuer", &issuer.name), ("badge", &class.name)],
            ),
        ],
    );
    if !class.alignments.is_empty() {
        body.push('\n');
        lines(&mut body, &[t.t("email-competencies")]);
        for a in &class.alignments {
            lines(
                &mut body,
                &[t.t_with(
                    "email-competency-line",
                    &[
                        ("code", &a.code),
                        ("name", &a.name),
                        ("framework", &a.framework),
                    ],
                )],
            );
        }
    }
    let linkedin = linkedin::add_to_profile(&linkedin::Certification {
        name: &class.name,
        organization: &issuer.name,
        issued: award.issued_on,
        expires: award.expires,
        url: &page,
        id: &award.id.to_string(),
    });
    body.push('\n');
    lines(
        &mut body,
        &[
            t.t_with("email-page", &[("url", &page)]),
            String::new(),
            t.t_with("email-linkedin", &[("url", &linkedin)]),
            String::new(),
            t.t_with(
                "email-mine",
                &[("url", &format!("{}/mes-badges", urls.base()))],
            ),
        ],
    );
    ending(&mut body, t, issuer);
    to_recipient(MessageKind::Awarded, award, class, t, body)
}

/// The message announcing that `award` was revoked, with its reason.
pub fn revoked_message(
    urls: &PublicUrls,
    award: &Award,
    reason: &str,
    class: &BadgeClass,
    issuer: &Issuer,
    t: Lang,
) -> NewMessage {
    let mut body = String::new();
    lines(
        &mut body,
        &[
            t.t_with("email-greeting", &[("name", &award.recipient.name)]),
            String::new(),
            t.t_with(
                "email-revoked-intro",
                &[
                    ("issuer", &issuer.name),
                    ("badge", &class.name),
                    ("date", &t.date(award.issued_on)),
                ],
            ),
            t.t_with("email-revoked-reason", &[("reason", reason)]),
            String::new(),
            t.t_with("email-revoked-page", &[("url", &urls.badge_page(award.id))]),
        ],
    );
    ending(&mut body, t, issuer);
    to_recipient(MessageKind::Revoked, award, class, t, body)
}

/// The message carrying a sign-in link to "mes badges".
pub fn signin_message(email: &str, link: &str, minutes: i64, t: Lang) -> NewMessage {
    link_message(
        email,
        link,
        minutes,
        t,
        "email-signin-subject",
        "email-signin-intro",
    )
}

/// The console sign-in link, as an admin or a tutor receives it.
pub fn admin_signin_message(email: &str, link: &str, minutes: i64, t: Lang) -> NewMessage {
    link_message(
        email,
        link,
        minutes,
        t,
        "email-admin-signin-subject",
        "email-admin-signin-intro",
    )
}

/// A sign-in link valid `minutes`, with its subject and the sentence that says where it leads.
fn link_message(
    email: &str,
    link: &str,
    minutes: i64,
    t: Lang,
    subject: &str,
    intro: &str,
) -> NewMessage {
    let mut body = String::new();
    lines(
        &mut body,
        &[
            t.t("email-signin-greeting"),
            String::new(),
            t.t_count(intro, "minutes", minutes),
            link.to_string(),
            String::new(),
            t.t("email-signin-ignore"),
        ],
    );
    NewMessage {
        id: crate::domain::ids::random_uuid(),
        kind: MessageKind::Signin,
        recipient: email.to_string(),
        lang: t.code().to_string(),
        subject: t.t(subject),
        body,
    }
}

/// A step of a badge request, as its trainer or a tutor is told of it: `subject` and `intro`
/// name the step (their arguments: `badge`, `name`), `note` is the tutor's message or reason
/// (none for a tutor's notice), and `link` where the request is read.
pub struct RequestNotice<'a> {
    pub to: &'a str,
    pub subject: &'a str,
    pub intro: &'a str,
    pub badge: &'a str,
    pub name: &'a str,
    pub note: Option<&'a str>,
    pub link: &'a str,
}

/// The message of a request's step, in `t`.
pub fn request_message(n: &RequestNotice<'_>, t: Lang) -> NewMessage {
    let args = [("badge", n.badge), ("name", n.name)];
    let mut body = String::new();
    lines(
        &mut body,
        &[
            t.t("email-request-greeting"),
            String::new(),
            t.t_with(n.intro, &args),
        ],
    );
    if let Some(note) = n.note {
        body.push('\n');
        lines(&mut body, &[t.t("email-request-note"), note.to_string()]);
    }
    body.push('\n');
    lines(
        &mut body,
        &[t.t_with("email-request-link", &[("url", n.link)])],
    );
    NewMessage {
        id: crate::domain::ids::random_uuid(),
        kind: MessageKind::Request,
        recipient: n.to.to_string(),
        lang: t.code().to_string(),
        subject: t.t_with(n.subject, &args),
        body,
    }
}
