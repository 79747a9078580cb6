//! Every option of the attribute, parsed and validated here, per item: on a struct
//! `#[syops::count(name = "Type", crate = path)]` ([`StructArgs`]); on an impl block or a forward
//! method `#[syops::count(crate = path)]` ([`ForwardArgs`]); on a field `#[syops(skip)]`,
//! `#[syops(rename = "name")]` ([`FieldArgs`]).
use proc_macro2::{Ident, TokenStream, TokenTree};
use syn::parse::{Parse, ParseStream, Parser};
use syn::{Attribute, ImplItemFn, LitStr, Path, Token};

/// Options of `#[syops::count(...)]` on a struct.
pub struct StructArgs {
    /// The type name shown in reports (defaults to the struct's name).
    pub name: Option<LitStr>,
    /// The path generated code reaches `__private` through (defaults to `::syops`).
    pub krate: Path,
}

/// Options of `#[syops::count(...)]` on an impl block or a forward method.
pub struct ForwardArgs {
    /// As [`StructArgs::krate`].
    pub krate: Path,
}

impl Parse for StructArgs {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let (name, krate) = options(input, true)?;
        Ok(StructArgs { name, krate })
    }
}

impl Parse for ForwardArgs {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        Ok(ForwardArgs { krate: options(input, false)?.1 })
    }
}

impl ForwardArgs {
    /// The options of the attribute on a single method, which must be a forward method.
    pub fn method(args: TokenStream, f: &ImplItemFn) -> syn::Result<Self> {
        let args: Self = syn::parse2(args)?;
        let name = f.sig.ident.to_string();
        if name != "forward" && name != "forward_t" || f.sig.receiver().is_none() {
            return Err(syn::Error::new_spanned(
                &f.sig.ident,
                "`#[syops::count]` on a function expects a forward method (`fn forward(&self, ..)` or `fn forward_t(&self, ..)`); put it on the struct or the impl block instead",
            ));
        }
        Ok(args)
    }
}

/// `key = value, ..`: `name` only on a struct, `crate` anywhere, each at most once.
fn options(input: ParseStream, on_struct: bool) -> syn::Result<(Option<LitStr>, Path)> {
    let (mut name, mut krate) = (None, None);
    while !input.is_empty() {
        let key: Ident = match input.parse::<Option<Token![crate]>>()? {
            Some(kw) => Ident::new("crate", kw.span),
            None => input.parse()?,
        };
        if key == "crate" {
            input.parse::<Token![=]>()?;
            if krate.is_some() {
                return Err(syn::Error::new_spanned(key, "duplicate `#[syops::count]` option `crate`"));
            }
            krate = Some(crate_path(input, &key)?);
        } else if key == "name" && on_struct {
            input.parse::<Token![=]>()?;
            if name.is_some() {
                return Err(syn::Error::new_spanned(key, "duplicate `#[syops::count]` option `name`"));
            }
            name = Some(input.parse()?);
        } else if key == "name" {
            return Err(syn::Error::new_spanned(
                key,
                "`#[syops::count]` takes no options here; options (`name = \"...\"`) go on the struct",
            ));
        } else {
            let expected = if on_struct { "`name = \"...\"`" } else { "`crate = path`" };
            let msg = format!("unknown `#[syops::count]` option `{key}`; expected {expected}");
            return Err(syn::Error::new_spanned(&key, msg));
        }
        if !input.is_empty() {
            input.parse::<Token![,]>()?;
        }
    }
    Ok((name, krate.unwrap_or_else(|| syn::parse_quote!(::syops))))
}

