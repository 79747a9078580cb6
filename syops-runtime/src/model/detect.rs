//! Compile-time dispatch used by `#[syops::count]`: whatever the type of a field or of a call's
//! argument and result, generated code can ask "are you a layer?" and "is there a tensor in you?".
//! Types that say no are still handled (reported as uncounted), never a compile error.
//!
//! The trick is autoref specialisation: `(&&Detect(&x)).__syops_layer()` finds the impl on
//! `&Detect<T>` when `T: Layer`, and falls back to the impl on `Detect<T>` otherwise.
use candle::Tensor;

use crate::model::{Layer, Role};

/// Wraps a reference for the dispatch.
pub struct Detect<'a, T: ?Sized>(pub &'a T);

/// A child as generated code sees it: the layer when its type implements [`Layer`], and the Rust
/// type name either way.
#[derive(Clone, Copy)]
pub struct LayerRef<'a> {
    pub(crate) layer: Option<&'a dyn Layer>,
    pub(crate) rust_type: &'static str,
}

impl<'a> LayerRef<'a> {
    /// A reference to a known layer.
    pub fn of<T: Layer>(layer: &'a T) -> Self {
        LayerRef { layer: Some(layer), rust_type: std::any::type_name::<T>() }
    }

    /// A reference to a layer behind a trait object (its type name is the layer's).
    pub fn of_dyn(layer: &'a dyn Layer) -> Self {
        LayerRef { layer: Some(layer), rust_type: layer.type_name() }
    }

    /// The layer, when its type implements [`Layer`].
    pub fn layer(&self) -> Option<&'a dyn Layer> {
        self.layer
    }

    pub(crate) fn role(&self) -> Role {
        self.layer.map_or(Role::Uncounted, |l| l.role())
    }

    pub(crate) fn type_name(&self) -> &'static str {
        match self.layer {
            Some(layer) => layer.type_name(),
            None => short_type_name(self.rust_type),
        }
    }
}

/// `a::b::Foo<c::Bar>` → `Foo<Bar>`.
pub(crate) fn short_type_name(full: &'static str) -> &'static str {
    let head = full.split('<').next().unwrap_or(full);
    match head.rfind("::") {
        Some(i) => &full[i + 2..],
        None => full,
    }
}

/// Found when the probed type implements [`Layer`].
pub trait DetectLayer<'a> {
    fn __syops_layer(&self) -> LayerRef<'a>;
}
impl<'a, T: Layer + 'a> DetectLayer<'a> for &Detect<'a, T> {
    fn __syops_layer(&self) -> LayerRef<'a> {
        LayerRef::of(self.0)
    }
}

/// The fallback for every other type.
pub trait DetectNotLayer<'a> {
    fn __syops_layer(&self) -> LayerRef<'a>;
}
impl<'a, T: ?Sized> DetectNotLayer<'a> for Detect<'a, T> {
    fn __syops_layer(&self) -> LayerRef<'a> {
        LayerRef { layer: None, rust_type: std::any::type_name::<T>() }
    }
}

/// What a call's argument or result holds, as far as counting cares.
pub enum Outcome<'a> {
    /// A tensor (the first one, for tuples and vectors).
    Tensor(&'a Tensor),
    /// An error result, with its message.
    Failed(String),
    /// Something without a tensor.
    Opaque,
}

/// Types that may hold a tensor: `Tensor`, references, `Result`, `Option`, tuples, `Vec`.
pub trait HasTensor {
    fn outcome(&self) -> Outcome<'_>;
}

impl HasTensor for Tensor {
    fn outcome(&self) -> Outcome<'_> {
        Outcome::Tensor(self)
    }
}
impl<T: HasTensor + ?Sized> HasTensor for &T {
    fn outcome(&self) -> Outcome<'_> {
        (**self).outcome()
    }
}
impl<T: HasTensor, E: std::fmt::Display> HasTensor for Result<T, E> {
    fn outcome(&self) -> Outcome<'_> {
        match self {
            Ok(v) => v.outcome(),
            Err(e) => Outcome::Failed(e.to_string()),
        }
    }
}
impl<T: HasTensor> HasTensor for Option<T> {
    fn outcome(&self) -> Outcome<'_> {
        self.as_ref().map_or(Outcome::Opaque, |v| v.outcome())
    }
}
impl<T: HasTensor> HasTensor for Vec<T> {
    fn outcome(&self) -> Outcome<'_> {
        self.first().map_or(Outcome::Opaque, |v| v.outcome())
    }
}
impl<T: HasTensor> HasTensor for [T] {
    fn outcome(&self) -> Outcome<'_> {
        self.first().map_or(Outcome::Opaque, |v| v.outcome())
    }
}
macro_rules! tuple_has_tensor {
    ($($rest:ident),*) => {
        impl<A: HasTensor, $($rest),*> HasTensor for (A, $($rest),*) {
            fn outcome(&self) -> Outcome<'_> {
                self.0.outcome()
            }
        }
    };
}
tuple_has_tensor!();
tuple_has_tensor!(B);
tuple_has_tensor!(B, C);
tuple_has_tensor!(B, C, D);

/// Found when the probed value may hold a tensor.
pub trait DetectTensor<'a> {
    fn __syops_tensor(&self) -> Outcome<'a>;
}
impl<'a, T: HasTensor + ?Sized> DetectTensor<'a> for &Detect<'a, T> {
    fn __syops_tensor(&self) -> Outcome<'a> {
        self.0.outcome()
    }
}

/// The fallback for values that cannot hold a tensor.
pub trait DetectNoTensor<'a> {
    fn __syops_tensor(&self) -> Outcome<'a>;
}
impl<'a, T: ?Sized> DetectNoTensor<'a> for Detect<'a, T> {
    fn __syops_tensor(&self) -> Outcome<'a> {
        Outcome::Opaque
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names() {
        assert_eq!(short_type_name("candle_nn::conv::Conv2d"), "Conv2d");
        assert_eq!(short_type_name("u32"), "u32");
        assert_eq!(short_type_name("my::Block<a::B>"), "Block<a::B>");
    }
}
