"""One instance's reconcile as pure planning: given the graph, the instance and the observed children,
decide what to apply, what to prune, what the status says and when to look again."""
