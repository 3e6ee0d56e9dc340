"""What each field does: queries, DataLoaders and argument checks, over the store."""
