//! torchvision's `ImageFolder`: one sub-folder per class, sorted; the files with an image
//! extension under each, in `make_dataset`'s order; each decoded (JPEG, PNG), converted to RGB
//! (greyscale, palette, RGBA dropping alpha, as PIL's `convert("RGB")`) and passed through the
//! evaluation transform ([`EvalTransform`]: `Resize`, `CenterCrop`, `ToTensor`, `Normalize`).
use std::path::{Path, PathBuf};

use candle::{Device, Tensor};

use super::{class_folders, files_in, Dataset, Sample};
use crate::transform::{EvalTransform, Rgb8};
use crate::{Error, Result};

/// torchvision's `IMG_EXTENSIONS`: the files `ImageFolder` takes.
pub const IMG_EXTENSIONS: [&str; 9] = [".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp"];

/// Images under class folders.
pub struct ImageFolder {
    root: PathBuf,
    classes: Vec<String>,
    files: Vec<(PathBuf, u32)>,
    transform: EvalTransform,
}

impl ImageFolder {
    /// The class folders of `root` and their images, through `transform`.
    pub fn open(root: &Path, transform: EvalTransform) -> Result<Self> {
        let classes = class_folders(root)?;
        let mut files = Vec::new();
        for (i, (_, dir)) in classes.iter().enumerate() {
            for f in files_in(dir, &|name| IMG_EXTENSIONS.iter().any(|e| name.ends_with(e)))? {
                files.push((f, i as u32));
            }
        }
        if files.is_empty() {
            return Err(Error::Data {
                path: root.to_path_buf(),
                msg: format!("no images in its class folders (extensions {})", IMG_EXTENSIONS.join(" ")),
            });
        }
        Ok(ImageFolder {
            root: root.to_path_buf(),
            classes: classes.into_iter().map(|(c, _)| c).collect(),
            files,
            transform,
        })
    }

    /// The class names, in label order.
    pub fn classes(&self) -> &[String] {
        &self.classes
    }
}

/// `path` decoded and converted to 8-bit RGB.
pub fn decode_rgb(path: &Path) -> Result<Rgb8> {
    let fail = |msg: String| Error::Data { path: path.to_path_buf(), msg };
    let img = image::ImageReader::open(path)
        .map_err(|e| fail(e.to_string()))?
        .with_guessed_format()
        .map_err(|e| fail(e.to_string()))?
        .decode()
        .map_err(|e| fail(format!("not a readable image: {e}")))?
        .to_rgb8();
    let (width, height) = (img.width() as usize, img.height() as usize);
    Ok(Rgb8 { width, height, data: img.into_raw() })
}

impl Dataset for ImageFolder {
    fn len(&self) -> usize {
        self.files.len()
    }

    fn describe(&self) -> String {
        let t = &self.transform;
        format!(
            "image folder {}: {} images in {} classes; Resize({}), CenterCrop({}), ToTensor, Normalize(mean {:?}, std {:?})",
            self.root.display(),
            self.files.len(),
            self.classes.len(),
            t.resize,
            t.crop,
            t.mean,
            t.std
        )
    }

    fn sample(&self, index: usize) -> Result<Sample> {
        let (path, label) = &self.files[index];
        let img = decode_rgb(path)?;
        if img.width == 0 || img.height == 0 {
            return Err(Error::Data { path: path.clone(), msg: "an image of no pixels".into() });
        }
        let crop = self.transform.crop;
        let xs = Tensor::from_vec(self.transform.apply(&img), (3, crop, crop), &Device::Cpu)?;
        Ok(Sample { xs, label: Some(*label) })
    }

    fn source(&self, index: usize) -> PathBuf {
        self.files[index].0.clone()
    }
}
