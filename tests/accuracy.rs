//! `Session::count_labelled`: the model's output on each batch is scored against its labels, and
//! the report (its JSON and every summary) gives top-1 and top-5 accuracy beside the counts.
use std::collections::HashMap;

use candle::{DType, Device, Module, Tensor};
use candle_nn::{Linear, VarBuilder};
use syops::render::{Format, View};
use syops::report::Report;
use syops::Session;

/// Linear(2 → 6) whose output `k` is `x0 · k + x1 · (5 - k)`: `[1, 0]` scores class 5 highest,
/// `[0, 1]` class 0.
fn head() -> Linear {
    let w: Vec<f32> = (0..6).flat_map(|k| [k as f32, 5.0 - k as f32]).collect();
    let mut t = HashMap::new();
    t.insert("weight".to_string(), Tensor::from_vec(w, (6, 2), &Device::Cpu).unwrap());
    t.insert("bias".to_string(), Tensor::zeros(6, DType::F32, &Device::Cpu).unwrap());
    candle_nn::linear(2, 6, VarBuilder::from_tensors(t, DType::F32, &Device::Cpu)).unwrap()
}

#[test]
fn labelled_batches_give_top1_and_top5_accuracy() {
    let xs = Tensor::new(&[[1f32, 0.], [0., 1.]], &Device::Cpu).unwrap();
    // Batch 1: labels 5 (top-1) and 0 (top-1). Batch 2: labels 4 (rank 1: top-5) and 5 (rank 5: neither).
    let batches = vec![(xs.clone(), vec![5, 0]), (xs, vec![4, 5])];
    let report = Session::new().count_labelled(&head(), batches, |m, xs| m.forward(xs)).unwrap();
    let acc = report.accuracy.unwrap();
    assert_eq!((acc.samples, acc.top1, acc.top5), (4, 2, 3));
    assert!(report.to_string().contains("accuracy top-1 50.00 %, top-5 75.00 % over 4 labelled samples"));
    let page = View { format: Format::Html, ..View::default() }.render(&report);
    assert!(page.contains("<dt>Accuracy</dt>"), "{}", &page[..400]);
    assert_eq!(Report::from_json(&report.to_json()).unwrap().accuracy, Some(acc));
    // Unlabelled counts have none, and their JSON says nothing of it.
    let plain =
        Session::new().count(&head(), &Tensor::ones((1, 2), DType::F32, &Device::Cpu).unwrap(), |m, xs| m.forward(xs));
    let plain = plain.unwrap();
    assert!(plain.accuracy.is_none() && !plain.to_json().contains("accuracy"));
}

#[test]
fn labels_that_do_not_fit_the_output_are_errors() {
    let xs = Tensor::new(&[[1f32, 0.]], &Device::Cpu).unwrap();
    let err = Session::new().count_labelled(&head(), vec![(xs.clone(), vec![6])], |m, xs| m.forward(xs)).unwrap_err();
    assert!(err.to_string().contains("label 6, but the model scores 6 classes"), "{err}");
    let err = Session::new().count_labelled(&head(), vec![(xs, vec![1, 2])], |m, xs| m.forward(xs)).unwrap_err();
    assert!(err.to_string().contains("1 outputs for 2 labels"), "{err}");
}
