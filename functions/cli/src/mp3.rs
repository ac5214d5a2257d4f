//! Is this file really an MP3? Twilio's `<Play>` needs MPEG audio; a WAV or an M4A renamed
//! `.mp3` would play as silence or an error on every call, so uploads are checked by content.

/// What the first MPEG audio frame says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mp3Info {
    /// Bits per second.
    pub bitrate: u32,
    /// Samples per second.
    pub sample_rate: u32,
}

/// Where the audio starts: after an ID3v2 tag, if any.
fn audio_start(data: &[u8]) -> Result<usize, String> {
    if data.len() >= 10 && &data[..3] == b"ID3" {
        // The tag size is four 7-bit bytes; a footer (flag bit 4) adds 10 more bytes.
        let size = data[6..10]
            .iter()
            .fold(0usize, |size, b| (size << 7) | usize::from(b & 0x7f));
        let footer = if data[5] & 0x10 != 0 { 10 } else { 0 };
        let start = 10 + size + footer;
        if start >= data.len() {
            return Err("the file is an ID3 tag with no audio after it".into());
        }
        return Ok(start);
    }
    Ok(0)
}

/// Parses an MPEG-1/2/2.5 Layer III frame header at `at`, returning its info and frame length.
fn frame(data: &[u8], at: usize) -> Option<(Mp3Info, usize)> {
    let h = data.get(at..at + 4)?;
    if h[0] != 0xff || h[1] & 0xe0 != 0xe0 {
        return None;
    }
    let version = (h[1] >> 3) & 0b11; // 00 MPEG-2.5, 10 MPEG-2, 11 MPEG-1
    let layer = (h[1] >> 1) & 0b11; // 01 Layer III
    if version == 0b01 || layer != 0b01 {
        return None;
    }
    let bitrate_index = usize::from(h[2] >> 4);
    let rate_index = usize::from((h[2] >> 2) & 0b11);
    let padding = usize::from((h[2] >> 1) & 1);
    if bitrate_index == 0 || bitrate_index == 15 || rate_index == 3 {
        return None;
    }
    const MPEG1_KBPS: [u32; 15] = [
        0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320,
    ];
    const MPEG2_KBPS: [u32; 15] = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];
    const MPEG1_HZ: [u32; 3] = [44100, 48000, 32000];
    let (kbps, hz, samples_factor) = match version {
        0b11 => (MPEG1_KBPS[bitrate_index], MPEG1_HZ[rate_index], 144),
        0b10 => (MPEG2_KBPS[bitrate_index], MPEG1_HZ[rate_index] / 2, 72),
        _ => (MPEG2_KBPS[bitrate_index], MPEG1_HZ[rate_index] / 4, 72),
    };
    let bitrate = kbps * 1000;
    let length = (samples_factor * bitrate / hz) as usize + padding;
    Some((
        Mp3Info {
            bitrate,
            sample_rate: hz,
        },
        length,
    ))
}

/// Checks that `data` is MPEG Layer III audio: an optional ID3v2 tag, then a valid frame header
/// followed by a second one where the first frame's length says (when the file goes that far).
pub fn check(data: &[u8]) -> Result<Mp3Info, String> {
    if data.is_empty() {
        return Err("the file is empty".into());
    }
    let start = audio_start(data)?;
    let Some((info, length)) = frame(data, start) else {
        return Err(describe_not_mp3(data));
    };
    let next = start + length;
    if next + 4 <= data.len() && frame(data, next).is_none() {
        return Err("the first MPEG frame is not followed by another: not an MP3".into());
    }
    Ok(info)
}

fn describe_not_mp3(data: &[u8]) -> String {
    let what = if data.starts_with(b"RIFF") {
        " (it is a WAV file)"
    } else if data.get(4..8) == Some(b"ftyp") {
        " (it is an MP4/M4A file)"
    } else if data.starts_with(b"OggS") {
        " (it is an Ogg file)"
    } else {
        ""
    };
    format!("no MPEG Layer III frame header where the audio starts: not an MP3{what}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// MPEG-1 Layer III, 128 kbit/s, 44.1 kHz, no padding: frames of 417 bytes.
    fn frames(count: usize) -> Vec<u8> {
        let mut data = Vec::new();
        for _ in 0..count {
            let mut frame = vec![0u8; 417];
            frame[..4].copy_from_slice(&[0xff, 0xfb, 0x90, 0x00]);
            data.extend(frame);
        }
        data
    }

    #[test]
    fn mpeg_layer_three_frames_are_an_mp3() {
        assert_eq!(
            check(&frames(3)),
            Ok(Mp3Info {
                bitrate: 128_000,
                sample_rate: 44_100
            })
        );
    }

    #[test]
    fn an_id3_tag_before_the_audio_is_skipped() {
        let mut data = b"ID3\x04\x00\x00\x00\x00\x01\x00".to_vec(); // a 128-byte tag
        data.extend(vec![0u8; 128]);
        data.extend(frames(2));
        assert!(check(&data).is_ok());
    }

    #[test]
    fn other_audio_formats_are_named() {
        let mut wav = b"RIFF\x24\x00\x00\x00WAVEfmt ".to_vec();
        wav.extend(vec![0u8; 100]);
        assert!(check(&wav).unwrap_err().contains("WAV"));
        let mut m4a = b"\x00\x00\x00\x20ftypM4A ".to_vec();
        m4a.extend(vec![0u8; 100]);
        assert!(check(&m4a).unwrap_err().contains("M4A"));
        assert!(check(b"").unwrap_err().contains("empty"));
    }

    #[test]
    fn a_lone_sync_word_in_noise_is_not_an_mp3() {
        let mut data = frames(1);
        data.extend(vec![0x55u8; 600]);
        assert!(check(&data).is_err());
    }

    #[test]
    fn the_demo_greeting_is_an_mp3() {
        let demo = include_bytes!("../../../infra/seed/demo-greeting.mp3");
        assert!(check(demo).is_ok());
    }
}
