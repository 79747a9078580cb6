//! Reference parity: each case in tests/reference (copied from the original syops runs) is built,
//! counted, and compared with what syops 0.0.5 counted — strictly in float64 against
//! `expected_f64`, loosely in float32 against `expected` (tests/reference/README.md).
//!
//! These run whole ResNets: the test profile optimises them (see Cargo.toml).
use syops::zoo;

use candle::{DType, Device};
use syops::zoo::reference::{compare, runner_output, Case, Tolerance};
use syops::Session;

/// The repository: cargo's `CARGO_MANIFEST_DIR` when it runs the test, else where it was built
/// (set `CARGO_MANIFEST_DIR` to run a binary built elsewhere, as on a GPU machine).
fn repo() -> std::path::PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR").map_or_else(|| env!("CARGO_MANIFEST_DIR").into(), Into::into)
}

fn check_on(case: &str, dtype: DType, device: &Device, session: &Session) {
    let path = format!("{}/tests/reference/{case}.json", repo().display());
    let case = Case::load(&path).unwrap();
    let report = zoo::count_case_with(session, &case, dtype, device).unwrap();
    let (want, tol) = match dtype {
        DType::F64 => (&case.expected_f64, Tolerance::STRICT),
        _ => (&case.expected, loose(&case.case)),
    };
    let bad = compare(&runner_output(&case.case, &report), want, tol);
    assert!(bad.is_empty(), "{} ({dtype:?}): {} mismatches:\n{}", case.case, bad.len(), bad.join("\n"));
    assert_eq!(
        report.layers.len(),
        want.layers.len(),
        "rows: {:?}",
        report.layers.iter().map(|l| &l.path).collect::<Vec<_>>()
    );
}

/// The loose tier of `case` in float32: the reference README's, except for `dsnn18_aap_t2`.
///
/// In `dsnn18_aap_t2`'s layer2.0.sn2 one membrane (t 0, sample 0, channel 24, y 4, x 2) is
/// 1 + 6.8e-10 in exact arithmetic, below float32's resolution. PyTorch's float32 lands on 1.0
/// (oneDNN) or 1.0000005 (its own kernels) and fires; the port's convolution sums in another order
/// and lands on 0.99999976, and does not (mean errors there: 1.7e-7 PyTorch's, 2.7e-7 the port's).
/// Through T = 2 IF neurons and AND joins that one spike grows to 3.24e-2 on layer4.0's
/// convolutions (input rates near 1 %) and 2.9e-3 per sample. With that one value set to 1.0 the
/// port matches the README's loose tier, and in float64 it matches strictly. Every exact field
/// (params, calls, dense and MAC counts, the AC/MAC decisions) is still compared exactly; only the
/// spike-dependent sums get this case's measured flip, rounded up: 5e-2 per layer, 5e-3 per sample.
fn loose(case: &str) -> Tolerance {
    match case {
        "dsnn18_aap_t2" => Tolerance { layer: 5e-2, per_sample_acs: 5e-3 },
        _ => Tolerance::LOOSE,
    }
}

/// The CPU (CUDA has its own module below).
fn cpu() -> Device {
    Device::Cpu
}

/// A test per case and dtype on `$device()`: float64 strict, float32 loose. Attributes written
/// before a case (`#[ignore = "..."]`) go on its float32 test only.
macro_rules! parity {
    ($device:path; $($(#[$f32:meta])* $name:ident),* $(,)?) => {
        mod f64 {
            $(#[test] fn $name() { crate::check_on(stringify!($name), candle::DType::F64, &$device(), &syops::Session::new()) })*
        }
        mod f32 {
            $($(#[$f32])* #[test] fn $name() { crate::check_on(stringify!($name), candle::DType::F32, &$device(), &syops::Session::new()) })*
        }
    };
}

/// Invokes `$m!($args; <every public case>)`.
macro_rules! public_cases {
    ($m:ident!($($args:tt)*)) => {
        $m!(
            $($args)*;
            resnet18,
            spiking_resnet18,
            sew_resnet18,
            multistep_spiking_resnet18_lif_t4,
            cifar_plif_t4,
            audio1d,
            volume3d,
            decoder2d,
            recurrent,
            // Float32 with its own loose tier: see `loose`.
            dsnn18_aap_t2,
        );
    };
}

public_cases!(parity!(crate::cpu));

/// The spike test as CUDA runs it (tensor operations), here on the CPU: the same counts.
mod tensor_ops_spike_test {
    use super::*;

    #[test]
    fn spiking_resnet18_f64() {
        check_on("spiking_resnet18", DType::F64, &Device::Cpu, &Session::new().tensor_ops_spike_test(true));
    }

    #[test]
    fn exact_convention_counts_agree() {
        let path = format!("{}/tests/reference/cifar_plif_t4.json", repo().display());
        let case = Case::load(&path).unwrap();
        let exact = Session::new().convention(syops::convention::Convention::Exact);
        let scan = zoo::count_case_with(&exact, &case, DType::F32, &Device::Cpu).unwrap();
        let ops = zoo::count_case_with(&exact.tensor_ops_spike_test(true), &case, DType::F32, &Device::Cpu).unwrap();
        assert!(scan.per_sample.acs > 0.0);
        assert_eq!(scan.layers, ops.layers);
        assert_eq!(scan.per_sample, ops.per_sample);
    }

    #[test]
    fn cifar_plif_t4_f32() {
        check_on("cifar_plif_t4", DType::F32, &Device::Cpu, &Session::new().tensor_ops_spike_test(true));
    }
}

/// The reference cases on the first CUDA device, float64 strict and float32 loose
/// (`cargo test --release --features cuda --test reference_parity cuda`).
#[cfg(feature = "cuda")]
mod cuda {
    use candle::Device;

    pub fn device() -> Device {
        Device::new_cuda(0).expect("--features cuda needs a CUDA device")
    }

    public_cases!(parity!(crate::cuda::device));
}

#[test]
fn unknown_case_is_a_clear_error() {
    let dir = std::env::temp_dir().join("syops-unknown-case");
    std::fs::create_dir_all(&dir).unwrap();
    let src = format!("{}/tests/reference/resnet18.json", repo().display());
    let text = std::fs::read_to_string(src).unwrap().replacen("\"case\": \"resnet18\"", "\"case\": \"nope\"", 1);
    let path = dir.join("nope.json");
    std::fs::write(&path, text).unwrap();
    let case = Case::load(&path).unwrap();
    let err = zoo::count_case(&case, DType::F32, &Device::Cpu).unwrap_err().to_string();
    assert!(err.contains("unknown reference case `nope`"), "{err}");
}

#[test]
fn malformed_or_missing_manifest_names_the_file() {
    let err = Case::load("/nonexistent/case.json").unwrap_err().to_string();
    assert!(err.contains("/nonexistent/case.json") && err.contains("cannot read"), "{err}");
    let path = std::env::temp_dir().join("syops-bad-manifest.json");
    std::fs::write(&path, "{\"case\": 3}").unwrap();
    let err = Case::load(&path).unwrap_err().to_string();
    assert!(err.contains("syops-bad-manifest.json") && err.contains("malformed manifest"), "{err}");
}
