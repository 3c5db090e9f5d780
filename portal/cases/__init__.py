"""The case file and case notes: one page per client, note templates, drafts, signing and amendments."""
