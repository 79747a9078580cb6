//! The attribute's options: `#[syops::count]` or `#[syops::count(name = "Type")]` on a struct;
//! field options `#[syops(skip)]`, `#[syops(rename = "name")]`.
use syn::parse::{Parse, ParseStream};
use syn::{Attribute, LitStr, Token};

/// Options of `#[syops::count(...)]`.
#[derive(Default)]
pub struct Args {
    /// The type name shown in reports (defaults to the struct's name).
    pub name: Option<LitStr>,
}

impl Parse for Args {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let mut args = Args::default();
        while !input.is_empty() {
            let key: syn::Ident = input.parse()?;
            if key == "name" {
                input.parse::<Token![=]>()?;
                if args.name.is_some() {
                    return Err(syn::Error::new_spanned(key, "duplicate `#[syops::count]` option `name`"));
                }
                args.name = Some(input.parse()?);
            } else {
                return Err(syn::Error::new_spanned(
                    &key,
                    format!("unknown `#[syops::count]` option `{key}`; expected `name = \"...\"`"),
                ));
            }
            if !input.is_empty() {
                input.parse::<Token![,]>()?;
            }
        }
        Ok(args)
    }
}

/// Options of a field.
#[derive(Default)]
pub struct FieldArgs {
    pub skip: bool,
    pub rename: Option<LitStr>,
}

impl FieldArgs {
    /// Reads and removes the `#[syops(..)]` attributes of a field.
    pub fn take(attrs: &mut Vec<Attribute>) -> syn::Result<Self> {
        let mut out = FieldArgs::default();
        let mut result = Ok(());
        attrs.retain(|attr| {
            if !attr.path().is_ident("syops") {
                return true;
            }
            let parsed = attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("skip") {
                    out.skip = true;
                    Ok(())
                } else if meta.path.is_ident("rename") {
                    out.rename = Some(meta.value()?.parse()?);
                    Ok(())
                } else {
                    Err(meta.error("unknown `#[syops(..)]` field option; expected `skip` or `rename = \"...\"`"))
                }
            });
            if let Err(e) = parsed {
                if result.is_ok() {
                    result = Err(e);
                }
            }
            false
        });
        result.map(|()| out)
    }
}
