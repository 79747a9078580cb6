//! torchvision's ImageNet evaluation transform, bit for bit, in plain Rust (std only):
//! `Compose([Resize(resize), CenterCrop(crop), ToTensor(), Normalize(mean, std)])` applied to a
//! PIL RGB image.
//!
//! - [`resize_short_side`] is `transforms.Resize(size)` with an int size: torchvision's
//!   `_compute_resized_output_size` (the short side becomes `size`, the long side
//!   `int(size * long / short)`, truncated; an image already of that size is returned as it is),
//!   then PIL's `Image.resize((w, h), Image.BILINEAR)`. [`resize_bilinear`] is the PIL part alone:
//!   Pillow's `ImagingResample` (`src/libImaging/Resample.c`) with its bilinear (triangle) filter
//!   and antialiasing (`support = 1.0 * max(in / out, 1)`); the coefficients are computed in double
//!   exactly as `precompute_coeffs` computes them, normalised, turned into 22-bit fixed point by
//!   `normalize_coeffs_8bpc`, and convolved in integers with PIL's rounding (`1 << 21` bias) and
//!   clipping, in two passes, in Pillow 13's order: the horizontal pass first (over only the rows
//!   that the vertical pass reads) unless the height shrinks by more than twice as many pixels as
//!   the width, where the vertical pass runs first; a pass whose size does not change is skipped,
//!   as PIL skips it. (Pillow 12 and older always ran the horizontal pass first, so for those
//!   tall-shrinking resizes Pillow 12's bytes differ from Pillow 13's, and these, by one here and
//!   there.)
//! - [`center_crop`] is `transforms.CenterCrop(size)`: offsets `int(round((h - crop) / 2.0))`
//!   (Python rounds half to even), and an image smaller than the crop is first padded with zeros,
//!   `(crop - w) // 2` on the left or top and the rest on the right or bottom, as torchvision pads.
//! - [`to_tensor_normalized`] is `ToTensor()` then `Normalize(mean, std)`: CHW float32,
//!   `(x as f32 / 255.0 - mean[c]) / std[c]`, each step rounded to float32 as torch's CPU kernels
//!   round it (a true division by 255, then `sub_`, then `div_`).
//! - [`EvalTransform`] chains the three; its `Default` is ImageNet's 256/224 with the usual mean/std.
//!
//! Checked against torchvision 0.29.2 / Pillow 13.0.0 / torch 2.15 (CPU) on scikit-image's
//! photographs (astronaut, coffee, chelsea, rocket, camera, crops of them with odd sizes, and
//! greyscale, palette, RGBA and LA versions converted to RGB), resized to 32, 100, 224, 256, 300 and
//! past their size (upsampling), center-cropped (padding included) and through the whole 256/224 and
//! 72/64 transforms, and on 3,300 random images and sizes through PIL's resize and torchvision's
//! `CenterCrop`: every byte identical, every float32 identical bit for bit. The unit tests below pin
//! small cases against PIL's output; `fixtures/make_images.py` writes torchvision's tensors for a
//! few photographs.
//!
//! Inputs are never a reason to panic: an [`Rgb8`] whose `data` is not `width * height * 3` bytes
//! long, or one with a zero side (where torchvision itself fails with a `ZeroDivisionError`),
//! resizes to an empty 0×0 image, and sizes whose buffers could not be allocated give an empty
//! result as well; callers who care should check [`Rgb8::is_valid`] and the sizes first.

/// An 8-bit RGB image, row-major, 3 interleaved channels (HWC): pixel `(x, y)`'s red byte is
/// `data[(y * width + x) * 3]`.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Rgb8 {
    /// Pixels per row.
    pub width: usize,
    /// Rows.
    pub height: usize,
    /// `width * height * 3` bytes, R, G, B for each pixel, row after row.
    pub data: Vec<u8>,
}

impl Rgb8 {
    /// The image, if `data` holds exactly `width * height * 3` bytes.
    pub fn new(width: usize, height: usize, data: Vec<u8>) -> Option<Self> {
        let img = Rgb8 { width, height, data };
        img.is_valid().then_some(img)
    }

    /// Whether `data` holds exactly `width * height * 3` bytes.
    pub fn is_valid(&self) -> bool {
        byte_len(self.width, self.height) == Some(self.data.len())
    }

    fn empty() -> Self {
        Rgb8::default()
    }
}

