//! The ResNet families at every depth and the spiking VGGs (only ResNet-18 and VGG-11-BN have
//! reference cases): built with zero weights by the registry, their parameters equal what PyTorch
//! counts for torchvision's and spikingjelly's own constructors (`fixtures/zoo_params.json`,
//! written by `fixtures/zoo_params.py`), they ask their `VarBuilder` for exactly PyTorch's
//! state-dict names and shapes, and a count shows spikingjelly's modules where they belong.
use std::collections::HashSet;

use candle::{DType, Device};
use candle_nn::{VarBuilder, VarMap};
use serde_json::Value;
use syops_runtime::model::{Layer, Role};
use syops_runtime::nn::SequentialLayer;
use syops_runtime::Session;
use syops_zoo::{find, models, Cnf, Head, Neuron, ZooOptions};

fn fixture() -> Value {
    let path = format!("{}/fixtures/zoo_params.json", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

/// The options of a fixture entry (`neuron`, `cnf`, `num_classes`; `null` for the default).
fn options(entry: &Value) -> ZooOptions {
    ZooOptions {
        num_classes: entry["num_classes"].as_u64().map(|n| n as usize),
        time_steps: None,
        neuron: entry["neuron"].as_str().map(|n| n.parse().unwrap()),
        cnf: entry["cnf"].as_str().map(|c| c.parse().unwrap()),
        ..ZooOptions::default()
    }
}

fn build(name: &str, options: &ZooOptions, vb: VarBuilder) -> Box<dyn SequentialLayer> {
    find(name).unwrap().build(options, vb).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The parameters as the report counts them: each leaf's, each tensor once.
fn params(layer: &dyn Layer, seen: &mut HashSet<candle::TensorId>) -> u64 {
    let mut total = 0;
    layer.params(&mut |t| {
        if seen.insert(t.id()) {
            total += t.elem_count() as u64;
        }
    });
    if layer.role() == Role::Container {
        layer.children(&mut |_, child| total += params(child, seen));
    }
    total
}

fn zeros() -> VarBuilder<'static> {
    VarBuilder::zeros(DType::F32, &Device::Cpu)
}

#[test]
fn every_depth_of_every_family_has_pytorchs_params() {
    let fixture = fixture();
    assert_eq!(fixture["num_classes"], 1000);
    let want = fixture["params"].as_object().unwrap();
    assert_eq!(want.len(), 25 + 16);
    for (name, want) in want {
        let model = build(name, &ZooOptions::default(), zeros());
        assert_eq!(params(&model, &mut HashSet::new()), want.as_u64().unwrap(), "{name}");
    }
    for entry in fixture["variants"].as_array().unwrap() {
        let name = entry["model"].as_str().unwrap();
        let model = build(name, &options(entry), zeros());
        assert_eq!(params(&model, &mut HashSet::new()), entry["params"].as_u64().unwrap(), "{entry}");
    }
}

#[test]
fn the_models_ask_for_pytorchs_state_dict_names() {
    for entry in fixture()["state_dicts"].as_array().unwrap() {
        let name = entry["model"].as_str().unwrap();
        let varmap = VarMap::new();
        build(name, &options(entry), VarBuilder::from_varmap(&varmap, DType::F32, &Device::Cpu));
        let vars = varmap.data().lock().unwrap();
        let mut got: Vec<&String> = vars.keys().collect();
        got.sort();
        let want: Vec<&str> = entry["names"].as_array().unwrap().iter().map(|n| n.as_str().unwrap()).collect();
        assert_eq!(got, want, "{name} ({:?}, {:?})", entry["neuron"], entry["cnf"]);
        for (key, shape) in entry["shapes"].as_object().unwrap() {
            let shape: Vec<usize> = shape.as_array().unwrap().iter().map(|d| d.as_u64().unwrap() as usize).collect();
            assert_eq!(vars[key].dims(), shape.as_slice(), "{name}: {key}");
        }
    }
}

#[test]
fn spikingjellys_modules_are_where_they_belong() {
    let dev = Device::Cpu;
    let row = |report: &syops_runtime::report::Report, path: &str| {
        let l = report.layer(path).unwrap_or_else(|| panic!("no row `{path}`"));
        (l.type_name.clone(), l.params, l.stats.calls)
    };
    // A single-step PLIF Bottleneck ResNet: a `w` per neuron, the residual before `sn3`.
    let plif = ZooOptions { neuron: Some(Neuron::Plif { init_tau: 2.0 }), num_classes: Some(10), ..Default::default() };
    let model = build("spiking_resnet50", &plif, zeros());
    let report = Session::new().count_static(&model, &[1, 3, 32, 32], DType::F32, &dev, |m, xs| m.forward(xs)).unwrap();
    assert_eq!(report.model, "SpikingResNet");
    assert_eq!(row(&report, "layer1.0.conv1"), ("Conv2d".into(), 64 * 64, 1));
    assert_eq!(row(&report, "layer1.0.sn3"), ("ParametricLIFNode".into(), 1, 1));
    assert_eq!(row(&report, "layer1.0.downsample.0"), ("Conv2d".into(), 64 * 256, 1));
    assert_eq!(row(&report, "layer4.2.conv3"), ("Conv2d".into(), 512 * 2048, 1));
    assert_eq!(row(&report, "fc"), ("Linear".into(), 2048 * 10 + 10, 1));
    // A multi-step SEW ResNet-34 with LIF and AND: `downsample_sn` where the shape changes.
    let lif_and = ZooOptions {
        neuron: Some(Neuron::Lif { tau: 3.0 }),
        cnf: Some(Cnf::And),
        time_steps: Some(2),
        ..Default::default()
    };
    let model = build("multi_step_sew_resnet34", &lif_and, zeros());
    let report = Session::new().count_static(&model, &[1, 3, 32, 32], DType::F32, &dev, |m, xs| m.forward(xs)).unwrap();
    assert_eq!(report.model, "MultiStepSEWResNet");
    assert_eq!(row(&report, "layer2.0.downsample_sn"), ("MultiStepLIFNode".into(), 0, 1));
    assert!(report.layer("layer1.0.downsample_sn").is_none() && report.layer("layer2.1.downsample_sn").is_none());
    assert_eq!(row(&report, "layer3.5.sn2"), ("MultiStepLIFNode".into(), 0, 1));
    let out = report.layer("fc").unwrap().output_shape.clone();
    assert_eq!(out, Some(vec![2, 1000]));
}

#[test]
fn the_registry_names_every_constructor_and_refuses_options_that_do_not_apply() {
    for family in ["resnet", "spiking_resnet", "multi_step_spiking_resnet", "sew_resnet", "multi_step_sew_resnet"] {
        for depth in [18, 34, 50, 101, 152] {
            find(&format!("{family}{depth}")).unwrap();
        }
    }
    for family in ["spiking_vgg", "multi_step_spiking_vgg"] {
        for depth in [11, 13, 16, 19] {
            assert_eq!(find(&format!("{family}{depth}")).unwrap().neuron, Some(Neuron::If));
            assert_eq!(find(&format!("{family}{depth}_bn")).unwrap().multi_step, family.starts_with("multi"));
        }
    }
    for depth in [18, 34, 50, 101, 152] {
        let m = find(&format!("dsnn{depth}")).unwrap();
        assert_eq!((m.multi_step, m.neuron, m.cnf, m.cnfs), (true, None, Some(Cnf::And), Cnf::AAP));
        assert_eq!(m.head, Some(Head::Spikes));
    }
    // spikingjelly's PLIF nets (their options are checked in plif_net.rs).
    for name in ["mnist_net", "fashion_mnist_net", "cifar10_net", "nmnist_net", "cifar10dvs_net", "dvs_gesture_net"] {
        let m = find(name).unwrap();
        assert_eq!((m.neuron, m.cnf, m.head), (Some(Neuron::Plif { init_tau: 2.0 }), None, None), "{name}");
        assert_eq!((m.multi_step, m.frames), (name.contains("dvs") || name == "nmnist_net", m.multi_step), "{name}");
    }
    assert_eq!(models().len(), 25 + 16 + 5 + 6);
    let m = find("multi_step_spiking_resnet18").unwrap();
    assert_eq!((m.multi_step, m.neuron, m.cnf, m.head), (true, Some(Neuron::Lif { tau: 2.0 }), None, None));
    assert_eq!((find("sew_resnet152").unwrap().cnf, find("sew_resnet152").unwrap().cnfs), (Some(Cnf::Add), Cnf::SEW));
    let err = |name: &str, options: ZooOptions| find(name).unwrap().build(&options, zeros()).err().unwrap().to_string();
    let neuron = ZooOptions { neuron: Some(Neuron::If), ..Default::default() };
    assert!(err("resnet50", neuron).contains("--neuron if does not apply"));
    assert!(err("dsnn18", neuron).contains("dsnn18 takes no --neuron"));
    let cnf = |cnf| ZooOptions { cnf: Some(cnf), ..Default::default() };
    let e = err("spiking_resnet34", cnf(Cnf::Iand));
    assert!(e.contains("spiking_resnet34 is not a SEW ResNet or a DSNN; --cnf IAND does not apply"), "{e}");
    let e = err("dsnn50", cnf(Cnf::Add));
    assert!(e.contains("dsnn50 takes --cnf AND, IAND, OR or XOR; --cnf ADD does not apply"), "{e}");
    let e = err("multi_step_sew_resnet18", cnf(Cnf::Xor));
    assert!(e.contains("multi_step_sew_resnet18 takes --cnf ADD, AND or IAND; --cnf XOR does not apply"), "{e}");
    let head = ZooOptions { head: Some(Head::Acc), ..Default::default() };
    let e = err("spiking_resnet18", head);
    assert!(e.contains("spiking_resnet18 has one output") && e.contains("--head acc does not apply"), "{e}");
    assert!(err("multi_step_spiking_vgg16", head).contains("--head acc does not apply"));
    assert!(find("sew_resnet20").err().unwrap().to_string().contains("multi_step_sew_resnet152"));
    // The library refuses the joins the original constructors do not have.
    let e = syops_zoo::sew_resnet::sew_resnet(18, Cnf::Or, Neuron::If, 10, zeros()).err().unwrap().to_string();
    assert!(e.contains("sew_resnet18: sew_function has no cnf OR; expected ADD, AND or IAND"), "{e}");
}
