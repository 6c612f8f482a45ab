//! SVG baking: the badge element right after the root start tag, its namespace on the root.
//! Positions come from quick-xml's reader, and the rest of the document is copied byte for byte.

use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;

use super::{BakeError, Generation, MAX_IMAGE_BYTES};

const PREFIX: &str = "openbadges";

/// What a baked SVG element holds: a `verify` attribute (URL, JWS or JWT) and/or JSON content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SvgBadge {
    pub verify: Option<String>,
    pub content: Option<String>,
}

impl SvgBadge {
    /// The payload a verifier starts from: the JSON content when there is some (it carries the
    /// data), otherwise what `verify` names.
    pub fn payload(self) -> String {
        self.content.or(self.verify).unwrap_or_default()
    }
}

/// The byte spans of the parts of the document baking cares about.
struct Layout {
    /// The root start tag, `<svg …>` or `<svg …/>`.
    root_start: std::ops::Range<usize>,
    root_is_empty: bool,
    root_name: String,
    /// Whether the root declares `xmlns:openbadges`, and with which value.
    prefix_binding: Option<String>,
    /// Existing badge elements of the generation, to be removed.
    badges: Vec<std::ops::Range<usize>>,
}

fn parse_error(e: impl std::fmt::Display) -> BakeError {
    BakeError::MalformedSvg(e.to_string())
}

fn text(bytes: &[u8]) -> Result<&str, BakeError> {
    if bytes.len() > MAX_IMAGE_BYTES {
        return Err(BakeError::TooLarge);
    }
    std::str::from_utf8(bytes).map_err(|_| BakeError::MalformedSvg("not UTF-8".into()))
}

