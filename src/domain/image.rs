//! Badge and issuer images, given as data URIs and checked by their bytes, not their names.

use std::fmt;

use base64::Engine;

/// The largest image accepted, decoded.
pub const MAX_IMAGE_BYTES: usize = 2 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageKind {
    Png,
    Svg,
}

impl ImageKind {
    pub fn mime(self) -> &'static str {
        match self {
            ImageKind::Png => "image/png",
            ImageKind::Svg => "image/svg+xml",
        }
    }

    pub fn from_mime(mime: &str) -> Option<Self> {
        match mime {
            "image/png" => Some(ImageKind::Png),
            "image/svg+xml" => Some(ImageKind::Svg),
            _ => None,
        }
    }
}

/// A PNG or SVG image whose bytes were checked.
#[derive(Clone, PartialEq, Eq)]
pub struct Image {
    kind: ImageKind,
    bytes: Vec<u8>,
}

impl fmt::Debug for Image {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Image({}, {} bytes)", self.kind.mime(), self.bytes.len())
    }
}

impl Image {
    /// Parses `data:image/png;base64,…` or `data:image/svg+xml[;base64],…` and checks that the
    /// bytes really are what the media type says.
    pub fn from_data_uri(uri: &str) -> Result<Self, String> {
        let rest = uri
            .trim()
            .strip_prefix("data:")
            .ok_or("must be a data URI (data:image/png;base64,… or data:image/svg+xml;base64,…)")?;
        let (header, payload) = rest
            .split_once(',')
            .ok_or("is a data URI without a comma before its data")?;
        let mut params = header.split(';');
        let mime = params.next().unwrap_or("").trim().to_ascii_lowercase();
        let is_base64 = params.any(|p| p.trim().eq_ignore_ascii_case("base64"));
        let kind = ImageKind::from_mime(&mime).ok_or_else(|| {
            format!("must be a PNG or SVG image (media type {mime:?} is not accepted)")
        })?;
        // A base64 payload is at most 4/3 of the decoded size: refuse early, before decoding.
        if payload.len() > MAX_IMAGE_BYTES / 3 * 4 + 8 {
            return Err(too_large());
        }
        let bytes = if is_base64 {
            let compact: String = payload
                .chars()
                .filter(|c| !c.is_ascii_whitespace())
                .collect();
            base64::engine::general_purpose::STANDARD
                .decode(compact)
                .map_err(|_| "has invalid base64 data".to_string())?
        } else if kind == ImageKind::Svg {
            percent_decode(payload)?
        } else {
            return Err("a PNG data URI must be base64-encoded (data:image/png;base64,…)".into());
        };
        Self::from_bytes(kind, bytes)
    }

    /// Checks bytes against the expected kind.
    pub fn from_bytes(kind: ImageKind, bytes: Vec<u8>) -> Result<Self, String> {
        if bytes.len() > MAX_IMAGE_BYTES {
            return Err(too_large());
        }
        match kind {
            ImageKind::Png => check_png(&bytes)?,
            ImageKind::Svg => check_svg(&bytes)?,
        }
        Ok(Self { kind, bytes })
    }

    pub fn kind(&self) -> ImageKind {
        self.kind
    }

    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    pub fn to_data_uri(&self) -> String {
        format!(
            "data:{};base64,{}",
            self.kind.mime(),
            base64::engine::general_purpose::STANDARD.encode(&self.bytes)
        )
    }
}

fn too_large() -> String {
    format!("must be at most {} MiB", MAX_IMAGE_BYTES / (1024 * 1024))
}

fn check_png(bytes: &[u8]) -> Result<(), String> {
    const NOT_PNG: &str = "is declared as PNG but its bytes are not a PNG image";
    if !bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Err(NOT_PNG.into());
    }
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    // Only the header is read here; a 2 MiB file cannot declare pixels we would then allocate.
    decoder.set_limits(png::Limits {
        bytes: 64 * 1024 * 1024,
    });
    let reader = decoder.read_info().map_err(|_| NOT_PNG.to_string())?;
    let info = reader.info();
    if info.width == 0 || info.height == 0 {
        return Err(NOT_PNG.into());
    }
    Ok(())
}

