//! Models for syops (`syops::zoo`): candle ports of the reference models, written once and used by
//! the examples, the reference runner, the tests and the benchmarks, with PyTorch's state-dict
//! names as their `VarBuilder` paths; and the reference cases' harness ([`reference`](mod@reference)), which
//! rebuilds a case's weights and inputs bit for bit and counts it ([`count_case`]); and trained
//! PyTorch checkpoints as a `VarBuilder` ([`checkpoint`], [`load`]).
mod blocks;
mod cases;
mod error;

pub mod audio1d;
pub mod checkpoint;
pub mod cifar_plif;
pub mod data;
pub mod decoder2d;
pub mod dsnn;
pub mod dsnn_head;
pub mod options;
pub mod plif_net;
pub mod recurrent;
pub mod reference;
pub mod registry;
pub mod resnet;
pub mod run;
pub mod sew_resnet;
pub mod spiking_mlp;
pub mod spiking_resnet;
pub mod spiking_vgg;
pub mod transform;
pub mod volume3d;

pub use blocks::{
    bn, conv1x1, conv3x3, depthwise3x3, make_stages, resnet_layers, seq_to_ann, stem, Downsample, SeqToAnnContainer,
    TimeLoop, RESNET18_STAGES, RESNET_DEPTHS,
};
pub use cases::{count_case, count_case_over, count_case_with, CASES};
pub use checkpoint::{load, Checkpoint};
pub use dsnn_head::Head;
pub use error::{Error, Result};
pub use options::{Cnf, Neuron};
pub use registry::{find, models, ZooModel, ZooOptions};
pub use run::{run, ZooRun};
