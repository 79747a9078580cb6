//! `#[syops::count]`: instruments candle model structs and their forward methods for syops.
//! Thin: `args` parses and validates the options, `expand` dispatches on the item, `instrument`
//! rewrites forward calls. Generated code calls only `::syops::__private` (or `PATH::__private`
//! with `crate = PATH`).
mod args;
mod expand;
mod instrument;

use proc_macro::TokenStream;

/// Makes a struct a node of the counted model tree, or instruments the child-layer calls of an
/// `impl` block or a `forward` method. See the `syops` crate documentation.
#[proc_macro_attribute]
pub fn count(args: TokenStream, item: TokenStream) -> TokenStream {
    let args = proc_macro2::TokenStream::from(args);
    let item = proc_macro2::TokenStream::from(item);
    expand::expand(args, item.clone())
        .unwrap_or_else(|err| {
            let mut out = err.into_compile_error();
            out.extend(strip_field_attrs(item));
            out
        })
        .into()
}

/// The user's item with `#[syops(..)]` field attributes removed, emitted after an error so that
/// one mistake does not cascade.
fn strip_field_attrs(item: proc_macro2::TokenStream) -> proc_macro2::TokenStream {
    match syn::parse2::<syn::ItemStruct>(item.clone()) {
        Ok(mut s) => {
            for field in s.fields.iter_mut() {
                field.attrs.retain(|a| !a.path().is_ident("syops"));
            }
            quote::quote!(#s)
        }
        Err(_) => item,
    }
}