/// `width * height * 3`, if it fits.
fn byte_len(width: usize, height: usize) -> Option<usize> {
    width.checked_mul(height)?.checked_mul(3)
}

/// A buffer of `len` copies of `value`, or `None` where it cannot be allocated.
fn filled<T: Clone>(len: usize, value: T) -> Option<Vec<T>> {
    let mut v = Vec::new();
    v.try_reserve_exact(len).ok()?;
    v.resize(len, value);
    Some(v)
}

/// torchvision's `_compute_resized_output_size` for an int size: `(width, height)` with the short
/// side `size` and the long side `int(size * long / short)`, where Python divides in double and
/// truncates. `None` for a zero side (torchvision divides by zero there).
pub fn short_side_size(width: usize, height: usize, size: usize) -> Option<(usize, usize)> {
    let (short, long) = if width <= height { (width, height) } else { (height, width) };
    if short == 0 {
        return None;
    }
    // Python's int / int is the correctly rounded double of the exact quotient; so is this one
    // whenever the product fits in 53 bits (any real image).
    let product = (size as u128).checked_mul(long as u128)?;
    let new_long = (product as f64 / short as f64) as usize;
    Some(if width <= height { (size, new_long) } else { (new_long, size) })
}

/// `transforms.Resize(size)` on a PIL image: the short side becomes `size` (see
/// [`short_side_size`]), then [`resize_bilinear`]. An image already of that size comes back as
/// it is, as torchvision returns it. Invalid or zero-sided images give an empty 0×0 image.
pub fn resize_short_side(img: &Rgb8, size: usize) -> Rgb8 {
    if !img.is_valid() {
        return Rgb8::empty();
    }
    match short_side_size(img.width, img.height, size) {
        Some((w, h)) if (w, h) == (img.width, img.height) => img.clone(),
        Some((w, h)) => resize_bilinear(img, w, h),
        None => Rgb8::empty(),
    }
}

/// PIL's `Image.resize((width, height), Image.BILINEAR)` of an RGB image, byte for byte. A zero
/// output side (PIL refuses it), an invalid or zero-sided input, or a size too large to allocate,
/// give an empty 0×0 image.
pub fn resize_bilinear(img: &Rgb8, width: usize, height: usize) -> Rgb8 {
    if !img.is_valid() || img.width == 0 || img.height == 0 || width == 0 || height == 0 {
        return Rgb8::empty();
    }
    resample(img, width, height).unwrap_or_else(Rgb8::empty)
}

/// PIL's fixed-point precision: `PRECISION_BITS = 32 - 8 - 2`.
const PRECISION_BITS: u32 = 22;

/// One output pixel's taps along an axis: the first input index, and its fixed-point weights.
struct Taps {
    first: usize,
    weights: Vec<i32>,
}

/// PIL's `bilinear_filter`.
fn bilinear_filter(x: f64) -> f64 {
    let x = if x < 0.0 { -x } else { x };
    if x < 1.0 {
        1.0 - x
    } else {
        0.0
    }
}

/// Pillow's `precompute_coeffs` for the bilinear filter over the box `[0, in_size)` (`in0 = 0.0f`,
/// `in1 = (float)in_size`) followed by `normalize_coeffs_8bpc`, operation for operation in double.
fn precompute_coeffs(in_size: usize, out_size: usize) -> Option<Vec<Taps>> {
    const SUPPORT: f64 = 1.0; // BILINEAR's support
    let in0 = 0.0f32;
    let in1 = in_size as f32;
    let scale = f64::from(in1 - in0) / out_size as f64;
    let filterscale = if scale < 1.0 { 1.0 } else { scale };
    let support = SUPPORT * filterscale;
    let ss = 1.0 / filterscale;
    let in_size_i = i64::try_from(in_size).ok()?;
    let mut taps = Vec::new();
    taps.try_reserve_exact(out_size).ok()?;
    let mut w = Vec::new();
    for xx in 0..out_size {
        let center = f64::from(in0) + (xx as f64 + 0.5) * scale;
        // C's `(int)` truncates toward zero, as `as` does.
        let xmin = ((center - support + 0.5) as i64).max(0);
        let xmax = ((center + support + 0.5) as i64).min(in_size_i);
        let count = (xmax - xmin).max(0);
        w.clear();
        let mut ww = 0.0f64;
        for x in 0..count {
            let v = bilinear_filter(((x + xmin) as f64 - center + 0.5) * ss);
            w.push(v);
            ww += v;
        }
        if ww != 0.0 {
            for v in &mut w {
                *v /= ww;
            }
        }
        let one = f64::from(1u32 << PRECISION_BITS);
        let weights =
            w.iter().map(|&k| if k < 0.0 { (-0.5 + k * one) as i32 } else { (0.5 + k * one) as i32 }).collect();
        taps.push(Taps { first: usize::try_from(xmin).ok()?, weights });
    }
    Some(taps)
}