fn layout(svg: &str, generation: Generation) -> Result<Layout, BakeError> {
    let mut reader = NsReader::from_str(svg);
    let mut root: Option<(std::ops::Range<usize>, bool, String, Option<String>)> = None;
    let mut badges = Vec::new();
    let mut depth = 0usize;
    // (start offset, depth at which it opened) of a badge element being read.
    let mut open_badge: Option<(usize, usize)> = None;
    loop {
        let before = reader.buffer_position() as usize;
        let (ns, event) = reader.read_resolved_event().map_err(parse_error)?;
        let ours = match &event {
            Event::Start(e) | Event::Empty(e) => is_badge(&ns, e.local_name().as_ref(), generation),
            _ => false,
        };
        let after = reader.buffer_position() as usize;
        match event {
            Event::DocType(_) => return Err(BakeError::SvgDoctype),
            Event::Start(ref e) | Event::Empty(ref e) => {
                let is_empty = matches!(event, Event::Empty(_));
                if root.is_none() {
                    if e.local_name().as_ref() != b"svg" {
                        return Err(BakeError::MalformedSvg(
                            "the root element is not <svg>".into(),
                        ));
                    }
                    let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                    let binding = e
                        .attributes()
                        .filter_map(Result::ok)
                        .find(|a| a.key.as_ref() == format!("xmlns:{PREFIX}").as_bytes())
                        .map(|a| String::from_utf8_lossy(&a.value).into_owned());
                    root = Some((before..after, is_empty, name, binding));
                } else if open_badge.is_none() && ours {
                    if is_empty {
                        badges.push(before..after);
                    } else {
                        open_badge = Some((before, depth));
                    }
                }
                if !is_empty {
                    depth += 1;
                }
            }
            Event::End(_) => {
                depth = depth.saturating_sub(1);
                if let Some((start, d)) = open_badge {
                    if d == depth {
                        badges.push(start..after);
                        open_badge = None;
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let (root_start, root_is_empty, root_name, prefix_binding) =
        root.ok_or_else(|| BakeError::MalformedSvg("no root element".into()))?;
    if depth != 0 && !root_is_empty {
        return Err(BakeError::MalformedSvg(
            "the document ends before its root element closes".into(),
        ));
    }
    Ok(Layout {
        root_start,
        root_is_empty,
        root_name,
        prefix_binding,
        badges,
    })
}

fn is_badge(ns: &ResolveResult<'_>, local: &[u8], generation: Generation) -> bool {
    matches!(ns, ResolveResult::Bound(n) if n.as_ref() == generation.svg_namespace().as_bytes())
        && local == generation.svg_element().as_bytes()
}

fn escape_attr(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('"', "&quot;")
}

/// Bakes into `svg` an element with `verify` (a URL, JWS or JWT) and/or `content` (JSON, in
/// CDATA). A badge of the same generation already there is replaced.
pub fn bake(
    svg: &[u8],
    generation: Generation,
    verify: Option<&str>,
    content: Option<&str>,
) -> Result<Vec<u8>, BakeError> {
    if verify.is_none_or(str::is_empty) && content.is_none_or(str::is_empty) {
        return Err(BakeError::EmptyPayload);
    }
    let doc = text(svg)?;
    let layout = layout(doc, generation)?;
    let namespace = generation.svg_namespace();
    // The root declares the prefix for this generation, unless it is already bound to the other
    // generation's namespace (a dual-baked image): then the element declares it for itself.
    let (declare_on_root, declare_on_element) = match layout.prefix_binding.as_deref() {
        None => (true, false),
        Some(ns) if ns == namespace => (false, false),
        Some(_) => (false, true),
    };

    let mut element = format!("<{PREFIX}:{}", generation.svg_element());
    if declare_on_element {
        element.push_str(&format!(" xmlns:{PREFIX}=\"{namespace}\""));
    }
    if let Some(v) = verify.filter(|v| !v.is_empty()) {
        element.push_str(&format!(" verify=\"{}\"", escape_attr(v)));
    }
    match content.filter(|c| !c.is_empty()) {
        // "]]>" cannot appear inside CDATA: split it across two sections.
        Some(c) => element.push_str(&format!(
            "><![CDATA[{}]]></{PREFIX}:{}>",
            c.replace("]]>", "]]]]><![CDATA[>"),
            generation.svg_element()
        )),
        None => element.push_str("/>"),
    }

    let tag = &doc[layout.root_start.clone()];
    let (tag_body, tag_close) = if layout.root_is_empty {
        (tag.trim_end_matches("/>").trim_end(), ">")
    } else {
        (tag.trim_end_matches('>'), ">")
    };
    let mut out = String::with_capacity(doc.len() + element.len() + 64);
    out.push_str(&doc[..layout.root_start.start]);
    out.push_str(tag_body);
    if declare_on_root {
        out.push_str(&format!(" xmlns:{PREFIX}=\"{namespace}\""));
    }
    out.push_str(tag_close);
    out.push_str(&element);
    if layout.root_is_empty {
        out.push_str(&format!("</{}>", layout.root_name));
    }
    let mut pos = layout.root_start.end;
    for badge in &layout.badges {
        out.push_str(&doc[pos..badge.start]);
        pos = badge.end;
    }
    out.push_str(&doc[pos..]);
    Ok(out.into_bytes())
}

/// The badge element of `generation` baked in `svg`.
pub fn unbake(svg: &[u8], generation: Generation) -> Result<SvgBadge, BakeError> {
    let doc = text(svg)?;
    let mut reader = NsReader::from_str(doc);
    let mut found: Vec<SvgBadge> = Vec::new();
    let mut reading: Option<(SvgBadge, String)> = None;
    let mut seen_root = false;
    loop {
        let (ns, event) = reader.read_resolved_event().map_err(parse_error)?;
        match event {
            // Reading a badge, a DOCTYPE that only names an external DTD (`<!DOCTYPE svg PUBLIC
            // "-//W3C//DTD SVG 1.1//EN" "…svg11.dtd">`, as editors write and as the official OB
            // 3.0 examples carry) is harmless: the DTD is never fetched. An internal subset,
            // where entities are declared, is still refused. Baking refuses any DOCTYPE.
            Event::DocType(ref d) if !d.contains(&b'[') => {}
            Event::DocType(_) => return Err(BakeError::SvgDoctype),
            Event::Start(ref e) | Event::Empty(ref e) => {
                if !seen_root {
                    seen_root = true;
                    if e.local_name().as_ref() != b"svg" {
                        return Err(BakeError::MalformedSvg(
                            "the root element is not <svg>".into(),
                        ));
                    }
                    continue;
                }
                if reading.is_none() && is_badge(&ns, e.local_name().as_ref(), generation) {
                    let verify = match e.try_get_attribute("verify").map_err(parse_error)? {
                        Some(a) => {
                            Some(a.unescape_value().map_err(parse_error)?.trim().to_string())
                        }
                        None => None,
                    };
                    let badge = SvgBadge {
                        verify,
                        content: None,
                    };
                    if matches!(event, Event::Empty(_)) {
                        found.push(badge);
                    } else {
                        reading = Some((badge, String::new()));
                    }
                }
            }
            Event::CData(c) => {
                if let Some((_, buf)) = reading.as_mut() {
                    buf.push_str(std::str::from_utf8(&c).map_err(|_| BakeError::NotUtf8)?);
                }
            }
            Event::Text(t) => {
                if let Some((_, buf)) = reading.as_mut() {
                    buf.push_str(&t.unescape().map_err(parse_error)?);
                }
            }
            Event::End(ref e) if is_badge(&ns, e.local_name().as_ref(), generation) => {
                if let Some((mut badge, buf)) = reading.take() {
                    let buf = buf.trim();
                    badge.content = (!buf.is_empty()).then(|| buf.to_string());
                    found.push(badge);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !seen_root {
        return Err(BakeError::MalformedSvg("no root element".into()));
    }
    let mut found: Vec<SvgBadge> = found
        .into_iter()
        .filter(|b| b.verify.as_deref().is_some_and(|v| !v.is_empty()) || b.content.is_some())
        .collect();
    match found.len() {
        0 => Err(BakeError::NoBadge),
        1 => Ok(found.remove(0)),
        n => Err(BakeError::SeveralBadges(n)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SVG: &str = r##"<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><circle r="30" fill="#000091"/></svg>"##;

    #[test]
    fn hosted_json_goes_in_cdata_after_the_root_start_tag() {
        let json = r#"{"id":"https://b.test/assertions/1","x":"a]]>b"}"#;
        let baked = bake(
            SVG.as_bytes(),
            Generation::Ob2,
            Some("https://b.test/assertions/1"),
            Some(json),
        )
        .expect("bake");
        let text = String::from_utf8(baked.clone()).expect("utf8");
        assert!(text.contains(r#"<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" xmlns:openbadges="http://openbadges.org"><openbadges:assertion verify="https://b.test/assertions/1"><![CDATA["#), "{text}");
        let badge = unbake(&baked, Generation::Ob2).expect("unbake");
        assert_eq!(badge.content.as_deref(), Some(json));
        assert_eq!(badge.verify.as_deref(), Some("https://b.test/assertions/1"));
    }

    #[test]
    fn rebaking_replaces_and_empty_roots_are_opened() {
        let once = bake(
            b"<svg xmlns='http://www.w3.org/2000/svg'/>",
            Generation::Ob2,
            Some("a.b.c"),
            None,
        )
        .expect("bake");
        let twice = bake(&once, Generation::Ob2, Some("d.e.f"), None).expect("rebake");
        let text = String::from_utf8(twice.clone()).expect("utf8");
        assert_eq!(text.matches("openbadges:assertion").count(), 1, "{text}");
        assert_eq!(text.matches("xmlns:openbadges").count(), 1, "{text}");
        assert_eq!(
            unbake(&twice, Generation::Ob2)
                .expect("unbake")
                .verify
                .as_deref(),
            Some("d.e.f")
        );
        // The other generation beside it: the element declares its own namespace.
        let both = bake(&twice, Generation::Ob3, None, Some("{\"a\":1}")).expect("dual bake");
        let again = bake(&both, Generation::Ob3, None, Some("{\"a\":2}")).expect("rebake ob3");
        let text = String::from_utf8(again.clone()).expect("utf8");
        assert!(text.contains(r#"<openbadges:credential xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"><![CDATA[{"a":2}]]>"#), "{text}");
        assert_eq!(
            text.matches("openbadges:credential xmlns").count(),
            1,
            "{text}"
        );
        assert_eq!(
            unbake(&again, Generation::Ob2)
                .expect("ob2")
                .verify
                .as_deref(),
            Some("d.e.f")
        );
        assert_eq!(
            unbake(&again, Generation::Ob3)
                .expect("ob3")
                .content
                .as_deref(),
            Some("{\"a\":2}")
        );
    }

    #[test]
    fn refuses_doctype_entities_and_non_svg() {
        let evil = r#"<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><svg xmlns="http://www.w3.org/2000/svg">&lol2;</svg>"#;
        assert_eq!(
            unbake(evil.as_bytes(), Generation::Ob2),
            Err(BakeError::SvgDoctype)
        );
        let external = r#"<?xml version="1.0"?><!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd"><svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org"><openbadges:assertion verify="https://example.org/a"/></svg>"#;
        assert_eq!(
            unbake(external.as_bytes(), Generation::Ob2).map(|b| b.verify),
            Ok(Some("https://example.org/a".into())),
            "an external DTD is never fetched, so reading such an SVG is safe"
        );
        assert_eq!(
            bake(external.as_bytes(), Generation::Ob2, Some("x"), None),
            Err(BakeError::SvgDoctype),
            "insigne never bakes into an SVG with a DOCTYPE"
        );
        assert_eq!(
            bake(evil.as_bytes(), Generation::Ob2, Some("x"), None),
            Err(BakeError::SvgDoctype)
        );
        assert!(matches!(
            unbake(b"<html/>", Generation::Ob2),
            Err(BakeError::MalformedSvg(_))
        ));
        assert!(matches!(
            unbake(b"<svg><g></svg>", Generation::Ob2),
            Err(BakeError::MalformedSvg(_))
        ));
        assert_eq!(
            unbake(SVG.as_bytes(), Generation::Ob2),
            Err(BakeError::NoBadge)
        );
    }
}
