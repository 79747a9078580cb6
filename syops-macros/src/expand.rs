//! Dispatch on the annotated item: struct → `Layer` impl; impl block or forward method → the
//! call instrumentation of `instrument`.
use proc_macro2::TokenStream;
use quote::{quote, ToTokens};
use syn::{Fields, ImplItem, ImplItemFn, Item, ItemStruct};

use crate::args::{FieldArgs, ForwardArgs, StructArgs};
use crate::instrument;

pub fn expand(args: TokenStream, item: TokenStream) -> syn::Result<TokenStream> {
    let item: Item = match syn::parse2(item.clone()) {
        Ok(item) => item,
        // A method inside an impl block (`fn forward(&self, ..)`) is not an `Item`.
        Err(_) => return method(args, syn::parse2(item)?),
    };
    match item {
        Item::Struct(s) => expand_struct(syn::parse2(args)?, s),
        Item::Impl(mut block) => {
            let args: ForwardArgs = syn::parse2(args)?;
            for item in &mut block.items {
                if let ImplItem::Fn(f) = item {
                    instrument::forward_body(&args.krate, &mut f.block);
                }
            }
            Ok(block.into_token_stream())
        }
        Item::Fn(f) => method(args, syn::parse2(f.into_token_stream())?),
        Item::Enum(e) => Err(syn::Error::new_spanned(
            e.enum_token,
            "`#[syops::count]` cannot be used on an enum; expected a struct, an impl block or a forward method",
        )),
        other => Err(syn::Error::new_spanned(
            other,
            "`#[syops::count]` expected a struct, an impl block or a forward method",
        )),
    }
}

fn method(args: TokenStream, mut f: ImplItemFn) -> syn::Result<TokenStream> {
    let args = ForwardArgs::method(args, &f)?;
    instrument::forward_body(&args.krate, &mut f.block);
    Ok(f.into_token_stream())
}

fn expand_struct(args: StructArgs, mut s: ItemStruct) -> syn::Result<TokenStream> {
    let (ident, krate) = (&s.ident, &args.krate);
    let name = args.name.map_or_else(|| ident.to_string(), |n| n.value());
    let mut visits = Vec::new();
    let mut renames = Vec::new();
    let mut error: Option<syn::Error> = None;
    let fields = match &mut s.fields {
        Fields::Named(f) => f.named.iter_mut().collect::<Vec<_>>(),
        Fields::Unnamed(f) => f.unnamed.iter_mut().collect(),
        Fields::Unit => Vec::new(),
    };
    for (i, field) in fields.into_iter().enumerate() {
        let opts = match FieldArgs::take(&mut field.attrs) {
            Ok(o) => o,
            Err(e) => {
                match &mut error {
                    Some(err) => err.combine(e),
                    None => error = Some(e),
                }
                continue;
            }
        };
        if opts.skip {
            continue;
        }
        let member: syn::Member = match &field.ident {
            Some(id) => id.clone().into(),
            None => syn::Index::from(i).into(),
        };
        if let (Some(r), Some(id)) = (&opts.rename, &field.ident) {
            let from = id.to_string();
            renames.push(quote!(#from => #r,));
        }
        let seg = opts.rename.map_or_else(
            || match &member {
                syn::Member::Named(id) => id.to_string().trim_start_matches("r#").to_string(),
                syn::Member::Unnamed(ix) => ix.index.to_string(),
            },
            |r| r.value(),
        );
        visits.push(quote! {
            if let ::core::option::Option::Some(__syops_child) =
                (&&#krate::__private::Detect(&self.#member)).__syops_layer().layer()
            {
                __syops_visit(#krate::__private::Segment::Field(#seg), __syops_child);
            }
        });
    }
    if let Some(err) = error {
        return Err(err);
    }
    let (impl_generics, ty_generics, where_clause) = s.generics.split_for_impl();
    Ok(quote! {
        #s

        impl #impl_generics #krate::__private::Layer for #ident #ty_generics #where_clause {
            fn type_name(&self) -> &'static str {
                #name
            }

            #[allow(unused_imports)]
            fn children(&self, __syops_visit: &mut dyn ::core::ops::FnMut(#krate::__private::Segment, &dyn #krate::__private::Layer)) {
                use #krate::__private::{DetectLayer as _, DetectNotLayer as _};
                #(#visits)*
            }
        }

        impl #impl_generics #krate::__private::FieldNames for #ident #ty_generics #where_clause {
            fn segment(field: &'static str) -> &'static str {
                match field {
                    #(#renames)*
                    other => other,
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::{expand, TokenStream};
    use quote::quote;

    fn expanded(args: TokenStream, item: TokenStream) -> String {
        expand(args, item).unwrap().to_string()
    }

    /// Every `__private` path goes through the crate path, and there are some.
    fn all_through(out: &str, krate: &str) {
        let total = out.matches("__private").count();
        assert!(total > 0, "{out}");
        assert_eq!(out.matches(&format!("{krate} :: __private")).count(), total, "{out}");
    }

    const FORWARD: &str = "fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        let xs = self.fc.forward(xs)?;
        for l in self.layers.iter() { xs = l.forward(&xs)?; }
        let xs = xs.apply(&self.head)?;
        other.forward(&xs)
    }";

    #[test]
    fn struct_with_crate_path() {
        let item = quote!(
            struct Net {
                fc: Linear,
                #[syops(skip)]
                cache: u8,
            }
        );
        all_through(&expanded(quote!(), item.clone()), ":: syops");
        let out = expanded(quote!(crate = ::my_rt, name = "N"), item.clone());
        all_through(&out, ":: my_rt");
        assert!(out.contains("\"N\"") && !out.contains("syops ::"), "{out}");
        all_through(&expanded(quote!(crate = crate), item), "crate");
    }

    #[test]
    fn impl_block_and_method_with_crate_path() {
        let method: TokenStream = FORWARD.parse().unwrap();
        let block = quote!(impl Net { #method });
        all_through(&expanded(quote!(), block.clone()), ":: syops");
        for item in [block, method] {
            let out = expanded(quote!(crate = ::my_rt), item);
            for used in ["Scope :: enter", "Detect (", "unattributed (", "Segment :: Index", "FieldNames"] {
                assert!(out.contains(&format!("my_rt :: __private :: {used}")), "{used}: {out}");
            }
            all_through(&out, ":: my_rt");
            assert!(!out.contains("syops ::"), "{out}");
        }
    }

    #[test]
    fn options_are_checked_per_item() {
        let err = |args, item| expand(args, item).expect_err("an error").to_string();
        let f: TokenStream = FORWARD.parse().unwrap();
        assert!(err(quote!(name = "X"), quote!(impl Net {})).contains("takes no options here"));
        assert!(err(quote!(name = "X"), f.clone()).contains("takes no options here"));
        assert!(err(quote!(foo), f).ends_with("expected `crate = path`"));
        assert!(err(
            quote!(crate = a),
            quote!(
                enum E {}
            )
        )
        .contains("cannot be used on an enum"));
    }
}