/// PIL's `clip8`: the accumulator's integer part, clamped to a byte.
fn clip8(acc: i64) -> u8 {
    (acc >> PRECISION_BITS).clamp(0, 255) as u8
}

/// One output byte: `(1 << 21) + sum(src[i] * k[i])`, clipped, as PIL's 8bpc passes compute it.
fn convolve(weights: &[i32], mut sample: impl FnMut(usize) -> u8) -> u8 {
    let mut acc: i64 = 1 << (PRECISION_BITS - 1);
    for (i, &k) in weights.iter().enumerate() {
        acc += i64::from(sample(i)) * i64::from(k);
    }
    clip8(acc)
}

/// Pillow's `ImagingResampleInner` (13.0): the horizontal pass first, over only the input rows
/// that the vertical pass reads, then the vertical pass; except where the height shrinks by more
/// than twice as many pixels as the width, where the vertical pass runs first, over the whole
/// image. A pass whose size does not change is skipped.
fn resample(img: &Rgb8, width: usize, height: usize) -> Option<Rgb8> {
    let need_horizontal = width != img.width;
    let need_vertical = height != img.height;
    if !need_horizontal && !need_vertical {
        return Some(img.clone());
    }
    let signed = |v: usize| i64::try_from(v).ok();
    let shrink_y = signed(img.height)? - signed(height)?;
    let shrink_x = signed(img.width)? - signed(width)?;
    let horizontal_first = !(shrink_y > 0 && shrink_y > shrink_x.checked_mul(2)?);
    let vert = if need_vertical { Some(precompute_coeffs(img.height, height)?) } else { None };
    let horiz = if need_horizontal { Some(precompute_coeffs(img.width, width)?) } else { None };
    match (horizontal_first, horiz, vert) {
        (true, Some(h), Some(v)) => {
            // Only the rows `first..last` feed the vertical pass; its taps then start `first` lower.
            let first = v.first().map_or(0, |t| t.first);
            let last = v.last().map_or(0, |t| t.first + t.weights.len());
            let temp = horizontal_pass(img, &h, first, last)?;
            vertical_pass(&temp, &v, first)
        }
        (false, Some(h), Some(v)) => {
            let temp = vertical_pass(img, &v, 0)?;
            horizontal_pass(&temp, &h, 0, temp.height)
        }
        (_, Some(h), None) => horizontal_pass(img, &h, 0, img.height),
        (_, None, Some(v)) => vertical_pass(img, &v, 0),
        (_, None, None) => Some(img.clone()),
    }
}

/// Pillow's `ImagingResampleHorizontal_8bpc` over the input rows `first..last`.
fn horizontal_pass(img: &Rgb8, taps: &[Taps], first: usize, last: usize) -> Option<Rgb8> {
    let width = taps.len();
    if width == 0 {
        return None;
    }
    let rows = last.checked_sub(first)?;
    let mut data = filled(byte_len(width, rows)?, 0u8)?;
    let stride = img.width * 3;
    for (yy, out_row) in data.chunks_exact_mut(width * 3).enumerate() {
        let start = (yy + first) * stride;
        let row = img.data.get(start..start + stride)?;
        for (out, t) in out_row.chunks_exact_mut(3).zip(taps) {
            for (c, o) in out.iter_mut().enumerate() {
                *o = convolve(&t.weights, |x| row.get((x + t.first) * 3 + c).copied().unwrap_or(0));
            }
        }
    }
    Some(Rgb8 { width, height: rows, data })
}

/// Pillow's `ImagingResampleVertical_8bpc`, with the taps' first rows `shift` lower in `img`.
fn vertical_pass(img: &Rgb8, taps: &[Taps], shift: usize) -> Option<Rgb8> {
    let w = img.width;
    if w == 0 {
        return None;
    }
    let height = taps.len();
    let mut data = filled(byte_len(w, height)?, 0u8)?;
    for (out_row, t) in data.chunks_exact_mut(w * 3).zip(taps) {
        let first = t.first.checked_sub(shift)?;
        for (i, o) in out_row.iter_mut().enumerate() {
            *o = convolve(&t.weights, |y| img.data.get((y + first) * w * 3 + i).copied().unwrap_or(0));
        }
    }
    Some(Rgb8 { width: w, height, data })
}

