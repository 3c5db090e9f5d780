"""The food and trigger journal: a diary day's meals with their trigger tags and photos, its own tags, the
supplement ticks of her current protocol, and the practice's trigger list."""