/// The value of `crate = ..` up to the next comma: a module path (`::syops`, `crate`, `a::b`).
fn crate_path(input: ParseStream, key: &Ident) -> syn::Result<Path> {
    let value = input.step(|cursor| {
        let (mut value, mut rest) = (TokenStream::new(), *cursor);
        while let Some((tt, next)) = rest.token_tree() {
            if matches!(&tt, TokenTree::Punct(p) if p.as_char() == ',') {
                break;
            }
            value.extend([tt]);
            rest = next;
        }
        Ok((value, rest))
    })?;
    let msg = "`#[syops::count]` option `crate` expects a path, such as `crate = ::syops`";
    if value.is_empty() {
        return Err(syn::Error::new_spanned(key, msg));
    }
    Path::parse_mod_style.parse2(value.clone()).map_err(|_| syn::Error::new_spanned(value, msg))
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

#[cfg(test)]
mod tests {
    use super::*;
    use quote::{quote, ToTokens};

    fn on_struct(args: TokenStream) -> syn::Result<StructArgs> {
        syn::parse2(args)
    }

    fn err<T>(r: syn::Result<T>) -> String {
        r.err().expect("an error").to_string()
    }

    fn path(p: &Path) -> String {
        p.to_token_stream().to_string()
    }

    #[test]
    fn name_and_crate_in_either_order() {
        for args in [quote!(name = "X", crate = ::a::b), quote!(crate = ::a::b, name = "X",)] {
            let a = on_struct(args).unwrap();
            assert_eq!(a.name.unwrap().value(), "X");
            assert_eq!(path(&a.krate), ":: a :: b");
        }
    }

    #[test]
    fn defaults_and_paths() {
        let a = on_struct(quote!()).unwrap();
        assert!(a.name.is_none());
        assert_eq!(path(&a.krate), ":: syops");
        for (args, want) in [(quote!(crate = crate), "crate"), (quote!(crate = some::path), "some :: path")] {
            assert_eq!(path(&on_struct(args.clone()).unwrap().krate), want);
            assert_eq!(path(&syn::parse2::<ForwardArgs>(args).unwrap().krate), want);
        }
        // A path passed through a `macro_rules!` `$p:path` arrives in an invisible group.
        let grouped = proc_macro2::Group::new(proc_macro2::Delimiter::None, quote!(::a::b));
        assert_eq!(path(&on_struct(quote!(crate = #grouped)).unwrap().krate), ":: a :: b");
    }

    #[test]
    fn rejects_duplicates_and_unknown_keys() {
        let dup = |k: &str| format!("duplicate `#[syops::count]` option `{k}`");
        assert_eq!(err(on_struct(quote!(name = "A", crate = x, name = "B"))), dup("name"));
        assert_eq!(err(on_struct(quote!(crate = a, name = "A", crate = b))), dup("crate"));
        assert_eq!(err(syn::parse2::<ForwardArgs>(quote!(crate = a, crate = a))), dup("crate"));
        assert_eq!(
            err(on_struct(quote!(speed = 3))),
            "unknown `#[syops::count]` option `speed`; expected `name = \"...\"`"
        );
        assert_eq!(
            err(syn::parse2::<ForwardArgs>(quote!(crate = a, foo))),
            "unknown `#[syops::count]` option `foo`; expected `crate = path`"
        );
        assert_eq!(
            err(syn::parse2::<ForwardArgs>(quote!(name = "X"))),
            "`#[syops::count]` takes no options here; options (`name = \"...\"`) go on the struct"
        );
    }

    #[test]
    fn rejects_bad_crate_paths() {
        let msg = "`#[syops::count]` option `crate` expects a path, such as `crate = ::syops`";
        for args in [quote!(crate =), quote!(crate = , name = "X"), quote!(crate = "syops"), quote!(crate = a::)] {
            assert_eq!(err(on_struct(args)), msg);
        }
        assert_eq!(err(on_struct(quote!(crate = a::b<T>))), msg);
    }

    #[test]
    fn method_must_be_forward() {
        let f: ImplItemFn = syn::parse_quote!(
            fn run(&self) {}
        );
        assert!(err(ForwardArgs::method(quote!(), &f)).starts_with("`#[syops::count]` on a function expects"));
        let f: ImplItemFn = syn::parse_quote!(
            fn forward(&self) {}
        );
        assert_eq!(path(&ForwardArgs::method(quote!(crate = crate), &f).unwrap().krate), "crate");
    }
}