/// `int(round(d / 2.0))` with Python's round half to even.
fn half_round_even(d: usize) -> usize {
    let k = d / 2;
    if d % 2 == 1 && k % 2 == 1 {
        k + 1
    } else {
        k
    }
}

/// `transforms.CenterCrop(size)` on a PIL image: a `size`×`size` window at
/// `(int(round((w - size) / 2.0)), int(round((h - size) / 2.0)))`; a side shorter than `size` is
/// first padded with zeros, `(size - w) // 2` before and the rest after, as torchvision pads it.
/// An invalid image (see [`Rgb8::is_valid`]), or a crop too large to allocate, gives an empty 0×0
/// image; a zero-sided valid image pads to all zeros, as torchvision pads it.
pub fn center_crop(img: &Rgb8, size: usize) -> Rgb8 {
    if !img.is_valid() {
        return Rgb8::empty();
    }
    let (w, h) = (img.width, img.height);
    // Padding before, and the padded side; then the crop's offset in the padded image.
    let (pad_left, padded_w) = if size > w { ((size - w) / 2, size) } else { (0, w) };
    let (pad_top, padded_h) = if size > h { ((size - h) / 2, size) } else { (0, h) };
    let left = half_round_even(padded_w - size);
    let top = half_round_even(padded_h - size);
    let Some(mut data) = byte_len(size, size).and_then(|n| filled(n, 0u8)) else {
        return Rgb8::empty();
    };
    for y in 0..size {
        // The source row in the unpadded image, if this row is not padding.
        let Some(sy) = (y + top).checked_sub(pad_top).filter(|&sy| sy < h) else { continue };
        for x in 0..size {
            let Some(sx) = (x + left).checked_sub(pad_left).filter(|&sx| sx < w) else { continue };
            let src = (sy * w + sx) * 3;
            let dst = (y * size + x) * 3;
            if let (Some(d), Some(s)) = (data.get_mut(dst..dst + 3), img.data.get(src..src + 3)) {
                d.copy_from_slice(s);
            }
        }
    }
    Rgb8 { width: size, height: size, data }
}

/// `ToTensor()` then `Normalize(mean, std)`: a CHW float32 tensor, flattened, with
/// `(x as f32 / 255.0 - mean[c]) / std[c]` rounded to float32 at each step, as torch computes
/// `img.float().div(255).sub_(mean).div_(std)` on the CPU. A zero `std` gives infinities or NaNs
/// (torchvision raises there). An invalid image gives an empty vector.
pub fn to_tensor_normalized(img: &Rgb8, mean: [f32; 3], std: [f32; 3]) -> Vec<f32> {
    if !img.is_valid() {
        return Vec::new();
    }
    let plane = img.width * img.height;
    let mut out = Vec::new();
    if out.try_reserve_exact(img.data.len()).is_err() {
        return Vec::new();
    }
    for c in 0..3 {
        out.extend(img.data.iter().skip(c).step_by(3).take(plane).map(|&x| (f32::from(x) / 255.0 - mean[c]) / std[c]));
    }
    out
}

/// torchvision's evaluation transform `Compose([Resize(resize), CenterCrop(crop), ToTensor(),
/// Normalize(mean, std)])` on an RGB image.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EvalTransform {
    /// `Resize`'s size: the short side's length after resizing.
    pub resize: usize,
    /// `CenterCrop`'s size: the output's width and height.
    pub crop: usize,
    /// `Normalize`'s per-channel mean (R, G, B).
    pub mean: [f32; 3],
    /// `Normalize`'s per-channel standard deviation (R, G, B).
    pub std: [f32; 3],
}

impl Default for EvalTransform {
    /// ImageNet's: `Resize(256)`, `CenterCrop(224)`, mean `[0.485, 0.456, 0.406]`, std
    /// `[0.229, 0.224, 0.225]`.
    fn default() -> Self {
        EvalTransform { resize: 256, crop: 224, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] }
    }
}

