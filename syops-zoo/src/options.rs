//! What a spiking ResNet or VGG family is built with: its neuron ([`Neuron`], spikingjelly's
//! `single_step_neuron` / `multi_step_neuron` and their `tau`, `init_tau`) and the connection
//! function of a SEW ResNet or of the DSNN ([`Cnf`]: sew_resnet.py's `sew_function`, refgen.py's
//! `AAPBlock`). Both parse from the names `cargo syops zoo` takes (`lif`, `lif:3.0`; `IAND`).
//!
//! ```
//! use syops_zoo::{Cnf, Neuron};
//!
//! assert_eq!("lif".parse::<Neuron>().unwrap(), Neuron::Lif { tau: 2.0 });
//! assert_eq!("plif:3".parse::<Neuron>().unwrap(), Neuron::Plif { init_tau: 3.0 });
//! assert_eq!("IAND".parse::<Cnf>().unwrap(), Cnf::Iand);
//! assert_eq!("xor".parse::<Cnf>().unwrap(), Cnf::Xor);
//! assert!("sub".parse::<Cnf>().unwrap_err().to_string().contains("ADD, AND, IAND, OR or XOR"));
//! assert!(!Cnf::SEW.contains(&Cnf::Xor) && !Cnf::AAP.contains(&Cnf::Add));
//! ```
use candle::{Result, Tensor};
use candle_nn::{Init, VarBuilder};
use syops_runtime::neuron::{NeuronConfig, PlifNode};

/// A spiking neuron with spikingjelly's defaults (`v_threshold = 1`, hard reset to 0,
/// `decay_input = True`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Neuron {
    /// `IFNode` / `MultiStepIFNode`.
    If,
    /// `LIFNode` / `MultiStepLIFNode` with `tau` (spikingjelly's default 2.0).
    Lif { tau: f64 },
    /// `ParametricLIFNode` / `MultiStepParametricLIFNode`: a learned `w` per neuron (`<path>.w`,
    /// one parameter), initialised to `-ln(init_tau - 1)` (spikingjelly's default `init_tau` 2.0).
    Plif { init_tau: f64 },
}

impl Neuron {
    /// Its name: `if`, `lif` or `plif`.
    pub fn name(&self) -> &'static str {
        match self {
            Neuron::If => "if",
            Neuron::Lif { .. } => "lif",
            Neuron::Plif { .. } => "plif",
        }
    }
}

/// How a family builds each of its neurons, from the neuron's `VarBuilder` (PLIF loads its `w`).
pub type NeuronFn<'a, N> = dyn Fn(VarBuilder) -> Result<N> + 'a;

/// spikingjelly's `ParametricLIFNode(init_tau=init_tau)` at `vb`: its `w` loaded from a checkpoint,
/// or initialised as spikingjelly does where the builder initialises.
pub fn plif(init_tau: f64, multi_step: bool, vb: VarBuilder) -> Result<PlifNode> {
    let w = vb.get_with_hints((), "w", Init::Const(-(init_tau - 1.0).ln()))?;
    Ok(PlifNode::from_weight(w, true, NeuronConfig { multi_step, ..Default::default() }))
}

impl std::str::FromStr for Neuron {
    type Err = candle::Error;

    /// `if`, `lif`, `plif`, or `lif:TAU`, `plif:INIT_TAU`.
    fn from_str(s: &str) -> Result<Self> {
        let (name, tau) = match s.split_once(':') {
            Some((name, tau)) => match tau.parse::<f64>() {
                Ok(tau) if tau > 1.0 => (name, Some(tau)),
                _ => candle::bail!("neuron `{s}`: tau must be a number above 1, not `{tau}`"),
            },
            None => (s, None),
        };
        Ok(match (name.to_ascii_lowercase().as_str(), tau) {
            ("if", None) => Neuron::If,
            ("lif", tau) => Neuron::Lif { tau: tau.unwrap_or(2.0) },
            ("plif", tau) => Neuron::Plif { init_tau: tau.unwrap_or(2.0) },
            ("if", Some(_)) => candle::bail!("neuron `{s}`: IF has no tau"),
            _ => candle::bail!("unknown neuron `{s}`; expected if, lif, plif, lif:TAU or plif:INIT_TAU"),
        })
    }
}

/// How a residual block joins two spike tensors: `x`, the shortcut's, and `y`, the block's. A SEW
/// ResNet takes sew_resnet.py's `sew_function(x, y, cnf)` ([`Cnf::SEW`]: ADD, AND, IAND); the
/// DSNN takes refgen.py's `AAPBlock` joins ([`Cnf::AAP`]: AND, IAND, OR, XOR, with `x` its
/// `spikes` and `y` its `out`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cnf {
    /// `x + y`.
    Add,
    /// `x * y`.
    And,
    /// `x * (1 - y)`.
    Iand,
    /// `y + x - x * y`.
    Or,
    /// `x * (1 - y) + y * (1 - x)`.
    Xor,
}