fn check_svg(bytes: &[u8]) -> Result<(), String> {
    use quick_xml::events::Event;
    const NOT_SVG: &str = "is declared as SVG but is not an SVG document";
    let text = std::str::from_utf8(bytes).map_err(|_| "is an SVG that is not UTF-8".to_string())?;
    let mut reader = quick_xml::Reader::from_str(text);
    loop {
        match reader.read_event() {
            Ok(Event::Decl(_) | Event::Comment(_) | Event::PI(_)) => {}
            Ok(Event::Text(t))
                if t.iter()
                    .all(|b| b.is_ascii_whitespace() || *b == 0xEF || *b == 0xBB || *b == 0xBF) => {
            }
            Ok(Event::DocType(_)) => {
                return Err(
                    "is an SVG with a DOCTYPE, which is refused (entities are never expanded)"
                        .into(),
                )
            }
            Ok(Event::Start(e) | Event::Empty(e)) => {
                return if e.local_name().as_ref() == b"svg" {
                    Ok(())
                } else {
                    Err(NOT_SVG.into())
                };
            }
            _ => return Err(NOT_SVG.into()),
        }
    }
}

fn percent_decode(input: &str) -> Result<Vec<u8>, String> {
    let bytes = input.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or("has an invalid percent-encoding in its data")?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Ok(out)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A valid 1×1 PNG, made with the `png` crate.
    pub fn tiny_png() -> Vec<u8> {
        let mut out = Vec::new();
        {
            let mut enc = png::Encoder::new(&mut out, 1, 1);
            enc.set_color(png::ColorType::Rgba);
            let mut w = enc.write_header().expect("header");
            w.write_image_data(&[0, 0x66, 0xcc, 0xff]).expect("data");
        }
        out
    }

    fn b64(bytes: &[u8]) -> String {
        base64::engine::general_purpose::STANDARD.encode(bytes)
    }

    #[test]
    fn accepts_a_real_png_and_svg() {
        let png = Image::from_data_uri(&format!("data:image/png;base64,{}", b64(&tiny_png())))
            .expect("png");
        assert_eq!(png.kind(), ImageKind::Png);
        let svg = r#"<?xml version="1.0"?><!-- badge --><svg xmlns="http://www.w3.org/2000/svg"/>"#;
        let img = Image::from_data_uri(&format!(
            "data:image/svg+xml;base64,{}",
            b64(svg.as_bytes())
        ))
        .expect("svg");
        assert_eq!(img.bytes(), svg.as_bytes());
        let img = Image::from_data_uri(
            "data:image/svg+xml,%3Csvg%20xmlns%3D%22http%3A%2F%2Fwww.w3.org%2F2000%2Fsvg%22%2F%3E",
        )
        .expect("utf8 svg");
        assert_eq!(img.kind(), ImageKind::Svg);
    }

    #[test]
    fn checks_bytes_not_names() {
        let err = Image::from_data_uri(&format!("data:image/png;base64,{}", b64(b"GIF89a....")))
            .unwrap_err();
        assert!(err.contains("not a PNG"), "{err}");
        let err = Image::from_data_uri(&format!(
            "data:image/svg+xml;base64,{}",
            b64(b"<html></html>")
        ))
        .unwrap_err();
        assert!(err.contains("not an SVG"), "{err}");
        let err = Image::from_data_uri("data:image/gif;base64,R0lGODlh").unwrap_err();
        assert!(err.contains("PNG or SVG"), "{err}");
        assert!(Image::from_data_uri("https://example.org/a.png").is_err());
        // A truncated PNG: signature only.
        assert!(Image::from_data_uri(&format!(
            "data:image/png;base64,{}",
            b64(b"\x89PNG\r\n\x1a\n")
        ))
        .is_err());
    }

    #[test]
    fn refuses_svg_with_doctype_or_entities() {
        let svg = r#"<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x "boom">]><svg xmlns="http://www.w3.org/2000/svg">&x;</svg>"#;
        let err = Image::from_data_uri(&format!(
            "data:image/svg+xml;base64,{}",
            b64(svg.as_bytes())
        ))
        .unwrap_err();
        assert!(err.contains("DOCTYPE"), "{err}");
    }

    #[test]
    fn refuses_images_over_the_limit() {
        let mut big = tiny_png();
        big.resize(MAX_IMAGE_BYTES + 1, 0);
        let err =
            Image::from_data_uri(&format!("data:image/png;base64,{}", b64(&big))).unwrap_err();
        assert!(err.contains("at most 2 MiB"), "{err}");
    }
}