impl EvalTransform {
    /// The CHW float32 tensor, flattened: `3 * crop * crop` values for any valid image. A
    /// zero-sided image resizes to nothing and so crops to all padding (zeros), normalised; an
    /// invalid one gives an empty vector.
    pub fn apply(&self, img: &Rgb8) -> Vec<f32> {
        if !img.is_valid() {
            return Vec::new();
        }
        let resized = resize_short_side(img, self.resize);
        to_tensor_normalized(&center_crop(&resized, self.crop), self.mean, self.std)
    }

    /// The shape of [`apply`](Self::apply)'s tensor: `[3, crop, crop]`.
    pub fn output_shape(&self) -> [usize; 3] {
        [3, self.crop, self.crop]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn img(width: usize, height: usize, data: Vec<u8>) -> Rgb8 {
        Rgb8::new(width, height, data).expect("valid test image")
    }

    /// A `w`×`h` image whose pixel `(x, y)` is `(x, y, 7)`.
    fn coords(w: usize, h: usize) -> Rgb8 {
        let data = (0..h).flat_map(|y| (0..w).flat_map(move |x| [x as u8, y as u8, 7])).collect();
        img(w, h, data)
    }

    /// A 7×5 image (numpy's `default_rng(0).integers(0, 256, (5, 7, 3), dtype=uint8)`).
    fn random_7x5() -> Rgb8 {
        img(
            7,
            5,
            vec![
                95, 130, 194, 217, 207, 235, 15, 163, 33, 215, 217, 130, 248, 189, 16, 69, 184, 232, 205, 78, 169, 61,
                125, 10, 29, 240, 66, 19, 182, 39, 59, 4, 59, 81, 222, 44, 120, 122, 50, 208, 78, 28, 64, 166, 121, 89,
                170, 233, 127, 178, 237, 128, 113, 123, 76, 155, 69, 154, 130, 248, 95, 73, 192, 186, 191, 127, 220,
                161, 231, 1, 43, 139, 237, 191, 86, 143, 7, 232, 96, 239, 76, 55, 0, 71, 77, 199, 219, 208, 176, 144,
                190, 171, 104, 120, 179, 0, 240, 245, 230, 100, 191, 216, 126, 219, 31,
            ],
        )
    }

    #[test]
    fn output_size_truncates_the_long_side() {
        assert_eq!(short_side_size(500, 375, 256), Some((341, 256))); // 341.33
        assert_eq!(short_side_size(375, 500, 256), Some((256, 341)));
        assert_eq!(short_side_size(512, 512, 256), Some((256, 256)));
        assert_eq!(short_side_size(300, 451, 224), Some((224, 336))); // 336.75
        assert_eq!(short_side_size(0, 10, 256), None);
    }

    #[test]
    fn identity_resize_returns_the_image() {
        let a = random_7x5();
        assert_eq!(resize_short_side(&a, 5), a);
        assert_eq!(resize_bilinear(&a, 7, 5), a);
    }

    #[test]
    fn two_by_two_to_one_averages_rounding_half_up() {
        let a = img(2, 2, vec![10, 0, 255, 20, 1, 255, 30, 0, 0, 40, 1, 0]);
        // Rows first: (10 + 20) / 2 = 15, (30 + 40) / 2 = 35, then (15 + 35) / 2 = 25; halves round
        // up at each pass: (0 + 1) / 2 -> 1, twice; (255 + 255) / 2 and (0 + 0) / 2 -> 128.
        assert_eq!(resize_short_side(&a, 1), img(1, 1, vec![25, 1, 128]));
    }

    #[test]
    fn matches_pil_on_small_images() {
        let a = random_7x5();
        // `Image.fromarray(a).resize((w, h), Image.BILINEAR)` with Pillow 13.0.0.
        let cases: [(usize, usize, Vec<u8>); 4] = [
            (3, 2, vec![84, 175, 125, 109, 148, 91, 139, 130, 117, 138, 165, 169, 144, 146, 126, 114, 142, 138]),
            (
                7,
                3,
                vec![
                    80, 128, 115, 136, 221, 163, 17, 171, 36, 148, 126, 100, 176, 203, 28, 91, 157, 154, 206, 78, 109,
                    90, 162, 98, 105, 184, 195, 75, 149, 171, 137, 106, 101, 92, 137, 100, 134, 152, 166, 111, 58, 129,
                    124, 196, 180, 213, 170, 181, 109, 116, 119, 170, 184, 37, 198, 143, 231, 98, 212, 156, 96, 125,
                    48,
                ],
            ),
            (
                4,
                5,
                vec![
                    143, 165, 204, 111, 187, 101, 203, 196, 91, 149, 129, 189, 45, 177, 35, 32, 144, 50, 83, 141, 49,
                    164, 104, 38, 78, 168, 175, 120, 158, 204, 106, 138, 120, 119, 101, 210, 192, 171, 172, 111, 108,
                    143, 160, 105, 160, 77, 103, 81, 139, 188, 181, 174, 174, 83, 178, 216, 163, 120, 208, 120,
                ],
            ),
            (
                9,
                6,
                vec![
                    95, 130, 194, 176, 181, 221, 127, 187, 145, 59, 175, 55, 215, 217, 130, 241, 195, 41, 149, 186,
                    136, 114, 149, 211, 205, 78, 169, 70, 126, 56, 74, 197, 91, 51, 207, 77, 36, 150, 46, 98, 57, 77,
                    117, 179, 46, 115, 171, 69, 140, 118, 85, 207, 78, 63, 63, 149, 75, 64, 183, 134, 72, 191, 160, 86,
                    155, 142, 99, 68, 96, 83, 158, 67, 112, 151, 118, 140, 109, 151, 142, 75, 124, 115, 176, 124, 134,
                    170, 196, 113, 147, 216, 96, 127, 177, 173, 146, 108, 120, 105, 131, 118, 139, 158, 112, 131, 164,
                    78, 43, 142, 159, 193, 150, 198, 174, 189, 142, 125, 174, 83, 100, 116, 208, 188, 65, 176, 94, 195,
                    128, 156, 164, 89, 169, 94, 73, 55, 61, 77, 199, 219, 164, 184, 169, 200, 174, 126, 174, 173, 81,
                    120, 179, 0, 213, 230, 179, 162, 215, 222, 109, 200, 154, 126, 219, 31,
                ],
            ),
        ];
        for (w, h, want) in cases {
            assert_eq!(resize_bilinear(&a, w, h), img(w, h, want), "{w}x{h}");
        }
    }

    #[test]
    fn vertical_pass_first_where_the_height_shrinks_most() {
        // 4×12 to 3×3: the height loses 9 rows, more than twice the width's 1 column, so Pillow 13
        // runs the vertical pass first; the horizontal-first order (Pillow ≤ 12) would give
        // 131, 117, 151, 130, 193, 165 at bytes 4, 5, 7, 16, 20, 21.
        let a = img(
            4,
            12,
            vec![
                95, 130, 194, 217, 207, 235, 15, 163, 33, 215, 217, 130, 248, 189, 16, 69, 184, 232, 205, 78, 169, 61,
                125, 10, 29, 240, 66, 19, 182, 39, 59, 4, 59, 81, 222, 44, 120, 122, 50, 208, 78, 28, 64, 166, 121, 89,
                170, 233, 127, 178, 237, 128, 113, 123, 76, 155, 69, 154, 130, 248, 95, 73, 192, 186, 191, 127, 220,
                161, 231, 1, 43, 139, 237, 191, 86, 143, 7, 232, 96, 239, 76, 55, 0, 71, 77, 199, 219, 208, 176, 144,
                190, 171, 104, 120, 179, 0, 240, 245, 230, 100, 191, 216, 126, 219, 31, 149, 231, 141, 115, 16, 153, 8,
                121, 211, 207, 195, 7, 179, 202, 186, 166, 39, 185, 216, 73, 196, 247, 44, 14, 127, 219, 22, 58, 75,
                249, 220, 46, 121, 168, 5, 217, 51, 157, 138,
            ],
        );
        let want = vec![
            123, 170, 107, 107, 132, 116, 103, 150, 107, 146, 148, 161, 146, 152, 131, 101, 131, 122, 140, 102, 194,
            166, 119, 125, 146, 174, 92,
        ];
        assert_eq!(resize_bilinear(&a, 3, 3), img(3, 3, want));
    }

    #[test]
    fn degenerate_sizes_give_empty_images() {
        let empty = Rgb8::default();
        assert_eq!(resize_short_side(&img(0, 4, vec![]), 2), empty);
        assert_eq!(resize_short_side(&random_7x5(), 0), empty);
        assert_eq!(resize_bilinear(&random_7x5(), 0, 3), empty);
        let bad = Rgb8 { width: 3, height: 3, data: vec![1; 5] };
        assert!(!bad.is_valid());
        assert_eq!(resize_short_side(&bad, 2), empty);
        assert_eq!(center_crop(&bad, 2), empty);
        assert!(to_tensor_normalized(&bad, [0.0; 3], [1.0; 3]).is_empty());
        assert!(EvalTransform::default().apply(&bad).is_empty());
        let huge = Rgb8 { width: usize::MAX, height: 2, data: vec![] };
        assert_eq!(resize_short_side(&huge, 1), empty);
        assert_eq!(center_crop(&huge, 1), empty);
        assert_eq!(center_crop(&random_7x5(), usize::MAX), empty);
    }

    #[test]
    fn crop_offsets_round_half_to_even() {
        // Differences 0, 1, 3, 4, 5 and 7 give offsets 0, 0, 2, 2, 2 and 4 (0.5 -> 0, 1.5 -> 2,
        // 2.5 -> 2, 3.5 -> 4).
        for (side, crop, offset) in [(3, 3, 0), (4, 3, 0), (5, 2, 2), (6, 2, 2), (7, 2, 2), (9, 2, 4)] {
            let c = center_crop(&coords(side, side), crop);
            assert_eq!((c.width, c.height), (crop, crop));
            assert_eq!(&c.data[..3], &[offset as u8, offset as u8, 7], "side {side}, crop {crop}");
        }
        // Different offsets on each axis: 8×5 to 3 starts at (int(round(2.5)), int(round(1.0))).
        assert_eq!(&center_crop(&coords(8, 5), 3).data[..3], &[2, 1, 7]);
    }

    #[test]
    fn crop_pads_a_smaller_image_with_zeros() {
        // 1×1 to 4: one column/row of padding before, two after.
        let c = center_crop(&img(1, 1, vec![9, 8, 7]), 4);
        let mut want = vec![0u8; 4 * 4 * 3];
        want[(4 + 1) * 3..(4 + 1) * 3 + 3].copy_from_slice(&[9, 8, 7]);
        assert_eq!(c, img(4, 4, want));
        // 1 wide and 6 tall to 3: padded to 3 wide (pixel in the middle column), cropped from row 2.
        let c = center_crop(&coords(1, 6), 3);
        for y in 0..3 {
            for x in 0..3 {
                let px = &c.data[(y * 3 + x) * 3..(y * 3 + x) * 3 + 3];
                let want = if x == 1 { [0, (y + 2) as u8, 7] } else { [0, 0, 0] };
                assert_eq!(px, &want, "({x}, {y})");
            }
        }
        // A zero-sided image is all padding.
        assert_eq!(center_crop(&img(0, 0, vec![]), 2), img(2, 2, vec![0; 12]));
    }

    #[test]
    fn tensor_is_chw_and_normalised_in_f32() {
        let a = img(2, 1, vec![0, 255, 51, 255, 0, 102]);
        let t = to_tensor_normalized(&a, [0.0, 0.5, 0.2], [1.0, 0.5, 0.1]);
        let f = |x: u8, m: f32, s: f32| (f32::from(x) / 255.0 - m) / s;
        assert_eq!(t, vec![0.0, 1.0, f(255, 0.5, 0.5), f(0, 0.5, 0.5), f(51, 0.2, 0.1), f(102, 0.2, 0.1)]);
        assert_eq!(t[2].to_bits(), 1.0f32.to_bits());
        assert_eq!(t[3].to_bits(), (-1.0f32).to_bits());
    }

    #[test]
    fn eval_transform_defaults_and_shape() {
        let t = EvalTransform::default();
        assert_eq!((t.resize, t.crop), (256, 224));
        assert_eq!(t.mean, [0.485, 0.456, 0.406]);
        assert_eq!(t.std, [0.229, 0.224, 0.225]);
        let small = EvalTransform { resize: 6, crop: 4, ..t };
        let out = small.apply(&random_7x5());
        assert_eq!(out.len(), 3 * 4 * 4);
        assert_eq!(small.output_shape(), [3, 4, 4]);
        let by_hand = to_tensor_normalized(&center_crop(&resize_short_side(&random_7x5(), 6), 4), t.mean, t.std);
        assert_eq!(out, by_hand);
        // A zero-sided image: the crop is all zeros, normalised.
        let zero = small.apply(&img(0, 3, vec![]));
        assert_eq!(zero.len(), 48);
        assert_eq!(zero[0], -0.485 / 0.229);
    }
}
