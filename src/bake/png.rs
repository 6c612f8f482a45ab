//! PNG baking by chunk splicing. Written here rather than with the `png` crate's encoder, which
//! would decode and re-encode the pixels: a baked badge must keep its image bytes untouched.

use super::{BakeError, Generation, MAX_IMAGE_BYTES};

pub const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

/// One chunk, borrowed from the image.
struct Chunk<'a> {
    kind: [u8; 4],
    data: &'a [u8],
    /// The whole chunk: length, type, data and CRC.
    raw: &'a [u8],
}

/// Splits a PNG into its chunks, checking every length and CRC, up to and including `IEND`.
fn chunks(bytes: &[u8]) -> Result<Vec<Chunk<'_>>, BakeError> {
    if bytes.len() > MAX_IMAGE_BYTES {
        return Err(BakeError::TooLarge);
    }
    if !bytes.starts_with(SIGNATURE) {
        return Err(BakeError::NotAnImage);
    }
    let mut out = Vec::new();
    let mut pos = SIGNATURE.len();
    loop {
        let rest = &bytes[pos..];
        if rest.len() < 12 {
            return Err(BakeError::TruncatedPng(format!(
                "{} bytes at byte {pos} where a chunk (at least 12) or IEND was expected",
                rest.len()
            )));
        }
        let declared = u32::from_be_bytes([rest[0], rest[1], rest[2], rest[3]]);
        let kind = [rest[4], rest[5], rest[6], rest[7]];
        let name = String::from_utf8_lossy(&kind).into_owned();
        if !kind.iter().all(u8::is_ascii_alphabetic) {
            return Err(BakeError::MalformedPng(format!(
                "invalid chunk type {name:?} at byte {pos}"
            )));
        }
        let len = declared as usize;
        // 2^31 - 1 is the largest length PNG allows; the data must also be there.
        if declared > 0x7fff_ffff || len > rest.len() - 12 {
            return Err(BakeError::BadChunkLength {
                chunk: name,
                offset: pos,
                declared: u64::from(declared),
                available: rest.len() - 12,
            });
        }
        let data = &rest[8..8 + len];
        let crc =
            u32::from_be_bytes([rest[8 + len], rest[9 + len], rest[10 + len], rest[11 + len]]);
        if crc != chunk_crc(&kind, data) {
            return Err(BakeError::BadCrc {
                chunk: name,
                offset: pos,
            });
        }
        if out.is_empty() && &kind != b"IHDR" {
            return Err(BakeError::MalformedPng(
                "the first chunk is not IHDR".into(),
            ));
        }
        out.push(Chunk {
            kind,
            data,
            raw: &rest[..12 + len],
        });
        pos += 12 + len;
        if &kind == b"IEND" {
            return Ok(out);
        }
    }
}

fn chunk_crc(kind: &[u8; 4], data: &[u8]) -> u32 {
    let mut h = crc32fast::Hasher::new();
    h.update(kind);
    h.update(data);
    h.finalize()
}

/// The keyword of a tEXt, zTXt or iTXt chunk (the bytes before the first NUL).
fn text_keyword<'a>(chunk: &Chunk<'a>) -> Option<&'a [u8]> {
    if !matches!(&chunk.kind, b"tEXt" | b"zTXt" | b"iTXt") {
        return None;
    }
    let end = chunk.data.iter().position(|b| *b == 0)?;
    Some(&chunk.data[..end])
}

/// Bakes `payload` into `image`: one uncompressed `iTXt` chunk right after `IHDR`; a badge of the
/// same generation already there is replaced, never duplicated.
pub fn bake(image: &[u8], generation: Generation, payload: &str) -> Result<Vec<u8>, BakeError> {
    if payload.is_empty() {
        return Err(BakeError::EmptyPayload);
    }
    let keyword = generation.png_keyword().as_bytes();
    let chunks = chunks(image)?;
    let mut data = Vec::with_capacity(keyword.len() + 5 + payload.len());
    data.extend_from_slice(keyword);
    // NUL, compression flag 0 (uncompressed), method 0, empty language tag, empty translated keyword.
    data.extend_from_slice(&[0, 0, 0, 0, 0]);
    data.extend_from_slice(payload.as_bytes());
    let len = u32::try_from(data.len()).map_err(|_| BakeError::TooLarge)?;

    let mut out = Vec::with_capacity(image.len() + data.len() + 12);
    out.extend_from_slice(SIGNATURE);
    for (i, chunk) in chunks.iter().enumerate() {
        if text_keyword(chunk) == Some(keyword) {
            continue;
        }
        out.extend_from_slice(chunk.raw);
        if i == 0 {
            out.extend_from_slice(&len.to_be_bytes());
            out.extend_from_slice(b"iTXt");
            out.extend_from_slice(&data);
            out.extend_from_slice(&chunk_crc(b"iTXt", &data).to_be_bytes());
        }
    }
    Ok(out)
}

