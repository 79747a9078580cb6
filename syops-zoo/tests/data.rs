//! The datasets: torchvision's ImageFolder order and evaluation transform on real photographs
//! (fixtures/make_images.py wrote torchvision's tensors), CIFAR's binary records, NumPy samples,
//! batching with a limit, and bad input named by file.
use std::path::{Path, PathBuf};

use candle::{DType, Device, Tensor};
use serde_json::Value;
use syops_zoo::data::{self, Batches, Cifar, Dataset, ImageFolder, NpyStack, NpzFolder};
use syops_zoo::transform::EvalTransform;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/images")
}

/// A scratch folder for this test, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("syops-data-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn photos_transform() -> EvalTransform {
    EvalTransform { resize: 72, crop: 64, ..EvalTransform::default() }
}

#[test]
fn an_image_folder_gives_torchvisions_tensors() {
    let want: Value =
        serde_json::from_str(&std::fs::read_to_string(fixtures().join("photos.expected.json")).unwrap()).unwrap();
    let want = want["samples"].as_array().unwrap();
    let folder = ImageFolder::open(&fixtures().join("photos"), photos_transform()).unwrap();
    assert_eq!(folder.len(), want.len());
    for (i, w) in want.iter().enumerate() {
        let file = folder.source(i);
        let rel = file.strip_prefix(fixtures().join("photos")).unwrap().to_string_lossy().replace('\\', "/");
        assert_eq!(rel, w["path"].as_str().unwrap(), "sample {i}: ImageFolder's order");
        let s = folder.sample(i).unwrap();
        assert_eq!(s.label, Some(w["class_index"].as_u64().unwrap() as u32), "{rel}");
        assert_eq!(s.xs.dims(), [3, 64, 64]);
        let got = s.xs.flatten_all().unwrap().to_vec1::<f32>().unwrap();
        let expected: Vec<f32> = w["tensor"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap() as f32).collect();
        let diff = got.iter().zip(&expected).filter(|(a, b)| a.to_bits() != b.to_bits()).count();
        assert_eq!(diff, 0, "{rel}: {diff} of {} values differ from torchvision's", got.len());
    }
    assert!(folder.describe().contains("Resize(72), CenterCrop(64)"));
}

#[test]
fn batches_stack_cast_and_stop_at_the_limit() {
    let folder = ImageFolder::open(&fixtures().join("photos"), photos_transform()).unwrap();
    let batches: Vec<_> = Batches::new(&folder, 4, Some(5), DType::F64, &Device::Cpu).map(|b| b.unwrap()).collect();
    assert_eq!(batches.iter().map(|b| b.xs.dims()[0]).collect::<Vec<_>>(), [4, 1]);
    assert_eq!(batches[0].xs.dtype(), DType::F64);
    assert_eq!(batches[0].xs.dims(), [4, 3, 64, 64]);
    let first = folder.sample(0).unwrap().xs.to_dtype(DType::F64).unwrap();
    let diff = (batches[0].xs.get(0).unwrap() - first).unwrap().abs().unwrap().max_all().unwrap();
    assert_eq!(diff.to_scalar::<f64>().unwrap(), 0.0);
    assert_eq!(batches[1].labels.as_ref().unwrap().len(), 1);
}

fn cifar_record(label_bytes: &[u8], seed: u8) -> Vec<u8> {
    let mut r = label_bytes.to_vec();
    r.extend((0..3072u32).map(|i| (i as u8).wrapping_mul(7).wrapping_add(seed)));
    r
}

#[test]
fn cifar_records_are_read_as_torchvision_reads_them() {
    let dir = Scratch::new("cifar");
    let file = dir.0.join("test_batch.bin");
    std::fs::write(&file, [cifar_record(&[3], 0), cifar_record(&[7], 1)].concat()).unwrap();
    let cifar = data::open(&dir.0, &EvalTransform::default(), false).unwrap();
    assert_eq!(cifar.len(), 2);
    assert!(cifar.describe().starts_with("CIFAR-10"));
    let s = cifar.sample(1).unwrap();
    assert_eq!((s.label, s.xs.dims().to_vec()), (Some(7), vec![3, 32, 32]));
    // Pixel (row 0, col 1) of the green plane is byte 1024 + 1 of the record's image.
    let byte = (1025u32 as u8).wrapping_mul(7).wrapping_add(1);
    let want = (f32::from(byte) / 255.0 - 0.4822) / 0.2435;
    let got = s.xs.get(1).unwrap().get(0).unwrap().get(1).unwrap().to_scalar::<f32>().unwrap();
    assert_eq!(got.to_bits(), want.to_bits());
    // CIFAR-100: coarse then fine label; the fine one is the target.
    let c100 = dir.0.join("test.bin");
    std::fs::write(&c100, cifar_record(&[2, 41], 0)).unwrap();
    let c = Cifar::open(&c100).unwrap().normalize([0.5; 3], [0.5; 3]);
    assert_eq!(c.sample(0).unwrap().label, Some(41));
    std::fs::write(&file, [1u8; 100]).unwrap();
    let err = Cifar::open(&file).map(|_| ()).unwrap_err().to_string();
    assert!(err.contains("test_batch.bin") && err.contains("100 bytes"), "{err}");
}

