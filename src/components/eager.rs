//! `Eager`: a view that hydrates the same way however hydration reaches it. Leptos gives every
//! type-erased view (each `into_any`) a second, asynchronous copy of its hydration code, for
//! lazily loaded code; this app has none. `Eager` answers the asynchronous call with the
//! synchronous hydration, so no copy is made below it: islands use `into_eager_any` where they
//! switch between views. Rendering, resolving on the server and updates are the wrapped view's
//! own.

use leptos::{
    prelude::{AnyView, IntoAny},
    tachys::{
        html::attribute::{any_attribute::AnyAttribute, Attribute},
        hydration::Cursor,
        ssr::StreamBuilder,
        view::{add_attr::AddAnyAttr, Position, PositionState, Render, RenderHtml},
    },
};

pub struct Eager<V>(pub V);

/// `into_any` for views that hydrate eagerly (all of this app's islands).
pub trait IntoEagerAny {
    fn into_eager_any(self) -> AnyView;
}

impl<V: RenderHtml> IntoEagerAny for V {
    fn into_eager_any(self) -> AnyView {
        Eager(self).into_any()
    }
}

impl<V: Render> Render for Eager<V> {
    type State = V::State;

    fn build(self) -> Self::State {
        self.0.build()
    }

    fn rebuild(self, state: &mut Self::State) {
        self.0.rebuild(state)
    }
}

impl<V: AddAnyAttr> AddAnyAttr for Eager<V> {
    type Output<SomeNewAttr: Attribute> = Eager<V::Output<SomeNewAttr>>;

    fn add_any_attr<NewAttr: Attribute>(self, attr: NewAttr) -> Self::Output<NewAttr>
    where
        Self::Output<NewAttr>: RenderHtml,
    {
        Eager(self.0.add_any_attr(attr))
    }
}

impl<V: RenderHtml> RenderHtml for Eager<V> {
    type AsyncOutput = Eager<V::AsyncOutput>;
    type Owned = Eager<V::Owned>;

    const MIN_LENGTH: usize = V::MIN_LENGTH;
    const EXISTS: bool = V::EXISTS;

    fn dry_resolve(&mut self) {
        self.0.dry_resolve()
    }

    async fn resolve(self) -> Self::AsyncOutput {
        Eager(self.0.resolve().await)
    }

    fn html_len(&self) -> usize {
        self.0.html_len()
    }

    fn to_html_with_buf(
        self,
        buf: &mut String,
        position: &mut Position,
        escape: bool,
        mark_branches: bool,
        extra_attrs: Vec<AnyAttribute>,
    ) {
        self.0
            .to_html_with_buf(buf, position, escape, mark_branches, extra_attrs)
    }

    fn to_html_async_with_buf<const OUT_OF_ORDER: bool>(
        self,
        buf: &mut StreamBuilder,
        position: &mut Position,
        escape: bool,
        mark_branches: bool,
        extra_attrs: Vec<AnyAttribute>,
    ) {
        self.0.to_html_async_with_buf::<OUT_OF_ORDER>(
            buf,
            position,
            escape,
            mark_branches,
            extra_attrs,
        )
    }

    fn hydrate<const FROM_SERVER: bool>(
        self,
        cursor: &Cursor,
        position: &PositionState,
    ) -> Self::State {
        self.0.hydrate::<FROM_SERVER>(cursor, position)
    }

    // `hydrate_async` is left to the trait's default: the synchronous `hydrate` above.

    fn into_owned(self) -> Self::Owned {
        Eager(self.0.into_owned())
    }
}
