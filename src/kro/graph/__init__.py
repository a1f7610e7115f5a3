"""The graph compiler: an RGD document in, a typed and validated :class:`kro.graph.model.Graph` (or
every error found, each located) out. Pure: schemas of other kinds come through a resolver port."""