/// The payload baked for `generation`, from an `iTXt` chunk (or the `tEXt` of older bakers).
pub fn unbake(image: &[u8], generation: Generation) -> Result<String, BakeError> {
    let keyword = generation.png_keyword().as_bytes();
    let chunks = chunks(image)?;
    let found: Vec<&Chunk<'_>> = chunks
        .iter()
        .filter(|c| text_keyword(c) == Some(keyword))
        .collect();
    let chunk = match found.as_slice() {
        [] => return Err(BakeError::NoBadge),
        [one] => *one,
        many => return Err(BakeError::SeveralBadges(many.len())),
    };
    let after_keyword = &chunk.data[keyword.len() + 1..];
    let text = match &chunk.kind {
        b"tEXt" => after_keyword,
        b"iTXt" => {
            let (flags, rest) = after_keyword
                .split_at_checked(2)
                .ok_or_else(|| BakeError::MalformedPng("iTXt chunk too short".into()))?;
            if flags[0] != 0 {
                return Err(BakeError::Compressed);
            }
            // Skip the language tag and the translated keyword, each NUL-terminated.
            let lang_end = rest
                .iter()
                .position(|b| *b == 0)
                .ok_or_else(|| BakeError::MalformedPng("iTXt chunk without language tag".into()))?;
            let rest = &rest[lang_end + 1..];
            let translated_end = rest.iter().position(|b| *b == 0).ok_or_else(|| {
                BakeError::MalformedPng("iTXt chunk without translated keyword".into())
            })?;
            &rest[translated_end + 1..]
        }
        _ => return Err(BakeError::Compressed),
    };
    let text = std::str::from_utf8(text).map_err(|_| BakeError::NotUtf8)?;
    if text.trim().is_empty() {
        return Err(BakeError::NoBadge);
    }
    Ok(text.to_string())
}

/// How many chunks carry a badge of `generation` (tests and diagnostics).
pub fn count_badges(image: &[u8], generation: Generation) -> Result<usize, BakeError> {
    let keyword = generation.png_keyword().as_bytes();
    Ok(chunks(image)?
        .iter()
        .filter(|c| text_keyword(c) == Some(keyword))
        .count())
}

/// The image with every text chunk of either generation removed: what the pixels and the other
/// chunks were before baking.
pub fn strip(image: &[u8]) -> Result<Vec<u8>, BakeError> {
    let keywords = [
        Generation::Ob2.png_keyword().as_bytes(),
        Generation::Ob3.png_keyword().as_bytes(),
    ];
    let mut out = SIGNATURE.to_vec();
    for chunk in chunks(image)? {
        if !text_keyword(&chunk).is_some_and(|k| keywords.contains(&k)) {
            out.extend_from_slice(chunk.raw);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(w: u32, h: u32) -> Vec<u8> {
        let mut out = Vec::new();
        {
            let mut enc = ::png::Encoder::new(&mut out, w, h);
            enc.set_color(::png::ColorType::Rgb);
            let mut writer = enc.write_header().expect("header");
            let pixels: Vec<u8> = (0..w * h * 3).map(|i| (i * 7 % 251) as u8).collect();
            writer.write_image_data(&pixels).expect("pixels");
        }
        out
    }

    #[test]
    fn bakes_once_and_leaves_every_other_chunk_untouched() {
        let original = image(16, 16);
        let once = bake(&original, Generation::Ob2, "eyJhbGciOiJSUzI1NiJ9.e30.sig").expect("bake");
        let twice = bake(&once, Generation::Ob2, "second").expect("rebake");
        assert_eq!(count_badges(&twice, Generation::Ob2), Ok(1));
        assert_eq!(unbake(&twice, Generation::Ob2).as_deref(), Ok("second"));
        assert_eq!(strip(&twice).expect("strip"), original);
        // The pixels decode the same.
        let decode = |b: &[u8]| {
            let mut r = ::png::Decoder::new(std::io::Cursor::new(b))
                .read_info()
                .expect("info");
            let mut buf = vec![0; r.output_buffer_size()];
            r.next_frame(&mut buf).expect("frame");
            buf
        };
        assert_eq!(decode(&twice), decode(&original));
    }

    #[test]
    fn both_generations_live_side_by_side() {
        let baked = bake(&image(4, 4), Generation::Ob2, "ob2").expect("bake");
        let baked = bake(&baked, Generation::Ob3, "ob3").expect("bake");
        assert_eq!(unbake(&baked, Generation::Ob2).as_deref(), Ok("ob2"));
        assert_eq!(unbake(&baked, Generation::Ob3).as_deref(), Ok("ob3"));
    }

    #[test]
    fn refuses_broken_pngs_without_panicking() {
        let baked = bake(&image(4, 4), Generation::Ob2, "payload").expect("bake");
        assert_eq!(
            unbake(b"GIF89a", Generation::Ob2),
            Err(BakeError::NotAnImage)
        );
        assert!(matches!(
            unbake(&baked[..baked.len() - 5], Generation::Ob2),
            Err(BakeError::TruncatedPng(_))
        ));
        assert!(matches!(
            unbake(&baked[..40], Generation::Ob2),
            Err(BakeError::BadChunkLength { .. } | BakeError::TruncatedPng(_))
        ));
        // A chunk whose length lies: 0x7ffffff0 bytes declared in a small file.
        let mut lying = baked.clone();
        lying[8..12].copy_from_slice(&0x7fff_fff0u32.to_be_bytes());
        assert!(matches!(
            unbake(&lying, Generation::Ob2),
            Err(BakeError::BadChunkLength { .. })
        ));
        let mut flipped = baked.clone();
        let last_data = baked.len() - 20;
        flipped[last_data] ^= 0x01;
        assert!(matches!(
            unbake(&flipped, Generation::Ob2),
            Err(BakeError::BadCrc { .. })
        ));
        assert_eq!(
            unbake(&image(4, 4), Generation::Ob2),
            Err(BakeError::NoBadge)
        );
        assert_eq!(
            bake(&image(4, 4), Generation::Ob2, ""),
            Err(BakeError::EmptyPayload)
        );
    }
}