impl Cnf {
    /// spikingjelly's `sew_function`'s: ADD, AND, IAND.
    pub const SEW: &'static [Cnf] = &[Cnf::Add, Cnf::And, Cnf::Iand];
    /// The DSNN's (refgen.py's `AAPBlock`): AND, IAND, OR, XOR.
    pub const AAP: &'static [Cnf] = &[Cnf::And, Cnf::Iand, Cnf::Or, Cnf::Xor];

    /// `sew_function(x, y, cnf)`, its arguments in sew_resnet.py's order; OR and XOR in
    /// refgen.py's order of operations.
    pub fn join(self, x: &Tensor, y: &Tensor) -> Result<Tensor> {
        let not = |xs: &Tensor| xs.affine(-1.0, 1.0);
        match self {
            Cnf::Add => x + y,
            Cnf::And => x * y,
            Cnf::Iand => x * not(y)?,
            Cnf::Or => (y + x)? - (x * y)?,
            Cnf::Xor => (x * not(y)?)? + (y * not(x)?)?,
        }
    }

    /// Its name: `ADD`, `AND`, `IAND`, `OR` or `XOR`.
    pub fn name(&self) -> &'static str {
        match self {
            Cnf::Add => "ADD",
            Cnf::And => "AND",
            Cnf::Iand => "IAND",
            Cnf::Or => "OR",
            Cnf::Xor => "XOR",
        }
    }

    /// `cnfs`' names: `ADD, AND or IAND`.
    pub fn names(cnfs: &[Cnf]) -> String {
        let names: Vec<&str> = cnfs.iter().map(Cnf::name).collect();
        match names.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
            _ => names.join(""),
        }
    }
}

impl std::str::FromStr for Cnf {
    type Err = candle::Error;

    /// The names, in any case: `ADD`, `AND`, `IAND`, `OR`, `XOR`.
    fn from_str(s: &str) -> Result<Self> {
        Ok(match s.to_ascii_uppercase().as_str() {
            "ADD" => Cnf::Add,
            "AND" => Cnf::And,
            "IAND" => Cnf::Iand,
            "OR" => Cnf::Or,
            "XOR" => Cnf::Xor,
            _ => candle::bail!("unknown cnf `{s}`; expected ADD, AND, IAND, OR or XOR"),
        })
    }
}

#[cfg(test)]
mod tests {
    use candle::{Device, Tensor};

    use super::{Cnf, Neuron};

    #[test]
    fn the_joins_are_sew_functions() {
        let dev = Device::Cpu;
        let x = Tensor::new(&[0f32, 0., 1., 1.], &dev).unwrap();
        let y = Tensor::new(&[0f32, 1., 0., 1.], &dev).unwrap();
        for (cnf, want) in [
            (Cnf::Add, [0f32, 1., 1., 2.]),
            (Cnf::And, [0., 0., 0., 1.]),
            (Cnf::Iand, [0., 0., 1., 0.]),
            (Cnf::Or, [0., 1., 1., 1.]),
            (Cnf::Xor, [0., 1., 1., 0.]),
        ] {
            assert_eq!(cnf.join(&x, &y).unwrap().to_vec1::<f32>().unwrap(), want, "{cnf:?}");
            assert_eq!(cnf.name().parse::<Cnf>().unwrap(), cnf);
        }
        assert_eq!(Cnf::names(Cnf::SEW), "ADD, AND or IAND");
        assert_eq!(Cnf::names(Cnf::AAP), "AND, IAND, OR or XOR");
        assert_eq!(Cnf::names(&[Cnf::Or]), "OR");
    }

    #[test]
    fn neurons_parse_with_their_taus() {
        assert_eq!("IF".parse::<Neuron>().unwrap(), Neuron::If);
        assert_eq!("lif:1.5".parse::<Neuron>().unwrap(), Neuron::Lif { tau: 1.5 });
        assert_eq!("plif".parse::<Neuron>().unwrap(), Neuron::Plif { init_tau: 2.0 });
        let err = |s: &str| s.parse::<Neuron>().unwrap_err().to_string();
        assert!(err("alif").contains("expected if, lif, plif"), "{}", err("alif"));
        assert!(err("lif:0.5").contains("above 1"));
        assert!(err("if:2").contains("IF has no tau"));
    }
}