#[test]
fn numpy_samples_per_file_and_stacked() {
    let dir = Scratch::new("npz");
    for (class, n) in [("a", 2), ("b", 1)] {
        std::fs::create_dir_all(dir.0.join(class)).unwrap();
        for i in 0..n {
            let frames = Tensor::full(i as f32 + 1.0, (4, 2, 3, 3), &Device::Cpu).unwrap();
            Tensor::write_npz(&[("frames", &frames)], dir.0.join(class).join(format!("{i}.npz"))).unwrap();
        }
    }
    let ds = data::open(&dir.0, &EvalTransform::default(), false).unwrap();
    assert_eq!((ds.len(), ds.describe().contains("3 samples in 2 classes")), (3, true));
    let s = ds.sample(2).unwrap();
    assert_eq!((s.label, s.xs.dims().to_vec()), (Some(1), vec![4, 2, 3, 3]));
    // A file without `frames` is an error naming it and what it has.
    Tensor::write_npz(&[("x", &Tensor::zeros(3, DType::F32, &Device::Cpu).unwrap())], dir.0.join("b").join("bad.npz"))
        .unwrap();
    let folder = NpzFolder::open(&dir.0).unwrap();
    let err = folder.sample(3).unwrap_err().to_string();
    assert!(err.contains("bad.npz") && err.contains("no array `frames`") && err.contains("\"x\""), "{err}");
    // --skip-bad: the batch goes on without it, which is said.
    let batches: Vec<_> =
        Batches::new(&folder, 4, None, DType::F32, &Device::Cpu).skip_bad(true).map(|b| b.unwrap()).collect();
    assert_eq!((batches[0].xs.dims()[0], batches[0].skipped.len()), (3, 1));
    // Stacked: x [5, 2] with labels y.
    let x = Tensor::arange(0f32, 10., &Device::Cpu).unwrap().reshape((5, 2)).unwrap();
    let y = Tensor::new(&[0i64, 1, 0, 1, 1], &Device::Cpu).unwrap();
    let stacked = dir.0.join("stacked.npz");
    Tensor::write_npz(&[("x", &x), ("y", &y)], &stacked).unwrap();
    let s = NpyStack::open(&stacked).unwrap();
    assert_eq!((s.len(), s.labelled(), s.sample(4).unwrap().label), (5, true, Some(1)));
    let npy = dir.0.join("x.npy");
    x.write_npy(&npy).unwrap();
    assert!(!data::open(&npy, &EvalTransform::default(), false).unwrap().labelled());
    Tensor::write_npz(&[("y", &y)], &stacked).unwrap();
    let err = NpyStack::open(&stacked).map(|_| ()).unwrap_err().to_string();
    assert!(err.contains("no array `x`"), "{err}");
}

/// `np.savez_compressed` (spikingjelly's default for frames) deflates each member: the same arrays
/// read back from a deflated copy of an `.npz`.
#[test]
fn compressed_npz_reads_as_the_stored_one() {
    use std::io::{Read, Write};
    let dir = Scratch::new("deflate");
    std::fs::create_dir_all(dir.0.join("a")).unwrap();
    let frames = Tensor::arange(0f32, 72., &Device::Cpu).unwrap().reshape((4, 2, 3, 3)).unwrap();
    let stored = dir.0.join("stored.npz");
    Tensor::write_npz(&[("frames", &frames)], &stored).unwrap();
    let mut from = zip::ZipArchive::new(std::fs::File::open(&stored).unwrap()).unwrap();
    let deflated = dir.0.join("a").join("0.npz");
    let mut to = zip::ZipWriter::new(std::fs::File::create(&deflated).unwrap());
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for i in 0..from.len() {
        let mut member = from.by_index(i).unwrap();
        let mut bytes = Vec::new();
        member.read_to_end(&mut bytes).unwrap();
        to.start_file(member.name().unwrap().into_owned(), options).unwrap();
        to.write_all(&bytes).unwrap();
    }
    to.finish().unwrap();
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&deflated).unwrap()).unwrap();
    assert_eq!(archive.by_index(0).unwrap().compression(), zip::CompressionMethod::Deflated);
    let got = NpzFolder::open(&dir.0).unwrap().sample(0).unwrap().xs;
    let diff = (got - &frames).unwrap().abs().unwrap().max_all().unwrap().to_scalar::<f32>().unwrap();
    assert_eq!(diff, 0.0);
}

#[test]
fn bad_datasets_are_errors_naming_the_path() {
    let dir = Scratch::new("bad");
    let err = |p: &Path| data::open(p, &EvalTransform::default(), false).map(|_| ()).unwrap_err().to_string();
    assert!(err(&dir.0.join("nothing")).contains("no such file or folder"));
    assert!(err(&dir.0).contains("no class folders"));
    std::fs::create_dir_all(dir.0.join("cat")).unwrap();
    assert!(err(&dir.0).contains("no images in its class folders"));
    std::fs::write(dir.0.join("cat").join("broken.png"), b"not a png").unwrap();
    let folder = ImageFolder::open(&dir.0, EvalTransform::default()).unwrap();
    let e = folder.sample(0).unwrap_err().to_string();
    assert!(e.contains("broken.png") && e.contains("not a readable image"), "{e}");
    std::fs::write(dir.0.join("notes.txt"), b"").unwrap();
    assert!(err(&dir.0.join("notes.txt")).contains("expected a folder"));
}
